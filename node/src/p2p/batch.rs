//! Entries travel in batches (R110, R111, R115): one gossipsub message carries up to
//! [`MAX_BATCH_ENTRIES`] canonical entries, so the per-message costs (the publisher's
//! signature and its check, the message id, the judging round trip to the pool) are paid once
//! per batch rather than once per entry (specs/adr/0023-gossip-batches.md).
//!
//! [`Outbox`] is the pure part of publishing: it collects the entries a node admits from its
//! clients and says when a batch is full; the gossip task adds the clock (publish what waited
//! [`FLUSH_AFTER`]).

use std::time::Duration;

use ebl_ledger::codec;
use ebl_ledger::entry::{MAX_ENTRY_BYTES, SignedEntry};

use super::validate::Verdict;

/// Most entries in one gossip message (R110).
pub const MAX_BATCH_ENTRIES: usize = 512;

/// Most bytes of one encoded batch (R110): 16 entries of the largest size, or hundreds of
/// typical ones (a few hundred bytes each).
pub const MAX_BATCH_BYTES: usize = 16 * MAX_ENTRY_BYTES;

/// Bytes of the batch's length prefix (the codec writes a `u64`).
const LENGTH_PREFIX: usize = 8;

/// How long an admitted entry may wait for others before its batch is published (R115): the
/// latency a batch adds, kept far below a block interval. 20 ms rather than 5: at a few hundred
/// local submissions per second the batches are four times larger, and each message's fixed
/// costs (framing, message id, a judge and a pool call at every receiver) are paid a quarter as
/// often; measured in BENCHMARKS.md ("Entry gossip: no message signatures, 20 ms batches").
/// 40 ms rather than 20 (2026-12-07): every receiver checks a batch's signatures with one
/// batch equation, whose cost per signature falls from ~0.31 of a single check at 16 entries
/// to ~0.24 at 32; the gossip and batch checks took less of the machine, and p99 at half the
/// saturated rate moved by less than 40 ms (BENCHMARKS.md, "Issue 16, stop 32").
pub const FLUSH_AFTER: Duration = Duration::from_millis(40);

/// Code of a message that decodes to no entry at all.
pub const EMPTY_BATCH: &str = "EMPTY_BATCH";

/// Code of a message with more than [`MAX_BATCH_ENTRIES`] entries.
pub const BATCH_TOO_LARGE: &str = "BATCH_TOO_LARGE";

/// The canonical encoding of a batch: the codec's encoding of the list of signed entries.
pub fn encode(entries: &[SignedEntry]) -> Vec<u8> {
    codec::encode(&entries.to_vec())
}

/// R111: a message must be one canonical, non-empty list of at most [`MAX_BATCH_ENTRIES`]
/// signed entries, at most [`MAX_BATCH_BYTES`] long. Each entry's own limits (R1) are checked
/// when the pool judges its envelope.
pub fn decode(data: &[u8]) -> Result<Vec<SignedEntry>, Verdict> {
    let entries: Vec<SignedEntry> =
        codec::decode(data, MAX_BATCH_BYTES).map_err(|e| Verdict::Reject(e.code().to_string()))?;
    if entries.is_empty() {
        return Err(Verdict::Reject(EMPTY_BATCH.into()));
    }
    if entries.len() > MAX_BATCH_ENTRIES {
        return Err(Verdict::Reject(BATCH_TOO_LARGE.into()));
    }
    Ok(entries)
}

/// R113 for a whole message from its entries' verdicts: one provably invalid entry makes the
/// message invalid (`Reject`, the sender is scored down); otherwise it is forwarded when it
/// brought anything new (`Accept`), else dropped without penalty (`Ignore`).
pub fn message_verdict(verdicts: &[Verdict]) -> Verdict {
    if let Some(reject) = verdicts.iter().find(|v| matches!(v, Verdict::Reject(_))) {
        return reject.clone();
    }
    if verdicts.contains(&Verdict::Accept) {
        return Verdict::Accept;
    }
    verdicts
        .first()
        .cloned()
        .unwrap_or(Verdict::Reject(EMPTY_BATCH.into()))
}

/// Entries waiting to be published together (R115).
#[derive(Debug, Default)]
pub struct Outbox {
    entries: Vec<SignedEntry>,
    bytes: usize,
}

impl Outbox {
    /// Adds an entry. Returns the batch to publish now when this entry does not fit beside the
    /// waiting ones (the entry then starts the next batch), or when it fills the batch.
    pub fn push(&mut self, entry: SignedEntry) -> Option<Vec<SignedEntry>> {
        let size = entry.encoded_len();
        let mut ready = None;
        if !self.entries.is_empty() && LENGTH_PREFIX + self.bytes + size > MAX_BATCH_BYTES {
            ready = self.take();
        }
        self.entries.push(entry);
        self.bytes += size;
        if ready.is_none() && self.entries.len() >= MAX_BATCH_ENTRIES {
            ready = self.take();
        }
        ready
    }

    /// Everything waiting, as one batch (`None` when nothing waits).
    pub fn take(&mut self) -> Option<Vec<SignedEntry>> {
        self.bytes = 0;
        let batch = std::mem::take(&mut self.entries);
        (!batch.is_empty()).then_some(batch)
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
#[path = "batch_tests.rs"]
mod tests;
