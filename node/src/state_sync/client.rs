//! R452–R458: the syncing side. Peers are tried in turn; each one's snapshot is downloaded
//! chunk by chunk, every chunk checked as it arrives, and installed only once it is complete
//! and its state hashes to the certified root. A peer that lies is named with the reason and
//! the next one is tried (R457); nothing of its snapshot is kept.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ebl_ledger::genesis::Genesis;
use ebl_ledger::snapshot::SnapshotFacts;
use ebl_ledger::state_sync::{StateSyncError, SyncVerifier, VerifiedState, decode_manifest};
use ebl_ledger::storage::RocksStore;
use ebl_ledger::{Ledger, StorageError};

use super::peer::{PeerError, SnapshotPeer};
use crate::snapshot::ledger_dir;

/// A completed state sync.
#[derive(Debug, Clone)]
pub struct Synced {
    /// The peer whose snapshot was installed.
    pub peer: String,
    /// Height, block hash, state root and records of the installed state.
    pub facts: SnapshotFacts,
    /// Bytes downloaded from that peer (manifest and chunks).
    pub bytes: u64,
    /// Time spent downloading.
    pub download: Duration,
    /// Time spent checking (headers, certificates, chunk hashes, the state root).
    pub verify: Duration,
    /// Time spent writing the ledger.
    pub install: Duration,
}

/// Why one peer's snapshot was not taken.
#[derive(Debug, thiserror::Error)]
pub enum PeerFault {
    /// The peer did not answer usably.
    #[error(transparent)]
    Peer(#[from] PeerError),
    /// R452–R456: what it served failed a check.
    #[error("{} ({})", .0, .0.code())]
    Refused(#[from] StateSyncError),
}

/// One peer that was tried and why it failed.
#[derive(Debug)]
pub struct PeerFailure {
    /// The peer.
    pub peer: String,
    /// Why.
    pub fault: PeerFault,
}

impl std::fmt::Display for PeerFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "peer {}: {}", self.peer, self.fault)
    }
}

/// Why state sync installed nothing.
#[derive(Debug, thiserror::Error)]
pub enum SyncFailed {
    /// R458: the node holds a ledger already; state sync never overwrites one.
    #[error("{0} holds a ledger already: move it away first (state sync never overwrites one)")]
    LedgerExists(PathBuf),
    /// No peer was named.
    #[error("no peer to sync from")]
    NoPeers,
    /// R457: every peer failed; each is named with its reason.
    #[error("no peer served a snapshot that checks: {}", list(.0))]
    AllPeersFailed(Vec<PeerFailure>),
    /// The local disk or database failed while installing.
    #[error("install: {0}")]
    Install(String),
}

fn list(failures: &[PeerFailure]) -> String {
    failures
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// R450–R458: fills the node's empty ledger folder under `data_dir` from the first of `peers`
/// whose snapshot passes every check. Blocking.
pub fn sync_from_peers(
    peers: &[&dyn SnapshotPeer],
    data_dir: &Path,
    genesis: &Genesis,
) -> Result<Synced, SyncFailed> {
    let target = ledger_dir(data_dir);
    if holds_files(&target) {
        return Err(SyncFailed::LedgerExists(target));
    }
    if peers.is_empty() {
        return Err(SyncFailed::NoPeers);
    }
    let mut failures = Vec::new();
    for peer in peers {
        let started = Instant::now();
        match fetch_verified(*peer, genesis) {
            Ok((state, bytes, download)) => {
                let verify = started.elapsed().saturating_sub(download);
                let installing = Instant::now();
                install(&state, data_dir, genesis)?;
                let synced = Synced {
                    peer: peer.name(),
                    facts: state.facts,
                    bytes,
                    download,
                    verify,
                    install: installing.elapsed(),
                };
                return Ok(synced);
            }
            Err(fault) => {
                tracing::warn!(peer = %peer.name(), %fault, "state sync: peer refused");
                failures.push(PeerFailure {
                    peer: peer.name(),
                    fault,
                });
            }
        }
    }
    Err(SyncFailed::AllPeersFailed(failures))
}

/// Downloads and checks one peer's snapshot; answers it with the bytes and time downloaded.
fn fetch_verified(
    peer: &dyn SnapshotPeer,
    genesis: &Genesis,
) -> Result<(VerifiedState, u64, Duration), PeerFault> {
    let mut download = Duration::ZERO;
    let timed = |download: &mut Duration, started: Instant| *download += started.elapsed();
    let started = Instant::now();
    let manifest_bytes = peer.manifest()?;
    timed(&mut download, started);
    let manifest = decode_manifest(&manifest_bytes)?;
    let height = manifest.height;
    let mut bytes = manifest_bytes.len() as u64;
    let mut verifier = SyncVerifier::new(genesis, manifest, crate::snapshot::stored_certificate)?;
    while let Some(index) = verifier.next_chunk() {
        // R453: never more than the manifest's length for this chunk (itself bounded).
        let limit = verifier.manifest().chunks[index].len as usize;
        let started = Instant::now();
        let chunk = peer.chunk(height, index, limit)?;
        timed(&mut download, started);
        bytes += chunk.len() as u64;
        verifier.accept_chunk(&chunk)?;
    }
    Ok((verifier.finish()?, bytes, download))
}

/// R458: writes the checked state into a staging folder, opens it as a ledger, then moves it
/// into place; on any failure the staging folder is removed and nothing is installed.
fn install(state: &VerifiedState, data_dir: &Path, genesis: &Genesis) -> Result<(), SyncFailed> {
    let failed = |e: String| SyncFailed::Install(e);
    let target = ledger_dir(data_dir);
    let staging = data_dir.join("ledger.syncing");
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(|e| failed(format!("remove staging: {e}")))?;
    }
    let written = (|| -> Result<(), String> {
        let mut store = RocksStore::open(&staging).map_err(|e: StorageError| e.to_string())?;
        store.install_synced(state).map_err(|e| e.to_string())?;
        let ledger = Ledger::open(store, genesis).map_err(|e| e.to_string())?;
        if ledger.head().hash() != state.facts.block_hash {
            return Err("the installed head is not the synced block".into());
        }
        Ok(())
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(failed(e));
    }
    if target.exists() {
        std::fs::remove_dir(&target).map_err(|e| failed(format!("remove empty ledger: {e}")))?;
    }
    std::fs::rename(&staging, &target).map_err(|e| failed(format!("move ledger in place: {e}")))
}

/// Whether `dir` exists and holds anything.
fn holds_files(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some())
}
