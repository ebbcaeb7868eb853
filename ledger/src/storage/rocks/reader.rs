//! [`RocksReader`]: a cheap, cloneable read-only view of a [`super::RocksStore`]'s database, for
//! readers on other threads (the node's gateway) while the owner keeps committing.
//!
//! RocksDB serves concurrent reads safely. Each block is one atomic write batch (R19), so a
//! single read sees a block entirely or not at all, and everything it sees is committed.

use std::sync::Arc;

use jmt::storage::{LeafNode, Node, NodeKey, TreeReader};
use jmt::{KeyHash, Version};
use rocksdb::{ColumnFamily, DB, Direction, ErrorKind, IteratorMode};

use super::{height_mark::HeightMark, layout, node_cache::NodeCache};
use crate::codec;
use crate::error::StorageError;
use crate::hash::EntryId;
use crate::state::StateReader;
use crate::storage::{EntryLocation, Record, StoredBlock};

/// A RocksDB error as a typed [`StorageError`]. R354: RocksDB reports every OS error as an
/// `IO error` whose message carries the OS's text, so ENOSPC is told apart by that text.
pub(super) fn db_error(what: &str, e: &rocksdb::Error) -> StorageError {
    let message = format!("rocksdb {what}: {e}");
    match e.kind() {
        ErrorKind::IOError if message.contains("No space left on device") => {
            StorageError::NoSpace(message)
        }
        ErrorKind::IOError => StorageError::Io(message),
        _ => StorageError::Failed(message),
    }
}

/// Read-only access to a RocksDB ledger store; it cannot commit.
#[derive(Clone)]
pub struct RocksReader {
    pub(super) db: Arc<DB>,
    pub(super) nodes: Arc<NodeCache>,
    /// R478: the latest committed height, set by the store after each write that changes it.
    pub(super) height: Arc<HeightMark>,
}

impl std::fmt::Debug for RocksReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RocksReader")
            .field("path", &self.db.path())
            .finish_non_exhaustive()
    }
}

impl RocksReader {
    pub(super) fn cf(&self, name: &str) -> Result<&ColumnFamily, StorageError> {
        self.db
            .cf_handle(name)
            .ok_or_else(|| StorageError::Failed(format!("rocksdb column family `{name}` missing")))
    }

    pub(super) fn read(&self, family: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        self.db
            .get_cf(self.cf(family)?, key)
            .map_err(|e| db_error("read", &e))
    }

    /// Height of the last committed block, `None` before genesis (R478: from memory).
    pub fn latest_height(&self) -> Result<Option<u64>, StorageError> {
        Ok(self.height.get())
    }

    /// The height the database itself records: what the store reads once when it opens.
    pub(super) fn stored_height(&self) -> Result<Option<u64>, StorageError> {
        self.read(layout::META, layout::LATEST_HEIGHT)?
            .map(|bytes| layout::decode_u64(&bytes))
            .transpose()
    }

    /// A committed block.
    pub fn block(&self, height: u64) -> Result<Option<StoredBlock>, StorageError> {
        self.read(layout::BLOCKS, &layout::block_key(height))?
            .map(|bytes| {
                codec::decode_stored(&bytes)
                    .map_err(|e| StorageError::Failed(format!("corrupt block {height}: {e}")))
            })
            .transpose()
    }

    /// Where an entry was committed (R185): its decisive location, else its latest inclusion
    /// that decided nothing.
    pub fn entry_location(&self, id: &EntryId) -> Result<Option<EntryLocation>, StorageError> {
        match self.decisive_location(id)? {
            Some(location) => Ok(Some(location)),
            None => self.undecided_location(id),
        }
    }

    /// R185: the inclusion that consumed the entry's sequence, if any: the entry is decided.
    pub fn decisive_location(&self, id: &EntryId) -> Result<Option<EntryLocation>, StorageError> {
        self.location_in(layout::ENTRIES, id)
    }

    /// R185, R472: the entry's record in the undecided index, which a decisive inclusion
    /// clears (what [`Self::entry_location`] falls back to).
    pub fn undecided_location(&self, id: &EntryId) -> Result<Option<EntryLocation>, StorageError> {
        self.location_in(layout::ENTRIES_UNDECIDED, id)
    }

    fn location_in(
        &self,
        family: &str,
        id: &EntryId,
    ) -> Result<Option<EntryLocation>, StorageError> {
        self.read(family, &id.0)?
            .map(|bytes| {
                codec::decode_stored(&bytes)
                    .map_err(|e| StorageError::Failed(format!("corrupt entry location: {e}")))
            })
            .transpose()
    }

    /// Every state record whose key starts with `prefix`, in key order, at most `limit`.
    pub fn scan_prefix(&self, prefix: &[u8], limit: usize) -> Result<Vec<Record>, StorageError> {
        let iter = self.db.iterator_cf(
            self.cf(layout::STATE)?,
            IteratorMode::From(prefix, Direction::Forward),
        );
        let mut out = Vec::new();
        for item in iter {
            if out.len() >= limit {
                break;
            }
            let (key, value) = item.map_err(|e| db_error("scan", &e))?;
            if !key.starts_with(prefix) {
                break;
            }
            out.push((key.into_vec(), value.into_vec()));
        }
        Ok(out)
    }
}

impl StateReader for RocksReader {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        self.read(layout::STATE, key)
    }
}

impl TreeReader for RocksReader {
    fn get_node_option(&self, node_key: &NodeKey) -> anyhow::Result<Option<Node>> {
        if let Some(node) = self.nodes.get(node_key) {
            return Ok(Some(node));
        }
        match self.read(layout::JMT_NODES, &layout::node_key(node_key)?)? {
            None => Ok(None),
            Some(bytes) => {
                let node: Node = borsh::from_slice(&bytes)?;
                self.nodes.insert_all([(node_key, &node)]);
                Ok(Some(node))
            }
        }
    }

    fn get_value_option(
        &self,
        max_version: Version,
        key_hash: KeyHash,
    ) -> anyhow::Result<Option<Vec<u8>>> {
        // The newest version ≤ max_version is the last key ≤ (key_hash, max_version); it belongs
        // to this key hash only if its first 32 bytes match.
        let mut iter = self.db.raw_iterator_cf(self.cf(layout::JMT_VALUES)?);
        iter.seek_for_prev(layout::value_key(key_hash, max_version));
        let found = match (iter.key(), iter.value()) {
            (Some(key), Some(value)) if key.starts_with(&key_hash.0) => Some(value.to_vec()),
            _ => None,
        };
        iter.status().map_err(|e| db_error("seek", &e))?;
        match found {
            None => Ok(None),
            Some(bytes) => Ok(codec::decode_stored::<Option<Vec<u8>>>(&bytes)
                .map_err(|e| StorageError::Failed(format!("corrupt tree value: {e}")))?),
        }
    }

    fn get_rightmost_leaf(&self) -> anyhow::Result<Option<(NodeKey, LeafNode)>> {
        // Only used to restore a tree from chunks: a full scan is acceptable.
        let mut best: Option<(NodeKey, LeafNode)> = None;
        let iter = self
            .db
            .iterator_cf(self.cf(layout::JMT_NODES)?, IteratorMode::Start);
        for item in iter {
            let (key, value) = item.map_err(|e| db_error("scan", &e))?;
            if let Node::Leaf(leaf) = borsh::from_slice::<Node>(&value)?
                && best
                    .as_ref()
                    .is_none_or(|(_, b)| leaf.key_hash() > b.key_hash())
            {
                best = Some((borsh::from_slice::<NodeKey>(&key)?, leaf));
            }
        }
        Ok(best)
    }
}
