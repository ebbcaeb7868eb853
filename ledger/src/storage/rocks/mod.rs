//! A [`Storage`] on RocksDB for nodes: every block is one write batch, synced once (R19).
//!
//! # Design
//!
//! Seven column families ([`layout`]) hold the latest state, the tree nodes and versioned values
//! the state root is computed from, the blocks with their results and certificates, the entry
//! index (decisive and undecided locations, R185) and the latest height. [`RocksStore::commit`] puts all of one block into a single
//! `WriteBatch` written with `sync = true`: after a crash the store holds either the whole block
//! or none of it, and one fsync per block is the only disk wait. Every RocksDB error becomes a
//! typed [`StorageError`] (R354). Before the write, the store checks that its file system keeps
//! its reserve free ([`space`], R357), so a full disk is refused before RocksDB sees it. Each
//! step of a commit has a failpoint for the crash tests (R350, `failpoints.rs`).

mod checkpoint;
mod family_sizes;
mod height_mark;
mod install;
mod layout;
mod node_cache;
mod reader;
mod space;
mod tuning;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jmt::storage::{LeafNode, Node, NodeKey, TreeReader};
use jmt::{KeyHash, Version};
use rocksdb::{ColumnFamilyDescriptor, DB};
use rocksdb::{WriteBatch, WriteOptions};

pub use family_sizes::FamilySize;
pub use reader::RocksReader;
use reader::db_error;
pub use space::DEFAULT_RESERVE;

use super::{
    BlockCommit, EntryLocation, Record, Storage, StoredBlock, check_next_height, index_plan,
};
use crate::codec;
use crate::error::StorageError;
use crate::hash::EntryId;
use crate::state::StateReader;

/// Committed blocks and state in a RocksDB database.
pub struct RocksStore {
    // Reads go through the same handle that [`RocksStore::reader`] hands out, so the two never
    // disagree; only this owner commits.
    read: RocksReader,
    path: PathBuf,
    /// R357: bytes of its file system the store leaves free.
    reserve: u64,
    /// R472: whether the undecided index may hold a record. While it holds none (the usual
    /// case: only faulty proposers or races make one), a decisive inclusion has nothing there
    /// to clear, and the store writes no delete for it.
    undecided_held: bool,
}

impl std::fmt::Debug for RocksStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RocksStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl RocksStore {
    /// Opens the database at `path`, creating it (with its parent folders) and its column
    /// families if missing; commits leave [`DEFAULT_RESERVE`] bytes free (R357).
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StorageError> {
        Self::open_with_reserve(path, DEFAULT_RESERVE)
    }

    /// [`RocksStore::open`], with commits refused (R357: [`StorageError::NoSpace`]) once they
    /// would leave fewer than `reserve` bytes free on the store's file system, and the store
    /// not opened while fewer than `reserve` bytes are free.
    pub fn open_with_reserve(path: impl AsRef<Path>, reserve: u64) -> Result<Self, StorageError> {
        let path = path.as_ref().to_path_buf();
        // RocksDB creates only the last folder of the path; a node's data dir may be deeper.
        std::fs::create_dir_all(&path).map_err(|e| {
            let message = format!("create {}: {e}", path.display());
            if e.kind() == std::io::ErrorKind::StorageFull {
                StorageError::NoSpace(message)
            } else {
                StorageError::Failed(message)
            }
        })?;
        // R357: opening replays and flushes what the last run left in RocksDB's log, so it
        // needs the reserve too; below it, RocksDB is not even started.
        space::check(&path, reserve, 0)?;
        let options = tuning::database();
        let cache = tuning::block_cache().map_err(|e| db_error("block cache", &e))?;
        let families = layout::COLUMN_FAMILIES
            .iter()
            .map(|name| ColumnFamilyDescriptor::new(*name, tuning::family(name, &cache)));
        let db =
            DB::open_cf_descriptors(&options, &path, families).map_err(|e| db_error("open", &e))?;
        let undecided_held = match db.cf_handle(layout::ENTRIES_UNDECIDED) {
            Some(family) => db
                .iterator_cf(family, rocksdb::IteratorMode::Start)
                .next()
                .is_some(),
            None => true,
        };
        let read = RocksReader {
            db: Arc::new(db),
            nodes: Arc::default(),
            height: Arc::default(),
        };
        read.height.set(read.stored_height()?);
        Ok(RocksStore {
            read,
            path,
            reserve,
            undecided_held,
        })
    }

    /// Where the database lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A read-only handle on this database for other threads: it sees every block this store
    /// commits, each atomically.
    pub fn reader(&self) -> RocksReader {
        self.read.clone()
    }

    /// Puts everything of one block into `batch`; answers whether the undecided index may hold
    /// a record once it is written (R472).
    fn fill_batch(
        &self,
        batch: &mut WriteBatch,
        commit: &BlockCommit,
    ) -> Result<bool, StorageError> {
        let height = commit.stored.block.header.height;
        let state = self.read.cf(layout::STATE)?;
        for (key, value) in &commit.writes {
            match value {
                Some(v) => batch.put_cf(state, key, v),
                None => batch.delete_cf(state, key),
            }
        }
        commit_failpoint!("commit.batch_state");
        let nodes = self.read.cf(layout::JMT_NODES)?;
        for (key, node) in commit.tree.node_batch.nodes() {
            let bytes = borsh::to_vec(node)
                .map_err(|e| StorageError::Failed(format!("encode tree node: {e}")))?;
            batch.put_cf(nodes, layout::node_key(key)?, bytes);
        }
        let values = self.read.cf(layout::JMT_VALUES)?;
        for ((version, key_hash), value) in commit.tree.node_batch.values() {
            batch.put_cf(
                values,
                layout::value_key(*key_hash, *version),
                codec::encode(value),
            );
        }
        commit_failpoint!("commit.batch_tree");
        let undecided_held = self.index_entries(batch, commit)?;
        commit_failpoint!("commit.batch_index");
        batch.put_cf(
            self.read.cf(layout::BLOCKS)?,
            layout::block_key(height),
            codec::encode(&commit.stored),
        );
        batch.put_cf(
            self.read.cf(layout::META)?,
            layout::LATEST_HEIGHT,
            height.to_be_bytes(),
        );
        Ok(undecided_held)
    }
}

impl RocksStore {
    /// R185: a decisive inclusion is the entry's location for good (a second one cannot exist:
    /// the sequence it consumed is gone), so it is written blind and clears any undecided
    /// record; any other inclusion is recorded only while no decisive one exists, which costs
    /// a read (such inclusions come only from faulty proposers or races). Operations of one
    /// batch apply in order, as [`MemoryStore`](super::MemoryStore) applies them. R472: the
    /// undecided record is cleared only when the index may hold one; answers whether it may
    /// after this batch.
    fn index_entries(
        &self,
        batch: &mut WriteBatch,
        commit: &BlockCommit,
    ) -> Result<bool, StorageError> {
        let decisive = self.read.cf(layout::ENTRIES)?;
        let undecided = self.read.cf(layout::ENTRIES_UNDECIDED)?;
        let mut decided_here = BTreeSet::new();
        let mut held = self.undecided_held;
        for item in index_plan(commit)? {
            let location = codec::encode(&item.location);
            if item.decisive {
                batch.put_cf(decisive, item.id.0, location);
                if held {
                    batch.delete_cf(undecided, item.id.0);
                }
                decided_here.insert(item.id);
            } else if !decided_here.contains(&item.id) {
                commit_failpoint!("commit.index_lookup");
                if self.read.decisive_location(&item.id)?.is_none() {
                    batch.put_cf(undecided, item.id.0, location);
                    held = true;
                }
            }
        }
        Ok(held)
    }
}

impl StateReader for RocksStore {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        self.read.get(key)
    }
}

impl TreeReader for RocksStore {
    fn get_node_option(&self, node_key: &NodeKey) -> anyhow::Result<Option<Node>> {
        self.read.get_node_option(node_key)
    }

    fn get_value_option(
        &self,
        max_version: Version,
        key_hash: KeyHash,
    ) -> anyhow::Result<Option<Vec<u8>>> {
        self.read.get_value_option(max_version, key_hash)
    }

    fn get_rightmost_leaf(&self) -> anyhow::Result<Option<(NodeKey, LeafNode)>> {
        self.read.get_rightmost_leaf()
    }
}

impl Storage for RocksStore {
    fn latest_height(&self) -> Result<Option<u64>, StorageError> {
        self.read.latest_height()
    }

    fn block(&self, height: u64) -> Result<Option<StoredBlock>, StorageError> {
        self.read.block(height)
    }

    fn entry_location(&self, id: &EntryId) -> Result<Option<EntryLocation>, StorageError> {
        self.read.entry_location(id)
    }

    fn decisive_location(&self, id: &EntryId) -> Result<Option<EntryLocation>, StorageError> {
        self.read.decisive_location(id)
    }

    fn scan_prefix(&self, prefix: &[u8], limit: usize) -> Result<Vec<Record>, StorageError> {
        self.read.scan_prefix(prefix, limit)
    }

    fn sync_link(&self, height: u64) -> Result<Option<Vec<u8>>, StorageError> {
        self.read
            .read(layout::SYNC_LINKS, &layout::block_key(height))
    }

    fn commit(&mut self, commit: BlockCommit) -> Result<(), StorageError> {
        check_next_height(self.latest_height()?, &commit)?;
        commit_failpoint!("commit.before_batch");
        let mut batch = WriteBatch::default();
        let undecided_held = self.fill_batch(&mut batch, &commit)?;
        commit_failpoint!("commit.after_batch");
        space::check(&self.path, self.reserve, batch.size_in_bytes())?;
        // One synced write per block: all of it survives a crash, or none of it (R19, R351).
        let mut options = WriteOptions::default();
        options.set_sync(true);
        commit_failpoint!("commit.write");
        self.read
            .db
            .write_opt(batch, &options)
            .map_err(|e| db_error("write", &e))?;
        // R478: at once, before anything else can fail: the block is in the database now.
        self.read
            .height
            .set(Some(commit.stored.block.header.height));
        commit_failpoint!("commit.after_write");
        // Only after the write succeeded: the next block reads these nodes first (R355: a
        // failed commit leaves the cache as it was).
        commit_failpoint!("commit.before_cache");
        self.read.nodes.insert_all(commit.tree.node_batch.nodes());
        self.undecided_held |= undecided_held;
        commit_failpoint!("commit.after_cache");
        Ok(())
    }
}
