//! An in-memory [`Storage`] for tests and benchmarks: the same contract as RocksDB, no disk.

use std::collections::BTreeMap;

use jmt::storage::{LeafNode, Node, NodeKey, TreeReader};
use jmt::{KeyHash, Version};

use super::{
    BlockCommit, EntryLocation, Record, Storage, StoredBlock, check_next_height, index_plan,
};
use crate::error::StorageError;
use crate::hash::EntryId;
use crate::state::StateReader;

/// Everything in ordered maps.
#[derive(Debug, Default, Clone)]
pub struct MemoryStore {
    state: BTreeMap<Vec<u8>, Vec<u8>>,
    nodes: BTreeMap<NodeKey, Node>,
    values: BTreeMap<([u8; 32], Version), Option<Vec<u8>>>,
    blocks: BTreeMap<u64, StoredBlock>,
    /// R185: decisive locations (the inclusion that consumed the entry's sequence).
    entries: BTreeMap<EntryId, EntryLocation>,
    /// R185: latest inclusion of entries that have no decisive location.
    undecided: BTreeMap<EntryId, EntryLocation>,
}

impl MemoryStore {
    /// Stores a state tree update's nodes and values (what a commit does with its tree).
    pub(crate) fn put_tree(&mut self, tree: &jmt::storage::TreeUpdateBatch) {
        for (key, node) in tree.node_batch.nodes() {
            self.nodes.insert(key.clone(), node.clone());
        }
        for ((version, key_hash), value) in tree.node_batch.values() {
            self.values.insert((key_hash.0, *version), value.clone());
        }
    }

    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl StateReader for MemoryStore {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(self.state.get(key).cloned())
    }
}

impl TreeReader for MemoryStore {
    fn get_node_option(&self, node_key: &NodeKey) -> anyhow::Result<Option<Node>> {
        Ok(self.nodes.get(node_key).cloned())
    }

    fn get_value_option(
        &self,
        max_version: Version,
        key_hash: KeyHash,
    ) -> anyhow::Result<Option<Vec<u8>>> {
        Ok(self
            .values
            .range((key_hash.0, 0)..=(key_hash.0, max_version))
            .next_back()
            .and_then(|(_, v)| v.clone()))
    }

    fn get_rightmost_leaf(&self) -> anyhow::Result<Option<(NodeKey, LeafNode)>> {
        let mut best: Option<(NodeKey, LeafNode)> = None;
        for (key, node) in &self.nodes {
            if let Node::Leaf(leaf) = node
                && best
                    .as_ref()
                    .is_none_or(|(_, b)| leaf.key_hash() > b.key_hash())
            {
                best = Some((key.clone(), leaf.clone()));
            }
        }
        Ok(best)
    }
}

impl Storage for MemoryStore {
    fn latest_height(&self) -> Result<Option<u64>, StorageError> {
        Ok(self.blocks.keys().next_back().copied())
    }

    fn block(&self, height: u64) -> Result<Option<StoredBlock>, StorageError> {
        Ok(self.blocks.get(&height).cloned())
    }

    fn entry_location(&self, id: &EntryId) -> Result<Option<EntryLocation>, StorageError> {
        Ok(self
            .entries
            .get(id)
            .or_else(|| self.undecided.get(id))
            .copied())
    }

    fn decisive_location(&self, id: &EntryId) -> Result<Option<EntryLocation>, StorageError> {
        Ok(self.entries.get(id).copied())
    }

    fn scan_prefix(&self, prefix: &[u8], limit: usize) -> Result<Vec<Record>, StorageError> {
        Ok(self
            .state
            .range(prefix.to_vec()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .take(limit)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }

    fn commit(&mut self, commit: BlockCommit) -> Result<(), StorageError> {
        check_next_height(self.latest_height()?, &commit)?;
        let index = index_plan(&commit)?;
        let height = commit.stored.block.header.height;
        for (key, value) in commit.writes {
            match value {
                Some(v) => self.state.insert(key, v),
                None => self.state.remove(&key),
            };
        }
        self.put_tree(&commit.tree);
        // R185: a decisive inclusion is the entry's location for good (a second one cannot
        // exist: the sequence it consumed is gone); any other is kept only until one comes.
        for item in index {
            if item.decisive {
                self.entries.insert(item.id, item.location);
                self.undecided.remove(&item.id);
            } else if !self.entries.contains_key(&item.id) {
                self.undecided.insert(item.id, item.location);
            }
        }
        self.blocks.insert(height, commit.stored);
        Ok(())
    }
}
