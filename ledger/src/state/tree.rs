//! The authenticated state map: a Jellyfish Merkle tree (crate `jmt`) over every record, one
//! version per block height (specs/protocol.md R16, ADR 0002).

use jmt::storage::{TreeReader, TreeUpdateBatch};
use jmt::{KeyHash, RootHash, Sha256Jmt};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::error::StorageError;
use crate::hash::Hash32;
use crate::state::WriteSet;

/// Proof that a key has a given value (or none) under a state root.
pub type StateProof = jmt::proof::SparseMerkleProof<Sha256>;

/// The tree's key for a state key.
pub fn key_hash(key: &[u8]) -> KeyHash {
    KeyHash::with::<Sha256>(key)
}

/// Applies a block's writes as tree version `version` on top of version `version - 1` and returns
/// the new root and the nodes to persist. Pure: it only reads nodes through `reader`.
///
/// R476: a write set without deletions (nearly every block's) goes into the tree in one pass
/// (`batch_put_value_sets`: the keys sorted, each touched node built and hashed once); one with
/// a deletion is applied key by key (`put_value_set`), which is the only way `jmt` deletes. Both
/// build the same tree: the same root and the same nodes to persist (tested on random blocks).
pub fn apply_writes<R: TreeReader>(
    reader: &R,
    writes: &WriteSet,
    version: u64,
) -> Result<(Hash32, TreeUpdateBatch), StorageError> {
    let values: Option<Vec<(KeyHash, Vec<u8>)>> = writes
        .iter()
        .map(|(k, v)| Some((key_hash(k), v.clone()?)))
        .collect();
    match values {
        // `batch_put_value_sets` refuses an empty set by panicking; an empty block writes at
        // least its head, but the key-by-key path takes the empty case anyway.
        Some(values) if !values.is_empty() => apply_in_one_pass(reader, values, version),
        _ => apply_key_by_key(reader, writes, version),
    }
}

fn apply_in_one_pass<R: TreeReader>(
    reader: &R,
    values: Vec<(KeyHash, Vec<u8>)>,
    version: u64,
) -> Result<(Hash32, TreeUpdateBatch), StorageError> {
    let (roots, batch) = Sha256Jmt::new(reader)
        .batch_put_value_sets(vec![values], None, version)
        .map_err(|e| StorageError::Failed(format!("state tree: {e}")))?;
    let root = roots
        .first()
        .ok_or_else(|| StorageError::Failed("state tree: no root for the block".into()))?;
    Ok((Hash32(root.0), batch))
}

/// Every write of `writes` inserted or deleted one after another (the way deletions go in).
pub fn apply_key_by_key<R: TreeReader>(
    reader: &R,
    writes: &WriteSet,
    version: u64,
) -> Result<(Hash32, TreeUpdateBatch), StorageError> {
    let tree = Sha256Jmt::new(reader);
    let updates = writes.iter().map(|(k, v)| (key_hash(k), v.clone()));
    let (root, batch) = tree
        .put_value_set(updates, version)
        .map_err(|e| StorageError::Failed(format!("state tree: {e}")))?;
    Ok((Hash32(root.0), batch))
}

/// Reads a value with its proof at `version`.
pub fn get_with_proof<R: TreeReader>(
    reader: &R,
    key: &[u8],
    version: u64,
) -> Result<(Option<Vec<u8>>, StateProof), StorageError> {
    Sha256Jmt::new(reader)
        .get_with_proof(key_hash(key), version)
        .map_err(|e| StorageError::Failed(format!("state proof: {e}")))
}

/// A record with its proof against a state root, checkable offline (R17).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordProof {
    /// State key.
    #[serde(with = "hex_vec")]
    pub key: Vec<u8>,
    /// Value bytes (canonical encoding of the record), or none for a proof of absence.
    #[serde(with = "hex_opt")]
    pub value: Option<Vec<u8>>,
    /// Sparse Merkle proof.
    pub proof: StateProof,
}

impl RecordProof {
    /// Checks the proof against `state_root`.
    pub fn verify(&self, state_root: &Hash32) -> Result<(), String> {
        self.proof
            .verify(
                RootHash(state_root.0),
                key_hash(&self.key),
                self.value.as_deref(),
            )
            .map_err(|e| e.to_string())
    }
}

mod hex_vec {
    pub fn serialize<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(d)?;
        hex::decode(text).map_err(serde::de::Error::custom)
    }
}

mod hex_opt {
    pub fn serialize<S: serde::Serializer>(
        bytes: &Option<Vec<u8>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match bytes {
            Some(b) => s.serialize_some(&hex::encode(b)),
            None => s.serialize_none(),
        }
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Vec<u8>>, D::Error> {
        let text = <Option<String> as serde::Deserialize>::deserialize(d)?;
        text.map(|t| hex::decode(t).map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
#[path = "tree_tests.rs"]
mod tests;
