//! The `/ebl/body/1` request-response protocol (R142–R146): messages, the proof a node signs
//! when it asks on behalf of an organisation whose key its custodian holds, and the bounded
//! codec (the ledger's canonical bincode, R1).

use std::io;

use bincode::{Decode, Encode};
use ebl_ledger::crypto::{PublicKey, Signature};
use ebl_ledger::entry::ChainRef;
use ebl_ledger::hash::DocumentId;
use ebl_ledger::ids::OrgId;
use ed25519_dalek::{Signer as _, SigningKey};
use libp2p::futures::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use libp2p::{PeerId, StreamProtocol};

use super::store::MAX_BODY_BYTES;

/// R142: the protocol name.
pub const PROTOCOL: StreamProtocol = StreamProtocol::new("/ebl/body/1");

/// R144: domain tag of the proof signature.
pub const PROOF_TAG: &[u8] = b"EBL/BODY/REQUEST/v1";

/// R146: largest encoded request (document id, organisation id of at most 64 bytes, a
/// signature and the encoding's tags and lengths fit with room to spare).
pub const MAX_REQUEST_BYTES: usize = 512;

/// R146: largest encoded response: one body and its framing.
pub const MAX_RESPONSE_BYTES: usize = MAX_BODY_BYTES + 64;

/// How the requesting node shows that it asks for `party` (R143).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub enum Proof {
    /// R143 (a): the node runs as `party` (the operator of its validator key, or the
    /// organisation whose key is its key); the authenticated connection is the proof.
    Connection,
    /// R143 (b), R144: a signature by `party`'s registered organisation key over
    /// [`proof_message`] (the node's custodian holds that key).
    Signature(Signature),
}

/// R142: "send me the body of `document`, which I read for `party`".
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct BodyRequest {
    /// The document id (SHA-256 of the body's JCS canonical JSON).
    pub document: DocumentId,
    /// The organisation the requesting node asks for.
    pub party: OrgId,
    /// Why the requesting node may ask for `party`.
    pub proof: Proof,
}

/// R142: the answer.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub enum BodyResponse {
    /// The body (the requester checks it hashes to the id, R145).
    Found(Vec<u8>),
    /// The request is allowed, but this node does not hold the body.
    NotFound,
    /// R143: the request is refused (no such eBL, `party` is not a party, or the proof fails).
    /// Refusal comes before lookup: an unauthorised node never learns who holds a body.
    Forbidden,
}

/// R144: the bytes signed for a [`Proof::Signature`]: the tag, then the canonical encoding of
/// (chain, requesting node's peer id, document id, party). The chain stops replay on another
/// network; the requester's peer id stops another node from replaying the proof it was sent.
pub fn proof_message(
    chain: &ChainRef,
    requester: &PeerId,
    document: &DocumentId,
    party: &OrgId,
) -> Vec<u8> {
    let fields = (chain, requester.to_bytes(), document, party);
    let mut message = PROOF_TAG.to_vec();
    message.extend(ebl_ledger::codec::encode(&fields));
    message
}

/// R144: a [`BodyRequest`] with a signature proof by `key`.
pub fn signed_request(
    chain: &ChainRef,
    requester: &PeerId,
    document: DocumentId,
    party: OrgId,
    key: &SigningKey,
) -> BodyRequest {
    let message = proof_message(chain, requester, &document, &party);
    let signature = Signature(key.sign(&message).to_bytes());
    BodyRequest {
        document,
        party,
        proof: Proof::Signature(signature),
    }
}

/// R144: whether `signature` is `party`'s signature (by its registered key, R3)
/// for a request of `requester` about `document`.
pub fn proof_holds(
    chain: &ChainRef,
    requester: &PeerId,
    document: &DocumentId,
    party: &OrgId,
    party_key: &PublicKey,
    signature: &Signature,
) -> bool {
    let message = proof_message(chain, requester, document, party);
    party_key.verify(&message, signature).is_ok()
}

/// R146: the codec: one canonical value per stream, at most the limit, read to the end.
#[derive(Debug, Clone, Copy, Default)]
pub struct BodyCodec;

/// Reads the whole stream, refusing more than `limit` bytes, and decodes one canonical value.
async fn read_value<T, R>(io: &mut R, limit: usize) -> io::Result<T>
where
    T: Decode<()> + Encode,
    R: AsyncRead + Unpin + Send,
{
    let mut bytes = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    io.take(cap).read_to_end(&mut bytes).await?;
    // Malformed or oversized data is `InvalidData`: the peer's fault, not the network's.
    ebl_ledger::codec::decode(&bytes, limit)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))
}

async fn write_value<T: Encode, W: AsyncWrite + Unpin + Send>(
    io: &mut W,
    value: &T,
) -> io::Result<()> {
    // The request-response handler closes the stream after this.
    io.write_all(&ebl_ledger::codec::encode(value)).await
}

#[async_trait::async_trait]
impl libp2p::request_response::Codec for BodyCodec {
    type Protocol = StreamProtocol;
    type Request = BodyRequest;
    type Response = BodyResponse;

    async fn read_request<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<BodyRequest>
    where
        T: AsyncRead + Unpin + Send,
    {
        read_value(io, MAX_REQUEST_BYTES).await
    }

    async fn read_response<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<BodyResponse>
    where
        T: AsyncRead + Unpin + Send,
    {
        read_value(io, MAX_RESPONSE_BYTES).await
    }

    async fn write_request<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        request: BodyRequest,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        write_value(io, &request).await
    }

    async fn write_response<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        response: BodyResponse,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        write_value(io, &response).await
    }
}
