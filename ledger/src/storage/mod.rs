//! Where committed blocks and state live: a trait, an in-memory store for tests and a RocksDB
//! store for nodes (specs/protocol.md R19, ADR 0003).

mod memory;
#[cfg(feature = "rocksdb")]
mod rocks;

pub use memory::MemoryStore;
#[cfg(feature = "rocksdb")]
pub use rocks::{FamilySize, RocksReader, RocksStore};

use bincode::{Decode, Encode};
use jmt::storage::{TreeReader, TreeUpdateBatch};
use serde::{Deserialize, Serialize};

use crate::block::{Block, EntryResult};
use crate::error::StorageError;
use crate::hash::EntryId;
use crate::state::{StateReader, WriteSet};

/// A committed block as stored: the block, its results and the consensus commit certificate
/// (opaque to the ledger: the node's consensus engine encodes and checks it).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct StoredBlock {
    /// The block.
    pub block: Block,
    /// Result of each entry.
    pub results: Vec<EntryResult>,
    /// Commit certificate (precommit signatures of > 2/3 of the power).
    pub certificate: Vec<u8>,
}

/// Everything one block changes, written atomically (R19).
#[derive(Debug)]
pub struct BlockCommit {
    /// The block, results and certificate.
    pub stored: StoredBlock,
    /// State writes.
    pub writes: WriteSet,
    /// State tree nodes.
    pub tree: TreeUpdateBatch,
    /// R185: per entry of the block, whether its inclusion consumed its signer's sequence
    /// ([`crate::execute::ExecutedBlock::consumed`]); one flag per entry.
    pub consumed: Vec<bool>,
}

/// A state record: key and value bytes.
pub type Record = (Vec<u8>, Vec<u8>);

/// Where an entry was committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct EntryLocation {
    /// Block height.
    pub height: u64,
    /// Index in the block.
    pub index: u32,
}

/// Committed blocks and state. Implementations write a block's state, tree nodes, block, results
/// and indexes in one atomic, synced batch, and fail loudly: a caller that gets a
/// `StorageError` from `commit` stops committing (R19); after a disk fault
/// ([`StorageError::is_disk_fault`]) it re-reads the head before it tries again (R355, R356).
pub trait Storage: StateReader + TreeReader {
    /// Height of the last committed block, `None` before genesis.
    fn latest_height(&self) -> Result<Option<u64>, StorageError>;
    /// A committed block.
    fn block(&self, height: u64) -> Result<Option<StoredBlock>, StorageError>;
    /// Where an entry was committed (R185): its decisive location if it has one, else its
    /// latest inclusion that decided nothing.
    fn entry_location(&self, id: &EntryId) -> Result<Option<EntryLocation>, StorageError>;
    /// R185: the entry's decisive location only (the inclusion that consumed its sequence):
    /// `Some` exactly when the entry is decided for good.
    fn decisive_location(&self, id: &EntryId) -> Result<Option<EntryLocation>, StorageError>;
    /// Every state record whose key starts with `prefix`, in key order, at most `limit`.
    fn scan_prefix(&self, prefix: &[u8], limit: usize) -> Result<Vec<Record>, StorageError>;
    /// Commits one block atomically. The block's height must be the next one.
    fn commit(&mut self, commit: BlockCommit) -> Result<(), StorageError>;
    /// R458: the canonical state-sync link kept for `height` by a state-synced store that
    /// does not hold that block; `None` elsewhere.
    fn sync_link(&self, height: u64) -> Result<Option<Vec<u8>>, StorageError> {
        let _ = height;
        Ok(None)
    }
}

/// One entry of a block as the entry index records it (R185).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IndexedEntry {
    /// The entry.
    pub(crate) id: EntryId,
    /// Where it is in this block.
    pub(crate) location: EntryLocation,
    /// Whether this inclusion consumed the entry's sequence: then it is the entry's location
    /// for good; otherwise it is recorded only while the entry has no decisive location.
    pub(crate) decisive: bool,
}

/// R185: the index records of a block's entries, in block order; shared by the
/// implementations so that they index alike (R19.6). Refuses a commit whose flags do not
/// match its entries.
pub(crate) fn index_plan(commit: &BlockCommit) -> Result<Vec<IndexedEntry>, StorageError> {
    let block = &commit.stored.block;
    if commit.consumed.len() != block.entries.len() {
        return Err(StorageError::Failed(format!(
            "commit of height {} has {} sequence flags for {} entries",
            block.header.height,
            commit.consumed.len(),
            block.entries.len()
        )));
    }
    block
        .entries
        .iter()
        .zip(&commit.consumed)
        .enumerate()
        .map(|(index, (entry, consumed))| {
            let index =
                u32::try_from(index).map_err(|_| StorageError::Failed("block too large".into()))?;
            Ok(IndexedEntry {
                id: entry.id(),
                location: EntryLocation {
                    height: block.header.height,
                    index,
                },
                decisive: *consumed,
            })
        })
        .collect()
}

/// Checks that a block commit is the next one; shared by the implementations.
pub(crate) fn check_next_height(
    latest: Option<u64>,
    commit: &BlockCommit,
) -> Result<(), StorageError> {
    let height = commit.stored.block.header.height;
    let expected = latest.map_or(0, |h| h + 1);
    if height != expected {
        return Err(StorageError::Failed(format!(
            "commit of height {height}, expected {expected}"
        )));
    }
    Ok(())
}
