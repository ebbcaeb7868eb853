//! Properties: the order of admission does not change what is reaped (R107, R109), and the
//! bounds hold whatever the order (R100).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod mempool_support;

use std::collections::BTreeMap;

use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::SignedEntry;
use ebl_ledger::hash::EntryId;
use ebl_ledger::testkit::TestNetwork;
use ebl_node::mempool::{Mempool, MempoolConfig};
use mempool_support::{View, pool, run};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Four signers with five consecutive entries each.
fn entries(net: &TestNetwork) -> Vec<SignedEntry> {
    let mut all = Vec::new();
    for org in ["CARRIER", "BANK", "SHIPPER", "MSA"] {
        all.extend(run(net, org, 0, 5));
    }
    all
}

/// An admission order: a shuffle of every entry, some resubmitted, cut into batches.
fn order(n: usize) -> impl Strategy<Value = (Vec<usize>, Vec<usize>, usize)> {
    (
        Just((0..n).collect::<Vec<_>>()).prop_shuffle(),
        prop::collection::vec(0..n, 0..6),
        1..8usize,
    )
}

fn admit_in_order(
    pool: &mut Mempool,
    all: &[SignedEntry],
    (perm, again, batch): &(Vec<usize>, Vec<usize>, usize),
    view: &View<'_>,
) {
    let offered: Vec<SignedEntry> = perm.iter().chain(again).map(|i| all[*i].clone()).collect();
    for chunk in offered.chunks(*batch) {
        pool.admit(chunk.to_vec(), view);
    }
}

#[test]
fn any_admission_order_reaps_the_same_set() {
    let net = TestNetwork::pilot();
    let all = entries(&net);
    let view = View(&net.ledger);
    let mut expected: Vec<EntryId> = all.iter().map(SignedEntry::id).collect();
    expected.sort();
    let mut runner = TestRunner::new(Config::with_cases(48));
    runner
        .run(&order(all.len()), |case| {
            let mut pool = pool(&net, MempoolConfig::default());
            admit_in_order(&mut pool, &all, &case, &view);
            let mut reaped: Vec<EntryId> = pool
                .reap(1000, usize::MAX, &view)
                .iter()
                .map(SignedEntry::id)
                .collect();
            reaped.sort();
            prop_assert_eq!(reaped, expected.clone());
            Ok(())
        })
        .unwrap();
}

#[test]
fn in_any_order_a_bounded_pool_stays_bounded_and_reaps_executable_runs() {
    let net = TestNetwork::pilot();
    let all = entries(&net);
    let view = View(&net.ledger);
    let size = all[0].encode().len();
    let config = MempoolConfig {
        max_entries: 9,
        max_bytes: size * 8,
        max_per_signer: 4,
        ..MempoolConfig::default()
    };
    let mut runner = TestRunner::new(Config::with_cases(48));
    runner
        .run(&order(all.len()), |case| {
            let mut pool = pool(&net, config.clone());
            admit_in_order(&mut pool, &all, &case, &view);
            prop_assert!(pool.len() <= 8 && pool.bytes() <= config.max_bytes);
            // Per signer, the reaped entries are consecutive from the ledger's next (0).
            let mut next: BTreeMap<PublicKey, u64> = BTreeMap::new();
            for e in pool.reap(1000, usize::MAX, &view) {
                let expected = next.entry(e.entry().signer).or_insert(0);
                prop_assert_eq!(e.entry().sequence, *expected);
                *expected += 1;
            }
            Ok(())
        })
        .unwrap();
}
