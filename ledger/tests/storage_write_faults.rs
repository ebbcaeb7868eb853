//! A write or sync that fails is a typed error that leaves the in-memory head and cache as
//! they were; the same block then commits exactly once (R354–R356).
#![cfg(all(feature = "rocksdb", feature = "failpoints"))]
#![allow(clippy::unwrap_used)]

mod fault_support;

use ebl_ledger::StorageError;
use ebl_ledger::storage::Storage;
use fault_support::{Twin, commit_next, matches_twin, next_block, open_rocks, try_commit};

/// Points whose injected error comes before the batch reaches the disk: the store is unchanged.
const BEFORE_DISK: [&str; 7] = [
    "commit.before_batch",
    "commit.batch_state",
    "commit.batch_tree",
    "commit.index_lookup",
    "commit.batch_index",
    "commit.after_batch",
    "commit.write",
];
/// Points whose injected error comes once the synced write returned: the block is on disk.
const AFTER_DISK: [&str; 4] = [
    "commit.after_write",
    "commit.before_cache",
    "commit.after_cache",
    "commit.before_head",
];

#[test]
fn a_failing_write_is_a_typed_error_and_the_same_block_then_commits_once() {
    let scenario = fail::FailScenario::setup();
    let dir = tempfile::tempdir().unwrap();
    let mut net = open_rocks(dir.path());
    let mut twin = Twin::new();
    for point in BEFORE_DISK {
        commit_next(&mut net).unwrap();
        let head = net.ledger.head().clone();
        let entries = next_block(&mut net);
        fail::cfg(point, "1*return").unwrap();
        let err = try_commit(&mut net, entries.clone()).unwrap_err();
        assert!(matches!(err, StorageError::Io(_)), "{point}: {err}");
        assert_eq!(err.code(), "STORAGE_IO");
        assert_eq!(net.ledger.head(), &head, "{point}: the head moved");
        let store = net.ledger.store();
        assert_eq!(store.latest_height().unwrap(), Some(head.height), "{point}");
        assert_eq!(store.block(head.height + 1).unwrap(), None, "{point}");
        // The failpoint fired once: the same block now commits, once.
        try_commit(&mut net, entries).unwrap();
        matches_twin(&net, &mut twin).unwrap_or_else(|why| panic!("{point}: {why}"));
    }
    scenario.teardown();
}

#[test]
fn an_error_after_the_synced_write_leaves_the_block_on_disk_once() {
    let scenario = fail::FailScenario::setup();
    let dir = tempfile::tempdir().unwrap();
    let mut net = open_rocks(dir.path());
    let mut twin = Twin::new();
    for point in AFTER_DISK {
        commit_next(&mut net).unwrap();
        let head = net.ledger.head().clone();
        let entries = next_block(&mut net);
        fail::cfg(point, "1*return").unwrap();
        let err = try_commit(&mut net, entries.clone()).unwrap_err();
        assert!(err.is_disk_fault(), "{point}: {err}");
        assert_eq!(net.ledger.head(), &head, "{point}: the head moved");
        // R356: the block reached the disk; committing it again is refused, not doubled…
        let again = try_commit(&mut net, entries).unwrap_err();
        assert!(matches!(again, StorageError::Failed(_)), "{point}: {again}");
        assert!(!again.is_disk_fault(), "{point}");
        assert!(again.message().contains("expected"), "{point}: {again}");
        // …and the head re-read from the store is that block, exactly as the replay has it.
        net.ledger.reload_head().unwrap();
        assert_eq!(net.ledger.head().height, head.height + 1, "{point}");
        matches_twin(&net, &mut twin).unwrap_or_else(|why| panic!("{point}: {why}"));
    }
    commit_next(&mut net).unwrap();
    matches_twin(&net, &mut twin).unwrap();
    scenario.teardown();
}

#[test]
fn a_disk_that_keeps_failing_keeps_refusing_without_changing_anything() {
    let scenario = fail::FailScenario::setup();
    let dir = tempfile::tempdir().unwrap();
    let mut net = open_rocks(dir.path());
    commit_next(&mut net).unwrap();
    let head = net.ledger.head().clone();
    let before = net.ledger.store().scan_prefix(b"", usize::MAX).unwrap();
    let entries = next_block(&mut net);
    fail::cfg("commit.write", "return").unwrap();
    for _ in 0..5 {
        let err = try_commit(&mut net, entries.clone()).unwrap_err();
        assert!(matches!(err, StorageError::Io(_)), "{err}");
        assert_eq!(net.ledger.head(), &head);
    }
    assert_eq!(
        net.ledger.store().scan_prefix(b"", usize::MAX).unwrap(),
        before
    );
    fail::remove("commit.write");
    try_commit(&mut net, entries).unwrap();
    matches_twin(&net, &mut Twin::new()).unwrap();
    scenario.teardown();
}
