//! R479: the intake's reads of committed state, remembered while the head stays at one height.
//!
//! Every entry that reaches this node is screened (R182, R184) once at the gateway that
//! received it and once more at every validator it is gossiped to, and each screen reads its
//! signer's records (key index, organisation, sequence) from RocksDB. Those records are the
//! same for every entry a signer sends between two blocks, so a node screening thousands of
//! entries per second read the same keys over and over (about half of the intake's CPU went to
//! these reads, BENCHMARKS.md "Issue 16, stop 32"). R475's per-batch cache does not help the
//! gateway, whose calls carry one entry each.
//!
//! Committed state at a height never changes, so what is remembered is labelled with the
//! head's height and forgotten as soon as a screen sees a higher one. A screen that started
//! before a commit (its label is lower than the cache's) neither reads nor fills the cache. A
//! read may still land after the next commit and be remembered under the older label: that is
//! newer state, never older, and the intake is a filter whose answers execution decides again
//! (R181), as it already was when reads raced a commit without any cache.
//!
//! Bounded by [`MAX_KEYS`] and [`MAX_BYTES`] per height: past either, reads go to the store
//! uncached, which is slower and answers the same. A failed read is not remembered.

use std::sync::{Arc, Mutex, PoisonError};

use ebl_ledger::error::StorageError;
use ebl_ledger::state::{RememberedReads, StateReader};

/// Most keys remembered at one height.
pub const MAX_KEYS: usize = 16_384;

/// Most bytes (keys and values) remembered at one height.
pub const MAX_BYTES: usize = 16 * 1024 * 1024;

/// The remembered reads; cheap to clone (clones share them).
#[derive(Debug, Clone)]
pub struct ScreenCache {
    shared: Arc<Mutex<Remembered>>,
    max_keys: usize,
    max_bytes: usize,
}

#[derive(Debug, Default)]
struct Remembered {
    height: u64,
    reads: RememberedReads,
}

impl Default for ScreenCache {
    fn default() -> Self {
        ScreenCache::with_bounds(MAX_KEYS, MAX_BYTES)
    }
}

impl ScreenCache {
    /// A cache remembering at most `max_keys` keys and `max_bytes` bytes per height.
    pub fn with_bounds(max_keys: usize, max_bytes: usize) -> Self {
        ScreenCache {
            shared: Arc::default(),
            max_keys,
            max_bytes,
        }
    }

    /// Committed state `base` as of the head at `height`, with its reads remembered. A height
    /// above the remembered one forgets everything first.
    pub fn at<'a>(&'a self, height: u64, base: &'a dyn StateReader) -> AtHeight<'a> {
        let mut remembered = self.lock();
        if height > remembered.height {
            *remembered = Remembered {
                height,
                ..Remembered::default()
            };
        }
        AtHeight {
            cache: self,
            height,
            base,
        }
    }

    /// Keys remembered now.
    pub fn len(&self) -> usize {
        self.lock().reads.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    // The map only ever holds answers the store gave: a poisoned lock is still right.
    fn lock(&self) -> std::sync::MutexGuard<'_, Remembered> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One screen's view: committed state at the head's height, through the cache.
pub struct AtHeight<'a> {
    cache: &'a ScreenCache,
    height: u64,
    base: &'a dyn StateReader,
}

impl std::fmt::Debug for AtHeight<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AtHeight")
            .field("height", &self.height)
            .finish()
    }
}

impl StateReader for AtHeight<'_> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        {
            let remembered = self.cache.lock();
            if remembered.height == self.height
                && let Some(value) = remembered.reads.get(key)
            {
                return Ok(value.clone());
            }
        }
        // The store is read without the lock held: other screens go on meanwhile.
        let value = self.base.get(key)?;
        let mut remembered = self.cache.lock();
        if remembered.height == self.height {
            let (max_keys, max_bytes) = (self.cache.max_keys, self.cache.max_bytes);
            remembered.reads.remember(key, &value, max_keys, max_bytes);
        }
        Ok(value)
    }
}

#[cfg(test)]
#[path = "screen_cache_tests.rs"]
mod tests;
