//! What the gateway bridge remembers of entries the ledger cannot answer for yet — pending
//! and refused ids, bounded — and who waits for an entry to be decided (R470).
//!
//! The app loop is the one source of an entry's fate: it sends one notification per decided
//! (or evicted) id when it commits a block, and the bridge's follower hands each to the
//! waiters of that id. A waiter therefore reads the store once when it registers and once
//! more only if its entry failed; it does not re-read the store at every block.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use ebl_ledger::hash::EntryId;
use tokio::sync::oneshot;

use crate::mempool::Status;

/// Entries remembered as pending or refused, at most.
pub const REMEMBERED: usize = 100_000;

/// R470: clients waiting for a decision at once, at most; a waiter beyond it falls back to
/// re-reading the store at each block.
pub const MAX_WAITERS: usize = 50_000;

/// What wakes a waiter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wake {
    /// The entry was applied in the block at this height (final).
    Final(u64),
    /// Some other fate was told (failed in a block, refused, evicted), or notifications were
    /// missed: read the status again.
    Recheck,
}

/// Pending and refused entries this node has seen, bounded (oldest forgotten first), and the
/// waiters of undecided entries.
#[derive(Debug, Default)]
pub struct Fates {
    /// Admitted by this node's pool, not yet decided.
    pub pending: BTreeSet<EntryId>,
    /// Refused or evicted without a block deciding them, with their code.
    pub refused: BTreeMap<EntryId, String>,
    order: VecDeque<EntryId>,
    waiters: HashMap<EntryId, Vec<oneshot::Sender<Wake>>>,
    waiting: usize,
}

impl Fates {
    /// Remembers `id` in the bounded order (the oldest remembered id is forgotten).
    pub fn remember(&mut self, id: EntryId) {
        self.order.push_back(id);
        while self.order.len() > REMEMBERED {
            if let Some(old) = self.order.pop_front() {
                self.pending.remove(&old);
                self.refused.remove(&old);
            }
        }
    }

    /// R470: a waiter for `id`; `None` when [`MAX_WAITERS`] wait already.
    pub fn wait_for(&mut self, id: EntryId) -> Option<oneshot::Receiver<Wake>> {
        if self.waiting >= MAX_WAITERS {
            self.forget_gone_waiters();
            if self.waiting >= MAX_WAITERS {
                return None;
            }
        }
        let (tx, rx) = oneshot::channel();
        self.waiters.entry(id).or_default().push(tx);
        self.waiting += 1;
        Some(rx)
    }

    /// Drops the waiters of `id` whose client went away (timed out or disconnected).
    pub fn stop_waiting(&mut self, id: &EntryId) {
        if let Some(list) = self.waiters.get_mut(id) {
            let before = list.len();
            list.retain(|tx| !tx.is_closed());
            self.waiting -= before - list.len();
            if list.is_empty() {
                self.waiters.remove(id);
            }
        }
    }

    fn forget_gone_waiters(&mut self) {
        let ids: Vec<EntryId> = self.waiters.keys().copied().collect();
        for id in ids {
            self.stop_waiting(&id);
        }
    }

    /// Takes the app loop's notification of `id`'s fate: no longer pending; a refusal without
    /// a deciding block is remembered with its code; the waiters of `id` wake.
    pub fn told(&mut self, id: EntryId, status: &Status) {
        self.pending.remove(&id);
        // Evicted, or rejected without a block deciding it (R182, R187): remembered, bounded.
        // A decided entry reads from its block first.
        let code = match status {
            Status::Evicted { code } => Some((*code).to_string()),
            Status::Rejected { code, .. } => Some(code.clone()),
            Status::Final { .. } => None,
        };
        if let Some(code) = code {
            self.refused.insert(id, code);
            self.remember(id);
        }
        let wake = match status {
            Status::Final { height } => Wake::Final(*height),
            _ => Wake::Recheck,
        };
        if let Some(list) = self.waiters.remove(&id) {
            self.waiting -= list.len();
            for tx in list {
                let _ = tx.send(wake.clone());
            }
        }
    }

    /// Notifications were missed (the follower lagged): every waiter reads its status again.
    pub fn wake_all(&mut self) {
        for (_, list) in self.waiters.drain() {
            for tx in list {
                let _ = tx.send(Wake::Recheck);
            }
        }
        self.waiting = 0;
    }

    /// How many clients wait.
    pub fn waiting(&self) -> usize {
        self.waiting
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ebl_ledger::hash::Hash32;

    fn id(n: u8) -> EntryId {
        Hash32([n; 32])
    }

    #[test]
    fn a_final_notification_wakes_every_waiter_of_that_id_only() {
        let mut f = Fates::default();
        let mut a = f.wait_for(id(1)).unwrap();
        let mut b = f.wait_for(id(1)).unwrap();
        let mut other = f.wait_for(id(2)).unwrap();
        f.told(id(1), &Status::Final { height: 7 });
        assert_eq!(a.try_recv().unwrap(), Wake::Final(7));
        assert_eq!(b.try_recv().unwrap(), Wake::Final(7));
        assert!(other.try_recv().is_err(), "another id's waiter sleeps on");
        assert_eq!(f.waiting(), 1);
    }

    #[test]
    fn a_refusal_wakes_its_waiters_to_read_again_and_is_remembered() {
        let mut f = Fates::default();
        f.pending.insert(id(3));
        let mut w = f.wait_for(id(3)).unwrap();
        let status = Status::Rejected {
            height: 4,
            code: "REPLAY".into(),
        };
        f.told(id(3), &status);
        assert_eq!(w.try_recv().unwrap(), Wake::Recheck);
        assert!(!f.pending.contains(&id(3)));
        assert_eq!(f.refused.get(&id(3)).map(String::as_str), Some("REPLAY"));
    }

    #[test]
    fn waiters_are_bounded_and_gone_clients_free_their_places() {
        let mut f = Fates::default();
        let mut held = Vec::new();
        for i in 0..MAX_WAITERS {
            let n = u32::try_from(i).unwrap().to_be_bytes();
            let mut bytes = [0u8; 32];
            bytes[..4].copy_from_slice(&n);
            held.push(f.wait_for(Hash32(bytes)).unwrap());
        }
        assert!(
            f.wait_for(id(9)).is_none(),
            "one more than the bound is refused"
        );
        held.truncate(10);
        assert!(
            f.wait_for(id(9)).is_some(),
            "clients that left free their places"
        );
        assert_eq!(f.waiting(), 11);
    }

    #[test]
    fn a_lag_wakes_everyone_to_read_again() {
        let mut f = Fates::default();
        let mut w = f.wait_for(id(5)).unwrap();
        f.wake_all();
        assert_eq!(w.try_recv().unwrap(), Wake::Recheck);
        assert_eq!(f.waiting(), 0);
    }

    #[test]
    fn the_remembered_ids_are_bounded_oldest_first() {
        let mut f = Fates::default();
        f.refused.insert(id(1), "X".into());
        f.remember(id(1));
        for _ in 0..REMEMBERED {
            f.remember(id(2));
        }
        assert!(!f.refused.contains_key(&id(1)));
    }
}
