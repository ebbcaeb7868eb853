//! Admission: envelope (R101) → signatures in a batch (R102, R172) → dedup (R103) → sequence window
//! (R104) → slot conflict (R105) → bounds and eviction (R100, R106).

use ebl_ledger::RuleError;
use ebl_ledger::crypto::{self, PublicKey, Signature};
use ebl_ledger::entry::SignedEntry;
use ebl_ledger::hash::EntryId;
use ebl_ledger::signatures::VerifiedEntries;

use super::Mempool;
use super::queue::NextCache;
use super::types::{Admission, MEMPOOL_FULL, SEQUENCE_CONFLICT, SequenceView, SignatureCheck};

impl Mempool {
    /// Offers a batch of entries; returns one [`Admission`] per entry, in the order offered.
    ///
    /// Entries of one batch are judged in order against the pool as changed by the earlier ones,
    /// so a batch behaves exactly like the same entries offered one by one, only with one batch
    /// signature check instead of one check per entry. Pooled entries evicted to make room are
    /// reported by [`Mempool::take_evicted`].
    pub fn admit(&mut self, batch: Vec<SignedEntry>, view: &impl SequenceView) -> Vec<Admission> {
        self.admit_known(batch, view, None)
    }

    /// [`Mempool::admit`], taking as good the signatures of entries that `known` remembers as
    /// accepted by R3 (R155): the node's handle verifies them before they reach the pool, off
    /// the consensus task.
    pub fn admit_known(
        &mut self,
        batch: Vec<SignedEntry>,
        view: &impl SequenceView,
        known: Option<&VerifiedEntries>,
    ) -> Vec<Admission> {
        let ids: Vec<EntryId> = batch.iter().map(SignedEntry::id).collect();
        // R101 and the R103 shortcut: a pooled id is a duplicate whatever its signature, so its
        // signature is not even checked.
        let mut verdicts: Vec<Option<Admission>> = batch
            .iter()
            .zip(&ids)
            .map(|(signed, id)| {
                if self.index.contains_key(id) {
                    Some(Admission::Duplicate { id: *id })
                } else {
                    signed
                        .check_envelope(&self.chain)
                        .err()
                        .map(|e| Admission::Rejected {
                            id: *id,
                            code: e.code(),
                        })
                }
            })
            .collect();

        // R102: signatures of everything still undecided, in one batch.
        let pending: Vec<usize> = (0..batch.len())
            .filter(|i| verdicts.get(*i).is_some_and(Option::is_none))
            .filter(|i| {
                // The ids are computed already: the memory is asked by id, not made to hash
                // each entry again.
                let remembered = |k: &VerifiedEntries| match (batch.get(*i), ids.get(*i)) {
                    (Some(entry), Some(id)) => k.contains_key(id, &entry.signature().0),
                    _ => false,
                };
                !known.is_some_and(remembered)
            })
            .collect();
        self.signature_checks = self
            .signature_checks
            .saturating_add(u64::try_from(pending.len()).unwrap_or(u64::MAX));
        let failures = self.check_signatures(&batch, &pending);
        for (i, failure) in pending.iter().zip(failures) {
            if let (Some(code), Some(slot), Some(id)) = (failure, verdicts.get_mut(*i), ids.get(*i))
            {
                *slot = Some(Admission::Rejected { id: *id, code });
            }
        }

        let mut next = NextCache::new(view);
        batch
            .into_iter()
            .zip(ids)
            .zip(verdicts)
            .map(|((signed, id), verdict)| match verdict {
                Some(decided) => decided,
                None => self.place(signed, id, &mut next),
            })
            .collect()
    }

    /// R102: the code of each entry of `pending` whose signature fails (`None` when it is good).
    fn check_signatures(
        &self,
        batch: &[SignedEntry],
        pending: &[usize],
    ) -> Vec<Option<&'static str>> {
        let items: Vec<(PublicKey, &[u8], Signature)> = pending
            .iter()
            .filter_map(|i| batch.get(*i))
            .map(SignedEntry::signature_item)
            .collect();
        // R102, R172: both strategies give exactly the R3 verdict of each entry.
        let verdicts = match self.config.signature_check {
            SignatureCheck::Batch => crypto::verify_batch(&items),
            SignatureCheck::Each => crypto::verify_each(&items),
        };
        verdicts
            .into_iter()
            .map(|r| r.err().map(|e| RuleError::from(e).code()))
            .collect()
    }

    /// R103–R106 for one entry whose envelope and signature are good.
    fn place<V: SequenceView>(
        &mut self,
        signed: SignedEntry,
        id: EntryId,
        next: &mut NextCache<'_, V>,
    ) -> Admission {
        let reject = |code| Admission::Rejected { id, code };
        // R103: an earlier copy in the same batch may have been admitted meanwhile.
        if self.index.contains_key(&id) {
            return Admission::Duplicate { id };
        }
        let signer = signed.entry().signer;
        let seq = signed.entry().sequence;
        let expected = next.get(&signer);
        // R104: below the ledger's next is used; too far above can never fit the window.
        if seq < expected {
            return reject(RuleError::Replay { expected, got: seq }.code());
        }
        let ahead = seq - expected;
        if usize::try_from(ahead).map_or(true, |a| a >= self.config.max_per_signer) {
            return reject(RuleError::SequenceGap { expected, got: seq }.code());
        }
        let queue_len = match self.queues.get(&signer) {
            // R105: first come keeps the slot.
            Some(queue) if queue.entries.contains_key(&seq) => return reject(SEQUENCE_CONFLICT),
            Some(queue) => queue.len(),
            None => 0,
        };
        // R100: per-signer bound. Inside the window it can only be reached while stale entries
        // (below the ledger's next) still wait for `on_block_committed` to prune them.
        if queue_len >= self.config.max_per_signer {
            return reject(MEMPOOL_FULL);
        }
        let size = signed.encoded_len();
        // R106: make room, unless the new entry is itself what the rule would evict first.
        let Some(victims) = self.plan_eviction(&signer, seq, size, next) else {
            return reject(MEMPOOL_FULL);
        };
        for (key, victim_seq) in victims {
            if let Some(gone) = self.remove(&key, victim_seq) {
                self.evicted.push(super::Notification {
                    id: gone.id,
                    status: super::Status::Evicted { code: MEMPOOL_FULL },
                });
            }
        }
        self.insert(signed, id, size);
        Admission::Admitted { id }
    }
}
