//! What the gateway remembers of DCSA exchanges that the ledger does not hold: issuance verdicts
//! other than ISSU (an ISSU is always read back from the ledger), and the parts of splits being
//! gathered (R344, [`super::split`]). Surrender requests are not
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
use super::split::{GatherError, Gathering, Gatherings, PartAdded};

/// An issuance request's outcome as last decided by this gateway.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The ISSUE entry was submitted and is not final yet.
    Pending(EntryId),
    /// A decided DCSA `IssuanceResponse` body (BREQ or REFU; ISSU is read from the ledger).
    Decided(Value),
    /// R344: a part of a split, kept until the other parts arrive.
    Gathering,
}

/// What became of a gathered split part.
#[derive(Debug, Clone, PartialEq)]
pub enum Gathered {
    /// Other parts are still missing.
    Waiting,
    /// The last part arrived: every part, to sign as one SPLIT.
    Complete(Gathering),
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
    splits: Mutex<Gatherings>,
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
            splits: Mutex::new(Gatherings::default()),
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
            Change::SplitPart(added) => lock(&self.splits).add(*added),
            Change::SplitClosed { carrier, old } => {
                lock(&self.splits).take(&carrier, &old);
            }
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
            self.compact_if_long(&mut journal);
            return;
        }
        self.apply(change);
    }

    fn compact_if_long(&self, journal: &mut Journal) {
        // Each key is at most two lines of current state; compact well before unbounded, in
        // lines and in bytes (a split part's line holds its whole request).
        if journal.lines() > self.capacity.saturating_mul(8) || journal.too_large() {
            let current = self.snapshot();
            if let Err(e) = journal.compact(&current) {
                tracing::error!(error = %e, "could not compact the DCSA journal");
            }
        }
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
        drop(verdicts);
        for gathering in lock(&self.splits).all() {
            let parts = gathering.as_changes().into_iter();
            out.extend(parts.map(|p| Change::SplitPart(Box::new(p))));
        }
        out
    }

    /// R344–R346: gathers a checked split part at `now` (Unix seconds). Returns what became of
    /// it and the gatherings that expired meanwhile (their parts never signed). The journal
    /// lock is held across the decision so that its lines follow the order of the changes.
    pub fn gather_split(
        &self,
        added: PartAdded,
        now: u64,
    ) -> (Result<Gathered, GatherError>, Vec<Gathering>) {
        let mut journal = self.journal.as_ref().map(lock);
        let mut changes = Vec::new();
        let result = {
            let mut splits = lock(&self.splits);
            let expired = splits.take_expired(now);
            for g in &expired {
                changes.push(Change::SplitClosed {
                    carrier: g.carrier.clone(),
                    old: g.old,
                });
            }
            let outcome = splits.check(&added).map(|()| {
                let (carrier, old) = (added.carrier.clone(), added.old);
                let reference = added.part.reference.clone();
                changes.push(Change::SplitPart(Box::new(added.clone())));
                splits.add(added);
                match splits.get(&carrier, &old).filter(|g| g.complete()) {
                    None => {
                        // Under the same locks as the gathering, so that the SPLIT of a
                        // concurrent last part can never be overwritten by this verdict.
                        let verdict = Change::Verdict {
                            carrier,
                            reference,
                            verdict: Verdict::Gathering,
                        };
                        self.apply(verdict.clone());
                        changes.push(verdict);
                        Gathered::Waiting
                    }
                    Some(_) => {
                        changes.push(Change::SplitClosed {
                            carrier: carrier.clone(),
                            old,
                        });
                        splits
                            .take(&carrier, &old)
                            .map_or(Gathered::Waiting, Gathered::Complete)
                    }
                }
            });
            (outcome, expired)
        };
        if let Some(journal) = journal.as_mut() {
            for change in &changes {
                if let Err(e) = journal.append(change) {
                    tracing::error!(error = %e, "could not journal a DCSA change");
                }
            }
            self.compact_if_long(journal);
        }
        result
    }

    /// Puts back a complete split whose SPLIT could not be signed (custody or node failure), so
    /// that a part sent again completes it.
    pub fn restore_split(&self, gathering: &Gathering) {
        for part in gathering.as_changes() {
            self.record(Change::SplitPart(Box::new(part)));
        }
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

    fn part(reference: &str, started: u64) -> PartAdded {
        use ebl_ledger::ebl::{EblIssue, EblType};
        use ebl_ledger::hash::Hash32;
        let org = |s: &str| OrgId::new(s).unwrap();
        PartAdded {
            carrier: org("CARRIER"),
            old: Hash32::sha256(b"old"),
            parts: vec!["P1".into(), "P2".into()],
            started,
            part: super::super::split::SplitPart {
                reference: reference.into(),
                issue: EblIssue {
                    document: Hash32::sha256(reference.as_bytes()),
                    reference: reference.into(),
                    kind: EblType::ToOrderBl,
                    issue_to: org("SHIPPER"),
                    consignee: None,
                },
                request: serde_json::json!({"document": reference}),
            },
        }
    }

    #[test]
    fn a_split_part_and_its_waiting_verdict_survive_a_reopen_and_the_last_part_completes_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dcsa.jsonl");
        let org = OrgId("CARRIER".into());
        {
            let store = DcsaStore::open(16, &path).unwrap();
            let (outcome, expired) = store.gather_split(part("P1", 10), 10);
            assert_eq!(outcome, Ok(Gathered::Waiting));
            assert!(expired.is_empty());
        }
        let store = DcsaStore::open(16, &path).unwrap();
        assert_eq!(store.verdict(&org, "P1"), Some(Verdict::Gathering));
        let (outcome, _) = store.gather_split(part("P2", 20), 20);
        let Ok(Gathered::Complete(gathering)) = outcome else {
            panic!("not complete: {outcome:?}");
        };
        let order: Vec<_> = gathering
            .in_order()
            .into_iter()
            .map(|p| p.reference)
            .collect();
        assert_eq!(order, ["P1", "P2"]);
        drop(store);
        // Closed in the journal too: a reopened store gathers afresh.
        let store = DcsaStore::open(16, &path).unwrap();
        let (outcome, _) = store.gather_split(part("P2", 30), 30);
        assert_eq!(outcome, Ok(Gathered::Waiting));
    }

    #[test]
    fn an_expired_split_is_handed_back_once_and_forgotten() {
        let store = DcsaStore::new(16);
        let limit = super::super::split::MAX_GATHER_AGE_SECS;
        let _ = store.gather_split(part("P1", 0), 0);
        let (outcome, expired) = store.gather_split(part("P2", limit + 1), limit + 1);
        assert_eq!(expired.len(), 1, "the old gathering expired");
        assert_eq!(outcome, Ok(Gathered::Waiting), "P2 starts a new gathering");
        let (_, expired) = store.gather_split(part("P2", limit + 2), limit + 2);
        assert!(expired.is_empty());
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
