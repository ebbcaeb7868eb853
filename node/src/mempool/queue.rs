//! Per-signer queues ordered by sequence number, and a per-call cache of the ledger's view.

use std::collections::BTreeMap;

use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::SignedEntry;
use ebl_ledger::hash::EntryId;

use super::types::SequenceView;

/// A pooled entry with what the pool needs to know about it.
#[derive(Debug, Clone)]
pub(crate) struct Pooled {
    pub(crate) entry: SignedEntry,
    pub(crate) id: EntryId,
    /// Length of the canonical encoding, counted against `max_bytes`.
    pub(crate) size: usize,
    /// Admission counter value: the pool's deterministic notion of "earlier" (no clock).
    pub(crate) arrival: u64,
}

/// One signer's pooled entries, by sequence number.
#[derive(Debug, Clone, Default)]
pub(crate) struct SignerQueue {
    pub(crate) entries: BTreeMap<u64, Pooled>,
}

impl SignerQueue {
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The consecutive entries starting at `next`: what can execute now, in order.
    pub(crate) fn ready_run(&self, next: u64, limit: usize) -> Vec<&Pooled> {
        let mut run = Vec::new();
        let mut expected = next;
        for (seq, pooled) in self.entries.range(next..) {
            if *seq != expected || run.len() >= limit {
                break;
            }
            run.push(pooled);
            match expected.checked_add(1) {
                Some(n) => expected = n,
                None => break,
            }
        }
        run
    }
}

/// Reads each signer's next sequence at most once per call: the view does not change during a
/// call, and the node's view may read storage.
#[derive(Debug)]
pub(crate) struct NextCache<'v, V> {
    view: &'v V,
    seen: BTreeMap<PublicKey, u64>,
}

impl<'v, V: SequenceView> NextCache<'v, V> {
    pub(crate) fn new(view: &'v V) -> Self {
        NextCache {
            view,
            seen: BTreeMap::new(),
        }
    }

    pub(crate) fn get(&mut self, key: &PublicKey) -> u64 {
        *self
            .seen
            .entry(*key)
            .or_insert_with(|| self.view.next_sequence(key))
    }
}
