//! A [`Storage`] on RocksDB for nodes: every block is one write batch, synced once (R19).
//!
//! # Design
//!
//! Six column families ([`layout`]) hold the latest state, the tree nodes and versioned values
//! the state root is computed from, the blocks with their results and certificates, the entry
//! index and the latest height. [`RocksStore::commit`] puts all of one block into a single
//! `WriteBatch` written with `sync = true`: after a crash the store holds either the whole block
//! or none of it, and one fsync per block is the only disk wait. Every RocksDB error becomes a
//! [`StorageError`], which the node treats as fatal.

mod layout;
mod node_cache;

use std::path::{Path, PathBuf};

use jmt::storage::{LeafNode, Node, NodeKey, TreeReader};
use jmt::{KeyHash, Version};
use rocksdb::{ColumnFamily, ColumnFamilyDescriptor, DB, Direction, IteratorMode, Options};
use rocksdb::{WriteBatch, WriteOptions};

use super::{BlockCommit, EntryLocation, Record, Storage, StoredBlock, check_next_height};
use crate::codec;
use crate::error::StorageError;
use crate::hash::EntryId;
use crate::state::StateReader;

/// Committed blocks and state in a RocksDB database.
pub struct RocksStore {
    db: DB,
    path: PathBuf,
    nodes: node_cache::NodeCache,
}

impl std::fmt::Debug for RocksStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RocksStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn db_error(what: &str, e: &rocksdb::Error) -> StorageError {
    StorageError(format!("rocksdb {what}: {e}"))
}

impl RocksStore {
    /// Opens the database at `path`, creating it (with its parent folders) and its column
    /// families if missing.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StorageError> {
        let path = path.as_ref().to_path_buf();
        // RocksDB creates only the last folder of the path; a node's data dir may be deeper.
        std::fs::create_dir_all(&path)
            .map_err(|e| StorageError(format!("create {}: {e}", path.display())))?;
        let mut options = Options::default();
        options.create_if_missing(true);
        options.create_missing_column_families(true);
        let families = layout::COLUMN_FAMILIES
            .iter()
            .map(|name| ColumnFamilyDescriptor::new(*name, Options::default()));
        let db =
            DB::open_cf_descriptors(&options, &path, families).map_err(|e| db_error("open", &e))?;
        Ok(RocksStore {
            db,
            path,
            nodes: node_cache::NodeCache::default(),
        })
    }

    /// Where the database lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn cf(&self, name: &str) -> Result<&ColumnFamily, StorageError> {
        self.db
            .cf_handle(name)
            .ok_or_else(|| StorageError(format!("rocksdb column family `{name}` missing")))
    }

    fn read(&self, family: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        self.db
            .get_cf(self.cf(family)?, key)
            .map_err(|e| db_error("read", &e))
    }

    /// Puts everything of one block into `batch`.
    fn fill_batch(&self, batch: &mut WriteBatch, commit: &BlockCommit) -> Result<(), StorageError> {
        let height = commit.stored.block.header.height;
        let state = self.cf(layout::STATE)?;
        for (key, value) in &commit.writes {
            match value {
                Some(v) => batch.put_cf(state, key, v),
                None => batch.delete_cf(state, key),
            }
        }
        let nodes = self.cf(layout::JMT_NODES)?;
        for (key, node) in commit.tree.node_batch.nodes() {
            let bytes =
                borsh::to_vec(node).map_err(|e| StorageError(format!("encode tree node: {e}")))?;
            batch.put_cf(nodes, layout::node_key(key)?, bytes);
        }
        let values = self.cf(layout::JMT_VALUES)?;
        for ((version, key_hash), value) in commit.tree.node_batch.values() {
            batch.put_cf(
                values,
                layout::value_key(*key_hash, *version),
                codec::encode(value),
            );
        }
        let entries = self.cf(layout::ENTRIES)?;
        for (index, entry) in commit.stored.block.entries.iter().enumerate() {
            let index = u32::try_from(index).map_err(|_| StorageError("block too large".into()))?;
            let location = EntryLocation { height, index };
            batch.put_cf(entries, entry.id().0, codec::encode(&location));
        }
        batch.put_cf(
            self.cf(layout::BLOCKS)?,
            layout::block_key(height),
            codec::encode(&commit.stored),
        );
        batch.put_cf(
            self.cf(layout::META)?,
            layout::LATEST_HEIGHT,
            height.to_be_bytes(),
        );
        Ok(())
    }
}

impl StateReader for RocksStore {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        self.read(layout::STATE, key)
    }
}

impl TreeReader for RocksStore {
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
                .map_err(|e| StorageError(format!("corrupt tree value: {e}")))?),
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

impl Storage for RocksStore {
    fn latest_height(&self) -> Result<Option<u64>, StorageError> {
        self.read(layout::META, layout::LATEST_HEIGHT)?
            .map(|bytes| layout::decode_u64(&bytes))
            .transpose()
    }

    fn block(&self, height: u64) -> Result<Option<StoredBlock>, StorageError> {
        self.read(layout::BLOCKS, &layout::block_key(height))?
            .map(|bytes| {
                codec::decode_stored(&bytes)
                    .map_err(|e| StorageError(format!("corrupt block {height}: {e}")))
            })
            .transpose()
    }

    fn entry_location(&self, id: &EntryId) -> Result<Option<EntryLocation>, StorageError> {
        self.read(layout::ENTRIES, &id.0)?
            .map(|bytes| {
                codec::decode_stored(&bytes)
                    .map_err(|e| StorageError(format!("corrupt entry location: {e}")))
            })
            .transpose()
    }

    fn scan_prefix(&self, prefix: &[u8], limit: usize) -> Result<Vec<Record>, StorageError> {
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

    fn commit(&mut self, commit: BlockCommit) -> Result<(), StorageError> {
        check_next_height(self.latest_height()?, &commit)?;
        let mut batch = WriteBatch::default();
        self.fill_batch(&mut batch, &commit)?;
        // One synced write per block: all of it survives a crash, or none of it (R19).
        let mut options = WriteOptions::default();
        options.set_sync(true);
        self.db
            .write_opt(batch, &options)
            .map_err(|e| db_error("write", &e))?;
        // Only after the write succeeded: the next block reads these nodes first.
        self.nodes.insert_all(commit.tree.node_batch.nodes());
        Ok(())
    }
}
