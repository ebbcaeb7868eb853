//! Ledger benchmarks: (a) stateless checks of 1,000 signed entries, one by one versus a batch
//! signature pre-check; (b) executing and committing 1,000-entry blocks into RocksDB (feature
//! `rocksdb`), where every block is one synced write batch.
//!
//! Run: `cargo bench -p ebl-ledger --features rocksdb`. Throughput is reported in entries/s.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ebl_ledger::crypto::{PublicKey, Signature, batch_precheck};
use ebl_ledger::entry::{Body, DocumentRef, SignedEntry};
use ebl_ledger::hash::Hash32;
use ebl_ledger::receipt::{VerificationOutcome, VerificationReceipt};
use ebl_ledger::testkit::{PILOT_ORGS, TestNetwork};

/// Entries per block and per stateless batch.
const ENTRIES: usize = 1000;

/// The workload: the signer and body of the `n`-th benchmark entry.
///
/// Today: verification receipts by every pilot organisation about documents that are not on the
/// ledger. They pass the stateless check, consume a sequence number, run authorization and the
/// document lookup, then fail with UNKNOWN_DOCUMENT. Switch this one function to eBL transfers
/// (and issue the documents in `prepare`) once the eBL rules are merged.
fn workload(n: u64) -> (&'static str, Body) {
    let index = usize::try_from(n).unwrap() % PILOT_ORGS.len();
    let body = Body::Verification(VerificationReceipt {
        subject: DocumentRef::Ebl {
            id: Hash32::sha256(&n.to_be_bytes()),
        },
        outcome: VerificationOutcome::Verified,
        purpose: "LC_PAYMENT".into(),
        detail: format!("bench {n}"),
    });
    (PILOT_ORGS[index].0, body)
}

/// Entries the workload needs on the ledger before the measured blocks (none for receipts).
#[cfg(feature = "rocksdb")]
fn prepare(_net: &mut TestNetwork) -> Vec<SignedEntry> {
    Vec::new()
}

/// The next `ENTRIES` signed entries of the workload, starting at entry `first`.
fn signed_block(net: &mut TestNetwork, first: u64) -> Vec<SignedEntry> {
    (first..first + ENTRIES as u64)
        .map(|n| {
            let (party, body) = workload(n);
            net.sign(party, body)
        })
        .collect()
}

fn configure(c: &mut Criterion) -> criterion::BenchmarkGroup<'_, criterion::measurement::WallTime> {
    let mut group = c.benchmark_group("ledger");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Elements(ENTRIES as u64));
    group
}

fn stateless(c: &mut Criterion) {
    let mut net = TestNetwork::pilot();
    let chain = net.ledger.chain().clone();
    let entries = signed_block(&mut net, 0);
    let mut group = configure(c);
    group.bench_function("stateless_1000/check_stateless_each", |b| {
        b.iter(|| {
            let ok = entries.iter().all(|e| e.check_stateless(&chain).is_ok());
            assert!(ok);
        });
    });
    group.bench_function("stateless_1000/batch_precheck_and_envelope", |b| {
        b.iter(|| {
            let payloads: Vec<(PublicKey, Vec<u8>, Signature)> = entries
                .iter()
                .map(|e| (e.entry.signer, e.entry.signing_payload(), e.signature))
                .collect();
            let items: Vec<(PublicKey, &[u8], Signature)> = payloads
                .iter()
                .map(|(k, m, s)| (*k, m.as_slice(), *s))
                .collect();
            assert!(batch_precheck(&items));
            assert!(entries.iter().all(|e| e.check_envelope(&chain).is_ok()));
        });
    });
    group.finish();
}

/// Executes and commits `entries` as the next block, one second after the previous one.
#[cfg(feature = "rocksdb")]
fn commit_block(
    ledger: &mut ebl_ledger::Ledger<ebl_ledger::storage::RocksStore>,
    time: &mut ebl_ledger::time::Timestamp,
    proposer: PublicKey,
    entries: Vec<SignedEntry>,
) {
    *time = ebl_ledger::time::Timestamp(time.0 + 1000);
    let executed = ledger.execute(*time, proposer, entries).unwrap();
    ledger.commit(executed, Vec::new()).unwrap();
}

#[cfg(feature = "rocksdb")]
fn execute_and_commit(c: &mut Criterion) {
    use criterion::BatchSize;
    use ebl_ledger::Ledger;
    use ebl_ledger::storage::RocksStore;

    let dir = tempfile::tempdir().unwrap();
    let mut net = TestNetwork::pilot();
    let store = RocksStore::open(dir.path()).unwrap();
    let mut ledger = Ledger::open(store, &net.genesis).unwrap();
    let proposer = PublicKey::from(net.validator_keys[0].verifying_key());
    let mut time = net.time();
    let setup = prepare(&mut net);
    if !setup.is_empty() {
        commit_block(&mut ledger, &mut time, proposer, setup);
    }

    let mut group = configure(c);
    // Execution alone, without committing: the same block can be executed again and again.
    let block = signed_block(&mut net, 0);
    group.bench_function("block_1000/execute_rocksdb", |b| {
        b.iter_batched(
            || block.clone(),
            |entries| ledger.execute(time, proposer, entries).unwrap(),
            BatchSize::PerIteration,
        );
    });
    commit_block(&mut ledger, &mut time, proposer, block);

    let mut first = ENTRIES as u64;
    group.bench_function("block_1000/execute_and_commit_rocksdb", |b| {
        b.iter_batched(
            || {
                let entries = signed_block(&mut net, first);
                first += ENTRIES as u64;
                entries
            },
            |entries| commit_block(&mut ledger, &mut time, proposer, entries),
            BatchSize::PerIteration,
        );
    });
    group.finish();

    // The commit alone (one write batch, one fsync): signing and executing happen in the
    // untimed setup, which costs ~40 times the commit, so keep the iteration count minimal.
    let mut group = c.benchmark_group("ledger");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(100))
        .measurement_time(Duration::from_millis(200))
        .throughput(Throughput::Elements(ENTRIES as u64));
    group.bench_function("block_1000/commit_only_rocksdb", |b| {
        b.iter_custom(|iterations| {
            let mut timed = Duration::ZERO;
            for _ in 0..iterations {
                let entries = signed_block(&mut net, first);
                first += ENTRIES as u64;
                time = ebl_ledger::time::Timestamp(time.0 + 1000);
                let executed = ledger.execute(time, proposer, entries).unwrap();
                // A benchmark measures wall time; the ledger itself never reads a clock.
                #[allow(clippy::disallowed_methods)]
                let start = std::time::Instant::now();
                ledger.commit(executed, Vec::new()).unwrap();
                timed += start.elapsed();
            }
            timed
        });
    });
    group.finish();
}

#[cfg(feature = "rocksdb")]
criterion_group!(benches, stateless, execute_and_commit);
#[cfg(not(feature = "rocksdb"))]
criterion_group!(benches, stateless);
criterion_main!(benches);
