//! R475: a block's reads of committed state, remembered for the rest of that block.
//!
//! While a block executes, committed state does not change (the ledger has one writer, and it
//! is busy executing), so a key read once reads the same for every later entry of the block.
//! Entries of one block read the same few records over and over (their signers' organisations,
//! the documents they act on), and each read from the store is a RocksDB lookup; this layer
//! answers the repeats from memory. It sits under the block's overlay, so it only ever holds
//! committed values: the block's own writes are staged above it and never reach it.
//!
//! Bounded by [`MAX_KEYS`] and [`MAX_BYTES`]: past either, reads go to the store uncached, which
//! is slower and answers the same.

use std::cell::RefCell;
use std::collections::BTreeMap;

use super::StateReader;
use crate::error::StorageError;

/// Most keys remembered for one block.
pub const MAX_KEYS: usize = 65_536;

/// Most bytes (keys and values) remembered for one block.
pub const MAX_BYTES: usize = 64 * 1024 * 1024;

/// Committed state with the reads of one block remembered.
pub struct ReadCache<'a> {
    base: &'a dyn StateReader,
    seen: RefCell<RememberedReads>,
}

/// Answers the store gave, present or absent, kept up to a number of keys and of bytes (keys
/// and values): past either bound nothing more is remembered and nothing is evicted. Shared
/// by [`ReadCache`] and the node's intake cache (R479), which differ in how long an answer
/// stays true, not in how it is kept.
#[derive(Debug, Default, Clone)]
pub struct RememberedReads {
    values: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    bytes: usize,
}

impl RememberedReads {
    /// The remembered answer for `key`, if any.
    pub fn get(&self, key: &[u8]) -> Option<&Option<Vec<u8>>> {
        self.values.get(key)
    }

    /// Remembers the store's answer `value` for `key`, unless the key is already remembered or
    /// either bound would be passed.
    pub fn remember(
        &mut self,
        key: &[u8],
        value: &Option<Vec<u8>>,
        max_keys: usize,
        max_bytes: usize,
    ) {
        let size = key.len() + value.as_ref().map_or(0, Vec::len);
        if self.values.len() < max_keys
            && self.bytes + size <= max_bytes
            && !self.values.contains_key(key)
        {
            self.bytes += size;
            self.values.insert(key.to_vec(), value.clone());
        }
    }

    /// Keys remembered.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Bytes of the remembered keys and values.
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

impl std::fmt::Debug for ReadCache<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let seen = self.seen.borrow();
        f.debug_struct("ReadCache")
            .field("keys", &seen.len())
            .field("bytes", &seen.bytes())
            .finish()
    }
}

impl<'a> ReadCache<'a> {
    /// Nothing remembered yet. Each key answers as the store did at its first read, which is
    /// the store's answer as long as the base does not change while this is in use (a block's
    /// execution). The node's intake, whose base does change, uses its own cache (R479).
    pub fn new(base: &'a dyn StateReader) -> Self {
        ReadCache {
            base,
            seen: RefCell::default(),
        }
    }

    /// Keys remembered so far.
    pub fn len(&self) -> usize {
        self.seen.borrow().len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl StateReader for ReadCache<'_> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        if let Some(value) = self.seen.borrow().get(key) {
            return Ok(value.clone());
        }
        // A failed read is not remembered: the next one asks the store again.
        let value = self.base.get(key)?;
        self.seen
            .borrow_mut()
            .remember(key, &value, MAX_KEYS, MAX_BYTES);
        Ok(value)
    }
}

#[cfg(test)]
#[path = "read_cache_tests.rs"]
mod tests;
