//! RocksDB and the in-memory store agree on everything for the same blocks (R19).
#![cfg(feature = "rocksdb")]
#![allow(clippy::unwrap_used)]

mod storage_support;

use ebl_ledger::state::StateReader;
use ebl_ledger::state::keys;
use ebl_ledger::state::tree;
use ebl_ledger::storage::Storage;
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
