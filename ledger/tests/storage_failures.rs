//! Storage failures are typed and loud: a bad path, a corrupt record or a height gap is a
//! `StorageError`, never a panic or a silent default (R19.1, R19.2).
#![cfg(feature = "rocksdb")]
#![allow(clippy::unwrap_used)]

mod storage_support;

use ebl_ledger::ledger::OpenError;
use ebl_ledger::storage::{BlockCommit, RocksStore, Storage};
use ebl_ledger::{Ledger, StorageError};
use storage_support::Pair;

/// Opens the database behind a `RocksStore` directly, to damage it.
fn raw_db(path: &std::path::Path) -> rocksdb::DB {
    let names = [
        "state",
        "jmt_nodes",
        "jmt_values",
        "blocks",
        "entries",
        "entries_undecided",
        "meta",
        "sync_links",
    ];
    rocksdb::DB::open_cf(&rocksdb::Options::default(), path, names).unwrap()
}

#[test]
fn opening_a_store_on_a_regular_file_is_a_storage_error() {
    let file = tempfile::NamedTempFile::new().unwrap();
    assert!(RocksStore::open(file.path()).is_err());
    assert!(RocksStore::open(file.path().join("below")).is_err());
}

#[test]
fn a_corrupt_block_record_is_a_storage_error() {
    let dir = tempfile::tempdir().unwrap();
    let pair = Pair::new(dir.path());
    let genesis = pair.net.genesis.clone();
    drop(pair);
    {
        let db = raw_db(dir.path());
        let blocks = db.cf_handle("blocks").unwrap();
        db.put_cf(blocks, 0u64.to_be_bytes(), b"not a block")
            .unwrap();
    }
    let store = RocksStore::open(dir.path()).unwrap();
    let err = store.block(0).unwrap_err();
    assert!(err.message().contains("corrupt block 0"), "{err}");
    let err = Ledger::open(store, &genesis).unwrap_err();
    assert!(matches!(err, OpenError::Storage(_)), "{err}");
}

#[test]
fn a_corrupt_latest_height_is_a_storage_error() {
    let dir = tempfile::tempdir().unwrap();
    drop(Pair::new(dir.path()));
    {
        let db = raw_db(dir.path());
        let meta = db.cf_handle("meta").unwrap();
        db.put_cf(meta, b"latest_height", [1, 2, 3]).unwrap();
    }
    // R478: the store reads its height once, when it opens, so that is where it fails.
    let err = RocksStore::open(dir.path()).unwrap_err();
    assert!(err.message().contains("corrupt height"), "{err}");
}

#[test]
fn a_commit_that_skips_a_height_is_refused_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut pair = Pair::new(dir.path());
    pair.run(1, 2);
    let entries = storage_support::entries(&mut pair.net, 2);
    let proposer = ebl_ledger::crypto::PublicKey::from(pair.net.validator_keys[0].verifying_key());
    let executed = pair
        .rocks
        .execute(pair.net.time(), proposer, entries)
        .unwrap();
    let before = pair.rocks.store().scan_prefix(b"", usize::MAX).unwrap();
    drop(pair);
    let mut store = RocksStore::open(dir.path()).unwrap();
    let mut stored = store.block(1).unwrap().unwrap();
    stored.block.header.height = 3;
    let err = store
        .commit(BlockCommit {
            stored,
            writes: executed.writes,
            tree: executed.tree,
            consumed: executed.consumed,
        })
        .unwrap_err();
    assert!(
        err.message().contains("commit of height 3, expected 2"),
        "{err}"
    );
    assert_eq!(store.latest_height().unwrap(), Some(1));
    assert_eq!(store.block(3).unwrap(), None);
    assert_eq!(store.scan_prefix(b"", usize::MAX).unwrap(), before);
}

#[test]
fn the_ledger_refuses_a_block_that_does_not_follow_its_head() {
    let dir = tempfile::tempdir().unwrap();
    let mut pair = Pair::new(dir.path());
    let entries = storage_support::entries(&mut pair.net, 1);
    let proposer = ebl_ledger::crypto::PublicKey::from(pair.net.validator_keys[0].verifying_key());
    let mut executed = pair
        .rocks
        .execute(pair.net.time(), proposer, entries)
        .unwrap();
    executed.block.header.prev_hash = ebl_ledger::hash::Hash32::sha256(b"elsewhere");
    let head = pair.rocks.head().clone();
    assert!(pair.rocks.commit(executed, vec![]).is_err());
    assert_eq!(pair.rocks.head(), &head);
    assert_eq!(pair.rocks.store().latest_height().unwrap(), Some(0));
}

#[test]
fn a_store_whose_reserve_exceeds_the_free_space_does_not_open() {
    let dir = tempfile::tempdir().unwrap();
    let err = RocksStore::open_with_reserve(dir.path(), u64::MAX).unwrap_err();
    assert!(matches!(err, StorageError::NoSpace(_)), "{err}");
    assert_eq!(err.code(), "STORAGE_NO_SPACE");
    assert!(err.is_disk_fault());
    assert!(err.message().contains("bytes free"), "{err}");
    // R357: nothing of RocksDB was started: the folder holds no database.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    assert!(RocksStore::open_with_reserve(dir.path(), 0).is_ok());
}

#[test]
fn a_corrupt_record_is_not_a_disk_fault() {
    let err = StorageError::Failed("corrupt block 3".into());
    assert!(!err.is_disk_fault());
    assert_eq!(err.code(), "STORAGE_FAILED");
    assert_eq!(StorageError::Io("fsync".into()).code(), "STORAGE_IO");
    assert!(StorageError::Io("fsync".into()).is_disk_fault());
}
