//! Deciding a block's entry signatures (R3), fast: a block's signatures are checked with one
//! ZIP-215 batch equation per thread (R172), decoded keys are reused across the entries of a
//! signer, and the verdicts of a whole block can be computed on several threads before execution.
//!
//! The verdict of every entry is exactly [`PublicKey::verify`]'s: batches and threads only
//! split and share the work, so the result does not depend on how many there are.
//! [`SignatureVerdicts`] can only be made here, by verifying, and is bound to the exact entries it
//! was computed for; execution ignores verdicts for other entries and verifies those itself.

use crate::entry::SignedEntry;
use crate::hash::Hash32;

mod verified;
pub use verified::{
    DEFAULT_VERIFIED_CAPACITY, Verified, VerifiedEntries, verify_all_entries, verify_entries,
    verify_entry, verify_entry_with,
};

/// The R3 verdict of every entry of a block, bound to those entries.
#[derive(Debug, Clone)]
pub struct SignatureVerdicts {
    entries_hash: Hash32,
    valid: Vec<bool>,
}

impl SignatureVerdicts {
    /// Verifies every entry's signature, splitting the entries over `threads` threads (at least
    /// one), each checking its share with one batch equation (R172). Same verdicts for any
    /// number of threads.
    pub fn compute(entries: &[SignedEntry], threads: usize) -> Self {
        let threads = threads.clamp(1, 64);
        let chunk = entries.len().div_ceil(threads).max(1);
        let valid = if threads == 1 || entries.len() < 64 {
            verify_batch_of(entries)
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = entries
                    .chunks(chunk)
                    .map(|part| scope.spawn(move || verify_batch_of(part)))
                    .collect();
                // A panicking verifier thread counts as "not verified": execution then verifies
                // those entries itself.
                handles
                    .into_iter()
                    .zip(entries.chunks(chunk))
                    .flat_map(|(h, part)| h.join().unwrap_or_else(|_| vec![false; part.len()]))
                    .collect()
            })
        };
        SignatureVerdicts {
            entries_hash: crate::block::entries_hash(entries),
            valid,
        }
    }

    /// [`SignatureVerdicts::compute`], taking the verdict of entries that `known` remembers as
    /// verified (R155: the same R3 verdict, decided earlier) and verifying only the others.
    pub fn compute_known(entries: &[SignedEntry], threads: usize, known: &VerifiedEntries) -> Self {
        let hits: Vec<bool> = entries.iter().map(|e| known.contains(e)).collect();
        if !hits.contains(&false) {
            return SignatureVerdicts {
                entries_hash: crate::block::entries_hash(entries),
                valid: hits,
            };
        }
        let rest: Vec<SignedEntry> = entries
            .iter()
            .zip(&hits)
            .filter(|(_, hit)| !**hit)
            .map(|(e, _)| e.clone())
            .collect();
        let mut computed = SignatureVerdicts::compute(&rest, threads).valid.into_iter();
        let valid = hits
            .into_iter()
            .map(|hit| hit || computed.next().unwrap_or(false))
            .collect();
        SignatureVerdicts {
            entries_hash: crate::block::entries_hash(entries),
            valid,
        }
    }

    /// The verdicts, if they were computed for exactly `entries`.
    #[cfg(test)]
    pub(crate) fn for_entries(&self, entries: &[SignedEntry]) -> Option<&[bool]> {
        self.for_entries_hashed(entries.len(), &crate::block::entries_hash(entries))
    }

    /// The verdicts, if they were computed for `count` entries with this entries hash (the
    /// caller hashed them already).
    pub(crate) fn for_entries_hashed(
        &self,
        count: usize,
        entries_hash: &Hash32,
    ) -> Option<&[bool]> {
        (self.valid.len() == count && self.entries_hash == *entries_hash)
            .then_some(self.valid.as_slice())
    }
}

/// R172: the R3 verdict of each entry, with one batch equation over all of them.
fn verify_batch_of(entries: &[SignedEntry]) -> Vec<bool> {
    verify_entries(entries)
        .into_iter()
        .map(|token| token.is_some())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::TestNetwork;

    fn entries(n: u64) -> Vec<SignedEntry> {
        TestNetwork::pilot().receipts(n, &["SGSW", "BANK"])
    }

    #[test]
    fn verdicts_are_the_same_on_one_or_many_threads() {
        let mut list = entries(130);
        list[7] = list[7].tampered_signature(0, 1);
        list[99] = list[99].tampered_signature(63, 0x10);
        let one = SignatureVerdicts::compute(&list, 1);
        let four = SignatureVerdicts::compute(&list, 4);
        assert_eq!(one.valid, four.valid);
        let bad: Vec<usize> = one
            .valid
            .iter()
            .enumerate()
            .filter(|(_, v)| !**v)
            .map(|(i, _)| i)
            .collect();
        assert_eq!(bad, vec![7, 99]);
    }

    #[test]
    fn verdicts_do_not_apply_to_other_entries() {
        let list = entries(3);
        let verdicts = SignatureVerdicts::compute(&list, 2);
        assert!(verdicts.for_entries(&list).is_some());
        assert!(verdicts.for_entries(&list[..2]).is_none());
        let mut other = list;
        other[1] = other[1].tampered_signature(0, 1);
        assert!(verdicts.for_entries(&other).is_none());
    }

    #[test]
    fn known_entries_keep_their_verdict_and_the_others_are_verified() {
        let mut list = entries(100);
        list[5] = list[5].tampered_signature(1, 1);
        let mut known = VerifiedEntries::new(1_000);
        for e in list.iter().take(50) {
            known.verify(e);
        }
        let mixed = SignatureVerdicts::compute_known(&list, 2, &known);
        let strict = SignatureVerdicts::compute(&list, 1);
        assert_eq!(mixed.valid, strict.valid);
        assert!(!mixed.valid[5]);
        assert!(mixed.for_entries(&list).is_some());
    }
}
