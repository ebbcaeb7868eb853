//! Proposal parts: how a block is streamed to the other validators (init, data chunks, fin),
//! and how a stream is put back together, with every buffer bounded and every message judged
//! by [`IntakeRules`] before it is kept (R190, R191, R193).

use std::collections::BTreeMap;

use borsh::{BorshDeserialize, BorshSerialize};
use bytes::Bytes;
use ebl_ledger::block::MAX_BLOCK_BYTES;
use malachite::app::streaming::{StreamContent, StreamId, StreamMessage};
use malachite::app::types::PeerId;
use malachite::app::types::core::{self, Round};

use super::context::EblContext;
use super::intake::{IntakeRules, Publishers};
use super::messages::tag;
use super::scheme::ConsensusSignature;
use super::types::{Address, BlockId, Height};

/// Largest data chunk of a stream.
pub const MAX_CHUNK: usize = 256 * 1024;
/// Most streams being reassembled at once (across peers and rounds).
pub const MAX_STREAMS: usize = 64;
/// R193: most streams of one publisher being reassembled at once.
pub const MAX_STREAMS_PER_PUBLISHER: usize = 4;
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
    /// The validator that published the stream (R193), when known.
    pub publisher: Option<Address>,
}

/// Why a message or a whole stream is dropped (R190, R191, R193; ADR 0027).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StreamError {
    /// Too many messages or bytes, or a sequence beyond any block.
    #[error("stream over its bounds")]
    TooLarge,
    /// Parts out of place (init not first, data after fin, two inits...).
    #[error("malformed stream: {0}")]
    Malformed(&'static str),
    /// R193: the publisher is not a validator of this height or the next.
    #[error("publisher is not a validator of this height or the next")]
    NotAValidator,
    /// R193: the stream id is not a (height, round).
    #[error("stream id is not a height and a round")]
    BadStreamId,
    /// R193: neither the height in progress nor the next.
    #[error("stream for a height other than the current or the next")]
    HeightOutOfWindow,
    /// R193: a round too far past this node's.
    #[error("stream for a round too far ahead")]
    RoundTooFar,
    /// The init names another height or round than its stream id.
    #[error("init does not match its stream id")]
    InitMismatch,
    /// R190: the init names a proposer not designated for its round.
    #[error("init names a proposer not designated for its round")]
    NotDesignated,
    /// R191: the declared block length is over the genesis cap.
    #[error("declared block length over the block cap")]
    OverCap,
    /// R193: the publisher has more buffered than its budget.
    #[error("publisher over its byte budget")]
    OverBudget,
}

impl StreamError {
    /// A stable label for metrics.
    pub fn label(&self) -> &'static str {
        match self {
            StreamError::TooLarge => "too_large",
            StreamError::Malformed(_) => "malformed",
            StreamError::NotAValidator => "not_a_validator",
            StreamError::BadStreamId => "bad_stream_id",
            StreamError::HeightOutOfWindow => "height_out_of_window",
            StreamError::RoundTooFar => "round_too_far",
            StreamError::InitMismatch => "init_mismatch",
            StreamError::NotDesignated => "not_designated_proposer",
            StreamError::OverCap => "over_block_cap",
            StreamError::OverBudget => "publisher_over_budget",
        }
    }
}

#[derive(Debug, Default)]
struct Stream {
    messages: BTreeMap<u64, StreamContent<ProposalPart>>,
    bytes: usize,
    end: Option<u64>,
    /// The length the init declared, once it arrived.
    declared: Option<u64>,
}

/// Key of a stream: publisher (peer id bytes) and stream id bytes. Stream ids are height then
/// round, big-endian, so within a publisher the smallest key is the oldest stream.
type StreamKey = (Vec<u8>, Vec<u8>);

/// Reassembles streams keyed by (publisher, stream id), admitting only what [`IntakeRules`]
/// allow; bounded in streams (overall and per publisher), messages and bytes (per stream and
/// per publisher).
#[derive(Debug, Default)]
pub struct PartBuffer {
    streams: BTreeMap<StreamKey, Stream>,
}

impl PartBuffer {
    /// Adds one message from `publisher` (R193: judged before anything is kept); returns the
    /// proposal when its stream is complete. An error drops the message and, when it condemns
    /// the stream (bad init, over bounds), the stream.
    pub fn insert(
        &mut self,
        publisher: PeerId,
        msg: StreamMessage<ProposalPart>,
        rules: &IntakeRules<'_>,
    ) -> Result<Option<AssembledProposal>, StreamError> {
        let address = rules.publisher(&publisher)?;
        let slot = rules.slot(&msg.stream_id)?;
        let key = (publisher.to_bytes(), msg.stream_id.to_bytes().to_vec());
        let result = self.admit(&key, slot, msg, rules);
        match result {
            Ok(Some(mut done)) => {
                self.streams.remove(&key);
                done.publisher = Some(address);
                Ok(Some(done))
            }
            Ok(None) => Ok(None),
            Err(e) => {
                self.streams.remove(&key);
                Err(e)
            }
        }
    }

    fn admit(
        &mut self,
        key: &StreamKey,
        slot: (Height, Round),
        msg: StreamMessage<ProposalPart>,
        rules: &IntakeRules<'_>,
    ) -> Result<Option<AssembledProposal>, StreamError> {
        if msg.sequence >= MAX_STREAM_MESSAGES as u64 {
            return Err(StreamError::TooLarge);
        }
        if let StreamContent::Data(ProposalPart::Init(init)) = &msg.content {
            rules.check_init(slot, init)?;
        }
        let chunk = match &msg.content {
            StreamContent::Data(ProposalPart::Data(chunk)) => chunk.len(),
            _ => 0,
        };
        if chunk > MAX_CHUNK {
            return Err(StreamError::TooLarge);
        }
        let buffered = self.publisher_bytes(&key.0).saturating_add(chunk);
        if buffered > rules.publisher_budget() {
            return Err(StreamError::OverBudget);
        }
        if !self.streams.contains_key(key) {
            self.make_room(&key.0);
        }
        let stream = self.streams.entry(key.clone()).or_default();
        insert_into(stream, msg, rules.max_block_bytes)
    }

    /// Frees a place for a new stream of `publisher`: its own oldest stream when it has
    /// [`MAX_STREAMS_PER_PUBLISHER`], else the oldest stream overall when the buffer holds
    /// [`MAX_STREAMS`]. An honest publisher streams one block at a time, so only a flooding
    /// publisher loses its own streams.
    fn make_room(&mut self, publisher: &[u8]) {
        let own: Vec<StreamKey> = self
            .streams
            .keys()
            .filter(|(p, _)| p.as_slice() == publisher)
            .cloned()
            .collect();
        if own.len() >= MAX_STREAMS_PER_PUBLISHER {
            if let Some(oldest) = own.first() {
                self.streams.remove(oldest);
            }
            return;
        }
        if self.streams.len() >= MAX_STREAMS {
            let oldest = self
                .streams
                .keys()
                .min_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)))
                .cloned();
            if let Some(oldest) = oldest {
                self.streams.remove(&oldest);
            }
        }
    }

    fn publisher_bytes(&self, publisher: &[u8]) -> usize {
        self.streams
            .iter()
            .filter(|((p, _), _)| p.as_slice() == publisher)
            .map(|(_, s)| s.bytes)
            .sum()
    }

    /// Forgets streams of heights below `height`, and streams whose publisher may no longer
    /// publish (R193, after the validator set changed).
    pub fn prune(&mut self, height: Height, publishers: &Publishers) {
        self.streams.retain(|(publisher, id), _| {
            let h = id.get(..8).and_then(|b| <[u8; 8]>::try_from(b).ok());
            let current = h.is_none_or(|h| u64::from_be_bytes(h) >= height.0);
            let allowed = PeerId::from_bytes(publisher)
                .ok()
                .is_some_and(|p| publishers.address(&p).is_some());
            current && allowed
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

    /// Data bytes buffered across all streams.
    pub fn bytes(&self) -> usize {
        self.streams.values().map(|s| s.bytes).sum()
    }
}

fn insert_into(
    stream: &mut Stream,
    msg: StreamMessage<ProposalPart>,
    cap: u64,
) -> Result<Option<AssembledProposal>, StreamError> {
    if stream.messages.contains_key(&msg.sequence) {
        // A duplicate (gossip may deliver twice): the first copy stands.
        return Ok(None);
    }
    if let StreamContent::Data(ProposalPart::Init(init)) = &msg.content {
        stream.declared = Some(init.block_len);
    }
    if let StreamContent::Data(ProposalPart::Data(chunk)) = &msg.content {
        stream.bytes = stream.bytes.saturating_add(chunk.len());
    }
    // R191: never more data than the cap, nor than the init declares.
    let limit = stream.declared.unwrap_or(cap).min(cap);
    if stream.bytes as u64 > limit || stream.bytes > MAX_BLOCK_BYTES {
        return Err(StreamError::TooLarge);
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
        publisher: None,
    })
}
