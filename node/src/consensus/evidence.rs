//! Double votes seen by consensus, turned into ledger evidence (specs/protocol.md R135–R139,
//! ADR 0015).
//!
//! Malachite reports equivocations it saw since the last decision with each finalized height
//! (`MisbehaviorEvidence`). A double vote becomes an [`ebl_ledger::finality::DoubleVote`]: the
//! node's votes are signed over the ledger's vote bytes (R130), so the pair carries over
//! unchanged and any validator can re-check it. Double proposals are logged only: the ledger
//! has no rule for them yet.

use ebl_ledger::crypto::Signature;
use ebl_ledger::finality::{DoubleVote, SignedVote};
use malachite::app::types::MisbehaviorEvidence;
use malachite::app::types::core::SignedMessage;

use super::context::EblContext;
use super::messages::Vote;

/// Most pieces of evidence a node keeps waiting for a block (bounded against a flood).
pub const MAX_PENDING_EVIDENCE: usize = 64;

/// One signed consensus vote in the ledger's form.
pub fn ledger_vote(vote: &SignedMessage<EblContext, Vote>) -> SignedVote {
    SignedVote {
        vote: vote.message.data(),
        signature: Signature(vote.signature.0.to_bytes()),
    }
}

/// Every double vote in `evidence`, in the engine's (address, then arrival) order.
pub fn double_votes(evidence: &MisbehaviorEvidence<EblContext>) -> Vec<DoubleVote> {
    let mut out = Vec::new();
    for (_, pairs) in evidence.votes.iter() {
        for (first, second) in pairs {
            out.push(DoubleVote {
                first: ledger_vote(first),
                second: ledger_vote(second),
            });
        }
    }
    out
}

/// Evidence waiting for a block: each offence (validator, height) once, at most
/// [`MAX_PENDING_EVIDENCE`] (later ones are dropped: the first proof of an offence suffices).
#[derive(Debug, Default, Clone)]
pub struct PendingEvidence {
    items: Vec<DoubleVote>,
}

impl PendingEvidence {
    /// Adds `evidence` unless its offence is already pending or the list is full; answers
    /// whether it was added.
    pub fn add(&mut self, evidence: DoubleVote) -> bool {
        let offence = (evidence.validator(), evidence.height());
        let known = self
            .items
            .iter()
            .any(|e| (e.validator(), e.height()) == offence);
        if known || self.items.len() >= MAX_PENDING_EVIDENCE {
            return false;
        }
        self.items.push(evidence);
        true
    }

    /// The pending evidence, oldest first.
    pub fn items(&self) -> &[DoubleVote] {
        &self.items
    }

    /// Keeps only the evidence for which `keep` holds (after a commit: not yet recorded).
    pub fn retain(&mut self, keep: impl FnMut(&DoubleVote) -> bool) {
        self.items.retain(keep);
    }
}
