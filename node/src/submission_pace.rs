//! R484, the pure part: which single submissions may wait for others to share a batch
//! equation.
//!
//! Waiting costs a client nothing only if it goes on sending while its earlier submission is
//! unanswered (a paced or pipelined system). A client that sends the next entry only after
//! the answer to the last one (an ordered resend after a refusal, a bank's system working
//! through a queue) would be slowed to one entry per wait. Measured: 40 ms waits for every
//! submission of a busy gateway cut the saturated benchmark's committed rate by more than half,
//! because its refused streams resend one entry at a time (BENCHMARKS.md, "Issue 16, stop 33").
//!
//! So a signer's submission may wait only when
//! - the node is busy enough to fill a batch: the last [`MIN_BATCH`] submissions arrived
//!   within [`HOLD`] of each other; and
//! - its signer is *streaming*: the last group its submissions waited in held two or more of
//!   them (it kept sending while waiting), or it has not been tried for [`RETRY_AFTER`].
//!
//! A signer that waited and sent nothing else meanwhile is not streaming: its submissions are
//! decided at once until [`RETRY_AFTER`] has passed, so an ordered client pays at most one wait
//! per `RETRY_AFTER`.

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use ebl_ledger::crypto::{MIN_BATCH, PublicKey};

/// How long a group stays open for streaming signers: as long as a gossip batch waits (R115).
/// At a few hundred submissions per second per gateway it gathers 10–20; 20 ms gathered too
/// few on the less busy gateways to pass [`MIN_BATCH`] (BENCHMARKS.md, "Issue 16, stop 33").
pub const HOLD: Duration = Duration::from_millis(40);

/// How long a signer found not streaming is decided at once before it is tried again.
pub const RETRY_AFTER: Duration = Duration::from_secs(1);

/// Most signers remembered; past it the memory starts again (every signer untried).
pub const MAX_SIGNERS: usize = 4_096;

/// What is known of one signer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seen {
    streaming: bool,
    tried: Instant,
}

/// The arrival times of the last [`MIN_BATCH`] submissions and what each signer did the last
/// time its submissions waited.
#[derive(Debug, Default, Clone)]
pub struct Pace {
    recent: VecDeque<Instant>,
    signers: BTreeMap<PublicKey, Seen>,
}

impl Pace {
    /// A submission arrived at `at`.
    pub fn arrived(&mut self, at: Instant) {
        if self.recent.len() == MIN_BATCH {
            self.recent.pop_front();
        }
        self.recent.push_back(at);
    }

    /// Whether the last [`MIN_BATCH`] arrivals (up to `now`) span less than [`HOLD`].
    pub fn busy(&self, now: Instant) -> bool {
        self.recent.len() == MIN_BATCH
            && self
                .recent
                .front()
                .is_some_and(|oldest| now.saturating_duration_since(*oldest) < HOLD)
    }

    /// Whether a submission of `signer` arriving at `now` (already [`Pace::arrived`]) may
    /// wait up to [`HOLD`] for others.
    pub fn may_wait(&self, signer: &PublicKey, now: Instant) -> bool {
        self.busy(now)
            && self.signers.get(signer).is_none_or(|seen| {
                seen.streaming || now.saturating_duration_since(seen.tried) >= RETRY_AFTER
            })
    }

    /// A group that waited closed at `now`, holding submissions of `signers` (one item per
    /// submission): a signer with two or more kept sending while it waited.
    pub fn waited<'a>(&mut self, signers: impl IntoIterator<Item = &'a PublicKey>, now: Instant) {
        let mut counts: BTreeMap<PublicKey, usize> = BTreeMap::new();
        for signer in signers {
            *counts.entry(*signer).or_default() += 1;
        }
        for (signer, count) in counts {
            if self.signers.len() >= MAX_SIGNERS && !self.signers.contains_key(&signer) {
                self.signers.clear();
            }
            let seen = Seen {
                streaming: count >= 2,
                tried: now,
            };
            self.signers.insert(signer, seen);
        }
    }
}

#[cfg(test)]
#[path = "submission_pace_tests.rs"]
mod tests;
