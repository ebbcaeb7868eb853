//! Block commit (R108): notifications for the gateway and pruning of decided entries.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod mempool_support;

use ebl_ledger::block::Outcome;
use ebl_ledger::testkit::TestNetwork;
use ebl_node::mempool::{MempoolConfig, Notification, Status};
use mempool_support::{View, ids, last_block, pool, run, signed};

fn rejected(id: ebl_ledger::hash::EntryId, height: u64, code: &str) -> Notification {
    Notification {
        id,
        status: Status::Rejected {
            height,
            code: code.into(),
        },
    }
}

#[test]
fn committed_entries_are_notified_in_block_order_and_leave_the_pool() {
    let mut net = TestNetwork::pilot();
    let mut pool = pool(&net, MempoolConfig::default());
    let mut entries = run(&net, "CARRIER", 0, 2);
    entries.extend(run(&net, "BANK", 0, 1));
    pool.admit(entries.clone(), &View(&net.ledger));
    let block = pool.reap(100, usize::MAX, &View(&net.ledger));
    net.commit(block.clone());
    let (height, results) = last_block(&net);
    let notes = pool.on_block_committed(height, &block, &results, &View(&net.ledger));
    // The receipts name no existing document: they fail, and their sequence is consumed.
    let expected: Vec<_> = ids(&block)
        .into_iter()
        .map(|id| rejected(id, height, "UNKNOWN_DOCUMENT"))
        .collect();
    assert_eq!(notes, expected);
    assert!(pool.is_empty());
    assert_eq!((pool.bytes(), pool.signers()), (0, 0));
}

#[test]
fn applied_entries_are_notified_as_final_at_their_height() {
    let mut net = TestNetwork::pilot();
    let mut pool = pool(&net, MempoolConfig::default());
    let entries = run(&net, "CARRIER", 0, 2);
    pool.admit(entries.clone(), &View(&net.ledger));
    net.commit(entries.clone());
    let (height, mut results) = last_block(&net);
    // No body applies yet in this ledger build: take the block's results as if they had.
    for r in &mut results {
        r.outcome = Outcome::Applied;
    }
    let notes = pool.on_block_committed(height, &entries, &results, &View(&net.ledger));
    let finals: Vec<_> = ids(&entries)
        .into_iter()
        .map(|id| Notification {
            id,
            status: Status::Final { height },
        })
        .collect();
    assert_eq!(notes, finals);
    assert!(pool.is_empty());
}

#[test]
fn a_pooled_entry_outrun_by_another_entry_is_rejected_as_a_replay() {
    let mut net = TestNetwork::pilot();
    let mut pool = pool(&net, MempoolConfig::default());
    let pooled = signed(&net, "CARRIER", 0, 1);
    let keep = signed(&net, "CARRIER", 1, 2);
    pool.admit(vec![pooled.clone(), keep.clone()], &View(&net.ledger));
    // Another node's proposer included a different entry for the same slot.
    let winner = signed(&net, "CARRIER", 0, 99);
    net.commit(vec![winner.clone()]);
    let (height, results) = last_block(&net);
    let notes = pool.on_block_committed(
        height,
        std::slice::from_ref(&winner),
        &results,
        &View(&net.ledger),
    );
    assert_eq!(
        notes,
        [
            rejected(winner.id(), height, "UNKNOWN_DOCUMENT"),
            rejected(pooled.id(), height, "REPLAY")
        ]
    );
    assert_eq!(pool.ids(), [keep.id()]);
}

#[test]
fn an_inclusion_that_did_not_consume_its_sequence_decides_nothing() {
    let mut net = TestNetwork::pilot();
    let mut pool = pool(&net, MempoolConfig::default());
    let entries = run(&net, "CARRIER", 0, 2);
    pool.admit(entries.clone(), &View(&net.ledger));
    // A faulty proposer put sequence 1 before sequence 0: it fails with SEQUENCE_GAP.
    let block = vec![entries[1].clone()];
    assert_eq!(
        mempool_support::failure_codes(&net.commit(block.clone())),
        ["SEQUENCE_GAP"]
    );
    let (height, results) = last_block(&net);
    let notes = pool.on_block_committed(height, &block, &results, &View(&net.ledger));
    assert!(notes.is_empty());
    assert_eq!(pool.ids().len(), 2);
    assert_eq!(pool.reap(10, usize::MAX, &View(&net.ledger)), entries);
}

#[test]
fn an_entry_included_twice_in_a_block_is_notified_once() {
    let mut net = TestNetwork::pilot();
    let mut pool = pool(&net, MempoolConfig::default());
    let entry = signed(&net, "CARRIER", 0, 0);
    pool.admit(vec![entry.clone()], &View(&net.ledger));
    let block = vec![entry.clone(), entry.clone()];
    let codes = mempool_support::failure_codes(&net.commit(block.clone()));
    assert_eq!(codes, ["UNKNOWN_DOCUMENT", "REPLAY"]);
    let (height, results) = last_block(&net);
    let notes = pool.on_block_committed(height, &block, &results, &View(&net.ledger));
    assert_eq!(notes, [rejected(entry.id(), height, "UNKNOWN_DOCUMENT")]);
    assert!(pool.is_empty());
}

#[test]
fn entries_of_signers_outside_the_block_stay_pooled() {
    let mut net = TestNetwork::pilot();
    let mut pool = pool(&net, MempoolConfig::default());
    let carrier = signed(&net, "CARRIER", 0, 0);
    let bank = signed(&net, "BANK", 0, 0);
    pool.admit(vec![carrier.clone(), bank.clone()], &View(&net.ledger));
    net.commit(vec![carrier.clone()]);
    let (height, results) = last_block(&net);
    let notes = pool.on_block_committed(height, &[carrier], &results, &View(&net.ledger));
    assert_eq!(notes.len(), 1);
    assert_eq!(pool.ids(), [bank.id()]);
}
