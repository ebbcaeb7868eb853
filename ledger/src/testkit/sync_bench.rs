//! Catch-up time, state sync against replay (R450–R459, ADR 0050; BENCHMARKS.md "State sync vs
//! replay"): a certified chain of eBL issues in RocksDB, then a fresh store brought to its head
//! (a) by executing every block from genesis as value sync does, and (b) by state sync from a
//! snapshot of the head. Run large by `examples/state_sync_vs_replay.rs`, small by its test.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::ebl::{EblAction, EblIssue, EblType};
use crate::entry::Body;
use crate::finality::CommitCertificate;
use crate::hash::Hash32;
use crate::identity::ValidatorSet;
use crate::ids::OrgId;
use crate::ledger::Ledger;
use crate::snapshot::ledger_certificate;
use crate::state::{StateReader, keys};
use crate::state_sync::{SyncVerifier, TARGET_CHUNK_BYTES, decode_manifest, export};
use crate::storage::{RocksStore, Storage};
use crate::testkit::{PILOT_ORGS, TestNetwork};

/// What one chain took to build and to catch up with.
#[derive(Debug, Clone)]
pub struct Measured {
    /// Blocks above genesis.
    pub blocks: u64,
    /// Entries in them.
    pub entries: u64,
    /// State records at the head.
    pub records: u64,
    /// Bytes of the snapshot (manifest and chunks).
    pub snapshot_bytes: u64,
    /// Building the chain (sign, execute, certify, commit).
    pub generate: Duration,
    /// The serving node writing the snapshot's chunks (once; peers reuse it).
    pub export: Duration,
    /// (a) replay: every block's certificate checked, executed with its signatures and
    /// committed, from genesis; one value per run.
    pub replay: Vec<Duration>,
    /// (b) state sync: manifest and chunks read, every check, install; one value per run.
    pub state_sync: Vec<Duration>,
}

/// Builds a chain of `entries` eBL issues in blocks of `per_block` under `dir/source`, then
/// measures both ways of catching up `runs` times each. Both must reach the source's head.
/// The clock `now` comes from the caller: the ledger crate reads none itself.
pub fn measure(
    dir: &Path,
    entries: u64,
    per_block: u64,
    runs: usize,
    now: impl Fn() -> Instant,
) -> Measured {
    let started = now();
    let source_dir = dir.join("source");
    let net = generate(&source_dir, entries, per_block);
    let generate = started.elapsed();
    let head = net.ledger.head().clone();
    let genesis = net.genesis.clone();
    drop(net);
    let source = RocksStore::open_with_reserve(&source_dir, 0).expect("reopen source");

    let started = now();
    let chunks_dir = dir.join("chunks");
    std::fs::create_dir_all(&chunks_dir).expect("chunks folder");
    let manifest = export(&source, TARGET_CHUNK_BYTES, |i, bytes| {
        std::fs::write(chunk_file(&chunks_dir, i), bytes)
            .map_err(|e| crate::StorageError::Io(format!("write chunk: {e}")))
    })
    .expect("export");
    let manifest_json = serde_json::to_vec(&manifest).expect("manifest json");
    std::fs::write(chunks_dir.join("manifest.json"), &manifest_json).expect("manifest");
    let export = started.elapsed();
    let snapshot_bytes = manifest_json.len() as u64
        + manifest
            .chunks
            .iter()
            .map(|c| u64::from(c.len))
            .sum::<u64>();

    let mut replay = Vec::new();
    let mut state_sync = Vec::new();
    for run in 0..runs {
        let target = dir.join(format!("replay-{run}"));
        let started = now();
        let root = replay_into(&source, &target, &genesis);
        replay.push(started.elapsed());
        assert_eq!(root, head.state_root, "replay reaches the head");
        std::fs::remove_dir_all(&target).expect("remove replayed store");

        let target = dir.join(format!("synced-{run}"));
        let started = now();
        let root = state_sync_into(&chunks_dir, &target, &genesis);
        state_sync.push(started.elapsed());
        assert_eq!(root, head.state_root, "state sync reaches the head");
        std::fs::remove_dir_all(&target).expect("remove synced store");
    }
    Measured {
        blocks: head.height,
        entries,
        records: manifest.records,
        snapshot_bytes,
        generate,
        export,
        replay,
        state_sync,
    }
}

/// A pilot network on RocksDB with `entries` certified eBL issues in blocks of `per_block`.
fn generate(dir: &Path, entries: u64, per_block: u64) -> TestNetwork<RocksStore> {
    let store = RocksStore::open_with_reserve(dir, 0).expect("open source");
    let mut net = TestNetwork::pilot_on(store);
    let mut issued = 0;
    while issued < entries {
        let n = per_block.min(entries - issued);
        let block = (issued..issued + n)
            .map(|i| net.sign("CARRIER", Body::Ebl(EblAction::Issue(issue(i)))))
            .collect();
        let outcomes = net.commit_certified(block);
        assert!(
            outcomes
                .iter()
                .all(|o| *o == crate::block::Outcome::Applied),
            "every issue applies"
        );
        issued += n;
    }
    net
}

/// The `i`-th bill: a to-order bill issued to one of the pilot organisations in turn.
fn issue(i: u64) -> EblIssue {
    let holder = PILOT_ORGS[usize::try_from(i).unwrap_or(0) % PILOT_ORGS.len()].0;
    EblIssue {
        document: Hash32::sha256(&i.to_be_bytes()),
        reference: format!("SYNC{i:09}"),
        kind: EblType::ToOrderBl,
        issue_to: OrgId::new(holder).expect("pilot org id"),
        consignee: None,
    }
}

/// (a) What value sync does for each block from genesis: the certificate checked under the
/// validator set of the state before it, the block re-executed (signatures included) and its
/// header checked, then committed. Returns the final state root.
fn replay_into(source: &RocksStore, dir: &Path, genesis: &crate::genesis::Genesis) -> Hash32 {
    let store = RocksStore::open(dir).expect("open replay store");
    let mut ledger = Ledger::open(store, genesis).expect("open replay ledger");
    let chain = ledger.chain().genesis_hash;
    let head = source.latest_height().expect("height").unwrap_or(0);
    for h in 1..=head {
        let stored = source.block(h).expect("read").expect("block");
        let validators: ValidatorSet = ledger
            .store()
            .get(&keys::validators())
            .expect("read validators")
            .and_then(|b| crate::codec::decode_stored(&b).ok())
            .expect("validator set");
        let certificate: CommitCertificate =
            ledger_certificate(&stored.certificate).expect("certificate decodes");
        certificate
            .verify_header(&chain, &stored.block.header, &validators.validators)
            .expect("certified");
        let executed = ledger.verify(stored.block).expect("block re-executes");
        ledger.commit(executed, stored.certificate).expect("commit");
    }
    ledger.head().state_root
}

/// (b) State sync from the snapshot folder: manifest, each chunk read and checked, the state
/// root checked, installed, opened. Returns the installed state root.
fn state_sync_into(chunks: &Path, dir: &Path, genesis: &crate::genesis::Genesis) -> Hash32 {
    let manifest = decode_manifest(&std::fs::read(chunks.join("manifest.json")).expect("read"))
        .expect("manifest");
    let count = manifest.chunks.len();
    let mut verifier =
        SyncVerifier::new(genesis, manifest, ledger_certificate).expect("manifest checks");
    for i in 0..count {
        let bytes = std::fs::read(chunk_file(chunks, i)).expect("read chunk");
        verifier.accept_chunk(&bytes).expect("chunk checks");
    }
    let state = verifier.finish().expect("state root checks");
    let mut store = RocksStore::open(dir).expect("open synced store");
    store.install_synced(&state).expect("install");
    let ledger = Ledger::open(store, genesis).expect("open synced ledger");
    ledger.head().state_root
}

fn chunk_file(dir: &Path, i: usize) -> PathBuf {
    dir.join(format!("chunk-{i:05}"))
}

/// The median of some durations (the upper one of an even count).
pub fn median(values: &[Duration]) -> Duration {
    let mut sorted = values.to_vec();
    sorted.sort();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The CI-sized version of the measurement: both ways reach the head.
    #[test]
    #[allow(clippy::disallowed_methods)] // a measurement's clock, in a test
    fn state_sync_and_replay_reach_the_same_head_on_a_small_chain() {
        let dir = tempfile::tempdir().unwrap();
        let measured = measure(dir.path(), 600, 200, 1, Instant::now);
        assert_eq!(measured.blocks, 3);
        assert!(measured.records >= 600, "one record per bill at least");
        assert_eq!(measured.replay.len(), 1);
        assert_eq!(measured.state_sync.len(), 1);
    }
}
