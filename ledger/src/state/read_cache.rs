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
    seen: RefCell<Seen>,
}

#[derive(Default)]
struct Seen {
    values: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    bytes: usize,
}

impl std::fmt::Debug for ReadCache<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let seen = self.seen.borrow();
        f.debug_struct("ReadCache")
            .field("keys", &seen.values.len())
            .field("bytes", &seen.bytes)
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
        self.seen.borrow().values.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl StateReader for ReadCache<'_> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        if let Some(value) = self.seen.borrow().values.get(key) {
            return Ok(value.clone());
        }
        // A failed read is not remembered: the next one asks the store again.
        let value = self.base.get(key)?;
        let mut seen = self.seen.borrow_mut();
        let size = key.len() + value.as_ref().map_or(0, Vec::len);
        if seen.values.len() < MAX_KEYS && seen.bytes + size <= MAX_BYTES {
            seen.bytes += size;
            seen.values.insert(key.to_vec(), value.clone());
        }
        Ok(value)
    }
}

#[cfg(test)]
#[path = "read_cache_tests.rs"]
mod tests;
