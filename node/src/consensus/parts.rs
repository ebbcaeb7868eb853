//! Proposal parts: how a block is streamed to the other validators (init, data chunks, fin),
//! and how a stream is put back together, with every buffer bounded.

use std::collections::BTreeMap;

use borsh::{BorshDeserialize, BorshSerialize};
use bytes::Bytes;
use ebl_ledger::block::MAX_BLOCK_BYTES;
use malachite::app::streaming::{StreamContent, StreamId, StreamMessage};
use malachite::app::types::PeerId;
use malachite::app::types::core::{self, Round};

use super::context::EblContext;
use super::messages::tag;
use super::scheme::ConsensusSignature;
use super::types::{Address, BlockId, Height};

/// Largest data chunk of a stream.
pub const MAX_CHUNK: usize = 256 * 1024;
/// Most streams being reassembled at once (across peers and rounds).
pub const MAX_STREAMS: usize = 64;
/// Most messages in one stream: init, the chunks of the largest block, fin and end of stream.
pub const MAX_STREAM_MESSAGES: usize = MAX_BLOCK_BYTES / MAX_CHUNK + 4;

/// What opens a stream: where the block goes and who proposes it.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct PartInit {
    /// Height.
    pub height: Height,
    /// Round.
    pub round: Round,
    /// Proof-of-lock round (a re-proposed block).
    pub pol_round: Round,
    /// Proposer.
    pub proposer: Address,
    /// Hash of the block.
    pub block_id: BlockId,
    /// Length of the encoded block.
    pub block_len: u64,
}

impl PartInit {
    /// What the proposer signs in the fin part: tag, chain and every init field.
    pub fn signing_bytes(&self, chain: &[u8; 32]) -> Vec<u8> {
        let mut bytes = tag::PARTS.to_vec();
        bytes.extend_from_slice(chain);
        bytes.extend(borsh::to_vec(self).unwrap_or_default());
        bytes
    }
}

/// One part of a streamed proposal.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum ProposalPart {
    /// First part.
    Init(PartInit),
    /// A chunk of the canonical encoding of the block.
    Data(Vec<u8>),
    /// Last part: the proposer's signature over the init (whose block id commits to the data).
    Fin(ConsensusSignature),
}

impl core::ProposalPart<EblContext> for ProposalPart {
    fn is_first(&self) -> bool {
        matches!(self, ProposalPart::Init(_))
    }

    fn is_last(&self) -> bool {
        matches!(self, ProposalPart::Fin(_))
    }
}

/// The stream id of a proposal: height and round.
pub fn stream_id(height: Height, round: Round) -> StreamId {
    let mut bytes = height.0.to_be_bytes().to_vec();
    bytes.extend_from_slice(&round.as_i64().to_be_bytes());
    StreamId::new(Bytes::from(bytes))
}

/// The messages that stream an encoded block, in order, ending with the end-of-stream marker.
pub fn stream_messages(
    init: PartInit,
    encoded_block: &[u8],
    fin: ConsensusSignature,
) -> Vec<StreamMessage<ProposalPart>> {
    let id = stream_id(init.height, init.round);
    let mut parts = vec![ProposalPart::Init(init)];
    parts.extend(
        encoded_block
            .chunks(MAX_CHUNK)
            .map(|c| ProposalPart::Data(c.to_vec())),
    );
    parts.push(ProposalPart::Fin(fin));
    let mut messages: Vec<StreamMessage<ProposalPart>> = parts
        .into_iter()
        .zip(0u64..)
        .map(|(p, seq)| StreamMessage::new(id.clone(), seq, StreamContent::Data(p)))
        .collect();
    let last = messages.len() as u64;
    messages.push(StreamMessage::new(id, last, StreamContent::Fin));
    messages
}

/// A complete stream: the init, the encoded block and the proposer's signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssembledProposal {
    /// The init part.
    pub init: PartInit,
    /// The encoded block (not yet checked against the init).
    pub block_bytes: Vec<u8>,
    /// The proposer's signature from the fin part.
    pub signature: ConsensusSignature,
}

/// Why a stream is dropped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StreamError {
    /// Too many messages or bytes, or a sequence beyond any block.
    #[error("stream over its bounds")]
    TooLarge,
    /// Parts out of place (init not first, data after fin, two inits...).
    #[error("malformed stream: {0}")]
    Malformed(&'static str),
}

#[derive(Debug, Default)]
struct Stream {
    messages: BTreeMap<u64, StreamContent<ProposalPart>>,
    bytes: usize,
    end: Option<u64>,
}

/// Reassembles streams keyed by (publisher, stream id); bounded in streams, messages and bytes.
#[derive(Debug, Default)]
pub struct PartBuffer {
    streams: BTreeMap<(Vec<u8>, Vec<u8>), Stream>,
}

impl PartBuffer {
    /// Adds one message; returns the proposal when its stream is complete.
    pub fn insert(
        &mut self,
        publisher: PeerId,
        msg: StreamMessage<ProposalPart>,
    ) -> Result<Option<AssembledProposal>, StreamError> {
        let key = (publisher.to_bytes(), msg.stream_id.to_bytes().to_vec());
        if !self.streams.contains_key(&key) && self.streams.len() >= MAX_STREAMS {
            // Drop the oldest stream (smallest key is arbitrary but deterministic).
            if let Some(first) = self.streams.keys().next().cloned() {
                self.streams.remove(&first);
            }
        }
        let result = insert_into(self.streams.entry(key.clone()).or_default(), msg);
        match result {
            Ok(Some(done)) => {
                self.streams.remove(&key);
                Ok(Some(done))
            }
            Ok(None) => Ok(None),
            Err(e) => {
                self.streams.remove(&key);
                Err(e)
            }
        }
    }

    /// Forgets streams of heights below `height`.
    pub fn prune_below(&mut self, height: Height) {
        self.streams.retain(|(_, id), _| {
            let h = id.get(..8).and_then(|b| <[u8; 8]>::try_from(b).ok());
            h.is_none_or(|h| u64::from_be_bytes(h) >= height.0)
        });
    }

    /// Streams in progress.
    pub fn len(&self) -> usize {
        self.streams.len()
    }

    /// `true` when no stream is in progress.
    pub fn is_empty(&self) -> bool {
        self.streams.is_empty()
    }
}

fn insert_into(
    stream: &mut Stream,
    msg: StreamMessage<ProposalPart>,
) -> Result<Option<AssembledProposal>, StreamError> {
    if msg.sequence >= MAX_STREAM_MESSAGES as u64 {
        return Err(StreamError::TooLarge);
    }
    if let StreamContent::Data(ProposalPart::Data(chunk)) = &msg.content {
        if chunk.len() > MAX_CHUNK {
            return Err(StreamError::TooLarge);
        }
        stream.bytes = stream.bytes.saturating_add(chunk.len());
        if stream.bytes > MAX_BLOCK_BYTES {
            return Err(StreamError::TooLarge);
        }
    }
    if matches!(msg.content, StreamContent::Fin) {
        stream.end = Some(msg.sequence);
    }
    stream.messages.insert(msg.sequence, msg.content);
    let Some(end) = stream.end else {
        return Ok(None);
    };
    if stream.messages.len() as u64 != end + 1 {
        return Ok(None);
    }
    assemble(std::mem::take(&mut stream.messages)).map(Some)
}

fn assemble(
    messages: BTreeMap<u64, StreamContent<ProposalPart>>,
) -> Result<AssembledProposal, StreamError> {
    let mut parts = messages.into_values();
    let Some(StreamContent::Data(ProposalPart::Init(init))) = parts.next() else {
        return Err(StreamError::Malformed("first part is not init"));
    };
    let capacity = usize::try_from(init.block_len).unwrap_or(usize::MAX);
    if capacity > MAX_BLOCK_BYTES {
        return Err(StreamError::TooLarge);
    }
    let mut block_bytes = Vec::with_capacity(capacity);
    let mut signature = None;
    for part in parts {
        match (part, &signature) {
            (StreamContent::Data(ProposalPart::Data(chunk)), None) => {
                block_bytes.extend_from_slice(&chunk);
            }
            (StreamContent::Data(ProposalPart::Fin(sig)), None) => signature = Some(sig),
            (StreamContent::Fin, Some(_)) => {}
            _ => return Err(StreamError::Malformed("parts out of order")),
        }
    }
    let signature = signature.ok_or(StreamError::Malformed("no fin part"))?;
    if block_bytes.len() as u64 != init.block_len {
        return Err(StreamError::Malformed("block length differs from init"));
    }
    Ok(AssembledProposal {
        init,
        block_bytes,
        signature,
    })
}
