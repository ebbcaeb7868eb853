//! What the gateway remembers of DCSA exchanges that the ledger does not hold: issuance verdicts
//! other than ISSU (an ISSU is always read back from the ledger) and the surrender request
//! references the carrier answers to. In memory and bounded: the oldest are forgotten first, and
//! a restart forgets them (ADR 0013).

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

use ebl_ledger::hash::{DocumentId, EntryId};
use ebl_ledger::ids::OrgId;
use serde_json::Value;

/// An issuance request's outcome as last decided by this gateway.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The ISSUE entry was submitted and is not final yet.
    Pending(EntryId),
    /// A decided DCSA `IssuanceResponse` body (BREQ or REFU; ISSU is read from the ledger).
    Decided(Value),
}

/// A surrender request the holder made through this gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurrenderRequest {
    /// The document.
    pub document: DocumentId,
    /// Its issuing carrier (the only party that may answer).
    pub carrier: OrgId,
    /// The SURRENDER_FOR_* entry.
    pub entry: EntryId,
    /// Whether the carrier has answered through this gateway.
    pub answered: bool,
}

/// A bounded map that forgets its oldest keys.
#[derive(Debug)]
struct Bounded<K: Ord + Clone, V> {
    map: BTreeMap<K, V>,
    order: VecDeque<K>,
    capacity: usize,
}

impl<K: Ord + Clone, V> Bounded<K, V> {
    fn new(capacity: usize) -> Self {
        Bounded {
            map: BTreeMap::new(),
            order: VecDeque::new(),
            capacity: capacity.max(1),
        }
    }

    fn insert(&mut self, key: K, value: V) {
        if self.map.insert(key.clone(), value).is_none() {
            self.order.push_back(key);
        }
        while self.map.len() > self.capacity {
            match self.order.pop_front() {
                Some(old) => {
                    self.map.remove(&old);
                }
                None => break,
            }
        }
    }
}

/// The DCSA memory of one gateway.
#[derive(Debug)]
pub struct DcsaStore {
    verdicts: Mutex<Bounded<(OrgId, String), Verdict>>,
    surrenders: Mutex<Bounded<String, SurrenderRequest>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves a consistent map; keep serving it.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl DcsaStore {
    /// A store remembering at most `capacity` verdicts and `capacity` surrender requests.
    pub fn new(capacity: usize) -> Self {
        DcsaStore {
            verdicts: Mutex::new(Bounded::new(capacity)),
            surrenders: Mutex::new(Bounded::new(capacity)),
        }
    }

    /// Remembers the verdict on `carrier`'s request for `reference`.
    pub fn set_verdict(&self, carrier: &OrgId, reference: &str, verdict: Verdict) {
        lock(&self.verdicts).insert((carrier.clone(), reference.to_string()), verdict);
    }

    /// The remembered verdict, if any.
    pub fn verdict(&self, carrier: &OrgId, reference: &str) -> Option<Verdict> {
        lock(&self.verdicts)
            .map
            .get(&(carrier.clone(), reference.to_string()))
            .cloned()
    }

    /// Remembers a surrender request; false if the reference was already used (DCSA: never
    /// reused).
    pub fn add_surrender(&self, reference: &str, request: SurrenderRequest) -> bool {
        let mut map = lock(&self.surrenders);
        if map.map.contains_key(reference) {
            return false;
        }
        map.insert(reference.to_string(), request);
        true
    }

    /// Whether a surrender request reference is known.
    pub fn has_surrender(&self, reference: &str) -> bool {
        lock(&self.surrenders).map.contains_key(reference)
    }

    /// The surrender request with this reference.
    pub fn surrender(&self, reference: &str) -> Option<SurrenderRequest> {
        lock(&self.surrenders).map.get(reference).cloned()
    }

    /// Marks a surrender request answered.
    pub fn mark_answered(&self, reference: &str) {
        if let Some(r) = lock(&self.surrenders).map.get_mut(reference) {
            r.answered = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_verdict_is_forgotten_first() {
        let store = DcsaStore::new(2);
        let org = OrgId("CARRIER".into());
        for r in ["A", "B", "C"] {
            store.set_verdict(&org, r, Verdict::Decided(Value::Null));
        }
        assert!(store.verdict(&org, "A").is_none());
        assert!(store.verdict(&org, "B").is_some() && store.verdict(&org, "C").is_some());
    }

    #[test]
    fn a_surrender_reference_is_accepted_once() {
        let store = DcsaStore::new(4);
        let request = SurrenderRequest {
            document: DocumentId::default(),
            carrier: OrgId("CARRIER".into()),
            entry: EntryId::default(),
            answered: false,
        };
        assert!(store.add_surrender("Z1", request.clone()));
        assert!(!store.add_surrender("Z1", request));
    }
}
