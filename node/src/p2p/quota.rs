//! R184: per-peer quotas on judging gossip, so that one peer cannot take the node's whole
//! judging capacity (R118: [`super::MAX_VALIDATIONS`] messages at once, shared by all).
//!
//! Two bounds per peer, checked before a message is judged (decoded, screened, verified):
//! at most [`MAX_VALIDATIONS_PER_PEER`] of its messages being judged at once, and a token
//! bucket of [`PEER_ENTRIES_PER_SECOND`] entries per second (burst [`PEER_ENTRY_BURST`]),
//! charged with the entry count the batch's length prefix claims. A message over either bound
//! is ignored unjudged (`Ignore`, no penalty: an honest peer relaying a busy network can hit
//! it, and its entries still reach the pools that took them, R119). Pure: the caller passes
//! the time.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use libp2p::PeerId;

use super::batch::MAX_BATCH_ENTRIES;

/// Most messages of one peer judged at once: a quarter of the node's 256 (R118), so at least
/// four peers always have room whatever the others send.
pub const MAX_VALIDATIONS_PER_PEER: usize = 64;

/// Entries per second one peer may have judged. Above what four validators on the reference
/// machine commit (≈ 18 000/s in all), so a member relaying a third of a saturated network
/// stays under it.
pub const PEER_ENTRIES_PER_SECOND: u32 = 8_000;

/// The bucket's depth: sixteen full batches (16 × 512), so a burst after a quiet spell passes.
pub const PEER_ENTRY_BURST: u32 = 8_192;

/// Code of a message ignored because its peer has this many messages being judged.
pub const PEER_BUSY: &str = "PEER_BUSY";
/// Code of a message ignored because its peer is over its entries per second.
pub const PEER_QUOTA: &str = "PEER_QUOTA";

/// Most peers tracked (the gate admits members only, so this bounds memory, not members).
pub const MAX_TRACKED_PEERS: usize = 1_024;

/// A peer's token bucket.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Per-peer judging quotas (R184).
#[derive(Debug)]
pub struct PeerQuotas {
    rate: f64,
    burst: f64,
    per_peer: usize,
    in_flight: BTreeMap<PeerId, usize>,
    buckets: BTreeMap<PeerId, Bucket>,
}

impl Default for PeerQuotas {
    fn default() -> Self {
        Self::new(
            MAX_VALIDATIONS_PER_PEER,
            PEER_ENTRIES_PER_SECOND,
            PEER_ENTRY_BURST,
        )
    }
}

impl PeerQuotas {
    /// Quotas of `per_peer` messages at once and `rate` entries per second (burst `burst`).
    pub fn new(per_peer: usize, rate: u32, burst: u32) -> Self {
        PeerQuotas {
            rate: f64::from(rate),
            burst: f64::from(burst),
            per_peer,
            in_flight: BTreeMap::new(),
            buckets: BTreeMap::new(),
        }
    }

    /// Whether a message of `entries` entries from `peer` may be judged at `now`; if so it
    /// counts as in flight until [`PeerQuotas::done`]. The refusal's code otherwise.
    pub fn admit(
        &mut self,
        peer: PeerId,
        entries: usize,
        now: Instant,
    ) -> Result<(), &'static str> {
        let busy = self.in_flight.get(&peer).copied().unwrap_or(0);
        if busy >= self.per_peer {
            return Err(PEER_BUSY);
        }
        if !self.buckets.contains_key(&peer) && self.buckets.len() >= MAX_TRACKED_PEERS {
            return Err(PEER_QUOTA);
        }
        let (rate, burst) = (self.rate, self.burst);
        let bucket = self.buckets.entry(peer).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let elapsed = now.saturating_duration_since(bucket.at);
        bucket.tokens = (bucket.tokens + elapsed.as_secs_f64() * rate).min(burst);
        bucket.at = now;
        let cost = entries.clamp(1, MAX_BATCH_ENTRIES) as f64;
        if bucket.tokens < cost {
            return Err(PEER_QUOTA);
        }
        bucket.tokens -= cost;
        *self.in_flight.entry(peer).or_insert(0) += 1;
        Ok(())
    }

    /// A judged message of `peer` is done.
    pub fn done(&mut self, peer: &PeerId) {
        if let Some(n) = self.in_flight.get_mut(peer) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.in_flight.remove(peer);
            }
        }
    }

    /// Forgets the buckets of peers not in `keep` (e.g. no longer allowed, R117) that have
    /// nothing in flight and whose bucket has been full for a while.
    pub fn retain(&mut self, keep: impl Fn(&PeerId) -> bool, now: Instant) {
        let refill = Duration::from_secs_f64(self.burst / self.rate.max(1.0));
        let in_flight = &self.in_flight;
        self.buckets.retain(|peer, bucket| {
            keep(peer)
                || in_flight.contains_key(peer)
                || now.saturating_duration_since(bucket.at) < refill
        });
    }

    /// Messages of `peer` being judged now.
    pub fn in_flight(&self, peer: &PeerId) -> usize {
        self.in_flight.get(peer).copied().unwrap_or(0)
    }
}

/// The entry count a gossip message claims: the batch's length prefix (R110: the codec writes
/// the list length as a big-endian `u64` first), clamped to 1..=[`MAX_BATCH_ENTRIES`]. A
/// message whose prefix lies does not decode (R111), so the claim is exact for every message
/// that could cost more than a decode.
pub fn claimed_entries(data: &[u8]) -> usize {
    let prefix: Option<[u8; 8]> = data.get(..8).and_then(|p| p.try_into().ok());
    let claimed = prefix.map_or(1, u64::from_be_bytes);
    usize::try_from(claimed)
        .unwrap_or(MAX_BATCH_ENTRIES)
        .clamp(1, MAX_BATCH_ENTRIES)
}

#[cfg(test)]
#[path = "quota_tests.rs"]
mod tests;
