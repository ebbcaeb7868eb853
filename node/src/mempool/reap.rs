//! R107: the entries of the next block, in an order that executes; R182: without the entries
//! whose standing is gone.

use std::collections::{BTreeMap, BTreeSet};

use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::SignedEntry;
use ebl_ledger::ids::OrgId;

use super::Mempool;
use super::queue::Pooled;
use super::types::{Notification, SequenceView, Status};

/// What the proposer's pool asks the ledger at reap time (R182): whether an entry has standing
/// (R180) on the state the block will execute on, at its block time. The node implements it
/// over its ledger (a storage error there is fatal for the node, so the adapter's to handle).
pub trait StandingView {
    /// `Ok(())` when `entry` has standing; the stable code of the refusal otherwise.
    fn standing(&self, entry: &SignedEntry) -> Result<(), &'static str>;
}

impl Mempool {
    /// Up to `max_entries` entries and `max_bytes` bytes (sum of canonical encodings) for the
    /// next block, leaving the pool unchanged.
    ///
    /// Per signer, only the consecutive run starting at the ledger's next sequence is taken, so
    /// no entry fails with `REPLAY` or `SEQUENCE_GAP`. Signers are interleaved round-robin, one
    /// entry each per round, in the order their first ready entry was admitted: a signer with a
    /// thousand queued entries cannot starve one with a single entry. An entry that would break
    /// the byte budget ends its signer's run for this block (the rest depend on it); other
    /// signers' smaller entries may still fill the block.
    pub fn reap(
        &self,
        max_entries: usize,
        max_bytes: usize,
        view: &impl SequenceView,
    ) -> Vec<SignedEntry> {
        let mut runs: Vec<Vec<&Pooled>> = self
            .queues
            .iter()
            .map(|(key, queue)| queue.ready_run(view.next_sequence(key), max_entries))
            .filter(|run| !run.is_empty())
            .collect();
        // Arrival counters are unique, so this order is total.
        runs.sort_by_key(|run| run.first().map(|p| p.arrival));

        let mut out = Vec::new();
        let mut bytes = 0usize;
        let mut cursor = vec![0usize; runs.len()];
        let mut blocked = vec![false; runs.len()];
        loop {
            let mut progressed = false;
            for (i, run) in runs.iter().enumerate() {
                if out.len() >= max_entries {
                    return out;
                }
                let (Some(pos), Some(stop)) = (cursor.get_mut(i), blocked.get_mut(i)) else {
                    continue;
                };
                let Some(pooled) = run.get(*pos).filter(|_| !*stop) else {
                    continue;
                };
                match bytes.checked_add(pooled.size).filter(|b| *b <= max_bytes) {
                    Some(total) => {
                        bytes = total;
                        out.push(pooled.entry.clone());
                        *pos += 1;
                        progressed = true;
                    }
                    None => *stop = true,
                }
            }
            if !progressed {
                return out;
            }
        }
    }
}

impl Mempool {
    /// R182: [`Mempool::reap`] for a proposer, judging standing (R180) once per (signer,
    /// `act_for`) among the reaped entries. An entry without standing is left out with every
    /// later entry of its signer in this block (they could not execute past the hole), and
    /// every pooled entry of that (signer, `act_for`) leaves the pool, notified `Rejected`
    /// with the refusal's code at `height` (the head the standing was judged on) through
    /// [`Mempool::take_evicted`]: it would only fail in every block without consuming
    /// anything, so it is never proposed again.
    pub fn reap_standing(
        &mut self,
        max_entries: usize,
        max_bytes: usize,
        view: &impl SequenceView,
        standing: &impl StandingView,
        height: u64,
    ) -> Vec<SignedEntry> {
        let reaped = self.reap(max_entries, max_bytes, view);
        let mut judged: BTreeMap<(PublicKey, Option<OrgId>), Option<&'static str>> =
            BTreeMap::new();
        let mut cut: BTreeSet<PublicKey> = BTreeSet::new();
        let mut out = Vec::with_capacity(reaped.len());
        for entry in reaped {
            let signer = entry.entry().signer;
            if cut.contains(&signer) {
                continue;
            }
            let pair = (signer, entry.entry().act_for.clone());
            let refusal = *judged
                .entry(pair)
                .or_insert_with(|| standing.standing(&entry).err());
            match refusal {
                None => out.push(entry),
                Some(_) => {
                    cut.insert(signer);
                }
            }
        }
        for ((signer, act_for), refusal) in judged {
            if let Some(code) = refusal {
                self.drop_pair(&signer, act_for.as_ref(), code, height);
            }
        }
        out
    }

    /// Removes every pooled entry of `signer` acting for `act_for`, notified `Rejected`.
    fn drop_pair(&mut self, signer: &PublicKey, act_for: Option<&OrgId>, code: &str, height: u64) {
        let seqs: Vec<u64> = self
            .queues
            .get(signer)
            .map(|q| {
                q.entries
                    .iter()
                    .filter(|(_, p)| p.entry.entry().act_for.as_ref() == act_for)
                    .map(|(seq, _)| *seq)
                    .collect()
            })
            .unwrap_or_default();
        for seq in seqs {
            if let Some(gone) = self.remove(signer, seq) {
                self.evicted.push(Notification {
                    id: gone.id,
                    status: Status::Rejected {
                        height,
                        code: code.to_string(),
                    },
                });
            }
        }
    }
}
