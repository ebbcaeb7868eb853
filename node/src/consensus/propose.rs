//! Proposing (build, execute, stream) and receiving (reassemble, authenticate, re-execute) blocks.

use std::sync::Arc;

use ebl_ledger::block::Block;
use ebl_ledger::time::Timestamp;
use malachite::app::streaming::StreamMessage;
use malachite::app::types::ProposedValue;
use malachite::app::types::core::{Round, ValidatorSet as _};

use super::context::EblContext;
use super::parts::{AssembledProposal, PartInit, ProposalPart, stream_messages};
use super::scheme::ConsensusSignature;
use super::signing::verify_bytes;
use super::state::{AppError, AppState};
use super::types::{BlockId, Height};

/// How far ahead of this node's clock a proposed block time may be.
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
pub fn sign_init(
    state: &AppState,
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
pub fn parts_of(state: &AppState, block: &Block) -> Option<Vec<StreamMessage<ProposalPart>>> {
    let id = BlockId::from(block.header.hash());
    let (init, fin) = state.origins.get(&id)?.clone();
    Some(stream_messages(
        init,
        &ebl_ledger::codec::encode(block),
        fin,
    ))
}

/// What to do with a complete stream.
#[derive(Debug)]
pub enum Received {
    /// A value for consensus (valid or not).
    Value(ProposedValue<EblContext>),
    /// For a later height: keep it until then.
    Later(AssembledProposal),
    /// Not usable (old height, unknown proposer, bad signature, undecodable block).
    Ignored(&'static str),
}

/// Authenticates a complete stream and re-executes its block (R18).
pub fn receive(state: &mut AppState, p: AssembledProposal) -> Result<Received, AppError> {
    if p.init.height < state.height {
        return Ok(Received::Ignored("old height"));
    }
    if p.init.height > state.height {
        return Ok(Received::Later(p));
    }
    let Some(validator) = state.validators.get_by_address(&p.init.proposer) else {
        return Ok(Received::Ignored("proposer is not a validator"));
    };
    let signed = p.init.signing_bytes(&state.ctx.chain);
    if !verify_bytes(&validator.public_key, &signed, &p.signature) {
        return Ok(Received::Ignored("bad proposer signature"));
    }
    let Ok(block) = Block::decode(&p.block_bytes) else {
        return Ok(Received::Ignored("undecodable block"));
    };
    if BlockId::from(block.header.hash()) != p.init.block_id {
        return Ok(Received::Ignored("block does not match its id"));
    }
    let header_ok = block.header.height == p.init.height.0
        && block.header.proposer == p.init.proposer.to_key()
        && block.header.time.0 <= now_ms().0.saturating_add(MAX_CLOCK_DRIFT_MS);
    let valid = header_ok && state.verify_block(block.clone())?;
    state.remember_origin(p.init.block_id, p.init.clone(), p.signature.clone());
    let value = state.see(
        p.init.round,
        p.init.pol_round,
        p.init.proposer,
        Arc::new(block),
        valid,
    );
    Ok(Received::Value(value))
}
