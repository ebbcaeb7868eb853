//! The parts of a DCSA split gathered until the last arrives (R344–R347, ADR 0038). DCSA ISS
//! sends each part of a split as its own issuance request; the ledger's SPLIT replaces the old
//! document by all parts at once. This map only gathers: each part was checked like an ISSUE
//! before it is kept, and the ledger decides the SPLIT. Bounded in gatherings, bytes and age.

use std::collections::BTreeMap;

use ebl_ledger::ebl::EblIssue;
use ebl_ledger::hash::DocumentId;
use ebl_ledger::ids::OrgId;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// R346: most splits gathering at once (over all carriers).
pub const MAX_GATHERINGS: usize = 64;
/// R346: most bytes of kept requests (JSON) over all gatherings.
pub const MAX_GATHERED_BYTES: usize = 32 * 1024 * 1024;
/// R346: a split whose parts have not all arrived this long after its first is dropped.
pub const MAX_GATHER_AGE_SECS: u64 = 24 * 60 * 60;

/// One checked part: its reference, the issuance the ledger will see and the carrier's
/// request (its document, manifest and visualisation, stored after the SPLIT).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SplitPart {
    /// transportDocumentReference of the part.
    pub reference: String,
    /// The part as the SPLIT's replacement.
    pub issue: EblIssue,
    /// The ISS request of the part.
    pub request: Value,
}

impl SplitPart {
    fn bytes(&self) -> usize {
        serde_json::to_vec(&self.request).map_or(0, |v| v.len())
    }
}

/// A part added to the split of `old` (also the journal line that records it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartAdded {
    /// The issuing carrier.
    pub carrier: OrgId,
    /// The document split.
    pub old: DocumentId,
    /// `newTransportDocumentReferences`, in order.
    pub parts: Vec<String>,
    /// Unix seconds when the gathering began (of its first part).
    pub started: u64,
    /// The part.
    pub part: SplitPart,
}

/// A split being gathered.
#[derive(Debug, Clone, PartialEq)]
pub struct Gathering {
    /// The issuing carrier.
    pub carrier: OrgId,
    /// The document split.
    pub old: DocumentId,
    /// Every part's reference, in the order of `newTransportDocumentReferences`.
    pub parts: Vec<String>,
    /// Unix seconds of its first part.
    pub started: u64,
    /// Parts received so far, by reference.
    pub received: BTreeMap<String, SplitPart>,
}

impl Gathering {
    /// Whether every listed part has arrived.
    pub fn complete(&self) -> bool {
        self.parts.iter().all(|r| self.received.contains_key(r))
    }

    /// The received parts in list order.
    pub fn in_order(&self) -> Vec<SplitPart> {
        self.parts
            .iter()
            .filter_map(|r| self.received.get(r).cloned())
            .collect()
    }

    fn bytes(&self) -> usize {
        self.received.values().map(SplitPart::bytes).sum()
    }

    /// The journal lines that rebuild it.
    pub fn as_changes(&self) -> Vec<PartAdded> {
        self.in_order()
            .into_iter()
            .map(|part| PartAdded {
                carrier: self.carrier.clone(),
                old: self.old,
                parts: self.parts.clone(),
                started: self.started,
                part,
            })
            .collect()
    }
}

/// Why a part is not gathered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatherError {
    /// R345: a split of the same document is gathering with another list of parts.
    #[error(
        "a split of this document into {0} is already gathering; its list of parts cannot change"
    )]
    ListChanged(String),
    /// R346: the bounds are reached.
    #[error("too many splits are gathering at this gateway; send this part again later")]
    Full,
}

impl GatherError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            GatherError::ListChanged(_) => "SPLIT_LIST_CHANGED",
            GatherError::Full => "SPLIT_GATHERING_FULL",
        }
    }
}

/// Every split gathering at this gateway.
#[derive(Debug, Default)]
pub struct Gatherings {
    map: BTreeMap<(OrgId, DocumentId), Gathering>,
}

impl Gatherings {
    /// R345–R346: whether `added` may be gathered (nothing changes).
    pub fn check(&self, added: &PartAdded) -> Result<(), GatherError> {
        let existing = self.map.get(&(added.carrier.clone(), added.old));
        if let Some(g) = existing
            && g.parts != added.parts
        {
            return Err(GatherError::ListChanged(g.parts.join(", ")));
        }
        if existing.is_none() && self.map.len() >= MAX_GATHERINGS {
            return Err(GatherError::Full);
        }
        let replaced = existing
            .and_then(|g| g.received.get(&added.part.reference))
            .map_or(0, SplitPart::bytes);
        let total: usize = self.map.values().map(Gathering::bytes).sum();
        if total - replaced + added.part.bytes() > MAX_GATHERED_BYTES {
            return Err(GatherError::Full);
        }
        Ok(())
    }

    /// Adds (or, sent again, replaces) the part; the first part starts the gathering.
    pub fn add(&mut self, added: PartAdded) {
        let gathering = self
            .map
            .entry((added.carrier.clone(), added.old))
            .or_insert_with(|| Gathering {
                carrier: added.carrier,
                old: added.old,
                parts: added.parts,
                started: added.started,
                received: BTreeMap::new(),
            });
        gathering
            .received
            .insert(added.part.reference.clone(), added.part);
    }

    /// The gathering of `carrier`'s split of `old`, if any.
    pub fn get(&self, carrier: &OrgId, old: &DocumentId) -> Option<&Gathering> {
        self.map.get(&(carrier.clone(), *old))
    }

    /// Removes and returns the gathering.
    pub fn take(&mut self, carrier: &OrgId, old: &DocumentId) -> Option<Gathering> {
        self.map.remove(&(carrier.clone(), *old))
    }

    /// R346: removes and returns the gatherings started more than the age limit before `now`.
    pub fn take_expired(&mut self, now: u64) -> Vec<Gathering> {
        let old: Vec<_> = self
            .map
            .iter()
            .filter(|(_, g)| now.saturating_sub(g.started) > MAX_GATHER_AGE_SECS)
            .map(|(k, _)| k.clone())
            .collect();
        old.into_iter()
            .filter_map(|k| self.map.remove(&k))
            .collect()
    }

    /// Every gathering, in key order.
    pub fn all(&self) -> impl Iterator<Item = &Gathering> {
        self.map.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ebl_ledger::ebl::EblType;
    use ebl_ledger::hash::Hash32;

    fn org(s: &str) -> OrgId {
        OrgId::new(s).unwrap()
    }

    fn added(reference: &str, parts: &[&str], started: u64, pad: usize) -> PartAdded {
        PartAdded {
            carrier: org("CARRIER"),
            old: Hash32::sha256(b"old"),
            parts: parts.iter().map(|s| s.to_string()).collect(),
            started,
            part: SplitPart {
                reference: reference.into(),
                issue: EblIssue {
                    document: Hash32::sha256(reference.as_bytes()),
                    reference: reference.into(),
                    kind: EblType::StraightBl,
                    issue_to: org("SHIPPER"),
                    consignee: Some(org("CONSIGNEE")),
                },
                request: Value::String("x".repeat(pad)),
            },
        }
    }

    #[test]
    fn a_split_is_complete_when_every_listed_part_arrived_and_keeps_the_list_order() {
        let mut g = Gatherings::default();
        g.add(added("B", &["A", "B"], 0, 1));
        let old = Hash32::sha256(b"old");
        assert!(!g.get(&org("CARRIER"), &old).unwrap().complete());
        g.add(added("A", &["A", "B"], 0, 1));
        let done = g.take(&org("CARRIER"), &old).unwrap();
        assert!(done.complete());
        let order: Vec<_> = done.in_order().into_iter().map(|p| p.reference).collect();
        assert_eq!(order, ["A", "B"]);
    }

    #[test]
    fn a_changed_list_is_refused_and_the_same_list_accepted() {
        let mut g = Gatherings::default();
        g.add(added("A", &["A", "B"], 0, 1));
        let changed = added("B", &["A", "B", "C"], 0, 1);
        assert_eq!(g.check(&changed).unwrap_err().code(), "SPLIT_LIST_CHANGED");
        assert!(g.check(&added("B", &["A", "B"], 0, 1)).is_ok());
    }

    #[test]
    fn gatherings_are_bounded_in_count_and_bytes() {
        let mut g = Gatherings::default();
        for i in 0..MAX_GATHERINGS {
            let mut a = added("A", &["A", "B"], 0, 1);
            a.old = Hash32::sha256(&i.to_le_bytes());
            assert!(g.check(&a).is_ok());
            g.add(a);
        }
        let mut one_more = added("A", &["A", "B"], 0, 1);
        one_more.old = Hash32::sha256(b"another");
        assert_eq!(g.check(&one_more), Err(GatherError::Full));
        let mut g = Gatherings::default();
        let big = added("A", &["A", "B"], 0, MAX_GATHERED_BYTES);
        assert_eq!(g.check(&big), Err(GatherError::Full));
        g.add(added("A", &["A", "B"], 0, MAX_GATHERED_BYTES - 100));
        // Sending the same part again replaces it: its own bytes do not count twice.
        assert!(
            g.check(&added("A", &["A", "B"], 0, MAX_GATHERED_BYTES - 100))
                .is_ok()
        );
    }

    #[test]
    fn only_gatherings_older_than_the_age_limit_expire() {
        let mut g = Gatherings::default();
        g.add(added("A", &["A", "B"], 100, 1));
        assert!(g.take_expired(100 + MAX_GATHER_AGE_SECS).is_empty());
        let expired = g.take_expired(101 + MAX_GATHER_AGE_SECS);
        assert_eq!(expired.len(), 1);
        assert_eq!(g.all().count(), 0);
    }
}
