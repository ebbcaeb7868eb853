//! Ledger benchmarks: (a) stateless checks of 1,000 signed entries, one by one versus a batch
//! signature pre-check; (b) executing and committing 1,000-entry blocks into RocksDB (feature
//! `rocksdb`), where every block is one synced write batch; (c) the memory of verified
//! signatures (R155), full, as a validator's is under load: lookups and inserts.
//!
//! Run: `cargo bench -p ebl-ledger --features rocksdb`. Throughput is reported in entries/s.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ebl_ledger::crypto::{PublicKey, Signature, verify_batch};
use ebl_ledger::ebl::{EblAction, EblIssue, EblType};
use ebl_ledger::entry::{Body, SignedEntry};
use ebl_ledger::hash::Hash32;
use ebl_ledger::testkit::{PILOT_ORGS, TestNetwork};

/// Entries per block and per stateless batch.
const ENTRIES: usize = 1000;

/// The id of the `i`-th benchmark document.
fn document(i: u64) -> Hash32 {
    Hash32::sha256(&i.to_be_bytes())
}

/// Documents are moved in groups of `ENTRIES`, one group per block, cycling through `GROUPS`
/// groups, so a record's history grows by one entry every `GROUPS` blocks: a network with
/// 16,000 live bills rather than 1,000 bills passed back and forth without end.
const GROUPS: u64 = 16;

/// Who holds document `i` after it has been moved `moves` times: documents go back and forth
/// between two neighbouring pilot organisations, so every organisation signs and receives.
fn holder(i: u64, moves: u64) -> &'static str {
    let index = usize::try_from(i + moves % 2).unwrap() % PILOT_ORGS.len();
    PILOT_ORGS[index].0
}

/// The workload: the signer and body of the `n`-th benchmark entry, a TRANSFER of a document by
/// its current holder to the neighbouring organisation — the commonest action of a real
/// network, running authorization, the holder check, a record rewrite with history and a
/// state-tree update.
fn workload(n: u64) -> (&'static str, Body) {
    let (block, j) = (n / ENTRIES as u64, n % ENTRIES as u64);
    let i = (block % GROUPS) * ENTRIES as u64 + j;
    let moves = block / GROUPS;
    let to = ebl_ledger::ids::OrgId::new(holder(i, moves + 1)).unwrap();
    (
        holder(i, moves),
        Body::Ebl(EblAction::Transfer {
            document: document(i),
            to,
        }),
    )
}

/// Issues the workload's documents, each to its first holder, as to-order bills in blank, in
/// blocks of `ENTRIES`.
#[cfg(feature = "rocksdb")]
fn prepare(net: &mut TestNetwork) -> Vec<Vec<SignedEntry>> {
    let issue = |net: &mut TestNetwork, i: u64| {
        let issue = EblIssue {
            document: document(i),
            reference: format!("BENCH{i:08}"),
            kind: EblType::ToOrderBl,
            issue_to: ebl_ledger::ids::OrgId::new(holder(i, 0)).unwrap(),
            consignee: None,
        };
        net.sign("CARRIER", Body::Ebl(EblAction::Issue(issue)))
    };
    (0..GROUPS)
        .map(|g| {
            (g * ENTRIES as u64..(g + 1) * ENTRIES as u64)
                .map(|i| issue(net, i))
                .collect()
        })
        .collect()
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
    group.bench_function("stateless_1000/batch_and_envelope", |b| {
        b.iter(|| {
            let items: Vec<(PublicKey, &[u8], Signature)> =
                entries.iter().map(SignedEntry::signature_item).collect();
            assert!(verify_batch(&items).iter().all(Result::is_ok));
            assert!(entries.iter().all(|e| e.check_envelope(&chain).is_ok()));
        });
    });
    // The rule before ADR 0025, for the record: RFC 8032 `verify_strict`, one by one.
    #[allow(clippy::disallowed_methods)]
    group.bench_function("stateless_1000/verify_strict_each_and_envelope", |b| {
        b.iter(|| {
            let ok = entries.iter().all(|e| {
                let key = ed25519_dalek::VerifyingKey::from_bytes(&e.entry().signer.0).unwrap();
                let sig = ed25519_dalek::Signature::from_bytes(&e.signature().0);
                key.verify_strict(e.signing_payload(), &sig).is_ok()
                    && e.check_envelope(&chain).is_ok()
            });
            assert!(ok);
        });
    });
    group.finish();
}

/// R155: 1,000 lookups of remembered entries in a full memory, and 1,000 inserts into one (each
/// evicting the oldest): what every validator does several times per entry it handles.
fn verified_memory(c: &mut Criterion) {
    use ebl_ledger::signatures::{DEFAULT_VERIFIED_CAPACITY, VerifiedEntries, verify_entries};
    let mut net = TestNetwork::pilot();
    let signers: Vec<&str> = PILOT_ORGS.iter().map(|o| o.0).collect();
    let all = net.receipts(DEFAULT_VERIFIED_CAPACITY as u64 + ENTRIES as u64, &signers);
    let tokens: Vec<_> = all
        .chunks(4_096)
        .flat_map(verify_entries)
        .map(Option::unwrap)
        .collect();
    let (old, new) = tokens.split_at(DEFAULT_VERIFIED_CAPACITY);
    let mut full = VerifiedEntries::default();
    for token in old {
        full.insert(*token);
    }
    let probes: Vec<&SignedEntry> = all
        .iter()
        .step_by(all.len() / ENTRIES)
        .take(ENTRIES)
        .collect();
    let mut group = configure(c);
    group.bench_function("verified_memory_1000/lookups_in_a_full_memory", |b| {
        b.iter(|| {
            let hits = probes.iter().filter(|e| full.contains(e)).count();
            assert!(hits > 0);
        });
    });
    group.bench_function("verified_memory_1000/inserts_into_a_full_memory", |b| {
        b.iter_batched_ref(
            || full.clone(),
            |memory| {
                for token in new {
                    memory.insert(*token);
                }
            },
            criterion::BatchSize::LargeInput,
        );
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
    assert_all_applied(&executed);
    ledger.commit(executed, Vec::new()).unwrap();
}

/// A benchmark of failing entries would measure the wrong thing.
#[cfg(feature = "rocksdb")]
fn assert_all_applied(executed: &ebl_ledger::execute::ExecutedBlock) {
    let failed = executed
        .results
        .iter()
        .find(|r| r.outcome != ebl_ledger::block::Outcome::Applied);
    assert!(failed.is_none(), "benchmark entry failed: {failed:?}");
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
    for setup in prepare(&mut net) {
        commit_block(&mut ledger, &mut time, proposer, setup);
    }

    let mut group = configure(c);
    // Execution alone, without committing: the same block can be executed again and again.
    let block = signed_block(&mut net, 0);
    group.bench_function("block_1000/execute_rocksdb", |b| {
        b.iter_batched(
            || block.clone(),
            |entries| {
                let executed = ledger.execute(time, proposer, entries).unwrap();
                assert_all_applied(&executed);
                executed
            },
            BatchSize::PerIteration,
        );
    });
    // Execution alone with the signatures already decided: what is left for the ledger's rules,
    // the state reads and the state tree.
    let verdicts = ebl_ledger::signatures::SignatureVerdicts::compute(&block, 1);
    group.bench_function("block_1000/execute_rocksdb_signatures_decided", |b| {
        b.iter_batched(
            || block.clone(),
            |entries| {
                ledger
                    .execute_with(time, proposer, entries, Some(&verdicts))
                    .unwrap()
            },
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

    // Execution and commit once the signatures are decided (by the mempool's stateless phase, or
    // on other cores): the sequential part every validator runs per block.
    group.bench_function(
        "block_1000/execute_and_commit_rocksdb_signatures_decided",
        |b| {
            b.iter_batched(
                || {
                    let entries = signed_block(&mut net, first);
                    first += ENTRIES as u64;
                    let verdicts = ebl_ledger::signatures::SignatureVerdicts::compute(&entries, 1);
                    (entries, verdicts)
                },
                |(entries, verdicts)| {
                    time = ebl_ledger::time::Timestamp(time.0 + 1000);
                    let executed = ledger
                        .execute_with(time, proposer, entries, Some(&verdicts))
                        .unwrap();
                    assert_all_applied(&executed);
                    ledger.commit(executed, Vec::new()).unwrap();
                },
                BatchSize::PerIteration,
            );
        },
    );

    // The node's pipeline: signatures decided on both cores first, then execution and commit.
    group.bench_function(
        "block_1000/verify_2_threads_then_execute_and_commit_rocksdb",
        |b| {
            b.iter_batched(
                || {
                    let entries = signed_block(&mut net, first);
                    first += ENTRIES as u64;
                    entries
                },
                |entries| {
                    time = ebl_ledger::time::Timestamp(time.0 + 1000);
                    let verdicts = ebl_ledger::signatures::SignatureVerdicts::compute(&entries, 2);
                    let executed = ledger
                        .execute_with(time, proposer, entries, Some(&verdicts))
                        .unwrap();
                    assert_all_applied(&executed);
                    ledger.commit(executed, Vec::new()).unwrap();
                },
                BatchSize::PerIteration,
            );
        },
    );
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
criterion_group!(benches, stateless, verified_memory, execute_and_commit);
#[cfg(not(feature = "rocksdb"))]
criterion_group!(benches, stateless, verified_memory);
criterion_main!(benches);
