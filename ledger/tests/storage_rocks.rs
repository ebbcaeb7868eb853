//! RocksDB store behaviour: reopening, proofs, refusal of out-of-order commits, scans (R17, R19).
#![cfg(feature = "rocksdb")]
#![allow(clippy::unwrap_used)]

mod storage_support;

use ebl_ledger::Ledger;
use ebl_ledger::hash::Hash32;
use ebl_ledger::ledger::OpenError;
use ebl_ledger::state::keys;
use ebl_ledger::storage::{BlockCommit, EntryLocation, RocksStore, Storage};
use ebl_ledger::testkit::TestNetwork;
use storage_support::Pair;

#[test]
fn reopening_after_drop_gives_the_same_head_root_and_proofs() {
    let dir = tempfile::tempdir().unwrap();
    let mut pair = Pair::new(dir.path());
    pair.run(3, 4);
    let head = pair.rocks.head().clone();
    let proof = pair.rocks.prove(&keys::chain_head()).unwrap();
    let genesis = pair.net.genesis.clone();
    drop(pair);
    let reopened = Ledger::open(RocksStore::open(dir.path()).unwrap(), &genesis).unwrap();
    assert_eq!(reopened.head(), &head);
    let again = reopened.prove(&keys::chain_head()).unwrap();
    assert_eq!(
        serde_json::to_string(&again).unwrap(),
        serde_json::to_string(&proof).unwrap()
    );
    again.verify(&head.state_root).unwrap();
}

#[test]
fn a_reopened_ledger_keeps_executing_like_memory() {
    let dir = tempfile::tempdir().unwrap();
    let mut pair = Pair::new(dir.path());
    pair.run(2, 3);
    let Pair { net, rocks } = pair;
    drop(rocks);
    let rocks = Ledger::open(RocksStore::open(dir.path()).unwrap(), &net.genesis).unwrap();
    let mut pair = Pair { net, rocks };
    pair.run(2, 3);
    assert_eq!(pair.net.ledger.head(), pair.rocks.head());
}

#[test]
fn proofs_verify_against_the_head_root_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut pair = Pair::new(dir.path());
    pair.run(2, 2);
    let root = pair.rocks.head().state_root;
    let present = pair.rocks.prove(&keys::chain_head()).unwrap();
    assert!(present.value.is_some());
    present.verify(&root).unwrap();
    assert!(present.verify(&Hash32::sha256(b"another root")).is_err());
    let previous_root = pair
        .rocks
        .store()
        .block(1)
        .unwrap()
        .unwrap()
        .block
        .header
        .state_root;
    assert!(present.verify(&previous_root).is_err());

    let mut tampered = present;
    if let Some(value) = tampered.value.as_mut() {
        value[0] ^= 1;
    }
    assert!(tampered.verify(&root).is_err());

    let absent = pair.rocks.prove(b"no/such/key").unwrap();
    assert_eq!(absent.value, None);
    absent.verify(&root).unwrap();
    let mut forged = absent;
    forged.value = Some(b"forged".to_vec());
    assert!(forged.verify(&root).is_err());
}

#[test]
fn a_commit_at_the_wrong_height_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut pair = Pair::new(dir.path());
    pair.run(1, 2);
    // Execute a real block 2, but hand the store block 1 again with block 2's writes.
    let stored = pair.rocks.store().block(1).unwrap().unwrap();
    let entries = storage_support::entries(&mut pair.net, 2);
    let proposer = ebl_ledger::crypto::PublicKey::from(pair.net.validator_keys[0].verifying_key());
    let executed = pair
        .rocks
        .execute(pair.net.time(), proposer, entries)
        .unwrap();
    let before = pair.rocks.store().scan_prefix(b"", usize::MAX).unwrap();
    let genesis = pair.net.genesis.clone();
    drop(pair);
    let mut store = RocksStore::open(dir.path()).unwrap();
    let reader = store.reader();
    let stale = BlockCommit {
        stored,
        writes: executed.writes.clone(),
        tree: executed.tree,
        consumed: executed.consumed,
    };
    let err = store.commit(stale).unwrap_err();
    assert!(err.message().contains("expected 2"), "{err}");
    assert_eq!(store.latest_height().unwrap(), Some(1));
    // R478: the height readers are given did not move either.
    assert_eq!(reader.latest_height().unwrap(), Some(1));
    assert_eq!(store.scan_prefix(b"", usize::MAX).unwrap(), before);
    assert_eq!(store.block(2).unwrap(), None);
    let ledger = Ledger::open(store, &genesis).unwrap();
    assert_eq!(ledger.head().height, 1);
}

#[test]
fn scan_prefix_returns_matching_records_in_key_order_up_to_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let pair = Pair::new(dir.path());
    let store = pair.rocks.store();
    let orgs = store
        .scan_prefix(&keys::organisation_prefix(), usize::MAX)
        .unwrap();
    assert_eq!(orgs.len(), ebl_ledger::testkit::PILOT_ORGS.len());
    assert!(orgs.windows(2).all(|w| w[0].0 < w[1].0));
    assert!(orgs.iter().all(|(k, _)| k.starts_with(b"org/")));
    let two = store.scan_prefix(&keys::organisation_prefix(), 2).unwrap();
    assert_eq!(two, orgs[..2].to_vec());
    assert!(store.scan_prefix(b"zzz/", 10).unwrap().is_empty());
    assert!(
        store
            .scan_prefix(&keys::organisation_prefix(), 0)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn entry_location_points_at_the_block_and_index_of_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    let mut pair = Pair::new(dir.path());
    let entries = storage_support::entries(&mut pair.net, 3);
    let ids: Vec<Hash32> = entries.iter().map(|e| e.id()).collect();
    pair.commit(entries);
    let store = pair.rocks.store();
    for (index, id) in ids.iter().enumerate() {
        let index = u32::try_from(index).unwrap();
        assert_eq!(
            store.entry_location(id).unwrap(),
            Some(EntryLocation { height: 1, index })
        );
    }
    assert_eq!(
        store.entry_location(&Hash32::sha256(b"unknown")).unwrap(),
        None
    );
}

#[test]
fn a_store_of_another_chain_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let pair = Pair::new(dir.path());
    drop(pair);
    let mut other = TestNetwork::pilot().genesis;
    other.chain_id = "ebl-other-1".into();
    let err = Ledger::open(RocksStore::open(dir.path()).unwrap(), &other).unwrap_err();
    assert!(matches!(err, OpenError::OtherChain { .. }), "{err}");
}

#[test]
fn a_rocks_store_can_move_to_and_be_shared_with_other_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<RocksStore>();
    assert_send_sync::<Ledger<RocksStore>>();
}

#[test]
fn opening_creates_missing_parent_folders() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data/node0/ledger");
    let net = TestNetwork::pilot();
    let ledger = Ledger::open(RocksStore::open(&path).unwrap(), &net.genesis).unwrap();
    assert_eq!(ledger.head(), net.ledger.head());
    assert_eq!(ledger.store().path(), path.as_path());
}
