//! R107: the entries of the next block, in an order that executes.

use ebl_ledger::entry::SignedEntry;

use super::Mempool;
use super::queue::Pooled;
use super::types::SequenceView;

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
