//! R106: which entries leave when the pool is full.
//!
//! Only the highest-sequence entry ("tail") of a signer is ever evicted, so a signer's queue
//! never gets a hole that would strand the entries above it. Among all tails (the new entry
//! counted in its signer's queue) the victim is the first by:
//!
//! 1. not the signer's next executable entry (sequence = ledger's next) before one that is;
//! 2. the signer with the most queued entries first;
//! 3. the latest admitted first (the new entry counts as the latest of all).
//!
//! Victims are chosen one at a time until the new entry fits. If the new entry is ever the
//! victim, nothing is evicted and it is refused with `MEMPOOL_FULL`. Cost: one pass over the
//! signers per victim (a consortium has hundreds of signers, not millions).

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::ops::Bound;

use ebl_ledger::crypto::PublicKey;

use super::Mempool;
use super::queue::{NextCache, SignerQueue};
use super::types::SequenceView;

/// A candidate victim: `None` sequence is the new entry.
#[derive(Debug, Clone, Copy)]
struct Tail {
    signer: PublicKey,
    seq: Option<u64>,
    size: usize,
    /// (is next executable, longer queue first, later arrival first): the smallest goes.
    rank: (bool, Reverse<usize>, Reverse<u64>),
}

impl Mempool {
    /// The (signer, sequence) of the pooled entries to evict so that an entry of `size` bytes
    /// from `signer` at `seq` fits, or `None` if it would be evicted itself.
    pub(super) fn plan_eviction<V: SequenceView>(
        &self,
        signer: &PublicKey,
        seq: u64,
        size: usize,
        next: &mut NextCache<'_, V>,
    ) -> Option<Vec<(PublicKey, u64)>> {
        let mut excess_entries = (self.len() + 1).saturating_sub(self.config.max_entries);
        let mut excess_bytes = (self.bytes + size).saturating_sub(self.config.max_bytes);
        let mut removed: BTreeMap<PublicKey, usize> = BTreeMap::new();
        let mut victims = Vec::new();
        while excess_entries > 0 || excess_bytes > 0 {
            // The new entry's own candidate when its signer has no queue yet.
            let mut best: Option<Tail> = (!self.queues.contains_key(signer))
                .then(|| self.new_tail(signer, seq, size, 1, next));
            for (key, queue) in &self.queues {
                let gone = removed.get(key).copied().unwrap_or(0);
                let extra = (key == signer).then_some((seq, size));
                if let Some(tail) = self.tail(key, queue, extra, gone, next)
                    && best.is_none_or(|b| tail.rank < b.rank)
                {
                    best = Some(tail);
                }
            }
            let victim = best?;
            let victim_seq = victim.seq?;
            *removed.entry(victim.signer).or_insert(0) += 1;
            victims.push((victim.signer, victim_seq));
            excess_entries = excess_entries.saturating_sub(1);
            excess_bytes = excess_bytes.saturating_sub(victim.size);
        }
        Some(victims)
    }

    /// The tail of `queue` after its `gone` highest entries are removed, with the new entry at
    /// `extra` counted in it (for its own signer).
    fn tail<V: SequenceView>(
        &self,
        key: &PublicKey,
        queue: &SignerQueue,
        extra: Option<(u64, usize)>,
        gone: usize,
        next: &mut NextCache<'_, V>,
    ) -> Option<Tail> {
        let len = (queue.len() + usize::from(extra.is_some())).checked_sub(gone)?;
        if len == 0 {
            return None;
        }
        // Position of the new entry among the queue's entries, counted from the top.
        let skip = match extra {
            Some((seq, size)) => {
                let above = queue
                    .entries
                    .range((Bound::Excluded(seq), Bound::Unbounded))
                    .count();
                // Once every entry above the new one is gone, the new one is the tail (and if
                // it is ever chosen, planning stops there: no count goes beyond `above`).
                if gone >= above {
                    return Some(self.new_tail(key, seq, size, len, next));
                }
                gone
            }
            None => gone,
        };
        let pooled = queue.entries.values().rev().nth(skip)?;
        let seq = pooled.entry.entry().sequence;
        let executable = seq == next.get(key);
        Some(Tail {
            signer: *key,
            seq: Some(seq),
            size: pooled.size,
            rank: (executable, Reverse(len), Reverse(pooled.arrival)),
        })
    }

    /// The new entry as a candidate: the latest arrival of all.
    fn new_tail<V: SequenceView>(
        &self,
        signer: &PublicKey,
        seq: u64,
        size: usize,
        len: usize,
        next: &mut NextCache<'_, V>,
    ) -> Tail {
        Tail {
            signer: *signer,
            seq: None,
            size,
            rank: (
                seq == next.get(signer),
                Reverse(len),
                Reverse(self.arrivals),
            ),
        }
    }
}
