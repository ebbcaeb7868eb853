//! The node's store of document bodies (R141): a small RocksDB of its own under
//! `<data dir>/bodies`, keyed by document id, beside the ledger's database. Bodies are not
//! ledger state: they are not in the state root, blocks or proofs, and two nodes may hold
//! different sets of them.

use std::path::Path;
use std::sync::Arc;

use ebl_ledger::hash::{DocumentId, Hash32};
use rocksdb::{DB, Options, WriteOptions};

/// R141: the largest body a node stores or serves (the DCSA TransportDocument JSON of one eBL
/// is a few KiB; 1 MiB leaves room for long clause texts and many charges).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Why a body could not be stored or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// R141: larger than [`MAX_BODY_BYTES`].
    #[error("document body of {len} bytes exceeds the limit of {MAX_BODY_BYTES} bytes")]
    TooLarge {
        /// Its length.
        len: usize,
    },
    /// R141, R145: the body's SHA-256 is not the document id.
    #[error("document body does not hash to its document id")]
    WrongHash,
    /// RocksDB failed (open, read or a synced write).
    #[error("body store {op}: {reason}")]
    Storage {
        /// What was being done.
        op: &'static str,
        /// RocksDB's message.
        reason: String,
    },
}

impl BodyError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            BodyError::TooLarge { .. } => "BODY_TOO_LARGE",
            BodyError::WrongHash => "BODY_HASH_MISMATCH",
            BodyError::Storage { .. } => "BODY_STORE_FAILED",
        }
    }
}

/// R141, R145: checks that `body` may be stored as the body of `id`.
pub fn check_body(id: &DocumentId, body: &[u8]) -> Result<(), BodyError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(BodyError::TooLarge { len: body.len() });
    }
    if Hash32::sha256(body) != *id {
        return Err(BodyError::WrongHash);
    }
    Ok(())
}

fn storage(op: &'static str) -> impl FnOnce(rocksdb::Error) -> BodyError {
    move |e| BodyError::Storage {
        op,
        reason: e.to_string(),
    }
}

/// The body store; cheap to clone (one database shared by the gateway bridge and the swarm).
#[derive(Clone)]
pub struct BodyStore {
    db: Arc<DB>,
}

impl std::fmt::Debug for BodyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BodyStore")
            .field("path", &self.db.path())
            .finish()
    }
}

impl BodyStore {
    /// Opens (or creates) the store at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, BodyError> {
        let mut options = Options::default();
        options.create_if_missing(true);
        // Bodies are write-once and small: a tiny memtable keeps the second database cheap.
        options.set_write_buffer_size(4 * 1024 * 1024);
        options.set_max_open_files(64);
        let db = DB::open(&options, path).map_err(storage("open"))?;
        Ok(BodyStore { db: Arc::new(db) })
    }

    /// R141: stores `body` under `id` after checking size and hash, with a synced write, so a
    /// body acknowledged to the gateway survives a crash. Storing the same body again is a no-op
    /// (the value is fixed by the key: it must hash to it).
    pub fn put_blocking(&self, id: &DocumentId, body: &[u8]) -> Result<(), BodyError> {
        check_body(id, body)?;
        if self.db.get_pinned(id.0).map_err(storage("read"))?.is_some() {
            return Ok(());
        }
        let mut write = WriteOptions::default();
        write.set_sync(true);
        self.db
            .put_opt(id.0, body, &write)
            .map_err(storage("write"))
    }

    /// The stored body of `id`, if any.
    pub fn get_blocking(&self, id: &DocumentId) -> Result<Option<Vec<u8>>, BodyError> {
        self.db.get(id.0).map_err(storage("read"))
    }

    /// [`BodyStore::put_blocking`] on a blocking thread (RocksDB calls block; a synced write
    /// waits for the disk).
    pub async fn put(&self, id: DocumentId, body: Vec<u8>) -> Result<(), BodyError> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.put_blocking(&id, &body))
            .await
            .map_err(|e| BodyError::Storage {
                op: "write",
                reason: e.to_string(),
            })?
    }

    /// [`BodyStore::get_blocking`] on a blocking thread.
    pub async fn get(&self, id: DocumentId) -> Result<Option<Vec<u8>>, BodyError> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.get_blocking(&id))
            .await
            .map_err(|e| BodyError::Storage {
                op: "read",
                reason: e.to_string(),
            })?
    }
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
