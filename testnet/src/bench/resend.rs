//! R170: how a stream of `ebl-testnet bench` resends entries the node refused for now.
//!
//! Above saturation a node refuses entries with codes that say "not now" rather than "never":
//! `SEQUENCE_GAP` (the signer is more than the mempool window ahead of its committed
//! sequence), `MEMPOOL_FULL`, 429 `RATE_LIMITED`, 503 `NODE_UNAVAILABLE`, or no answer at all.
//! A real client (a bank's system) backs off and resubmits; a generator that went on would send
//! the stream's later sequence numbers, which can then never execute, and one refusal would
//! turn the rest of the stream into refusals. Pure: the senders ([`super::send`],
//! [`super::send_batch`]) feed it answers and ask it what to send; times are offsets from the
//! start of the run.

use std::collections::BTreeMap;
use std::time::Duration;

use super::send::Sent;

/// The first wait after a request refused for now.
pub const FIRST_BACKOFF: Duration = Duration::from_millis(50);
/// The longest wait between resends (the wait doubles up to this).
pub const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// Codes that refuse an entry for now only: the same bytes may be admitted later.
pub const RETRYABLE_CODES: [&str; 5] = [
    "SEQUENCE_GAP",
    "MEMPOOL_FULL",
    "RATE_LIMITED",
    "NODE_UNAVAILABLE",
    "SEND_FAILED",
];

/// What an answer says about one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Admitted, or already known (a duplicate of an earlier send counts as accepted).
    Accepted,
    /// Refused for now, with its code: resending the same entry later may succeed.
    Busy(String),
    /// Refused for good, with its code (e.g. `BAD_SIGNATURE`, `REPLAY`).
    Refused(String),
}

impl Verdict {
    /// The verdict of an HTTP answer: 2xx accepts, 429 and 503 (whatever their code) and the
    /// [`RETRYABLE_CODES`] are busy, anything else refuses; `HTTP_<status>` without a code.
    pub fn of_answer(status: u16, code: Option<String>) -> Verdict {
        if (200..=299).contains(&status) {
            return Verdict::Accepted;
        }
        let code = code.unwrap_or_else(|| format!("HTTP_{status}"));
        if status == 429 || status == 503 {
            return Verdict::Busy(code);
        }
        Verdict::of_code(code)
    }

    /// The verdict of a refusal code (a per-entry result of a batch).
    pub fn of_code(code: String) -> Verdict {
        if RETRYABLE_CODES.contains(&code.as_str()) {
            Verdict::Busy(code)
        } else {
            Verdict::Refused(code)
        }
    }

    /// A request that got no answer (connection refused, reset, ...): busy, `SEND_FAILED`.
    pub fn send_failed() -> Verdict {
        Verdict::Busy("SEND_FAILED".into())
    }

    /// The refusal code, if refused.
    pub fn code(&self) -> Option<&str> {
        match self {
            Verdict::Accepted => None,
            Verdict::Busy(c) | Verdict::Refused(c) => Some(c),
        }
    }
}

/// R170: one stream's resend state: which of its entries (indices into the stream) wait to be sent,
/// in sequence order, and how long to wait before sending them.
#[derive(Debug, Clone)]
pub struct Resend {
    /// Whether busy refusals are resent (`--retry`); if not, they are final (as before R170).
    retry: bool,
    /// Entries waiting, in sequence order; `true` if sent before (sending it again is a resend).
    pending: BTreeMap<usize, bool>,
    /// The next wait after a busy answer.
    backoff: Duration,
    /// No send before this offset from the start.
    not_before: Duration,
    /// This round of answers accepted something / refused something for now.
    progressed: bool,
    refused: bool,
    /// Resend attempts so far.
    retried: u64,
}

impl Resend {
    /// A stream with nothing waiting; `retry` false makes every refusal final.
    pub fn new(retry: bool) -> Self {
        Resend {
            retry,
            pending: BTreeMap::new(),
            backoff: FIRST_BACKOFF,
            not_before: Duration::ZERO,
            progressed: false,
            refused: false,
            retried: 0,
        }
    }

    /// Whether entries wait: then nothing newly due may be sent before them.
    pub fn is_blocked(&self) -> bool {
        !self.pending.is_empty()
    }

    /// The earliest offset from the start at which the waiting entries may be sent.
    pub fn not_before(&self) -> Duration {
        self.not_before
    }

    /// The wait the next busy answer will impose.
    pub fn backoff(&self) -> Duration {
        self.backoff
    }

    /// Resend attempts so far (each entry sent again counts once per send).
    pub fn retried(&self) -> u64 {
        self.retried
    }

    /// Entry `i`, never sent, came due while earlier entries wait: it queues behind them.
    pub fn defer(&mut self, i: usize) {
        self.pending.entry(i).or_insert(false);
    }

    /// The first waiting entry, taken for sending (counted as a resend if sent before).
    pub fn pop_first(&mut self) -> Option<usize> {
        let (i, again) = self.pending.pop_first()?;
        self.retried += u64::from(again);
        Some(i)
    }

    /// Up to `max` waiting entries in sequence order, taken for one request.
    pub fn take(&mut self, max: usize) -> Vec<usize> {
        let mut out = Vec::new();
        while out.len() < max {
            match self.pop_first() {
                Some(i) => out.push(i),
                None => break,
            }
        }
        out
    }

    /// The answer for entry `i`: its final fate, or `None` when it is kept for a resend.
    pub fn on_result(&mut self, i: usize, verdict: &Verdict) -> Option<Sent> {
        match verdict {
            Verdict::Accepted => {
                self.progressed = true;
                Some(Sent::Accepted)
            }
            Verdict::Busy(code) if !self.retry => {
                Some(if code == "RATE_LIMITED" || code == "HTTP_429" {
                    Sent::Throttled
                } else {
                    Sent::Rejected
                })
            }
            Verdict::Busy(_) => {
                self.refused = true;
                self.pending.insert(i, true);
                None
            }
            Verdict::Refused(_) => Some(Sent::Rejected),
        }
    }

    /// Closes a round of answers received by offset `now` (one batch answer; in one-by-one
    /// mode, every answer of the requests that were in flight): any acceptance resets the
    /// backoff; any busy refusal makes the stream wait the backoff, which then doubles (capped).
    pub fn end_round(&mut self, now: Duration) {
        if self.progressed {
            self.backoff = FIRST_BACKOFF;
        }
        if self.refused {
            self.not_before = now + self.backoff;
            self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
        }
        self.progressed = false;
        self.refused = false;
    }

    /// The entries still waiting when sending stops (reported as `unsent`).
    pub fn unsent(self) -> Vec<usize> {
        self.pending.into_keys().collect()
    }
}

#[cfg(test)]
#[path = "resend_tests.rs"]
mod tests;
