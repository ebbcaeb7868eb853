//! Validator set and governance proposals (specs/protocol.md R90–R99).
//!
//! # Design
//!
//! Only validator keys of the current set propose and vote, each once per proposal; the
//! proposer's entry is its approving vote. Votes are counted against the set as it is when the
//! vote is recorded, and the entry that tips the balance applies the change in the same entry:
//! more than 2/3 of the power approving executes it, rejecting power that makes this impossible
//! closes it. Nothing happens between entries, so expiry is read off the height
//! ([`ProposalRecord::status_at`]).

mod apply;
mod execute;
mod record;
mod validators;

pub use apply::{MAX_PROPOSAL_BLOCKS, apply_governance};
pub use record::{Decision, ProposalRecord, ProposalStatus, Vote, proposal_id};
pub use validators::{MAX_VALIDATORS, ValidatorSet};

use crate::error::RuleError;
use crate::identity::x509::MAX_CERTIFICATE_BYTES;
use crate::identity::{GovernanceAction, Proposal};

/// Longest revocation reason.
pub const MAX_REASON_BYTES: usize = 512;

/// R92: stateless bounds of a governance entry: a certificate of 1 byte to 8 KiB, a reason of 1
/// to 512 bytes of text, valid organisation ids, a prime-order validator key, positive powers;
/// R380: bounded organisation profiles.
pub fn check_governance_stateless(action: &GovernanceAction) -> Result<(), RuleError> {
    let proposal = match action {
        GovernanceAction::Propose { proposal, .. } => proposal,
        GovernanceAction::Vote { .. } => return Ok(()),
    };
    match proposal {
        Proposal::AdmitOrganisation {
            certificate_der,
            profile,
        } => {
            if certificate_der.is_empty() || certificate_der.len() > MAX_CERTIFICATE_BYTES {
                return Err(RuleError::BadCertificate(format!(
                    "certificate must be 1 to {MAX_CERTIFICATE_BYTES} bytes"
                )));
            }
            // R380: the profile's bounds.
            if let Some(profile) = profile {
                profile.check()?;
            }
        }
        Proposal::RevokeOrganisation { org, reason } => {
            org.validate("org")?;
            if reason.trim().is_empty() {
                return Err(RuleError::invalid("reason", "a reason is required"));
            }
            crate::ids::check_text("reason", reason, MAX_REASON_BYTES)?;
        }
        Proposal::AddValidator { validator } => {
            validator.key.check_registrable()?;
            validator.operator.validate("validator.operator")?;
            check_power(validator.power)?;
        }
        Proposal::RemoveValidator { .. } => {}
        Proposal::SetValidatorPower { power, .. } => check_power(*power)?,
        Proposal::ScheduleProtocolUpgrade { version, .. } => {
            crate::protocol_version::check_version("version", *version)?;
        }
        Proposal::SetOrganisationProfile { org, profile } => {
            org.validate("org")?;
            profile.check()?;
        }
    }
    Ok(())
}

fn check_power(power: u64) -> Result<(), RuleError> {
    if power == 0 {
        return Err(RuleError::invalid("power", "must be positive"));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
