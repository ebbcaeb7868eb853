//! Blocks of the height in progress, kept on disk so that a restarted node can still commit the
//! block its consensus WAL has locked or decided on.
//!
//! Malachite's WAL replays proposed values inside the engine only; the application's own block
//! cache would be empty after a crash. If every validator restarted in the middle of a height,
//! none could otherwise commit (or restream) the block they had voted for.
//!
//! R467: a block's signed stream opening (its init and the proposer's signature over it) is
//! kept beside it, in `HEIGHT-ID.origin`: a restarted validator that is locked on a block must
//! be able to stream it again exactly as it was first signed, or its re-proposal goes out
//! without parts and the round is lost.

use std::path::{Path, PathBuf};

use ebl_ledger::block::Block;

use super::parts::PartInit;
use super::scheme::ConsensusSignature;
use super::types::BlockId;

/// How a block was first streamed: the init and its proposer's signature (R193).
pub type Origin = (PartInit, ConsensusSignature);

/// A folder of `HEIGHT-ID.block` files (canonical block encodings).
#[derive(Debug, Clone)]
pub struct UndecidedBlocks {
    dir: PathBuf,
}

impl UndecidedBlocks {
    /// Uses (and creates) `dir`.
    pub fn open(dir: PathBuf) -> std::io::Result<Self> {
        std::fs::create_dir_all(&dir)?;
        Ok(UndecidedBlocks { dir })
    }

    fn path(&self, height: u64, id: BlockId) -> PathBuf {
        self.file(height, id, "block")
    }

    fn file(&self, height: u64, id: BlockId, extension: &str) -> PathBuf {
        self.dir
            .join(format!("{height:020}-{}.{extension}", hex::encode(id.0)))
    }

    /// R467: saves how block `id` of `height` was first streamed (a failure is logged: the
    /// block can still be committed, only not restreamed).
    pub fn save_origin(&self, height: u64, id: BlockId, origin: &Origin) {
        let path = self.file(height, id, "origin");
        if path.exists() {
            return;
        }
        let bytes = borsh::to_vec(origin).unwrap_or_default();
        if let Err(e) = std::fs::write(&path, bytes) {
            tracing::warn!(error = %e, path = %path.display(), "cannot save a stream opening");
        }
    }

    /// R467: the saved opening of block `id` of `height`, if one decodes (the caller checks
    /// its signature and that it names this block).
    pub fn load_origin(&self, height: u64, id: BlockId) -> Option<Origin> {
        let bytes = std::fs::read(self.file(height, id, "origin")).ok()?;
        borsh::from_slice(&bytes).ok()
    }

    /// Saves a block (a failure is logged: the WAL and value sync remain).
    pub fn save(&self, block: &Block) {
        let id = BlockId::from(block.header.hash());
        let path = self.path(block.header.height, id);
        if path.exists() {
            return;
        }
        if let Err(e) = std::fs::write(&path, ebl_ledger::codec::encode(block)) {
            tracing::warn!(error = %e, path = %path.display(), "cannot save an undecided block");
        }
    }

    /// Deletes the saved block `id` of `height` (evicted, R192).
    pub fn remove(&self, height: u64, id: BlockId) {
        let _ = std::fs::remove_file(self.path(height, id));
        let _ = std::fs::remove_file(self.file(height, id, "origin"));
    }

    /// The saved blocks of `height` that decode (others are ignored).
    pub fn load(&self, height: u64) -> Vec<Block> {
        let prefix = format!("{height:020}-");
        self.files()
            .into_iter()
            .filter(|(name, _)| name.starts_with(&prefix) && name.ends_with(".block"))
            .filter_map(|(_, path)| std::fs::read(path).ok())
            .filter_map(|bytes| Block::decode(&bytes).ok())
            .filter(|b| b.header.height == height)
            .collect()
    }

    /// Deletes the blocks of heights below `height`.
    pub fn prune_below(&self, height: u64) {
        for (name, path) in self.files() {
            let h = name.get(..20).and_then(|h| h.parse::<u64>().ok());
            if h.is_some_and(|h| h < height) {
                let _ = std::fs::remove_file(path);
            }
        }
    }

    fn files(&self) -> Vec<(String, PathBuf)> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        entries
            .filter_map(Result::ok)
            .filter_map(|e| Some((e.file_name().into_string().ok()?, e.path())))
            .collect()
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}
