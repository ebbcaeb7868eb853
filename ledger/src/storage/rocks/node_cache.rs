//! A bounded cache of state-tree nodes.
//!
//! Tree nodes never change once written (a node key names a version), so a cached node is
//! always right. Every key a block updates walks from the root, so the upper nodes are read
//! thousands of times per block: without this cache each read is a RocksDB lookup and a borsh
//! decode.

use std::collections::BTreeMap;
use std::sync::Mutex;

use jmt::storage::{Node, NodeKey};

/// Nodes kept at most; past it the cache starts over (about 100 MB at the most).
const CAPACITY: usize = 200_000;

/// Recently read or written nodes.
#[derive(Debug, Default)]
pub struct NodeCache {
    nodes: Mutex<BTreeMap<NodeKey, Node>>,
}

impl NodeCache {
    /// A cached node.
    pub fn get(&self, key: &NodeKey) -> Option<Node> {
        self.nodes.lock().ok()?.get(key).cloned()
    }

    /// Remembers nodes (read from disk, or just committed).
    pub fn insert_all<'a>(&self, nodes: impl IntoIterator<Item = (&'a NodeKey, &'a Node)>) {
        // A poisoned lock only means another reader panicked mid-insert; the map is still
        // a set of correct nodes, so keep using it.
        let mut map = match self.nodes.lock() {
            Ok(map) => map,
            Err(poisoned) => poisoned.into_inner(),
        };
        for (key, node) in nodes {
            if map.len() >= CAPACITY {
                map.clear();
            }
            map.insert(key.clone(), node.clone());
        }
    }
}
