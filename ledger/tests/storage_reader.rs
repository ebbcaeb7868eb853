//! `RocksReader`: a read-only handle that sees each block its store commits, whole, and nothing
//! before it is committed (R19, ADR 0014).
#![cfg(feature = "rocksdb")]
#![allow(clippy::unwrap_used)]

use ebl_ledger::ebl::{EblAction, EblIssue, EblType};
use ebl_ledger::entry::Body;
use ebl_ledger::hash::Hash32;
use ebl_ledger::state::tree::get_with_proof;
use ebl_ledger::state::{StateReader, keys};
use ebl_ledger::storage::{RocksStore, Storage};
use ebl_ledger::testkit::TestNetwork;

fn issue(net: &TestNetwork<RocksStore>, reference: &str) -> (Hash32, Body) {
    let document = Hash32::sha256(reference.as_bytes());
    let body = Body::Ebl(EblAction::Issue(EblIssue {
        document,
        reference: reference.into(),
        kind: EblType::ToOrderBl,
        issue_to: net.org("SHIPPER"),
        consignee: Some(net.org("SHIPPER")),
    }));
    (document, body)
}

#[test]
fn a_reader_sees_a_committed_block_and_its_records() {
    let dir = tempfile::tempdir().unwrap();
    let store = RocksStore::open(dir.path()).unwrap();
    let reader = store.reader();
    let mut net = TestNetwork::pilot_on(store);
    let (document, body) = issue(&net, "BL-READER-1");
    let entry = net.sign("CARRIER", body);
    net.commit(vec![entry.clone()]);

    let head = net.ledger.head().clone();
    assert_eq!(reader.latest_height().unwrap(), Some(head.height));
    assert!(reader.get(&keys::ebl(&document)).unwrap().is_some());
    let at = reader.entry_location(&entry.id()).unwrap().unwrap();
    assert_eq!(at.height, head.height);
    assert_eq!(
        reader.block(head.height).unwrap().unwrap().block.header,
        head
    );
    // A proof through the reader checks against the committed header.
    let (value, proof) = get_with_proof(&reader, &keys::ebl(&document), head.height).unwrap();
    assert_eq!(
        value,
        net.ledger.store().get(&keys::ebl(&document)).unwrap()
    );
    let record = ebl_ledger::state::tree::RecordProof {
        key: keys::ebl(&document),
        value,
        proof,
    };
    record.verify(&head.state_root).unwrap();
}

#[test]
fn a_reader_sees_nothing_of_an_executed_but_uncommitted_block() {
    let dir = tempfile::tempdir().unwrap();
    let store = RocksStore::open(dir.path()).unwrap();
    let reader = store.reader();
    let mut net = TestNetwork::pilot_on(store);
    let height = reader.latest_height().unwrap();
    let (document, body) = issue(&net, "BL-READER-2");
    let entry = net.sign("CARRIER", body);
    let proposer = ebl_ledger::crypto::PublicKey::from(net.validator_keys[0].verifying_key());
    let _executed = net
        .ledger
        .execute(net.time(), proposer, vec![entry.clone()])
        .unwrap();
    // Executed, not committed: the reader sees the old head and no trace of the entry.
    assert_eq!(reader.latest_height().unwrap(), height);
    assert_eq!(reader.get(&keys::ebl(&document)).unwrap(), None);
    assert_eq!(reader.entry_location(&entry.id()).unwrap(), None);
}

#[test]
fn a_reader_follows_every_commit_and_a_reopened_store_starts_at_its_stored_height() {
    let dir = tempfile::tempdir().unwrap();
    let store = RocksStore::open(dir.path()).unwrap();
    let early = store.reader();
    let mut net = TestNetwork::pilot_on(store);
    let genesis = net.genesis.clone();
    // R478: the height comes from memory, so it must move with each commit, in every reader
    // taken before the commits as in the store itself.
    for n in 0..3 {
        let (_, body) = issue(&net, &format!("BL-READER-HEIGHT-{n}"));
        let entry = net.sign("CARRIER", body);
        net.commit(vec![entry]);
        let head = net.ledger.head().clone();
        assert_eq!(early.latest_height().unwrap(), Some(head.height));
        assert_eq!(
            net.ledger.store().latest_height().unwrap(),
            Some(head.height)
        );
        assert_eq!(
            early.block(head.height).unwrap().unwrap().block.header,
            head
        );
    }
    let head = net.ledger.head().clone();
    drop(early);
    drop(net);
    let reopened = RocksStore::open(dir.path()).unwrap();
    assert_eq!(
        reopened.reader().latest_height().unwrap(),
        Some(head.height)
    );
    let ledger = ebl_ledger::Ledger::open(reopened, &genesis).unwrap();
    assert_eq!(ledger.head(), &head);
}

#[test]
fn a_new_store_has_no_height() {
    let dir = tempfile::tempdir().unwrap();
    let store = RocksStore::open(dir.path()).unwrap();
    assert_eq!(store.reader().latest_height().unwrap(), None);
}
