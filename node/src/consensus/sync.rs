//! Value sync: serving stored blocks with their certificates, and taking synced ones.

use std::ops::RangeInclusive;
use std::sync::Arc;

use bytes::Bytes;
use ebl_ledger::block::Block;
use ebl_ledger::storage::Storage;
use malachite::app::engine::host::SyncedValueOutcome;
use malachite::app::types::core::Round;
use malachite::app::types::sync::RawDecidedValue;

use super::codec::{decode_certificate, extended};
use super::context::EblContext;
use super::state::{AppError, AppState, Execution};
use super::types::{Address, Height};

/// Most values served in one sync response.
pub const MAX_SYNC_VALUES: u64 = 16;

/// Stored blocks of `range` with their certificates (at most [`MAX_SYNC_VALUES`]).
pub fn decided_values<S: Storage>(
    state: &AppState<S>,
    range: &RangeInclusive<Height>,
) -> Result<Vec<RawDecidedValue<EblContext>>, AppError> {
    let start = range.start().0.max(1);
    let end = range
        .end()
        .0
        .min(state.ledger.head().height)
        .min(start.saturating_add(MAX_SYNC_VALUES - 1));
    let mut out = Vec::new();
    for h in start..=end {
        let Some(stored) = state.ledger.store().block(h)? else {
            break;
        };
        let Ok(cert) = decode_certificate(&stored.certificate) else {
            tracing::warn!(height = h, "stored block has no readable certificate");
            break;
        };
        let bytes = Bytes::from(ebl_ledger::codec::encode(&stored.block));
        out.push(RawDecidedValue::new(bytes, extended(cert)));
    }
    Ok(out)
}

/// Decodes and re-executes a synced block of the current height.
pub fn synced_value<S: Storage>(
    state: &mut AppState<S>,
    height: Height,
    round: Round,
    proposer: Address,
    bytes: &[u8],
) -> Result<SyncedValueOutcome<EblContext>, AppError> {
    let Ok(block) = Block::decode(bytes) else {
        return Ok(SyncedValueOutcome::PeerFault);
    };
    if height != state.height || block.header.height != height.0 {
        return Ok(SyncedValueOutcome::LocalTransientError);
    }
    let id = super::types::BlockId::from(block.header.hash());
    // R192: a synced value comes with its commit certificate and bypasses the round slots;
    // R194: no time bound either, the certificate shows the validators took it.
    let valid = state.verify_block(block.clone(), Some(round))? == Execution::Valid;
    state.held.pin(&id);
    let value = state.see(round, Round::Nil, proposer, Arc::new(block), valid);
    Ok(SyncedValueOutcome::Verdict(value))
}
