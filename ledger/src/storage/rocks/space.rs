//! R357: the store refuses a commit that would leave less than its reserve free on its file
//! system, before RocksDB writes anything.
//!
//! Why not let RocksDB meet the full disk: after a failed WAL write RocksDB refuses every later
//! write on that handle until it is reopened, and the Debian build of librocksdb 7.8 this
//! workspace links is compiled with assertions, which abort the process on the WAL writer's
//! next use after an error (`AssertFalseAndGetStatusForPrevError`), in a commit as well as
//! when opening on a disk with no byte free. Refused here, the commit (or the opening) is a
//! typed [`StorageError::NoSpace`], nothing is written, and the same handle commits again as
//! soon as space returns. The reserve also leaves room for RocksDB's own background work
//! (memtable flushes, compactions), whose failures this store cannot see.

use std::path::Path;

use crate::error::StorageError;

/// Bytes a store leaves free by default: room for a flush of every column family's memtable
/// (64 MiB each by default, rarely more than a few full at once) and a compaction of a
/// small store.
pub const DEFAULT_RESERVE: u64 = 256 * 1024 * 1024;

/// R357: `Ok` if writing `batch_bytes` still leaves `reserve` bytes free where `path` lives.
pub fn check(path: &Path, reserve: u64, batch_bytes: usize) -> Result<(), StorageError> {
    let stat = rustix::fs::statvfs(path)
        .map_err(|e| StorageError::Io(format!("statvfs {}: {e}", path.display())))?;
    let free = stat.f_bavail.saturating_mul(stat.f_frsize);
    let batch = u64::try_from(batch_bytes).unwrap_or(u64::MAX);
    if free < reserve.saturating_add(batch) {
        return Err(StorageError::NoSpace(format!(
            "{free} bytes free on the file system of {}: a commit of {batch} bytes must leave \
             {reserve} free",
            path.display()
        )));
    }
    Ok(())
}
