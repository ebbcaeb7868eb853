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
            let signer = signed.entry.signer;
            touched.insert(signer);
            if signed.entry.sequence >= next.get(&signer) || !notified.insert(result.entry) {
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
