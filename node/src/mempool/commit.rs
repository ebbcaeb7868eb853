//! R108: after a block, tell the gateway what was decided and prune the pool.

use std::collections::BTreeSet;

use ebl_ledger::RuleError;
use ebl_ledger::block::{EntryResult, Outcome};
use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::SignedEntry;
use ebl_ledger::hash::EntryId;

use super::Mempool;
use super::queue::NextCache;
use super::types::{Notification, SequenceView, Status};

impl Mempool {
    /// Records the committed block at `height`: `block_entries[i]` ended as `results[i]`, and
    /// `view` is the ledger *after* the block.
    ///
    /// Returns, in block order, one notification per decided entry id of the block: `Final` if
    /// applied, `Rejected` with the result's code if it failed and its sequence number is now
    /// used (R9). An entry whose inclusion did not consume its sequence (e.g. `SEQUENCE_GAP`,
    /// `BAD_SIGNATURE` on a copy with another signature) is not decided: no notification, and a
    /// pooled copy stays. Then every pooled entry of the block's signers whose sequence is now
    /// below the ledger's next is removed (the included ones and the ones another entry
    /// outran), the latter notified as `Rejected` with `REPLAY`, by signer then sequence.
    ///
    /// R187: an inclusion that did not consume its sequence but can never succeed for the pooled
    /// copy of the same id (an envelope or standing failure, or `BAD_SIGNATURE` of the very
    /// same signature bytes) removes that copy, notified `Rejected` with the block's code;
    /// `SEQUENCE_GAP` keeps it.
    ///
    /// An id is notified at most once per call. A faulty proposer can include an already final
    /// entry again in a later block, where it fails with `REPLAY`: subscribers keep the first
    /// notification of an id.
    pub fn on_block_committed(
        &mut self,
        height: u64,
        block_entries: &[SignedEntry],
        results: &[EntryResult],
        view: &impl SequenceView,
    ) -> Vec<Notification> {
        let mut next = NextCache::new(view);
        let mut notified: BTreeSet<EntryId> = BTreeSet::new();
        let mut touched: BTreeSet<PublicKey> = BTreeSet::new();
        let mut out = Vec::new();
        for (signed, result) in block_entries.iter().zip(results) {
            let signer = signed.entry().signer;
            touched.insert(signer);
            if signed.entry().sequence >= next.get(&signer) {
                // Not consumed: decided nothing. R187: a pooled copy that can never succeed
                // leaves the pool now rather than be proposed again.
                if let Outcome::Failed { code, .. } = &result.outcome
                    && self.is_hopeless(signed, code)
                    && notified.insert(result.entry)
                    && let Some(status) = self.drop_hopeless(signed, code, height)
                {
                    out.push(Notification {
                        id: result.entry,
                        status,
                    });
                }
                continue;
            }
            if !notified.insert(result.entry) {
                continue;
            }
            let status = match &result.outcome {
                Outcome::Applied => Status::Final { height },
                Outcome::Failed { code, .. } => Status::Rejected {
                    height,
                    code: code.clone(),
                },
            };
            out.push(Notification {
                id: result.entry,
                status,
            });
        }
        for signer in touched {
            let expected = next.get(&signer);
            let stale: Vec<u64> = self
                .queues
                .get(&signer)
                .map(|q| q.entries.range(..expected).map(|(seq, _)| *seq).collect())
                .unwrap_or_default();
            for seq in stale {
                let Some(gone) = self.remove(&signer, seq) else {
                    continue;
                };
                if notified.insert(gone.id) {
                    let code = RuleError::Replay { expected, got: seq }.code();
                    out.push(Notification {
                        id: gone.id,
                        status: Status::Rejected {
                            height,
                            code: code.to_string(),
                        },
                    });
                }
            }
        }
        out
    }
}

/// Codes of an inclusion that did not consume its sequence and may still succeed later: the
/// signer's earlier sequences may yet arrive (`SEQUENCE_GAP`), or another entry took the slot
/// and the pool prunes it as stale anyway (`REPLAY`).
const MAY_STILL_SUCCEED: [&str; 2] = ["SEQUENCE_GAP", "REPLAY"];

impl Mempool {
    /// R187: whether the pooled copy of `included` (same id) can never succeed after its
    /// inclusion failed with `code` without consuming its sequence. Envelope and standing
    /// failures depend only on the entry's id and the ledger; `BAD_SIGNATURE` only on the
    /// signature bytes, so a pooled copy signed otherwise keeps its chance.
    fn is_hopeless(&self, included: &SignedEntry, code: &str) -> bool {
        if MAY_STILL_SUCCEED.contains(&code) {
            return false;
        }
        let Some(pooled) = self.get(&included.id()) else {
            return false;
        };
        code != "BAD_SIGNATURE" || pooled.signature() == included.signature()
    }

    /// Removes the pooled copy of `included`; its notification status.
    fn drop_hopeless(&mut self, included: &SignedEntry, code: &str, height: u64) -> Option<Status> {
        let signer = included.entry().signer;
        self.remove(&signer, included.entry().sequence)?;
        Some(Status::Rejected {
            height,
            code: code.to_string(),
        })
    }
}
