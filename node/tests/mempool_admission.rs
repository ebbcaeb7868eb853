//! Admission (R101–R105): envelope, signatures, duplicates, sequence window, slot conflicts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod mempool_support;

use ebl_ledger::entry::ChainRef;
use ebl_ledger::hash::Hash32;
use ebl_ledger::testkit::TestNetwork;
use ebl_node::mempool::{Admission, MempoolConfig, SEQUENCE_CONFLICT, SignatureCheck};
use mempool_support::{View, admitted, corrupt, pool, run, signed, signer};

#[test]
fn good_entries_are_admitted_and_counted() {
    let net = TestNetwork::pilot();
    let mut pool = pool(&net, MempoolConfig::default());
    let mut batch = run(&net, "CARRIER", 0, 3);
    batch.extend(run(&net, "BANK", 0, 2));
    let bytes: usize = batch.iter().map(|e| e.encode().len()).sum();
    let answers = pool.admit(batch.clone(), &View(&net.ledger));
    assert_eq!(answers, admitted(&batch));
    assert_eq!((pool.len(), pool.bytes(), pool.signers()), (5, bytes, 2));
    assert!(batch.iter().all(|e| pool.get(&e.id()) == Some(e)));
}

#[test]
fn a_bad_signature_in_a_batch_is_rejected_alone() {
    let net = TestNetwork::pilot();
    for check in [SignatureCheck::Batch, SignatureCheck::Each] {
        let config = MempoolConfig {
            signature_check: check,
            ..MempoolConfig::default()
        };
        let mut pool = pool(&net, config);
        let mut batch = run(&net, "CARRIER", 0, 5);
        batch[2] = corrupt(batch[2].clone());
        let answers = pool.admit(batch.clone(), &View(&net.ledger));
        let codes: Vec<_> = answers.iter().map(Admission::code).collect();
        assert_eq!(codes, [None, None, Some("BAD_SIGNATURE"), None, None]);
        assert_eq!(pool.len(), 4);
        assert!(!pool.contains(&batch[2].id()));
    }
}

#[test]
fn an_entry_for_another_chain_is_rejected_before_its_signature() {
    let net = TestNetwork::pilot();
    let mut pool = pool(&net, MempoolConfig::default());
    let other = ChainRef {
        chain_id: "ebl-other-1".into(),
        genesis_hash: Hash32::ZERO,
    };
    let mut entry = signed(&net, "CARRIER", 0, 0).into_entry();
    entry.chain = other;
    let foreign = entry.sign(&net.party("CARRIER").key);
    let answers = pool.admit(vec![foreign], &View(&net.ledger));
    assert_eq!(answers[0].code(), Some("WRONG_CHAIN"));
    assert!(pool.is_empty());
}

#[test]
fn resubmitting_a_pooled_entry_is_a_duplicate_and_changes_nothing() {
    let net = TestNetwork::pilot();
    let mut pool = pool(&net, MempoolConfig::default());
    let entry = signed(&net, "CARRIER", 0, 0);
    pool.admit(vec![entry.clone()], &View(&net.ledger));
    let before = (pool.ids(), pool.bytes());
    // Same entry again, and the same entry with a broken signature (same id, R5).
    let answers = pool.admit(
        vec![entry.clone(), corrupt(entry.clone())],
        &View(&net.ledger),
    );
    let dup = Admission::Duplicate { id: entry.id() };
    assert_eq!(answers, [dup.clone(), dup]);
    assert_eq!((pool.ids(), pool.bytes()), before);
}

#[test]
fn a_second_copy_in_the_same_batch_is_a_duplicate() {
    let net = TestNetwork::pilot();
    let mut pool = pool(&net, MempoolConfig::default());
    let entry = signed(&net, "CARRIER", 0, 0);
    let answers = pool.admit(vec![entry.clone(), entry.clone()], &View(&net.ledger));
    assert_eq!(
        answers,
        [
            Admission::Admitted { id: entry.id() },
            Admission::Duplicate { id: entry.id() }
        ]
    );
    assert_eq!(pool.len(), 1);
}

#[test]
fn a_good_copy_after_a_badly_signed_copy_is_admitted() {
    let net = TestNetwork::pilot();
    let mut pool = pool(&net, MempoolConfig::default());
    let entry = signed(&net, "CARRIER", 0, 0);
    let answers = pool.admit(
        vec![corrupt(entry.clone()), entry.clone()],
        &View(&net.ledger),
    );
    assert_eq!(answers[0].code(), Some("BAD_SIGNATURE"));
    assert_eq!(answers[1], Admission::Admitted { id: entry.id() });
    assert_eq!(pool.get(&entry.id()), Some(&entry));
}

#[test]
fn an_entry_below_the_ledgers_next_sequence_is_a_replay() {
    let mut net = TestNetwork::pilot();
    net.commit(run(&net, "CARRIER", 0, 2));
    let mut pool = pool(&net, MempoolConfig::default());
    let answers = pool.admit(
        vec![
            signed(&net, "CARRIER", 1, 99),
            signed(&net, "CARRIER", 2, 2),
        ],
        &View(&net.ledger),
    );
    assert_eq!(answers[0].code(), Some("REPLAY"));
    assert_eq!(answers[1].code(), None);
    assert_eq!(pool.len(), 1);
}

#[test]
fn an_entry_beyond_the_sequence_window_is_a_gap() {
    let net = TestNetwork::pilot();
    let config = MempoolConfig {
        max_per_signer: 4,
        ..MempoolConfig::default()
    };
    let mut pool = pool(&net, config);
    // The window is [next, next + 4): sequence 3 waits, sequence 4 could never fit.
    let answers = pool.admit(
        vec![signed(&net, "CARRIER", 3, 3), signed(&net, "CARRIER", 4, 4)],
        &View(&net.ledger),
    );
    assert_eq!(answers[0].code(), None);
    assert_eq!(answers[1].code(), Some("SEQUENCE_GAP"));
    assert_eq!(pool.len(), 1);
}

#[test]
fn a_second_entry_for_a_taken_sequence_is_a_conflict_and_the_first_stays() {
    let net = TestNetwork::pilot();
    let mut pool = pool(&net, MempoolConfig::default());
    let first = signed(&net, "CARRIER", 0, 1);
    let second = signed(&net, "CARRIER", 0, 2);
    let answers = pool.admit(vec![first.clone(), second.clone()], &View(&net.ledger));
    assert_eq!(answers[0], Admission::Admitted { id: first.id() });
    assert_eq!(
        answers[1],
        Admission::Rejected {
            id: second.id(),
            code: SEQUENCE_CONFLICT
        }
    );
    assert!(pool.contains(&first.id()) && !pool.contains(&second.id()));
}

#[test]
fn entries_of_one_signer_may_arrive_out_of_order() {
    let net = TestNetwork::pilot();
    let mut pool = pool(&net, MempoolConfig::default());
    let mut batch = run(&net, "SHIPPER", 0, 4);
    batch.reverse();
    assert_eq!(
        pool.admit(batch.clone(), &View(&net.ledger)),
        admitted(&batch)
    );
    assert_eq!(pool.signers(), 1);
    let key = signer(&net, "SHIPPER");
    let reaped = pool.reap(10, usize::MAX, &View(&net.ledger));
    let seqs: Vec<u64> = reaped.iter().map(|e| e.entry().sequence).collect();
    assert_eq!(seqs, [0, 1, 2, 3]);
    assert!(reaped.iter().all(|e| e.entry().signer == key));
}
