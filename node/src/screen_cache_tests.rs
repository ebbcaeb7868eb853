use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

use super::*;

/// A state whose values can change between reads, counting the reads that reach it.
#[derive(Default)]
struct Counted {
    values: RefCell<BTreeMap<Vec<u8>, Vec<u8>>>,
    reads: Cell<usize>,
    fail: Cell<bool>,
}

impl Counted {
    fn set(&self, key: &[u8], value: &[u8]) {
        self.values
            .borrow_mut()
            .insert(key.to_vec(), value.to_vec());
    }
}

impl StateReader for Counted {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        self.reads.set(self.reads.get() + 1);
        if self.fail.get() {
            return Err(StorageError::Failed("disk gone".into()));
        }
        Ok(self.values.borrow().get(key).cloned())
    }
}

#[test]
fn reads_at_one_height_reach_the_store_once_across_screens() {
    let store = Counted::default();
    store.set(b"org/BANK", b"record");
    let cache = ScreenCache::default();
    for _ in 0..5 {
        let view = cache.at(7, &store);
        assert_eq!(view.get(b"org/BANK").unwrap(), Some(b"record".to_vec()));
        assert_eq!(view.get(b"org/NONE").unwrap(), None);
    }
    // One read per key, a missing key included.
    assert_eq!(store.reads.get(), 2);
    assert_eq!(cache.len(), 2);
}

#[test]
fn a_higher_height_forgets_what_the_last_one_read() {
    let store = Counted::default();
    store.set(b"seq/BANK", b"1");
    let cache = ScreenCache::default();
    assert_eq!(
        cache.at(7, &store).get(b"seq/BANK").unwrap(),
        Some(b"1".to_vec())
    );
    // Block 8 commits a new value.
    store.set(b"seq/BANK", b"2");
    assert_eq!(
        cache.at(8, &store).get(b"seq/BANK").unwrap(),
        Some(b"2".to_vec())
    );
    assert_eq!(store.reads.get(), 2);
}

#[test]
fn a_screen_begun_before_a_commit_neither_reads_nor_fills_the_newer_cache() {
    let store = Counted::default();
    store.set(b"seq/BANK", b"1");
    let cache = ScreenCache::default();
    let late = cache.at(7, &store);
    store.set(b"seq/BANK", b"2");
    let current = cache.at(8, &store);
    assert_eq!(current.get(b"seq/BANK").unwrap(), Some(b"2".to_vec()));
    // The older screen asks the store (and gets what it has), and leaves the cache alone.
    store.set(b"other", b"x");
    assert_eq!(late.get(b"seq/BANK").unwrap(), Some(b"2".to_vec()));
    assert_eq!(late.get(b"other").unwrap(), Some(b"x".to_vec()));
    assert_eq!(store.reads.get(), 3);
    assert_eq!(cache.len(), 1);
    // And a lower height does not take the cache back.
    assert_eq!(
        cache.at(7, &store).get(b"seq/BANK").unwrap(),
        Some(b"2".to_vec())
    );
    assert_eq!(
        cache.at(8, &store).get(b"seq/BANK").unwrap(),
        Some(b"2".to_vec())
    );
    assert_eq!(store.reads.get(), 4);
}

#[test]
fn a_failed_read_is_not_remembered() {
    let store = Counted::default();
    store.set(b"k", b"v");
    let cache = ScreenCache::default();
    store.fail.set(true);
    assert!(cache.at(1, &store).get(b"k").is_err());
    assert!(cache.is_empty());
    store.fail.set(false);
    assert_eq!(cache.at(1, &store).get(b"k").unwrap(), Some(b"v".to_vec()));
    assert_eq!(cache.len(), 1);
}

#[test]
fn past_its_bounds_the_cache_reads_through_and_answers_the_same() {
    let store = Counted::default();
    for n in 0..10u8 {
        store.set(&[n], &[n; 100]);
    }
    // Room for three keys, or for about two of these values.
    for (max_keys, max_bytes, kept) in [(3, 1 << 20, 3), (100, 250, 2)] {
        let cache = ScreenCache::with_bounds(max_keys, max_bytes);
        let view = cache.at(1, &store);
        for n in 0..10u8 {
            assert_eq!(view.get(&[n]).unwrap(), Some(vec![n; 100]));
        }
        assert_eq!(cache.len(), kept);
        let before = store.reads.get();
        for n in 0..10u8 {
            assert_eq!(view.get(&[n]).unwrap(), Some(vec![n; 100]));
        }
        assert_eq!(store.reads.get() - before, 10 - kept);
    }
}
