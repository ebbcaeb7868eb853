//! R475: the cache answers what the store answers, asks the store once per key, and stops
//! remembering at its bounds.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

use super::{MAX_KEYS, ReadCache, RememberedReads};
use crate::error::StorageError;
use crate::state::{Overlay, StateReader};

/// A store that counts its reads and can be told to fail.
#[derive(Default)]
struct Counting {
    values: BTreeMap<Vec<u8>, Vec<u8>>,
    reads: Cell<usize>,
    failing: Cell<bool>,
    asked: RefCell<Vec<Vec<u8>>>,
}

impl StateReader for Counting {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        self.reads.set(self.reads.get() + 1);
        self.asked.borrow_mut().push(key.to_vec());
        if self.failing.get() {
            return Err(StorageError::Io("disk".into()));
        }
        Ok(self.values.get(key).cloned())
    }
}

fn store() -> Counting {
    let mut store = Counting::default();
    store
        .values
        .insert(b"org/BANK".to_vec(), b"bank record".to_vec());
    store
}

#[test]
fn a_repeated_read_is_answered_from_memory_with_the_same_value() {
    let store = store();
    let cache = ReadCache::new(&store);
    for _ in 0..5 {
        assert_eq!(
            cache.get(b"org/BANK").unwrap(),
            Some(b"bank record".to_vec())
        );
        // An absent key is remembered as absent.
        assert_eq!(cache.get(b"org/NOBODY").unwrap(), None);
    }
    assert_eq!(store.reads.get(), 2);
    assert_eq!(cache.len(), 2);
}

#[test]
fn the_blocks_own_writes_stay_above_the_cache() {
    let store = store();
    let cache = ReadCache::new(&store);
    let mut block = Overlay::new(&cache);
    assert_eq!(
        block.get_raw(b"org/BANK").unwrap(),
        Some(b"bank record".to_vec())
    );
    block.put(b"org/BANK".to_vec(), &7u64);
    assert_ne!(
        block.get_raw(b"org/BANK").unwrap(),
        Some(b"bank record".to_vec())
    );
    // The cache still holds the committed value: the write never reached it.
    assert_eq!(
        cache.get(b"org/BANK").unwrap(),
        Some(b"bank record".to_vec())
    );
    assert_eq!(store.reads.get(), 1);
}

#[test]
fn a_failed_read_is_not_remembered() {
    let store = store();
    let cache = ReadCache::new(&store);
    store.failing.set(true);
    assert!(cache.get(b"org/BANK").is_err());
    store.failing.set(false);
    assert_eq!(
        cache.get(b"org/BANK").unwrap(),
        Some(b"bank record".to_vec())
    );
    assert_eq!(store.reads.get(), 2);
}

#[test]
fn past_its_bound_the_cache_reads_through_and_still_answers() {
    let store = store();
    let cache = ReadCache::new(&store);
    for i in 0..MAX_KEYS {
        cache.get(format!("k/{i}").as_bytes()).unwrap();
    }
    assert_eq!(cache.len(), MAX_KEYS);
    // Not remembered any more, so each read goes to the store, and answers right.
    let before = store.reads.get();
    for _ in 0..3 {
        assert_eq!(
            cache.get(b"org/BANK").unwrap(),
            Some(b"bank record".to_vec())
        );
    }
    assert_eq!(store.reads.get(), before + 3);
    assert_eq!(cache.len(), MAX_KEYS);
}

#[test]
fn a_key_remembered_twice_is_counted_once_and_keeps_its_first_answer() {
    // Two screens may read one key at once and both offer its answer (R479).
    let mut reads = RememberedReads::default();
    reads.remember(b"k", &Some(b"first".to_vec()), 10, 1_000);
    reads.remember(b"k", &Some(b"later".to_vec()), 10, 1_000);
    assert_eq!(reads.len(), 1);
    assert_eq!(reads.bytes(), 1 + 5);
    assert_eq!(reads.get(b"k"), Some(&Some(b"first".to_vec())));
}

#[test]
fn an_answer_past_either_bound_is_not_remembered() {
    let mut reads = RememberedReads::default();
    reads.remember(b"a", &None, 1, 1_000);
    reads.remember(b"b", &None, 1, 1_000);
    assert_eq!(reads.get(b"b"), None, "past the key bound");
    let mut reads = RememberedReads::default();
    reads.remember(b"a", &Some(vec![0; 10]), 10, 8);
    assert!(reads.is_empty(), "past the byte bound");
}
