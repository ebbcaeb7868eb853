//! State sync from peers (specs/protocol.md R450–R459, ADR 0050): a node that starts empty, or
//! has been offline long, takes the state at a recent certified height from a peer instead of
//! executing every block since genesis.
//!
//! # Design
//!
//! A serving node writes a *manifest* (height `H`, block hash, state root, the header of `H`
//! with its commit certificate, and each chunk's SHA-256 and length) and a list of *chunks*
//! (R451). A chunk is a run of frames, `u32 BE length ‖ canonical` [`SyncItem`], in one fixed
//! order: a [`SyncItem::Link`] per height `1..=H` (header, certificate, and the validator set
//! after that block with its proof against the block's state root), the whole block `H`
//! ([`SyncItem::Head`]), then every state record at `H` in strictly increasing key order
//! ([`SyncItem::Record`]).
//!
//! The syncing node trusts nothing it has not checked ([`SyncVerifier`]): the manifest's size
//! and self-consistency first (R452), each chunk's length and hash before it is decoded (R453),
//! each link against the previous header and the validator set proven from the previous state
//! root, as R422 checks a snapshot (R454), block `H` against its header (R455), and the
//! records, once all are in, against the certified state root (R456). Only then does it hand
//! back what to install ([`VerifiedState`]); no block is executed. A peer that lies is named
//! in the error its caller reports, and the caller tries the next peer (R457).

mod export;
mod verify;

pub use export::export;
pub use verify::{SyncVerifier, VerifiedState};

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::block::BlockHeader;
use crate::codec;
use crate::error::StorageError;
use crate::genesis::GenesisError;
use crate::hash::{BlockHash, Hash32};
use crate::storage::StoredBlock;

/// R451: most bytes in one chunk: room for the largest block the default caps allow (4 MiB of
/// entries, R191) with its results and certificate, which travels as one frame.
pub const MAX_CHUNK_BYTES: usize = 8 * 1024 * 1024;
/// R451: the chunk size a node serves (a larger frame gets a chunk of its own).
pub const TARGET_CHUNK_BYTES: usize = 4 * 1024 * 1024;
/// R451: most chunks in one snapshot (so at most 32 GiB of state and headers).
pub const MAX_CHUNKS: usize = 4096;
/// R452: most bytes of a manifest as served (JSON).
pub const MAX_MANIFEST_BYTES: usize = 1024 * 1024;

/// R451: one chunk as the manifest pins it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkInfo {
    /// SHA-256 of the chunk's bytes.
    pub sha256: Hash32,
    /// Its length in bytes.
    pub len: u32,
}

/// R451: what a peer offers: the snapshot's height and anchor, and the chunks that carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Height `H` of the snapshot.
    pub height: u64,
    /// Hash of the header of `H`.
    pub block_hash: BlockHash,
    /// State root of `H`.
    pub state_root: Hash32,
    /// The header of `H`.
    pub header: BlockHeader,
    /// Its commit certificate as the peer stores it (hex in JSON).
    #[serde(with = "hex_bytes")]
    pub certificate: Vec<u8>,
    /// State records at `H`.
    pub records: u64,
    /// The chunks, in order.
    pub chunks: Vec<ChunkInfo>,
}

/// One frame of a chunk (R451).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub enum SyncItem {
    /// A block header of height `1..=H` with its certificate, and the validator set after it
    /// (the set that certifies the next block) with its proof against the header's state root.
    Link {
        /// The header.
        header: BlockHeader,
        /// Its commit certificate as stored.
        certificate: Vec<u8>,
        /// Canonical validator set in the state after this block.
        validators: Vec<u8>,
        /// JSON of the sparse Merkle proof of `validators` against `header.state_root`.
        proof: Vec<u8>,
    },
    /// The whole block `H` (entries, results, certificate), stored as the new node's head.
    Head(StoredBlock),
    /// One state record at `H`.
    Record {
        /// State key.
        key: Vec<u8>,
        /// Value bytes.
        value: Vec<u8>,
    },
}

/// Why a snapshot from a peer is refused (R452–R457). Nothing is installed after any of them.
#[derive(Debug, thiserror::Error)]
pub enum StateSyncError {
    /// The local store could not be read or written.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The local genesis document does not build.
    #[error(transparent)]
    Genesis(#[from] GenesisError),
    /// R452: the manifest is too large, malformed, or does not agree with itself.
    #[error("bad manifest: {0}")]
    Manifest(String),
    /// R453: a chunk is longer than allowed or than the manifest says.
    #[error("chunk {index} has {len} bytes, at most {limit} allowed")]
    ChunkTooLarge {
        /// Chunk index.
        index: usize,
        /// Bytes received (at least).
        len: usize,
        /// The bound.
        limit: usize,
    },
    /// R453: a chunk's bytes do not hash to what the manifest says.
    #[error("chunk {index} does not match the manifest's hash")]
    ChunkHash {
        /// Chunk index.
        index: usize,
    },
    /// R451: a chunk's frames do not decode, or come in the wrong order.
    #[error("chunk {index} is malformed: {reason}")]
    Malformed {
        /// Chunk index.
        index: usize,
        /// Why.
        reason: String,
    },
    /// R454: a header does not link to the one before it.
    #[error("block {0} does not link to the block before it")]
    BrokenLink(u64),
    /// R454: a header's certificate does not make it final under the proven validator set.
    #[error("block {height} is not certified: {reason}")]
    Uncertified {
        /// The block.
        height: u64,
        /// Why.
        reason: String,
    },
    /// R455: block `H` is not the block the manifest's certified header commits to.
    #[error("block {height} does not match its header: {reason}")]
    HeadMismatch {
        /// The block.
        height: u64,
        /// Which commitment.
        reason: String,
    },
    /// R456: the records do not hash to the certified state root.
    #[error("the state hashes to {computed}, the certified header of {height} says {header}")]
    StateRoot {
        /// Height `H`.
        height: u64,
        /// Root of the records received.
        computed: Hash32,
        /// Root in the certified header.
        header: Hash32,
    },
    /// The chunks ended before the snapshot was complete.
    #[error("the snapshot is incomplete: {0}")]
    Incomplete(String),
}

impl StateSyncError {
    /// Stable code for logs and the CLI.
    pub fn code(&self) -> &'static str {
        match self {
            StateSyncError::Storage(_) => "STORAGE",
            StateSyncError::Genesis(_) => "GENESIS",
            StateSyncError::Manifest(_) => "SYNC_BAD_MANIFEST",
            StateSyncError::ChunkTooLarge { .. } => "SYNC_CHUNK_TOO_LARGE",
            StateSyncError::ChunkHash { .. } => "SYNC_CHUNK_HASH",
            StateSyncError::Malformed { .. } => "SYNC_MALFORMED",
            StateSyncError::BrokenLink(_) => "SYNC_BROKEN_LINK",
            StateSyncError::Uncertified { .. } => "SYNC_UNCERTIFIED",
            StateSyncError::HeadMismatch { .. } => "SYNC_HEAD_MISMATCH",
            StateSyncError::StateRoot { .. } => "SYNC_STATE_ROOT",
            StateSyncError::Incomplete(_) => "SYNC_INCOMPLETE",
        }
    }
}

/// R452: decodes a manifest of at most [`MAX_MANIFEST_BYTES`] and checks its bounds and that
/// it agrees with itself (its certificate is checked later, once the validator set is proven).
pub fn decode_manifest(bytes: &[u8]) -> Result<Manifest, StateSyncError> {
    let bad = |reason: String| StateSyncError::Manifest(reason);
    if bytes.len() > MAX_MANIFEST_BYTES {
        return Err(bad(format!(
            "{} bytes, at most {MAX_MANIFEST_BYTES}",
            bytes.len()
        )));
    }
    let manifest: Manifest =
        serde_json::from_slice(bytes).map_err(|e| bad(format!("not a manifest: {e}")))?;
    check_manifest(&manifest)?;
    Ok(manifest)
}

/// R452: the bounds and self-consistency of a manifest.
pub fn check_manifest(manifest: &Manifest) -> Result<(), StateSyncError> {
    let bad = |reason: String| Err(StateSyncError::Manifest(reason));
    if manifest.height == 0 {
        return bad("height 0 is genesis, which every node builds itself".into());
    }
    if manifest.header.height != manifest.height {
        return bad("the header is not of the manifest's height".into());
    }
    if manifest.header.hash() != manifest.block_hash {
        return bad("the header does not hash to the manifest's block hash".into());
    }
    if manifest.header.state_root != manifest.state_root {
        return bad("the state root is not the header's".into());
    }
    if manifest.chunks.is_empty() || manifest.chunks.len() > MAX_CHUNKS {
        return bad(format!(
            "{} chunks, 1 to {MAX_CHUNKS} allowed",
            manifest.chunks.len()
        ));
    }
    if let Some(big) = manifest
        .chunks
        .iter()
        .position(|c| c.len as usize > MAX_CHUNK_BYTES || c.len == 0)
    {
        return bad(format!(
            "chunk {big} is said to have {} bytes, 1 to {MAX_CHUNK_BYTES} allowed",
            manifest.chunks[big].len
        ));
    }
    Ok(())
}

/// Appends one frame (`u32 BE length ‖ canonical item`) to `out`.
pub(crate) fn push_frame(out: &mut Vec<u8>, item: &SyncItem) -> Result<(), StorageError> {
    let bytes = codec::encode(item);
    let len = u32::try_from(bytes.len())
        .map_err(|_| StorageError::Failed("sync frame over 4 GiB".into()))?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&bytes);
    Ok(())
}

/// The frames of one chunk, in order; `Err` with the reason at the first malformed one.
pub(crate) fn frames(chunk: &[u8]) -> Result<Vec<SyncItem>, String> {
    let mut items = Vec::new();
    let mut rest = chunk;
    while !rest.is_empty() {
        let (len, tail) = rest
            .split_first_chunk::<4>()
            .ok_or("a frame length is cut short")?;
        let len = u32::from_be_bytes(*len) as usize;
        if len > tail.len() {
            return Err(format!("a frame of {len} bytes runs past the chunk"));
        }
        let (frame, tail) = tail.split_at(len);
        items.push(codec::decode(frame, MAX_CHUNK_BYTES).map_err(|e| e.to_string())?);
        rest = tail;
    }
    Ok(items)
}

mod hex_bytes {
    pub fn serialize<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        hex::decode(text.as_bytes()).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
