//! The verdict on each entry of a gossiped message (R112–R113): forward, drop, or drop and
//! penalise the sender. What an entry is judged by before its signature (duplicates, envelope,
//! standing, window) is the node's intake ([`crate::intake`], R182–R184); decoding and the
//! message's verdict are in [`super::batch`].

use libp2p::gossipsub::MessageAcceptance;

use crate::mempool::{Admission, MEMPOOL_FULL, SEQUENCE_CONFLICT};

/// What became of one gossiped message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Pooled: forward it (gossipsub `Accept`).
    Accept,
    /// Not pooled, and not the sender's fault (already pooled, a sequence race, a full pool, a
    /// busy node): drop it without penalty (gossipsub `Ignore`).
    Ignore(&'static str),
    /// Invalid on the committed state (undecodable, oversized, bad envelope or signature, no
    /// standing, R182): drop it and penalise the sender (gossipsub `Reject`, R114).
    Reject(String),
}

impl Verdict {
    /// The gossipsub acceptance for this verdict.
    pub fn acceptance(&self) -> MessageAcceptance {
        match self {
            Verdict::Accept => MessageAcceptance::Accept,
            Verdict::Ignore(_) => MessageAcceptance::Ignore,
            Verdict::Reject(_) => MessageAcceptance::Reject,
        }
    }

    /// A short label for logs and metrics.
    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Accept => "accept",
            Verdict::Ignore(_) => "ignore",
            Verdict::Reject(_) => "reject",
        }
    }
}

/// R113: the verdict on a pool's or the intake's answer. Codes that depend on this node's
/// state or timing (already known, sequence window, slot taken, pool or signer share full) are
/// ignored: an honest peer can cause them. Every other code (envelope, signature, standing)
/// proves the entry invalid on the committed state.
pub fn verdict_of(admission: &Admission) -> Verdict {
    match admission {
        Admission::Admitted { .. } => Verdict::Accept,
        Admission::Duplicate { .. } => Verdict::Ignore("DUPLICATE"),
        Admission::Rejected { code, .. } => match *code {
            "REPLAY" | "SEQUENCE_GAP" | SEQUENCE_CONFLICT | MEMPOOL_FULL => Verdict::Ignore(code),
            other => Verdict::Reject(other.to_string()),
        },
    }
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
