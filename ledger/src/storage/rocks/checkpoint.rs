//! R420: consistent copies of a running database (RocksDB checkpoints).

use std::path::Path;

use super::RocksReader;
use super::reader::db_error;
use crate::error::StorageError;

impl RocksReader {
    /// R420: writes a consistent copy of the database into `dir`, which must not exist yet:
    /// a RocksDB checkpoint (SST files hard-linked when `dir` is on the same file system,
    /// copied otherwise). Safe while the owner commits: every block is one write batch (R19),
    /// so the copy holds whole blocks only, up to some height.
    pub fn checkpoint(&self, dir: &Path) -> Result<(), StorageError> {
        if dir.exists() {
            return Err(StorageError::Failed(format!(
                "checkpoint: {} exists already",
                dir.display()
            )));
        }
        let checkpoint = rocksdb::checkpoint::Checkpoint::new(&self.db)
            .map_err(|e| db_error("checkpoint", &e))?;
        checkpoint
            .create_checkpoint(dir)
            .map_err(|e| db_error("checkpoint", &e))
    }
}
