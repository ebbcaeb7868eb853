//! Snapshots of a node's ledger (specs/protocol.md R420–R426, ADR 0047): a consistent copy taken
//! while the node runs (the admin API) or while it is stopped (`ebl-node snapshot export`), and
//! a restore into an empty ledger folder (`ebl-node snapshot import`) that checks the copy's
//! chain and state before the node may use it.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use ebl_ledger::genesis::Genesis;
use ebl_ledger::snapshot::{SnapshotFacts, verify_store};
use ebl_ledger::storage::{RocksReader, RocksStore, Storage};
use ebl_ledger::{Ledger, StorageError};

/// R424: most snapshots the admin API keeps under `<data>/snapshots` (each pins the database
/// files it links to, so disk use grows as the live database compacts away from them).
pub const MAX_KEPT_SNAPSHOTS: usize = 8;

/// The ledger database of a node's data folder.
pub fn ledger_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("ledger")
}

/// Where the admin API writes snapshots: on the database's file system, so a checkpoint links
/// files instead of copying them.
pub fn snapshots_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("snapshots")
}

/// A snapshot written by a running node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    /// Its folder.
    pub path: PathBuf,
    /// Height, block hash and state root of its last block.
    pub height: u64,
    /// Hash of that block's header.
    pub block_hash: ebl_ledger::hash::BlockHash,
    /// Its state root.
    pub state_root: ebl_ledger::hash::Hash32,
}

/// Why the running node did not take a snapshot.
#[derive(Debug, thiserror::Error)]
pub enum TakeError {
    /// R424: the folder holds [`MAX_KEPT_SNAPSHOTS`] already.
    #[error("{0} snapshots are kept already: move or delete old ones from the snapshots folder")]
    Full(usize),
    /// The disk or the database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// R420, R424: checkpoints the live database `reader` into a new folder under `snapshots`
/// named after the height it holds. Blocking: call it off the async runtime.
pub fn take(reader: &RocksReader, snapshots: &Path) -> Result<Taken, TakeError> {
    let io = |what: &str, e: std::io::Error| StorageError::Io(format!("{what}: {e}"));
    std::fs::create_dir_all(snapshots).map_err(|e| io("create snapshots folder", e))?;
    let kept = std::fs::read_dir(snapshots)
        .map_err(|e| io("list snapshots", e))?
        .filter_map(Result::ok)
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .count();
    if kept >= MAX_KEPT_SNAPSHOTS {
        return Err(TakeError::Full(kept));
    }
    // The height is known only once the copy exists: checkpoint under a temporary name.
    let staging = snapshots.join(format!(".taking-{}", std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(|e| io("remove stale staging", e))?;
    }
    reader.checkpoint(&staging)?;
    let head = {
        let store = RocksStore::open_with_reserve(&staging, 0)?;
        let height = store
            .latest_height()?
            .ok_or_else(|| StorageError::Failed("snapshot holds no block".into()))?;
        store
            .block(height)?
            .ok_or_else(|| StorageError::Failed(format!("snapshot lacks block {height}")))?
            .block
            .header
    };
    let hash = head.hash();
    let path = snapshots.join(format!("h{}-{}", head.height, &hash.to_hex()[..12]));
    if path.exists() {
        // The same block was snapshotted before: keep the first copy.
        std::fs::remove_dir_all(&staging).map_err(|e| io("remove duplicate", e))?;
    } else {
        std::fs::rename(&staging, &path).map_err(|e| io("name snapshot", e))?;
    }
    Ok(Taken {
        path,
        height: head.height,
        block_hash: hash,
        state_root: head.state_root,
    })
}

/// R421–R423: opens the store in `dir` and checks its chain and state against `genesis`.
pub fn check(dir: &Path, genesis: &Genesis) -> anyhow::Result<SnapshotFacts> {
    let store = RocksStore::open_with_reserve(dir, 0)
        .with_context(|| format!("open snapshot {}", dir.display()))?;
    verify_store(&store, genesis, stored_certificate)
        .context("the snapshot is not this network's chain")
}

/// A stored commit certificate in portable form: the consensus engine's encoding (what a node
/// stores), or the ledger's own (what the ledger's tools store). Either way R132 then checks
/// every signature and the power, so accepting both admits nothing unsigned.
pub(crate) fn stored_certificate(bytes: &[u8]) -> Option<ebl_ledger::finality::CommitCertificate> {
    crate::consensus::codec::portable_certificate(bytes)
        .or_else(|| ebl_ledger::snapshot::ledger_certificate(bytes))
}

/// `ebl-node snapshot export` of a stopped node: checkpoints its ledger into `out` (which must
/// not exist) and checks the copy (R421–R423).
pub fn export_stopped(
    data_dir: &Path,
    genesis: &Genesis,
    out: &Path,
) -> anyhow::Result<SnapshotFacts> {
    let db = ledger_dir(data_dir);
    anyhow::ensure!(db.exists(), "{} holds no ledger", data_dir.display());
    let store = match RocksStore::open(&db) {
        Ok(store) => store,
        Err(e) if e.to_string().contains("lock") => bail!(
            "the node is running (its database is locked): take the snapshot through its admin \
             API, `POST /v1/admin/snapshots`, or stop the node first"
        ),
        Err(e) => return Err(e).context("open the ledger"),
    };
    store
        .reader()
        .checkpoint(out)
        .context("write the checkpoint")?;
    drop(store);
    check(out, genesis)
}

/// `ebl-node snapshot import`: copies the snapshot `from` into the node's (absent or empty)
/// ledger folder, through a staging folder, and only keeps it once R421–R423 hold; refused
/// otherwise, with nothing left behind.
pub fn import(from: &Path, data_dir: &Path, genesis: &Genesis) -> anyhow::Result<SnapshotFacts> {
    let target = ledger_dir(data_dir);
    if target.exists()
        && std::fs::read_dir(&target)
            .with_context(|| format!("read {}", target.display()))?
            .next()
            .is_some()
    {
        bail!(
            "{} holds a ledger already: move it away first (a restore never overwrites one)",
            target.display()
        );
    }
    let staging = data_dir.join("ledger.importing");
    if staging.exists() {
        std::fs::remove_dir_all(&staging).context("remove an earlier staging folder")?;
    }
    copy_flat(from, &staging)?;
    let facts = match check(&staging, genesis) {
        Ok(facts) => facts,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    // The node opens it as its own; a store that opens but holds another chain would already
    // have failed R421.
    drop(Ledger::open(RocksStore::open(&staging)?, genesis).context("open the restored ledger")?);
    if target.exists() {
        std::fs::remove_dir(&target).context("remove the empty ledger folder")?;
    }
    std::fs::rename(&staging, &target).context("move the restored ledger in place")?;
    Ok(facts)
}

/// Copies the files of a checkpoint folder (RocksDB checkpoints are flat) into `to`.
fn copy_flat(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("create {}", to.display()))?;
    for entry in std::fs::read_dir(from).with_context(|| format!("read {}", from.display()))? {
        let entry = entry?;
        let kind = entry.file_type()?;
        anyhow::ensure!(
            kind.is_file(),
            "{} is not a snapshot folder: it holds {}",
            from.display(),
            entry.file_name().to_string_lossy()
        );
        if entry.file_name() == "LOCK" {
            continue;
        }
        std::fs::copy(entry.path(), to.join(entry.file_name()))
            .with_context(|| format!("copy {}", entry.path().display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
