//! Reaping (R107): what goes in the next block, in an order that executes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod mempool_support;

use ebl_ledger::entry::SignedEntry;
use ebl_ledger::testkit::TestNetwork;
use ebl_node::mempool::MempoolConfig;
use mempool_support::{View, failure_codes, ids, last_block, pool, run, signed, signer};

fn tags(net: &TestNetwork, entries: &[SignedEntry]) -> Vec<(&'static str, u64)> {
    let orgs = ["CARRIER", "BANK", "SHIPPER", "GDSW", "MSA", "CLASS"];
    entries
        .iter()
        .map(|e| {
            let org = orgs
                .iter()
                .find(|o| signer(net, o) == e.entry().signer)
                .expect("known signer");
            (*org, e.entry().sequence)
        })
        .collect()
}

#[test]
fn signers_are_interleaved_round_robin_in_order_of_arrival() {
    let net = TestNetwork::pilot();
    let mut pool = pool(&net, MempoolConfig::default());
    let view = View(&net.ledger);
    pool.admit(run(&net, "CARRIER", 0, 3), &view);
    pool.admit(run(&net, "BANK", 0, 2), &view);
    pool.admit(run(&net, "SHIPPER", 0, 1), &view);
    let reaped = pool.reap(100, usize::MAX, &view);
    assert_eq!(
        tags(&net, &reaped),
        [
            ("CARRIER", 0),
            ("BANK", 0),
            ("SHIPPER", 0),
            ("CARRIER", 1),
            ("BANK", 1),
            ("CARRIER", 2)
        ]
    );
    assert_eq!(pool.len(), 6, "reaping leaves the pool unchanged");
}

#[test]
fn a_signer_waiting_for_a_missing_sequence_is_not_reaped() {
    let net = TestNetwork::pilot();
    let mut pool = pool(&net, MempoolConfig::default());
    let view = View(&net.ledger);
    pool.admit(
        vec![signed(&net, "CARRIER", 1, 1), signed(&net, "CARRIER", 2, 2)],
        &view,
    );
    pool.admit(
        vec![signed(&net, "BANK", 0, 0), signed(&net, "BANK", 2, 2)],
        &view,
    );
    assert_eq!(
        tags(&net, &pool.reap(100, usize::MAX, &view)),
        [("BANK", 0)]
    );
    // Once the hole is filled, the whole run is ready; CARRIER's first ready entry is the
    // newest arrival, so it comes after BANK.
    pool.admit(vec![signed(&net, "CARRIER", 0, 0)], &view);
    assert_eq!(
        tags(&net, &pool.reap(100, usize::MAX, &view)),
        [("BANK", 0), ("CARRIER", 0), ("CARRIER", 1), ("CARRIER", 2)]
    );
}

#[test]
fn reaping_respects_the_entry_and_byte_limits() {
    let net = TestNetwork::pilot();
    let mut pool = pool(&net, MempoolConfig::default());
    let view = View(&net.ledger);
    let carrier = run(&net, "CARRIER", 0, 3);
    let size = carrier[0].encode().len();
    pool.admit(carrier, &view);
    pool.admit(run(&net, "BANK", 0, 3), &view);
    assert_eq!(
        tags(&net, &pool.reap(3, usize::MAX, &view)),
        [("CARRIER", 0), ("BANK", 0), ("CARRIER", 1)]
    );
    let reaped = pool.reap(100, size * 2 + size / 2, &view);
    assert_eq!(tags(&net, &reaped), [("CARRIER", 0), ("BANK", 0)]);
    assert!(pool.reap(0, usize::MAX, &view).is_empty());
    assert!(pool.reap(100, size - 1, &view).is_empty());
}

#[test]
fn reaping_starts_each_signer_at_the_ledgers_next_sequence() {
    let mut net = TestNetwork::pilot();
    let mut pool = pool(&net, MempoolConfig::default());
    let carrier = run(&net, "CARRIER", 0, 3);
    pool.admit(carrier.clone(), &View(&net.ledger));
    // Sequence 0 was committed without the pool being told: it must not be reaped again.
    net.commit(vec![carrier[0].clone()]);
    let reaped = pool.reap(100, usize::MAX, &View(&net.ledger));
    assert_eq!(tags(&net, &reaped), [("CARRIER", 1), ("CARRIER", 2)]);
}

#[test]
fn reaped_blocks_execute_without_sequence_failures() {
    let mut net = TestNetwork::pilot();
    let mut pool = pool(&net, MempoolConfig::default());
    let orgs = ["CARRIER", "BANK", "SHIPPER", "GDSW", "MSA", "CLASS"];
    // Offer every signer's entries newest first, in small mixed batches.
    let mut offered: Vec<SignedEntry> = Vec::new();
    for seq in (0..8).rev() {
        for org in orgs {
            offered.push(signed(&net, org, seq, seq));
        }
    }
    for batch in offered.chunks(5) {
        pool.admit(batch.to_vec(), &View(&net.ledger));
    }
    assert_eq!(pool.len(), 48);
    let mut blocks = 0;
    while !pool.is_empty() {
        let block = pool.reap(10, usize::MAX, &View(&net.ledger));
        assert!(
            !block.is_empty(),
            "a non-empty pool of ready entries reaps something"
        );
        let outcomes = net.commit(block.clone());
        let codes = failure_codes(&outcomes);
        assert!(
            codes.iter().all(|c| c != "REPLAY" && c != "SEQUENCE_GAP"),
            "sequence failures: {codes:?}"
        );
        let (height, results) = last_block(&net);
        let notes = pool.on_block_committed(height, &block, &results, &View(&net.ledger));
        assert_eq!(notes.iter().map(|n| n.id).collect::<Vec<_>>(), ids(&block));
        blocks += 1;
    }
    assert_eq!(blocks, 5);
    for org in orgs {
        assert_eq!(net.ledger.next_sequence(&signer(&net, org)).unwrap(), 8);
    }
}
