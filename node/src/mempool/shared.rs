//! R183: the pool's id set, readable off the consensus task.
//!
//! The consensus task owns the [`Mempool`](super::Mempool); the node's handle and the gossip
//! judges must still drop an already pooled id before any signature work. The pool mirrors
//! its dedup index here as it changes (every insert and removal goes through one place), so
//! the set holds exactly the pooled ids and is bounded by the pool's own `max_entries` (R100).
//! A read may be a moment behind the pool; that only means a duplicate reaches the pool, which
//! answers `Duplicate` itself (R103).

use std::collections::BTreeSet;
use std::sync::{Arc, PoisonError, RwLock};

use ebl_ledger::hash::EntryId;

/// The pooled entry ids, shared; cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct PooledIds(Arc<RwLock<BTreeSet<EntryId>>>);

impl PooledIds {
    /// Whether an entry with this id is pooled.
    pub fn contains(&self, id: &EntryId) -> bool {
        // The set is rebuilt from nothing but pool operations; a poisoned lock is still right.
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(id)
    }

    /// Number of pooled ids.
    pub fn len(&self) -> usize {
        self.0.read().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// Whether nothing is pooled.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, BTreeSet<EntryId>> {
        self.0.write().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The pool's side of the mirror. A clone of a pool does not mirror (only the node's own pool
/// publishes its ids), so tests may clone pools freely.
#[derive(Debug, Default)]
pub(crate) struct Mirror(Option<PooledIds>);

impl Clone for Mirror {
    fn clone(&self) -> Self {
        Mirror(None)
    }
}

impl Mirror {
    /// Starts mirroring into a new set filled with `ids`.
    pub(crate) fn start(&mut self, ids: impl Iterator<Item = EntryId>) -> PooledIds {
        let shared = PooledIds::default();
        shared.write().extend(ids);
        self.0 = Some(shared.clone());
        shared
    }

    pub(crate) fn insert(&self, id: EntryId) {
        if let Some(shared) = &self.0 {
            shared.write().insert(id);
        }
    }

    pub(crate) fn remove(&self, id: &EntryId) {
        if let Some(shared) = &self.0 {
            shared.write().remove(id);
        }
    }
}
