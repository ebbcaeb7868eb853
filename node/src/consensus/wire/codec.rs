//! Wire and WAL codecs for every message the engine exchanges or logs.
//!
//! One encoding, borsh, with a size limit checked before decoding and trailing bytes refused
//! (`borsh::from_slice`). A malformed message from a peer is a decoding error, never a panic.
//! Malachite 0.8.2 gives borsh impls for most of its types; the two it lacks (the sync response's
//! extended commit certificate and the validator proof) are mapped to our own wire structs here.

use borsh::{BorshDeserialize, BorshSerialize};
use bytes::Bytes;
use malachite::app::consensus::{LivenessMsg, ProposedValue, SignedConsensusMsg};
use malachite::app::streaming::StreamMessage;
use malachite::app::types::codec::{Codec, HasEncodedLen};
use malachite::app::types::core::{
    CommitCertificate, CommitSignature, ExtendedCommitCertificate, ExtendedCommitSignature,
    PolkaCertificate, Round, SignedExtension, ValidatorProof,
};
use malachite::app::types::sync::{RawDecidedValue, Request, Response, Status};
use malachite_sync::ValueResponse;

use super::context::EblContext;
use super::scheme::ConsensusSignature;
use super::types::{Address, BlockId, Height};
use crate::consensus::parts::ProposalPart;

/// Largest message accepted: a whole block plus room for certificates (sync responses carry
/// one block per value; the engine's batch size is kept small in config).
pub const MAX_MESSAGE_BYTES: usize = ebl_ledger::block::MAX_BLOCK_BYTES + 1024 * 1024;

/// Why a message cannot be encoded or decoded.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// Larger than [`MAX_MESSAGE_BYTES`].
    #[error("message of {0} bytes is over the limit")]
    TooLarge(usize),
    /// Not a valid encoding (including trailing bytes).
    #[error("malformed message: {0}")]
    Malformed(#[from] std::io::Error),
}

/// The codec handed to the engine for network, sync and WAL.
#[derive(Clone, Copy, Debug, Default)]
pub struct EblCodec;

fn encode<T: BorshSerialize>(value: &T) -> Result<Bytes, CodecError> {
    let bytes = borsh::to_vec(value)?;
    if bytes.len() > MAX_MESSAGE_BYTES {
        return Err(CodecError::TooLarge(bytes.len()));
    }
    Ok(Bytes::from(bytes))
}

fn decode<T: BorshDeserialize>(bytes: &[u8]) -> Result<T, CodecError> {
    if bytes.len() > MAX_MESSAGE_BYTES {
        return Err(CodecError::TooLarge(bytes.len()));
    }
    Ok(borsh::from_slice(bytes)?)
}

macro_rules! borsh_codec {
    ($($ty:ty),* $(,)?) => {$(
        impl Codec<$ty> for EblCodec {
            type Error = CodecError;

            fn decode(&self, bytes: Bytes) -> Result<$ty, CodecError> {
                decode(&bytes)
            }

            fn encode(&self, msg: &$ty) -> Result<Bytes, CodecError> {
                encode(msg)
            }
        }
    )*};
}

borsh_codec!(
    ProposalPart,
    SignedConsensusMsg<EblContext>,
    LivenessMsg<EblContext>,
    StreamMessage<ProposalPart>,
    ProposedValue<EblContext>,
    PolkaCertificate<EblContext>,
    Status<EblContext>,
    Request<EblContext>,
    CommitCertificate<EblContext>,
);

/// A validator proof on the wire.
#[derive(BorshSerialize, BorshDeserialize)]
struct ProofWire {
    public_key: Vec<u8>,
    peer_id: Vec<u8>,
    signature: ConsensusSignature,
}

impl Codec<ValidatorProof<EblContext>> for EblCodec {
    type Error = CodecError;

    fn decode(&self, bytes: Bytes) -> Result<ValidatorProof<EblContext>, CodecError> {
        let w: ProofWire = decode(&bytes)?;
        Ok(ValidatorProof::new(w.public_key, w.peer_id, w.signature))
    }

    fn encode(&self, msg: &ValidatorProof<EblContext>) -> Result<Bytes, CodecError> {
        encode(&ProofWire {
            public_key: msg.public_key.clone(),
            peer_id: msg.peer_id.clone(),
            signature: msg.signature.clone(),
        })
    }
}

/// One signature of an extended commit certificate on the wire.
#[derive(BorshSerialize, BorshDeserialize)]
struct CommitSigWire {
    address: Address,
    signature: ConsensusSignature,
    extension: Option<SignedExtension<EblContext>>,
}

/// An extended commit certificate on the wire.
#[derive(BorshSerialize, BorshDeserialize)]
struct CertificateWire {
    height: Height,
    round: Round,
    value_id: BlockId,
    signatures: Vec<CommitSigWire>,
}

/// A sync response on the wire.
#[derive(BorshSerialize, BorshDeserialize)]
struct ResponseWire {
    start_height: Height,
    values: Vec<(Vec<u8>, CertificateWire)>,
}

fn certificate_to_wire(c: &ExtendedCommitCertificate<EblContext>) -> CertificateWire {
    CertificateWire {
        height: c.height,
        round: c.round,
        value_id: c.value_id,
        signatures: c
            .commit_signatures
            .iter()
            .map(|s| CommitSigWire {
                address: s.address,
                signature: s.signature.clone(),
                extension: s.extension.clone(),
            })
            .collect(),
    }
}

fn certificate_from_wire(w: CertificateWire) -> ExtendedCommitCertificate<EblContext> {
    ExtendedCommitCertificate {
        height: w.height,
        round: w.round,
        value_id: w.value_id,
        commit_signatures: w
            .signatures
            .into_iter()
            .map(|s| ExtendedCommitSignature::new(s.address, s.signature, s.extension))
            .collect(),
    }
}

fn response_to_wire(r: &Response<EblContext>) -> ResponseWire {
    let Response::ValueResponse(v) = r;
    ResponseWire {
        start_height: v.start_height,
        values: v
            .values
            .iter()
            .map(|d| (d.value_bytes.to_vec(), certificate_to_wire(&d.certificate)))
            .collect(),
    }
}

impl Codec<Response<EblContext>> for EblCodec {
    type Error = CodecError;

    fn decode(&self, bytes: Bytes) -> Result<Response<EblContext>, CodecError> {
        let w: ResponseWire = decode(&bytes)?;
        let values = w
            .values
            .into_iter()
            .map(|(value, cert)| RawDecidedValue::new(value.into(), certificate_from_wire(cert)))
            .collect();
        Ok(Response::ValueResponse(ValueResponse::new(
            w.start_height,
            values,
        )))
    }

    fn encode(&self, msg: &Response<EblContext>) -> Result<Bytes, CodecError> {
        encode(&response_to_wire(msg))
    }
}

impl HasEncodedLen<Response<EblContext>> for EblCodec {
    fn encoded_len(&self, msg: &Response<EblContext>) -> Result<usize, CodecError> {
        Ok(borsh::to_vec(&response_to_wire(msg))?.len())
    }
}

/// The commit certificate as the ledger stores it with the block (borsh bytes).
pub fn encode_certificate(c: &CommitCertificate<EblContext>) -> Vec<u8> {
    borsh::to_vec(c).unwrap_or_default()
}

/// Reads a stored commit certificate.
pub fn decode_certificate(bytes: &[u8]) -> Result<CommitCertificate<EblContext>, CodecError> {
    decode(bytes)
}

/// An extended certificate (no extensions) from a stored one, for value sync.
pub fn extended(c: CommitCertificate<EblContext>) -> ExtendedCommitCertificate<EblContext> {
    ExtendedCommitCertificate {
        height: c.height,
        round: c.round,
        value_id: c.value_id,
        commit_signatures: c
            .commit_signatures
            .into_iter()
            .map(|s: CommitSignature<EblContext>| {
                ExtendedCommitSignature::new(s.address, s.signature, None)
            })
            .collect(),
    }
}

/// A stored commit certificate in the ledger's portable form (R132): what proof bundles carry
/// and what `ebl_ledger::finality::CommitCertificate::verify_header` checks offline. `None`
/// when the bytes are not a certificate or name the nil round.
pub fn portable_certificate(bytes: &[u8]) -> Option<ebl_ledger::finality::CommitCertificate> {
    use ebl_ledger::finality::{CommitCertificate as Portable, CommitSignature as PortableSig};
    let c = decode_certificate(bytes).ok()?;
    Some(Portable {
        height: c.height.0,
        round: c.round.as_u32()?,
        block: ebl_ledger::hash::Hash32(c.value_id.0),
        signatures: c
            .commit_signatures
            .iter()
            .map(|s| PortableSig {
                validator: ebl_ledger::crypto::PublicKey(s.address.0),
                signature: ebl_ledger::crypto::Signature(s.signature.0.to_bytes()),
            })
            .collect(),
    })
}
