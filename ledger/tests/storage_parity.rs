//! RocksDB and the in-memory store agree on everything for the same blocks (R19).
#![cfg(feature = "rocksdb")]
#![allow(clippy::unwrap_used)]

mod storage_support;

use ebl_ledger::state::StateReader;
use ebl_ledger::state::WriteSet;
use ebl_ledger::state::keys;
use ebl_ledger::state::tree;
use ebl_ledger::storage::{BlockCommit, MemoryStore, RocksStore, Storage, StoredBlock};
use ebl_ledger::testkit::TestNetwork;
use jmt::storage::TreeReader;
use storage_support::Pair;

#[test]
fn memory_and_rocks_reach_the_same_head_and_state_root() {
    let dir = tempfile::tempdir().unwrap();
    let mut pair = Pair::new(dir.path());
    assert_eq!(pair.net.ledger.head(), pair.rocks.head());
    pair.run(5, 7);
    assert_eq!(pair.rocks.head().height, 5);
    assert_eq!(pair.net.ledger.head(), pair.rocks.head());
    assert_eq!(pair.net.state_root(), pair.rocks.head().state_root);
}

#[test]
fn memory_and_rocks_hold_the_same_records_blocks_and_entry_index() {
    let dir = tempfile::tempdir().unwrap();
    let mut pair = Pair::new(dir.path());
    pair.run(3, 5);
    let memory = pair.net.ledger.store();
    let rocks = pair.rocks.store();
    let all = memory.scan_prefix(b"", usize::MAX).unwrap();
    assert!(
        all.len() > 20,
        "pilot state has organisations and sequences"
    );
    assert_eq!(rocks.scan_prefix(b"", usize::MAX).unwrap(), all);
    for (key, value) in &all {
        assert_eq!(rocks.get(key).unwrap().as_ref(), Some(value));
    }
    assert_eq!(
        rocks.latest_height().unwrap(),
        memory.latest_height().unwrap()
    );
    for height in 0..=3 {
        let block = memory.block(height).unwrap().unwrap();
        let stored = rocks.block(height).unwrap().unwrap();
        assert_eq!(stored.block, block.block);
        assert_eq!(stored.results, block.results);
        for entry in &block.block.entries {
            assert_eq!(
                rocks.entry_location(&entry.id()).unwrap(),
                memory.entry_location(&entry.id()).unwrap()
            );
        }
    }
    assert_eq!(rocks.block(4).unwrap(), None);
}

#[test]
fn memory_and_rocks_give_the_same_proofs_at_every_past_version() {
    let dir = tempfile::tempdir().unwrap();
    let mut pair = Pair::new(dir.path());
    pair.run(4, 3);
    let memory = pair.net.ledger.store();
    let rocks = pair.rocks.store();
    let bank = ebl_ledger::crypto::PublicKey::from(pair.net.party("BANK").key.verifying_key());
    let probe = [
        keys::chain_head(),
        keys::sequence(&bank),
        b"absent".to_vec(),
    ];
    for version in 0..=4 {
        for key in &probe {
            let (m_value, m_proof) = tree::get_with_proof(memory, key, version).unwrap();
            let (r_value, r_proof) = tree::get_with_proof(rocks, key, version).unwrap();
            assert_eq!(m_value, r_value, "value of {key:?} at {version}");
            assert_eq!(
                serde_json::to_string(&m_proof).unwrap(),
                serde_json::to_string(&r_proof).unwrap()
            );
        }
    }
    // The bank's sequence grows block by block: older versions see older values.
    let (v1, _) = tree::get_with_proof(rocks, &keys::sequence(&bank), 1).unwrap();
    let (v4, _) = tree::get_with_proof(rocks, &keys::sequence(&bank), 4).unwrap();
    assert_ne!(v1, v4);
}

#[test]
fn memory_and_rocks_agree_on_the_rightmost_leaf() {
    let dir = tempfile::tempdir().unwrap();
    let mut pair = Pair::new(dir.path());
    pair.run(2, 4);
    let memory = pair.net.ledger.store().get_rightmost_leaf().unwrap();
    let rocks = pair.rocks.store().get_rightmost_leaf().unwrap();
    assert!(memory.is_some());
    assert_eq!(memory, rocks);
}

/// Commits `writes` as block `height` (a copy of the genesis block renumbered) into `store`.
fn commit_raw<S: Storage>(store: &mut S, genesis: &StoredBlock, height: u64, writes: WriteSet) {
    let (_, tree) = tree::apply_writes(&*store, &writes, height).unwrap();
    let mut stored = genesis.clone();
    stored.block.header.height = height;
    store
        .commit(BlockCommit {
            stored,
            writes,
            tree,
            consumed: vec![],
        })
        .unwrap();
}

/// Writes `k` at version 1, deletes it at version 2, and reads every version back.
fn versions_of_a_deleted_key<S: Storage>(
    mut store: S,
    genesis: &StoredBlock,
) -> Vec<Option<Vec<u8>>> {
    let key = b"test/k".to_vec();
    commit_raw(
        &mut store,
        genesis,
        1,
        WriteSet::from([(key.clone(), Some(b"v1".to_vec()))]),
    );
    commit_raw(
        &mut store,
        genesis,
        2,
        WriteSet::from([(key.clone(), None)]),
    );
    commit_raw(
        &mut store,
        genesis,
        3,
        WriteSet::from([(b"test/other".to_vec(), Some(vec![]))]),
    );
    assert_eq!(store.get(&key).unwrap(), None);
    (0..=3)
        .map(|v| store.get_value_option(v, tree::key_hash(&key)).unwrap())
        .collect()
}

#[test]
fn a_deleted_record_reads_as_absent_from_its_version_on_in_both_stores() {
    let net = TestNetwork::pilot();
    let genesis = net.ledger.store().block(0).unwrap().unwrap();
    let mut memory_ledger_store = MemoryStore::new();
    // Both stores start from the genesis block so that version 0 exists.
    let executed = net.genesis.execute().unwrap();
    let genesis_commit = |executed: ebl_ledger::execute::ExecutedBlock| BlockCommit {
        stored: genesis.clone(),
        writes: executed.writes,
        tree: executed.tree,
        consumed: executed.consumed,
    };
    memory_ledger_store
        .commit(genesis_commit(executed))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut rocks = RocksStore::open(dir.path()).unwrap();
    rocks
        .commit(genesis_commit(net.genesis.execute().unwrap()))
        .unwrap();

    let expected = vec![None, Some(b"v1".to_vec()), None, None];
    assert_eq!(
        versions_of_a_deleted_key(memory_ledger_store, &genesis),
        expected
    );
    assert_eq!(versions_of_a_deleted_key(rocks, &genesis), expected);
}
