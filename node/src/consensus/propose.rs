//! Proposing (build, execute, stream) and receiving (reassemble, authenticate, re-execute) blocks.

use std::sync::Arc;

use ebl_ledger::block::Block;
use ebl_ledger::execute::BlockError;
use ebl_ledger::storage::Storage;
use ebl_ledger::time::Timestamp;
use malachite::app::streaming::StreamMessage;
use malachite::app::types::ProposedValue;
use malachite::app::types::core::Round;

use super::context::{EblContext, designated_proposer};
use super::parts::{AssembledProposal, PartInit, ProposalPart, stream_messages};
use super::scheme::ConsensusSignature;
use super::signing::verify_bytes;
use super::state::{AppError, AppState, Execution};
use super::types::{BlockId, Height};

/// How far ahead of this node's clock a proposed block time may be (R6, R194).
pub const MAX_CLOCK_DRIFT_MS: u64 = 10_000;

/// Wall-clock milliseconds (the node's clock; the ledger never reads one).
pub fn now_ms() -> Timestamp {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    Timestamp(u64::try_from(ms).unwrap_or(u64::MAX))
}

/// The signed opening of a stream for `block`, proposed by this node at `round`.
pub fn sign_init<S: Storage>(
    state: &AppState<S>,
    round: Round,
    pol_round: Round,
    block: &Block,
    block_len: usize,
) -> (PartInit, ConsensusSignature) {
    let init = PartInit {
        height: Height(block.header.height),
        round,
        pol_round,
        proposer: state.address,
        block_id: BlockId::from(block.header.hash()),
        block_len: block_len as u64,
    };
    let fin = state
        .signer
        .sign_bytes(&init.signing_bytes(&state.ctx.chain));
    (init, fin)
}

/// The stream of `block` as first signed: by this node for its own proposals, or replayed
/// unchanged (original round, proposer and signature) for a block another validator proposed.
pub fn parts_of<S: Storage>(
    state: &AppState<S>,
    block: &Block,
) -> Option<Vec<StreamMessage<ProposalPart>>> {
    let id = BlockId::from(block.header.hash());
    let (init, fin) = state.held.origin(&id)?.clone();
    Some(stream_messages(
        init,
        &ebl_ledger::codec::encode(block),
        fin,
    ))
}

/// Why a complete stream is not handed to consensus at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ignore {
    /// For a height already committed.
    OldHeight,
    /// R190: its init names a proposer not designated for its (height, round).
    NotDesignated,
    /// The designated proposer did not sign its init.
    BadSignature,
    /// R192: the round's designated proposer already streamed another block (an
    /// equivocation: two inits for one round, both signed by it).
    Equivocation(BlockId),
    /// The data does not decode as a block.
    Undecodable,
    /// The block's hash is not the id its init names.
    IdMismatch,
    /// R192: it re-executes but every held block is protected.
    NoRoom,
}

impl Ignore {
    /// A stable label for metrics.
    pub fn label(&self) -> &'static str {
        match self {
            Ignore::OldHeight => "old_height",
            Ignore::NotDesignated => "not_designated_proposer",
            Ignore::BadSignature => "bad_signature",
            Ignore::Equivocation(_) => "equivocation",
            Ignore::Undecodable => "undecodable",
            Ignore::IdMismatch => "id_mismatch",
            Ignore::NoRoom => "no_room",
        }
    }
}

/// Why a proposed block is handed to consensus as invalid (honest validators prevote nil).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalidity {
    /// Its header names another height or proposer than its init.
    Header,
    /// Its time is more than [`MAX_CLOCK_DRIFT_MS`] ahead of this node's clock.
    TimeAhead,
    /// R194: a live proposal whose time is more than the configured lag behind this node's
    /// clock.
    TimeBehind,
    /// It does not re-execute to its header, or is over the genesis caps (R18, R191).
    Execution(BlockError),
}

impl Invalidity {
    /// A stable label for metrics.
    pub fn label(&self) -> &'static str {
        match self {
            Invalidity::Header => "header",
            Invalidity::TimeAhead => "time_ahead",
            Invalidity::TimeBehind => "time_behind",
            Invalidity::Execution(BlockError::OverCap(_)) => "over_block_cap",
            Invalidity::Execution(_) => "execution",
        }
    }
}

/// What to do with a complete stream.
#[derive(Debug)]
pub enum Received {
    /// A value for consensus, with the reason it is invalid if it is.
    Value(ProposedValue<EblContext>, Option<Invalidity>),
    /// For a later height: keep it until then.
    Later(AssembledProposal),
    /// Not usable.
    Ignored(Ignore),
}

/// R190: whether `init` names the designated proposer of its (height, round) of this node's
/// validator set, and that proposer signed it. The one rule for a stream that arrives and for
/// an opening read back from disk after a restart (R467).
pub fn authenticate_init<S: Storage>(
    state: &AppState<S>,
    init: &PartInit,
    signature: &ConsensusSignature,
) -> Result<(), Ignore> {
    let designated = designated_proposer(&state.validators, init.height, init.round);
    let Some(designated) = designated.filter(|v| v.address == init.proposer) else {
        return Err(Ignore::NotDesignated);
    };
    let signed = init.signing_bytes(&state.ctx.chain);
    if !verify_bytes(&designated.public_key, &signed, signature) {
        return Err(Ignore::BadSignature);
    }
    Ok(())
}

/// Authenticates a complete stream and re-executes its block (R18), judged against this
/// node's clock `now`: R190 (designated proposer) and R192 (one block per round) before the
/// block is decoded, then R194 (time within `[now − lag, now + drift]` for a live proposal:
/// one of this node's round or a later one; an older round's block is a re-proposal or came
/// late, and its round's validators judged its time).
pub fn receive<S: Storage>(
    state: &mut AppState<S>,
    p: AssembledProposal,
    now: Timestamp,
) -> Result<Received, AppError> {
    if p.init.height < state.height {
        return Ok(Received::Ignored(Ignore::OldHeight));
    }
    if p.init.height > state.height {
        return Ok(Received::Later(p));
    }
    // R190: only the designated proposer's stream, before anything is decoded.
    if let Err(why) = authenticate_init(state, &p.init, &p.signature) {
        return Ok(Received::Ignored(why));
    }
    // R192: the first block its proposer streamed for the round is the only one executed.
    if let Err(holder) = state.held.claim_slot(p.init.round, p.init.block_id) {
        return Ok(Received::Ignored(Ignore::Equivocation(holder)));
    }
    let Ok(block) = Block::decode(&p.block_bytes) else {
        return Ok(Received::Ignored(Ignore::Undecodable));
    };
    let id = BlockId::from(block.header.hash());
    if id != p.init.block_id {
        return Ok(Received::Ignored(Ignore::IdMismatch));
    }
    let invalid = if block.header.height != p.init.height.0
        || block.header.proposer != p.init.proposer.to_key()
    {
        Some(Invalidity::Header)
    } else if block.header.time.0 > now.0.saturating_add(MAX_CLOCK_DRIFT_MS) {
        Some(Invalidity::TimeAhead)
    } else if p.init.round >= state.round && lags(state, block.header.time, now) {
        Some(Invalidity::TimeBehind)
    } else {
        match state.verify_block(block.clone(), Some(p.init.round))? {
            Execution::Valid => None,
            Execution::Invalid(e) => Some(Invalidity::Execution(e)),
            Execution::NoRoom => return Ok(Received::Ignored(Ignore::NoRoom)),
        }
    };
    if invalid.is_none() {
        state.remember_origin(id, p.init.clone(), p.signature.clone());
        if is_reproposal(state, &p) {
            // R192: a re-proposed (locked) block is the one likely to be decided.
            state.held.pin(&id);
        }
    }
    let value = state.see(
        p.init.round,
        p.init.pol_round,
        p.init.proposer,
        Arc::new(block),
        invalid.is_none(),
    );
    Ok(Received::Value(value, invalid))
}

/// R194: whether block time `time` is more than the configured lag behind `now`.
fn lags<S: Storage>(state: &AppState<S>, time: Timestamp, now: Timestamp) -> bool {
    let lag = u64::try_from(state.limits.max_time_lag.as_millis()).unwrap_or(u64::MAX);
    time.0.saturating_add(lag) < now.0
}

/// R192: a stream names its block as a proof of lock when its init says so, or when the
/// current round's designated proposer streams an older round's block (Malachite's
/// `RestreamProposal`: our restream keeps the original init and signature).
fn is_reproposal<S: Storage>(state: &AppState<S>, p: &AssembledProposal) -> bool {
    if p.init.pol_round.is_defined() {
        return true;
    }
    let current = designated_proposer(&state.validators, state.height, state.round);
    p.init.round < state.round && p.publisher.is_some() && current.map(|v| v.address) == p.publisher
}
