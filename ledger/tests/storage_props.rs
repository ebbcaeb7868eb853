//! Property: for any sequence of blocks of writes and deletions, RocksDB and the in-memory
//! store agree on every root, every versioned read and every record (R19.3, R19.6).
#![cfg(feature = "rocksdb")]
#![allow(clippy::unwrap_used)]

use ebl_ledger::block::{Block, BlockHeader};
use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::ChainRef;
use ebl_ledger::hash::Hash32;
use ebl_ledger::state::{StateReader, WriteSet, tree};
use ebl_ledger::storage::{BlockCommit, MemoryStore, RocksStore, Storage, StoredBlock};
use ebl_ledger::time::Timestamp;
use jmt::storage::TreeReader;
use proptest::prelude::*;

/// A bare block at `height`: the stores do not look inside it beyond the height.
fn stored_block(height: u64, state_root: Hash32) -> StoredBlock {
    StoredBlock {
        block: Block {
            header: BlockHeader {
                protocol_version: 1,
                chain: ChainRef {
                    chain_id: "ebl-prop-1".into(),
                    genesis_hash: Hash32::ZERO,
                },
                height,
                prev_hash: Hash32::ZERO,
                time: Timestamp(height),
                proposer: PublicKey([0; 32]),
                entries_hash: Hash32::ZERO,
                results_hash: Hash32::ZERO,
                state_root,
                evidence_hash: Hash32::ZERO,
            },
            entries: vec![],
            evidence: vec![],
        },
        results: vec![],
        certificate: vec![],
    }
}

/// Commits `writes` as the next version and returns the new root.
fn commit<S: Storage>(store: &mut S, height: u64, writes: &WriteSet) -> Hash32 {
    let (root, batch) = tree::apply_writes(&*store, writes, height).unwrap();
    store
        .commit(BlockCommit {
            stored: stored_block(height, root),
            writes: writes.clone(),
            tree: batch,
            consumed: vec![],
        })
        .unwrap();
    root
}

/// Blocks of writes over a small key space, so that keys are rewritten and deleted often.
fn blocks() -> impl Strategy<Value = Vec<WriteSet>> {
    let value = proptest::option::of(proptest::collection::vec(any::<u8>(), 0..8));
    let block = proptest::collection::btree_map(0u8..12, value, 1..6).prop_map(|m| {
        m.into_iter()
            .map(|(k, v)| (format!("k/{k:02}").into_bytes(), v))
            .collect::<WriteSet>()
    });
    proptest::collection::vec(block, 1..8)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn rocks_and_memory_agree_on_any_history_of_writes(history in blocks()) {
        let dir = tempfile::tempdir().unwrap();
        let mut rocks = RocksStore::open(dir.path()).unwrap();
        let mut memory = MemoryStore::new();
        for (height, writes) in history.iter().enumerate() {
            let height = height as u64;
            let r = commit(&mut rocks, height, writes);
            let m = commit(&mut memory, height, writes);
            prop_assert_eq!(r, m, "root at {}", height);
        }
        prop_assert_eq!(
            rocks.scan_prefix(b"k/", usize::MAX).unwrap(),
            memory.scan_prefix(b"k/", usize::MAX).unwrap()
        );
        let last = history.len() as u64 - 1;
        for k in 0u8..12 {
            let key = format!("k/{k:02}").into_bytes();
            prop_assert_eq!(rocks.get(&key).unwrap(), memory.get(&key).unwrap());
            for version in 0..=last {
                let hash = tree::key_hash(&key);
                prop_assert_eq!(
                    rocks.get_value_option(version, hash).unwrap(),
                    memory.get_value_option(version, hash).unwrap(),
                    "key {} at version {}", k, version
                );
            }
        }
        prop_assert_eq!(
            rocks.get_rightmost_leaf().unwrap(),
            memory.get_rightmost_leaf().unwrap()
        );
    }
}
