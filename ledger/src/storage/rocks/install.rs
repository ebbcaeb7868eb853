//! R458: installing a state-sync snapshot into an empty store.

use rocksdb::{WriteBatch, WriteOptions};

use super::reader::db_error;
use super::{RocksStore, layout, space};
use crate::codec;
use crate::error::StorageError;
use crate::state_sync::VerifiedState;
use crate::storage::Storage;

/// Bytes gathered before a write: large enough to be quick, small enough for a 1 M-entry state
/// not to sit in one batch.
const BATCH_BYTES: usize = 64 * 1024 * 1024;

impl RocksStore {
    /// R458: writes a verified snapshot (block 0, block `H`, the state and tree at `H`) into
    /// this store, which must hold no block. The height is written last, in a synced write:
    /// a store cut short by a crash holds no head and is not a ledger (the caller installs in
    /// a staging folder and discards it).
    pub fn install_synced(&mut self, state: &VerifiedState) -> Result<(), StorageError> {
        if let Some(h) = self.latest_height()? {
            return Err(StorageError::Failed(format!(
                "state sync installs only into an empty store; this one holds block {h}"
            )));
        }
        let mut writer = Writer {
            store: self,
            batch: WriteBatch::default(),
        };
        for (height, link) in &state.links {
            writer.put(layout::SYNC_LINKS, &layout::block_key(*height), link)?;
        }
        for stored in [&state.genesis, &state.head] {
            let key = layout::block_key(stored.block.header.height);
            writer.put(layout::BLOCKS, &key, &codec::encode(stored))?;
        }
        for (key, value) in &state.records {
            if let Some(value) = value {
                writer.put(layout::STATE, key, value)?;
            }
        }
        for (key, node) in state.tree.node_batch.nodes() {
            let bytes = borsh::to_vec(node)
                .map_err(|e| StorageError::Failed(format!("encode tree node: {e}")))?;
            writer.put(layout::JMT_NODES, &layout::node_key(key)?, &bytes)?;
        }
        for ((version, key_hash), value) in state.tree.node_batch.values() {
            let key = layout::value_key(*key_hash, *version);
            writer.put(layout::JMT_VALUES, &key, &codec::encode(value))?;
        }
        let height = state.head.block.header.height;
        writer.put(layout::META, layout::LATEST_HEIGHT, &height.to_be_bytes())?;
        writer.write(true)?;
        // R478: the head is in the database now.
        self.read.height.set(Some(height));
        Ok(())
    }
}

/// Writes in batches of about [`BATCH_BYTES`].
struct Writer<'a> {
    store: &'a RocksStore,
    batch: WriteBatch,
}

impl Writer<'_> {
    fn put(&mut self, family: &str, key: &[u8], value: &[u8]) -> Result<(), StorageError> {
        self.batch.put_cf(self.store.read.cf(family)?, key, value);
        if self.batch.size_in_bytes() >= BATCH_BYTES {
            self.write(false)?;
        }
        Ok(())
    }

    fn write(&mut self, sync: bool) -> Result<(), StorageError> {
        let batch = std::mem::take(&mut self.batch);
        // R357: the store's reserve holds for an install as for a block.
        space::check(&self.store.path, self.store.reserve, batch.size_in_bytes())?;
        let mut options = WriteOptions::default();
        options.set_sync(sync);
        self.store
            .read
            .db
            .write_opt(batch, &options)
            .map_err(|e| db_error("write", &e))
    }
}
