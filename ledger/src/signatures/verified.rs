//! R155: a bounded memory of signed entries that the signature rule (R3) has accepted, so that a
//! node decides each entry's signature once (at admission) instead of again when it proposes or
//! re-executes the block that carries it (ADR 0021).
//!
//! Safe because the key is the whole signed statement: the entry id (a hash of the canonical
//! unsigned entry, signer and sequence included) together with the 64 signature bytes. A hit
//! means exactly this signer, payload and signature passed R3 before, and R3 is a pure function of
//! those three, so the verdict is the same one execution would compute (DESIGN "one signature
//! predicate"). Only acceptances are remembered, and only [`verify_entry`], [`verify_entry_with`]
//! and [`verify_entries`] can produce the [`Verified`] token the memory takes, so nothing but the
//! rule can put an entry in it.

use std::collections::VecDeque;

use crate::crypto::{self, DecodedKey, PublicKey, Signature};
use crate::entry::SignedEntry;
use crate::hash::EntryId;

/// Default number of entries remembered (a few blocks' worth at the largest block size).
pub const DEFAULT_VERIFIED_CAPACITY: usize = 65_536;

/// What identifies one signed statement: entry id and signature bytes.
type Key = (EntryId, [u8; 64]);

/// Proof that one signed entry passed R3; made only by this module's `verify_*` functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified(Key);

impl Verified {
    /// The id of the entry that was verified.
    pub fn id(&self) -> EntryId {
        self.0.0
    }
}

/// R3 on `entry`'s signature; the token to remember it by on success.
pub fn verify_entry(entry: &SignedEntry) -> Option<Verified> {
    entry
        .entry()
        .signer
        .verify(entry.signing_payload(), entry.signature())
        .ok()
        .map(|()| Verified(key_of(entry)))
}

/// [`verify_entry`] with the signer's key already decoded (decompression is about a quarter of
/// a verification). `None` as well when `key` is not the entry's signer.
pub fn verify_entry_with(entry: &SignedEntry, key: &DecodedKey) -> Option<Verified> {
    if key.key() != entry.entry().signer {
        return None;
    }
    key.verify(entry.signing_payload(), entry.signature())
        .ok()
        .map(|()| Verified(key_of(entry)))
}

/// R172: [`verify_entry`] on every entry, with one batch equation: one answer per entry, in
/// order, the same answers as one by one.
pub fn verify_entries(entries: &[SignedEntry]) -> Vec<Option<Verified>> {
    crypto::verify_batch(&items(entries))
        .into_iter()
        .zip(entries)
        .map(|(verdict, entry)| verdict.ok().map(|()| Verified(key_of(entry))))
        .collect()
}

/// R172: the tokens of all `entries` if every one passes R3 (one batch equation), else `None`
/// (at least one does not; find which with [`verify_entry`]).
pub fn verify_all_entries(entries: &[SignedEntry]) -> Option<Vec<Verified>> {
    crypto::batch_verifies(&items(entries))
        .then(|| entries.iter().map(|e| Verified(key_of(e))).collect())
}

fn items(entries: &[SignedEntry]) -> Vec<(PublicKey, &[u8], Signature)> {
    entries.iter().map(SignedEntry::signature_item).collect()
}

fn key_of(entry: &SignedEntry) -> Key {
    (entry.id(), entry.signature().0)
}

/// The set behind the memory. A hash set, against this crate's rule of ordered collections
/// (ledger/clippy.toml), because it is only ever asked "is this one in?": it is never iterated,
/// so its random order cannot reach a result, and its random hash keys only decide where an
/// entry sits in memory (they also keep a signer from grinding entry ids into one bucket).
/// Ordered, the lookups of a full memory cost a validator ~4 % of its CPU under load (issue 16).
#[allow(clippy::disallowed_types)]
type KnownSet = std::collections::HashSet<Key>;

/// Bounded set of verified signed entries; the oldest are forgotten first.
#[derive(Debug, Clone)]
pub struct VerifiedEntries {
    capacity: usize,
    known: KnownSet,
    order: VecDeque<Key>,
}

impl Default for VerifiedEntries {
    fn default() -> Self {
        VerifiedEntries::new(DEFAULT_VERIFIED_CAPACITY)
    }
}

impl VerifiedEntries {
    /// An empty memory of at most `capacity` entries (at least one).
    pub fn new(capacity: usize) -> Self {
        VerifiedEntries {
            capacity: capacity.max(1),
            known: KnownSet::with_capacity(capacity.clamp(1, DEFAULT_VERIFIED_CAPACITY) + 1),
            order: VecDeque::new(),
        }
    }

    /// Whether exactly this signed entry (same id, same signature bytes) passed R3.
    pub fn contains(&self, entry: &SignedEntry) -> bool {
        self.known.contains(&key_of(entry))
    }

    /// Whether an entry with this id and signature passed R3.
    pub fn contains_key(&self, id: &EntryId, signature: &[u8; 64]) -> bool {
        self.known.contains(&(*id, *signature))
    }

    /// Remembers a verified entry, forgetting the oldest beyond the capacity.
    pub fn insert(&mut self, verified: Verified) {
        if !self.known.insert(verified.0) {
            return;
        }
        self.order.push_back(verified.0);
        while self.order.len() > self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.known.remove(&old);
            }
        }
    }

    /// The verdict for `entry`: remembered, or R3 now (remembered if accepted).
    pub fn verify(&mut self, entry: &SignedEntry) -> bool {
        if self.contains(entry) {
            return true;
        }
        match verify_entry(entry) {
            Some(v) => {
                self.insert(v);
                true
            }
            None => false,
        }
    }

    /// Number of entries remembered.
    pub fn len(&self) -> usize {
        self.known.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.known.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::TestNetwork;

    fn entries(n: u64) -> Vec<SignedEntry> {
        TestNetwork::pilot().receipts(n, &["SGSW"])
    }

    #[test]
    fn a_verified_entry_is_remembered_and_a_bad_one_is_not() {
        let list = entries(2);
        let mut memory = VerifiedEntries::new(8);
        assert!(memory.verify(&list[0]));
        assert!(memory.contains(&list[0]));
        let mut bad = list[1].clone();
        bad = bad.tampered_signature(3, 1);
        assert!(!memory.verify(&bad));
        assert!(!memory.contains(&bad));
        assert_eq!(memory.len(), 1);
    }

    #[test]
    fn the_same_entry_with_other_signature_bytes_is_not_a_hit() {
        let list = entries(1);
        let mut memory = VerifiedEntries::new(8);
        assert!(memory.verify(&list[0]));
        let mut forged = list[0].clone();
        forged = forged.tampered_signature(63, 0x40);
        assert_eq!(forged.id(), list[0].id());
        assert!(!memory.contains(&forged));
        assert!(!memory.verify(&forged));
    }

    #[test]
    fn a_decompressed_key_gives_the_same_verdict_and_only_for_its_own_entries() {
        let list = entries(1);
        let key = list[0].entry().signer.decode().unwrap();
        assert_eq!(verify_entry_with(&list[0], &key), verify_entry(&list[0]));
        let mut bad = list[0].clone();
        bad = bad.tampered_signature(5, 2);
        assert!(verify_entry_with(&bad, &key).is_none());
        let other = PublicKey::from(TestNetwork::pilot().party("BANK").key.verifying_key())
            .decode()
            .unwrap();
        assert!(verify_entry_with(&list[0], &other).is_none());
    }

    #[test]
    fn the_memory_forgets_the_oldest_beyond_its_capacity() {
        let list = entries(3);
        let mut memory = VerifiedEntries::new(2);
        for e in &list {
            assert!(memory.verify(e));
        }
        assert_eq!(memory.len(), 2);
        assert!(!memory.contains(&list[0]));
        assert!(memory.contains(&list[1]) && memory.contains(&list[2]));
    }

    #[test]
    fn only_verify_entry_makes_a_token_and_only_for_a_good_signature() {
        let list = entries(1);
        let token = verify_entry(&list[0]);
        assert_eq!(token.as_ref().map(Verified::id), Some(list[0].id()));
        let mut bad = list[0].clone();
        bad = bad.tampered_signature(0, 1);
        assert!(verify_entry(&bad).is_none());
    }
}
