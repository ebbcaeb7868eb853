//! R476: the one-pass tree update builds exactly the tree the key-by-key update builds.

use std::collections::BTreeMap;

use jmt::storage::{Node, NodeKey, TreeUpdateBatch};
use jmt::{KeyHash, Version};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};

use super::{apply_key_by_key, apply_writes};
use crate::state::WriteSet;
use crate::storage::MemoryStore;

fn nodes_of(batch: &TreeUpdateBatch) -> BTreeMap<NodeKey, Node> {
    batch
        .node_batch
        .nodes()
        .iter()
        .map(|(k, n)| (k.clone(), n.clone()))
        .collect()
}

fn values_of(batch: &TreeUpdateBatch) -> BTreeMap<(Version, KeyHash), Option<Vec<u8>>> {
    batch
        .node_batch
        .values()
        .iter()
        .map(|(k, v)| (*k, v.clone()))
        .collect()
}

/// A block's writes: some new keys, some rewritten ones, random values.
fn writes(rng: &mut ChaCha20Rng, known: &mut Vec<Vec<u8>>) -> WriteSet {
    let mut writes = WriteSet::new();
    let count = 1 + rng.next_u32() as usize % 300;
    for _ in 0..count {
        let key = if !known.is_empty() && rng.next_u32().is_multiple_of(3) {
            known[rng.next_u32() as usize % known.len()].clone()
        } else {
            let key = format!("k/{}", rng.next_u64()).into_bytes();
            known.push(key.clone());
            key
        };
        let mut value = vec![0u8; 1 + rng.next_u32() as usize % 64];
        rng.fill_bytes(&mut value);
        writes.insert(key, Some(value));
    }
    writes
}

#[test]
fn one_pass_and_key_by_key_build_the_same_tree_block_after_block() {
    let mut rng = ChaCha20Rng::seed_from_u64(476);
    let mut store = MemoryStore::default();
    let mut known = Vec::new();
    for version in 0..40 {
        let writes = writes(&mut rng, &mut known);
        let (root, batch) = apply_writes(&store, &writes, version).unwrap();
        let (expected_root, expected) = apply_key_by_key(&store, &writes, version).unwrap();
        assert_eq!(root, expected_root, "version {version}");
        assert_eq!(nodes_of(&batch), nodes_of(&expected), "version {version}");
        assert_eq!(values_of(&batch), values_of(&expected), "version {version}");
        store.put_tree(&batch);
    }
}

#[test]
fn a_block_that_deletes_goes_key_by_key_and_still_agrees() {
    let mut rng = ChaCha20Rng::seed_from_u64(477);
    let mut store = MemoryStore::default();
    let mut known = Vec::new();
    let first = writes(&mut rng, &mut known);
    let (_, batch) = apply_writes(&store, &first, 0).unwrap();
    store.put_tree(&batch);
    let mut second = writes(&mut rng, &mut known);
    let gone = first.keys().next().unwrap().clone();
    second.insert(gone, None);
    let (root, batch) = apply_writes(&store, &second, 1).unwrap();
    let (expected_root, expected) = apply_key_by_key(&store, &second, 1).unwrap();
    assert_eq!(root, expected_root);
    assert_eq!(nodes_of(&batch), nodes_of(&expected));
    // And the deletion took: the root differs from the same block without it.
    let mut kept = second.clone();
    kept.retain(|_, v| v.is_some());
    let (without, _) = apply_writes(&store, &kept, 1).unwrap();
    assert_ne!(root, without);
}
