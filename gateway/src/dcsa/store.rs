//! What the gateway remembers of DCSA exchanges that the ledger does not hold: issuance verdicts
//! other than ISSU (an ISSU is always read back from the ledger). Surrender requests are not
//! here: they are on the ledger with their reference (R240, ADR 0032), so any member's gateway
//! takes the carrier's answer. Bounded (the oldest are forgotten first) and, with a journal file
//! ([`DcsaStore::open`]), kept across restarts (ADR 0013).

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

use ebl_ledger::hash::EntryId;
use ebl_ledger::ids::OrgId;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::journal::{Change, Journal};

/// An issuance request's outcome as last decided by this gateway.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The ISSUE entry was submitted and is not final yet.
    Pending(EntryId),
    /// A decided DCSA `IssuanceResponse` body (BREQ or REFU; ISSU is read from the ledger).
    Decided(Value),
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
    journal: Option<Mutex<Journal>>,
    capacity: usize,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves a consistent map; keep serving it.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl DcsaStore {
    /// A store in memory remembering at most `capacity` verdicts.
    pub fn new(capacity: usize) -> Self {
        DcsaStore {
            verdicts: Mutex::new(Bounded::new(capacity)),
            journal: None,
            capacity: capacity.max(1),
        }
    }

    /// A store kept in the journal file `path` (created if missing; its changes replayed).
    pub fn open(capacity: usize, path: &std::path::Path) -> std::io::Result<Self> {
        let mut store = DcsaStore::new(capacity);
        let (journal, changes) = Journal::open(path)?;
        for change in changes {
            store.apply(change);
        }
        store.journal = Some(Mutex::new(journal));
        Ok(store)
    }

    fn apply(&self, change: Change) {
        match change {
            Change::Verdict {
                carrier,
                reference,
                verdict,
            } => lock(&self.verdicts).insert((carrier, reference), verdict),
        }
    }

    /// Journals `change` (when kept on disk), then applies it. A failed write is logged and
    /// the change still applies in memory: the DCSA exchange itself already happened on the
    /// ledger, and only its memory after a restart is at stake.
    fn record(&self, change: Change) {
        if let Some(journal) = &self.journal {
            let mut journal = lock(journal);
            if let Err(e) = journal.append(&change) {
                tracing::error!(error = %e, "could not journal a DCSA change");
            }
            self.apply(change);
            // Each key is at most two lines of current state; compact well before unbounded.
            if journal.lines() > self.capacity.saturating_mul(8) {
                let current = self.snapshot();
                if let Err(e) = journal.compact(&current) {
                    tracing::error!(error = %e, "could not compact the DCSA journal");
                }
            }
            return;
        }
        self.apply(change);
    }

    /// The current state as changes, oldest first.
    fn snapshot(&self) -> Vec<Change> {
        let verdicts = lock(&self.verdicts);
        let mut out = Vec::new();
        for key in &verdicts.order {
            if let Some(verdict) = verdicts.map.get(key) {
                out.push(Change::Verdict {
                    carrier: key.0.clone(),
                    reference: key.1.clone(),
                    verdict: verdict.clone(),
                });
            }
        }
        out
    }

    /// Remembers the verdict on `carrier`'s request for `reference`.
    pub fn set_verdict(&self, carrier: &OrgId, reference: &str, verdict: Verdict) {
        self.record(Change::Verdict {
            carrier: carrier.clone(),
            reference: reference.to_string(),
            verdict,
        });
    }

    /// The remembered verdict, if any.
    pub fn verdict(&self, carrier: &OrgId, reference: &str) -> Option<Verdict> {
        lock(&self.verdicts)
            .map
            .get(&(carrier.clone(), reference.to_string()))
            .cloned()
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
    fn verdicts_survive_a_reopen_of_the_journal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dcsa.jsonl");
        let org = OrgId("CARRIER".into());
        {
            let store = DcsaStore::open(16, &path).unwrap();
            store.set_verdict(&org, "BL1", Verdict::Decided(serde_json::json!({"a": 1})));
        }
        let store = DcsaStore::open(16, &path).unwrap();
        assert_eq!(
            store.verdict(&org, "BL1"),
            Some(Verdict::Decided(serde_json::json!({"a": 1})))
        );
        assert!(store.verdict(&org, "BL2").is_none());
    }

    #[test]
    fn a_torn_last_line_is_skipped_and_the_journal_is_compacted_when_long() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dcsa.jsonl");
        let org = OrgId("CARRIER".into());
        {
            let store = DcsaStore::open(2, &path).unwrap();
            for i in 0..40 {
                store.set_verdict(&org, &format!("BL{i}"), Verdict::Decided(Value::Null));
            }
        }
        let lines = std::fs::read_to_string(&path).unwrap().lines().count();
        assert!(lines <= 2 * 8 + 1, "{lines} lines");
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, b"{\"verdict\": {"))
            .unwrap();
        let store = DcsaStore::open(2, &path).unwrap();
        assert!(store.verdict(&org, "BL39").is_some());
        assert!(
            store.verdict(&org, "BL0").is_none(),
            "the oldest were forgotten"
        );
    }
}
