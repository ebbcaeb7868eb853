//! Typed reads over [`NodeApi`]: raw bytes from the node, decoded with the ledger's codec.

use bincode::Decode;

use crate::AppState;
use crate::error::{ApiError, ApiResult};

/// A record of type `T` at `key`, if any. A record that does not decode is an internal error.
pub async fn get<T: Decode<()>>(state: &AppState, key: Vec<u8>) -> ApiResult<Option<T>> {
    match state.node.get(key).await? {
        None => Ok(None),
        Some(bytes) => ebl_ledger::codec::decode_stored(&bytes)
            .map(Some)
            .map_err(|e| ApiError::internal(&e)),
    }
}

/// The signed entry a history line of a record names (`line.entry` in block `line.height`),
/// if the node still has that block.
pub async fn history_entry(
    state: &AppState,
    line: &ebl_ledger::ebl::HistoryEntry,
) -> ApiResult<Option<ebl_ledger::entry::SignedEntry>> {
    let Some(stored) = state.node.block(line.height).await? else {
        return Ok(None);
    };
    Ok(stored
        .block
        .entries
        .into_iter()
        .find(|e| e.id() == line.entry))
}

/// Records of type `T` under `prefix`, at most the configured list size.
pub async fn scan<T: Decode<()>>(state: &AppState, prefix: Vec<u8>) -> ApiResult<Vec<T>> {
    let records = state.node.scan(prefix, state.config.max_list).await?;
    records
        .iter()
        .map(|(_, v)| ebl_ledger::codec::decode_stored(v).map_err(|e| ApiError::internal(&e)))
        .collect()
}
