//! The on-disk layout of [`super::RocksStore`]: column family names and key encodings, in one
//! place so that a reader of the database (or a migration) finds them together (R19, ADR 0003).
//!
//! Keys are big-endian where order matters, so RocksDB's byte order is numeric order.

use jmt::storage::NodeKey;
use jmt::{KeyHash, Version};

use crate::error::StorageError;

/// Latest state: raw state key → value bytes.
pub const STATE: &str = "state";
/// Tree nodes: borsh(`NodeKey`) → borsh(`Node`).
pub const JMT_NODES: &str = "jmt_nodes";
/// Tree values by version: key hash ‖ version (BE) → canonical `Option<Vec<u8>>`.
pub const JMT_VALUES: &str = "jmt_values";
/// Blocks: height (BE) → canonical `StoredBlock`.
pub const BLOCKS: &str = "blocks";
/// Entry index (R185): entry id → canonical `EntryLocation` of its decisive inclusion.
pub const ENTRIES: &str = "entries";
/// Entry index (R185): entry id → canonical `EntryLocation` of its latest inclusion, for
/// entries that have no decisive one (yet).
pub const ENTRIES_UNDECIDED: &str = "entries_undecided";
/// Single-record facts about the store.
pub const META: &str = "meta";
/// R458: height (BE) → canonical state-sync link (header, certificate, validator set and its
/// proof) of a block below a state-synced node's first block, which it does not hold; what
/// lets it serve state sync in turn (R450).
pub const SYNC_LINKS: &str = "sync_links";

/// Every column family the store opens or creates.
pub const COLUMN_FAMILIES: [&str; 8] = [
    STATE,
    JMT_NODES,
    JMT_VALUES,
    BLOCKS,
    ENTRIES,
    ENTRIES_UNDECIDED,
    META,
    SYNC_LINKS,
];

/// Key in [`META`] of the latest committed height (u64 BE).
pub const LATEST_HEIGHT: &[u8] = b"latest_height";

/// Key in [`BLOCKS`].
pub fn block_key(height: u64) -> [u8; 8] {
    height.to_be_bytes()
}

/// Key in [`JMT_VALUES`]: versions of one key hash are adjacent and ordered, so the newest
/// version at or below a bound is one reverse seek away.
pub fn value_key(key_hash: KeyHash, version: Version) -> [u8; 40] {
    let mut out = [0u8; 40];
    out[..32].copy_from_slice(&key_hash.0);
    out[32..].copy_from_slice(&version.to_be_bytes());
    out
}

/// Key in [`JMT_NODES`].
pub fn node_key(key: &NodeKey) -> Result<Vec<u8>, StorageError> {
    borsh::to_vec(key).map_err(|e| StorageError::Failed(format!("encode tree node key: {e}")))
}

/// Decodes a big-endian u64 (a height).
pub fn decode_u64(bytes: &[u8]) -> Result<u64, StorageError> {
    let array: [u8; 8] = bytes
        .try_into()
        .map_err(|_| StorageError::Failed(format!("corrupt height of {} bytes", bytes.len())))?;
    Ok(u64::from_be_bytes(array))
}
