//! R450, R451: the serving side. The node keeps the chunks of one recent snapshot on disk
//! (and the one before, so a peer midway through a download can finish it), rebuilt from a
//! checkpoint of the live database once the chain has moved [`REFRESH_BLOCKS`] past it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ebl_ledger::StorageError;
use ebl_ledger::state_sync::{Manifest, TARGET_CHUNK_BYTES, export};
use ebl_ledger::storage::{RocksReader, RocksStore, Storage};

/// R450: a served snapshot is rebuilt once the head is this many blocks past it.
pub const REFRESH_BLOCKS: u64 = 100;

/// Why the node does not serve a snapshot.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Nothing above genesis to serve yet.
    #[error("the node holds no block above genesis yet")]
    NothingYet,
    /// The disk or the database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// One snapshot on disk.
#[derive(Debug, Clone)]
struct Served {
    height: u64,
    manifest_json: Arc<Vec<u8>>,
    folder: PathBuf,
}

/// The served snapshots of a node (blocking: call it off the async runtime).
#[derive(Debug)]
pub struct SyncServer {
    reader: RocksReader,
    dir: PathBuf,
    chunk_bytes: usize,
    // One build at a time; a reader waits for it rather than starting another.
    served: Mutex<Vec<Served>>,
}

impl SyncServer {
    /// Serves the database of `reader` from chunk files under `dir` (the data folder's `sync`).
    pub fn new(reader: RocksReader, dir: PathBuf) -> Self {
        Self::with_chunk_bytes(reader, dir, TARGET_CHUNK_BYTES)
    }

    /// [`SyncServer::new`] with smaller chunks (tests).
    pub fn with_chunk_bytes(reader: RocksReader, dir: PathBuf, chunk_bytes: usize) -> Self {
        SyncServer {
            reader,
            dir,
            chunk_bytes,
            served: Mutex::new(Vec::new()),
        }
    }

    /// R451: the manifest (JSON) of a recent snapshot, built first when there is none or the
    /// chain has moved [`REFRESH_BLOCKS`] past it.
    pub fn manifest(&self) -> Result<Arc<Vec<u8>>, ServeError> {
        let mut served = self.served.lock().unwrap_or_else(|p| p.into_inner());
        let head = self.reader.latest_height()?.unwrap_or(0);
        if head == 0 {
            return Err(ServeError::NothingYet);
        }
        if let Some(last) = served.last()
            && head < last.height.saturating_add(REFRESH_BLOCKS)
        {
            return Ok(last.manifest_json.clone());
        }
        let fresh = self.build()?;
        let json = fresh.manifest_json.clone();
        served.push(fresh);
        while served.len() > 2 {
            let old = served.remove(0);
            let _ = std::fs::remove_dir_all(&old.folder);
        }
        Ok(json)
    }

    /// R451: chunk `index` of the served snapshot of `height`; `None` when that snapshot or
    /// chunk is not (or no longer) served.
    pub fn chunk(&self, height: u64, index: usize) -> Result<Option<Vec<u8>>, ServeError> {
        let folder = {
            let served = self.served.lock().unwrap_or_else(|p| p.into_inner());
            match served.iter().find(|s| s.height == height) {
                Some(s) => s.folder.clone(),
                None => return Ok(None),
            }
        };
        match std::fs::read(chunk_path(&folder, index)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StorageError::Io(format!("read chunk {index}: {e}")).into()),
        }
    }

    /// Checkpoints the live database and writes its head's chunks under `dir/h<H>`.
    fn build(&self) -> Result<Served, ServeError> {
        let io = |what: &str, e: std::io::Error| StorageError::Io(format!("{what}: {e}"));
        std::fs::create_dir_all(&self.dir).map_err(|e| io("create sync folder", e))?;
        let checkpoint = self.dir.join(".checkpoint");
        let staging = self.dir.join(".building");
        for stale in [&checkpoint, &staging] {
            if stale.exists() {
                std::fs::remove_dir_all(stale).map_err(|e| io("remove stale folder", e))?;
            }
        }
        self.reader.checkpoint(&checkpoint)?;
        let manifest = write_chunks(&checkpoint, &staging, self.chunk_bytes);
        let _ = std::fs::remove_dir_all(&checkpoint);
        let manifest = manifest?;
        let json = serde_json::to_vec(&manifest)
            .map_err(|e| StorageError::Failed(format!("manifest: {e}")))?;
        // The folder is a complete snapshot by itself: `ebl-node state-sync --peer <folder>`.
        std::fs::write(staging.join("manifest.json"), &json)
            .map_err(|e| io("write manifest", e))?;
        let folder = self.dir.join(format!("h{}", manifest.height));
        if folder.exists() {
            std::fs::remove_dir_all(&folder).map_err(|e| io("remove old chunks", e))?;
        }
        std::fs::rename(&staging, &folder).map_err(|e| io("name chunks folder", e))?;
        Ok(Served {
            height: manifest.height,
            manifest_json: Arc::new(json),
            folder,
        })
    }
}

/// Exports the store at `checkpoint` as chunk files in `out`.
fn write_chunks(checkpoint: &Path, out: &Path, chunk_bytes: usize) -> Result<Manifest, ServeError> {
    std::fs::create_dir_all(out)
        .map_err(|e| StorageError::Io(format!("create {}: {e}", out.display())))?;
    let store = RocksStore::open_with_reserve(checkpoint, 0)?;
    if store.latest_height()?.unwrap_or(0) == 0 {
        return Err(ServeError::NothingYet);
    }
    let manifest = export(&store, chunk_bytes, |index, bytes| {
        std::fs::write(chunk_path(out, index), bytes)
            .map_err(|e| StorageError::Io(format!("write chunk {index}: {e}")))
    })?;
    Ok(manifest)
}

/// The file of chunk `index`.
pub fn chunk_path(folder: &Path, index: usize) -> PathBuf {
    folder.join(format!("chunk-{index:05}"))
}
