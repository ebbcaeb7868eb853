//! Proposal records and vote tallies (specs/protocol.md R93–R97).

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::crypto::PublicKey;
use crate::hash::{EntryId, Hash32, domain};
use crate::identity::Proposal;
use crate::identity::governance::ValidatorSet;

/// Where a proposal stands.
///
/// `Expired` is never stored: a proposal whose last voting height has passed keeps its stored
/// `Open` status (nothing runs between entries to close it) and [`ProposalRecord::status_at`]
/// reports it as expired.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProposalStatus {
    /// Collecting votes.
    Open,
    /// Approved by more than 2/3 of validator power and applied.
    Executed,
    /// Approval became impossible: rejecting power reached 1/3 or more.
    Rejected,
    /// The last voting height passed without a decision.
    Expired,
    /// Approved, but applying it broke a rule at that block (e.g. the certificate had expired).
    Failed {
        /// Stable error code.
        code: String,
        /// Error message.
        message: String,
    },
}

/// One validator's vote.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct Vote {
    /// The validator key that voted.
    pub key: PublicKey,
    /// Approve or reject.
    pub approve: bool,
    /// Height of the block that recorded it.
    pub height: u64,
}

/// A governance proposal as stored in state (R93).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct ProposalRecord {
    /// Proposal id ([`proposal_id`] of the proposing entry).
    pub id: Hash32,
    /// The change.
    pub proposal: Proposal,
    /// The proposing validator key.
    pub proposer: PublicKey,
    /// Votes in the order they were recorded; the proposer's approval is the first.
    pub votes: Vec<Vote>,
    /// Stored status (see [`ProposalStatus`] for `Expired`).
    pub status: ProposalStatus,
    /// Height of the proposing block.
    pub created_at_height: u64,
    /// Last height at which votes are accepted.
    pub expires_at_height: u64,
    /// Height at which it was executed, rejected or failed.
    pub closed_at_height: Option<u64>,
}

/// What the votes decide, against one validator set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// More than 2/3 of the power approves.
    Approve,
    /// Approval can no longer exceed 2/3 even if every other validator approves.
    Reject,
    /// Neither yet.
    Pending,
}

impl ProposalRecord {
    /// R96: the status at `height`: an open proposal past its last voting height is expired.
    pub fn status_at(&self, height: u64) -> ProposalStatus {
        if self.status == ProposalStatus::Open && height > self.expires_at_height {
            ProposalStatus::Expired
        } else {
            self.status.clone()
        }
    }

    /// Whether `key` has voted.
    pub fn has_voted(&self, key: &PublicKey) -> bool {
        self.votes.iter().any(|v| v.key == *key)
    }

    /// (approving power, rejecting power) counted against `set`: votes of keys that are no
    /// longer validators count for nothing, and a validator's current power is what counts.
    pub fn tally(&self, set: &ValidatorSet) -> (u64, u64) {
        let mut approve: u64 = 0;
        let mut reject: u64 = 0;
        for vote in &self.votes {
            let power = set.power_of(&vote.key);
            // Each key votes once and the set's total fits in u64, so neither sum overflows.
            if vote.approve {
                approve = approve.saturating_add(power);
            } else {
                reject = reject.saturating_add(power);
            }
        }
        (approve, reject)
    }

    /// R95: approved when approving power is more than 2/3 of the total; rejected when the
    /// power that has not rejected is no longer more than 2/3.
    pub fn decision(&self, set: &ValidatorSet) -> Decision {
        let (approve, reject) = self.tally(set);
        if set.is_supermajority(approve) {
            Decision::Approve
        } else if !set.is_supermajority(set.total_power().saturating_sub(reject)) {
            Decision::Reject
        } else {
            Decision::Pending
        }
    }
}

/// R93: the id of the proposal opened by entry `entry`.
pub fn proposal_id(entry: &EntryId) -> Hash32 {
    Hash32::tagged(domain::PROPOSAL_ID, &entry.0)
}
