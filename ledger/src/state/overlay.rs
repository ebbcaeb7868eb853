//! Reading state and staging writes without touching storage (specs/protocol.md R15).

use std::collections::BTreeMap;

use bincode::{Decode, Encode};

use crate::codec;
use crate::error::{ExecResult, StorageError};

/// Staged writes: key → new value, or `None` to delete. Ordered, so every node applies and
/// hashes them in the same order.
pub type WriteSet = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// Read access to the latest committed state.
pub trait StateReader {
    /// The value at `key`, if any.
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError>;
}

/// An empty state, for genesis.
#[derive(Debug, Clone, Copy, Default)]
pub struct EmptyState;

impl StateReader for EmptyState {
    fn get(&self, _key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(None)
    }
}

/// Writes staged over a base state. A block stages its entries in one overlay; each entry runs
/// in a child overlay that is merged only if the entry succeeds, so a failing entry never
/// half-applies (R15).
pub struct Overlay<'a> {
    base: &'a dyn StateReader,
    writes: WriteSet,
}

impl std::fmt::Debug for Overlay<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Overlay")
            .field("writes", &self.writes.len())
            .finish()
    }
}

impl<'a> Overlay<'a> {
    /// An overlay with no writes yet.
    pub fn new(base: &'a dyn StateReader) -> Self {
        Overlay {
            base,
            writes: WriteSet::new(),
        }
    }

    /// Raw read through the staged writes.
    pub fn get_raw(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        match self.writes.get(key) {
            Some(staged) => Ok(staged.clone()),
            None => self.base.get(key),
        }
    }

    /// Typed read. A stored value that does not decode is a storage fault, not a rule error.
    pub fn get<T: Decode<()> + Encode>(&self, key: &[u8]) -> ExecResult<Option<T>> {
        match self.get_raw(key)? {
            None => Ok(None),
            Some(bytes) => codec::decode_stored(&bytes)
                .map(Some)
                .map_err(|e| StorageError::Failed(format!("corrupt record: {e}")).into()),
        }
    }

    /// Stages a typed write.
    pub fn put<T: Encode>(&mut self, key: Vec<u8>, value: &T) {
        self.writes.insert(key, Some(codec::encode(value)));
    }

    /// Stages a deletion.
    pub fn delete(&mut self, key: Vec<u8>) {
        self.writes.insert(key, None);
    }

    /// The staged writes.
    pub fn into_writes(self) -> WriteSet {
        self.writes
    }

    /// Merges writes staged by a child overlay.
    pub fn absorb(&mut self, writes: WriteSet) {
        self.writes.extend(writes);
    }
}

impl StateReader for Overlay<'_> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        self.get_raw(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn child_writes_are_visible_only_after_absorb() {
        let mut block = Overlay::new(&EmptyState);
        block.put(b"a".to_vec(), &1u64);
        let child_writes = {
            let mut child = Overlay::new(&block);
            assert_eq!(child.get::<u64>(b"a").unwrap(), Some(1));
            child.put(b"b".to_vec(), &2u64);
            child.into_writes()
        };
        assert_eq!(block.get::<u64>(b"b").unwrap(), None);
        block.absorb(child_writes);
        assert_eq!(block.get::<u64>(b"b").unwrap(), Some(2));
    }

    #[test]
    fn deletion_hides_the_base_value() {
        let mut base = Overlay::new(&EmptyState);
        base.put(b"k".to_vec(), &5u64);
        let mut child = Overlay::new(&base);
        child.delete(b"k".to_vec());
        assert_eq!(child.get::<u64>(b"k").unwrap(), None);
    }

    #[test]
    fn a_corrupt_record_is_a_storage_fault() {
        let mut base = Overlay::new(&EmptyState);
        base.writes.insert(b"k".to_vec(), Some(vec![1, 2, 3]));
        let err = base.get::<u64>(b"k").unwrap_err();
        assert!(matches!(err, crate::error::ExecError::Storage(_)));
    }
}
