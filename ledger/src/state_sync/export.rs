//! R450, R451: the serving side: a store's head as a manifest and chunks.

use super::{ChunkInfo, Manifest, SyncItem, push_frame};
use crate::error::StorageError;
use crate::hash::Hash32;
use crate::state::{keys, tree};
use crate::storage::Storage;

/// R451: writes the snapshot of `store`'s head as chunks of about `chunk_bytes` (a frame larger
/// than that, such as a large block `H`, gets a chunk of its own, never over
/// [`super::MAX_CHUNK_BYTES`]), handing each to `sink` in order, and returns the manifest. The
/// store must not change meanwhile: serve from a checkpoint, not the live database.
pub fn export<S: Storage>(
    store: &S,
    chunk_bytes: usize,
    mut sink: impl FnMut(usize, &[u8]) -> Result<(), StorageError>,
) -> Result<Manifest, StorageError> {
    let limit = chunk_bytes.clamp(64, super::MAX_CHUNK_BYTES);
    // Headers, block `H` and records are framed in this order, each frame whole in a chunk.
    let failed = |what: String| StorageError::Failed(what);
    let height = store
        .latest_height()?
        .filter(|h| *h > 0)
        .ok_or_else(|| failed("no block above genesis to serve".into()))?;
    let mut chunks = Chunker {
        limit,
        current: Vec::new(),
        infos: Vec::new(),
        sink: &mut sink,
    };
    let mut head = None;
    for h in 1..=height {
        let Some(stored) = store.block(h)? else {
            // R458: a state-synced store keeps the links below its first block instead.
            let link = store
                .sync_link(h)?
                .ok_or_else(|| failed(format!("block {h} is missing")))?;
            let item: SyncItem = crate::codec::decode_stored(&link)
                .map_err(|e| failed(format!("kept link {h}: {e}")))?;
            chunks.push(&item)?;
            continue;
        };
        let key = keys::validators();
        let (value, proof) = tree::get_with_proof(store, &key, h)?;
        let validators = value.ok_or_else(|| failed(format!("no validator set at {h}")))?;
        let proof = serde_json::to_vec(&proof).map_err(|e| failed(format!("proof: {e}")))?;
        chunks.push(&SyncItem::Link {
            header: stored.block.header.clone(),
            certificate: stored.certificate.clone(),
            validators,
            proof,
        })?;
        if h == height {
            head = Some(stored);
        }
    }
    let head = head.ok_or_else(|| failed("no head block".into()))?;
    let header = head.block.header.clone();
    let certificate = head.certificate.clone();
    chunks.push(&SyncItem::Head(head))?;
    let records = store.scan_prefix(b"", usize::MAX)?;
    let count = records.len() as u64;
    for (key, value) in records {
        chunks.push(&SyncItem::Record { key, value })?;
    }
    let infos = chunks.finish()?;
    Ok(Manifest {
        height,
        block_hash: header.hash(),
        state_root: header.state_root,
        header,
        certificate,
        records: count,
        chunks: infos,
    })
}

/// Packs frames into chunks of at most `limit` bytes.
struct Chunker<'a, F> {
    limit: usize,
    current: Vec<u8>,
    infos: Vec<ChunkInfo>,
    sink: &'a mut F,
}

impl<F: FnMut(usize, &[u8]) -> Result<(), StorageError>> Chunker<'_, F> {
    fn push(&mut self, item: &SyncItem) -> Result<(), StorageError> {
        let mut frame = Vec::new();
        push_frame(&mut frame, item)?;
        if frame.len() > super::MAX_CHUNK_BYTES {
            return Err(StorageError::Failed(format!(
                "a sync frame of {} bytes exceeds the largest chunk, {}",
                frame.len(),
                super::MAX_CHUNK_BYTES
            )));
        }
        if self.current.len() + frame.len() > self.limit {
            self.flush()?;
        }
        self.current.extend_from_slice(&frame);
        Ok(())
    }

    fn flush(&mut self) -> Result<(), StorageError> {
        if self.current.is_empty() {
            return Ok(());
        }
        if self.infos.len() >= super::MAX_CHUNKS {
            return Err(StorageError::Failed(format!(
                "the snapshot needs more than {} chunks",
                super::MAX_CHUNKS
            )));
        }
        (self.sink)(self.infos.len(), &self.current)?;
        self.infos.push(ChunkInfo {
            sha256: Hash32::sha256(&self.current),
            len: u32::try_from(self.current.len()).unwrap_or(u32::MAX),
        });
        self.current.clear();
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<ChunkInfo>, StorageError> {
        self.flush()?;
        Ok(self.infos)
    }
}
