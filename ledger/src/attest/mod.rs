//! Attested trade certificates: certificates of origin, phytosanitary and veterinary health
//! certificates, fumigation certificates and the single window's paperless approval
//! certificates, on the record model of ship certificates (specs/protocol.md §9z, R390–R399).
//!
//! # Design
//!
//! A certificate is keyed by its issuing **authority** and its number there
//! (`attest/<authority>/<number>`). The ledger keeps the facts a verifier needs (kind, subject,
//! the SHA-256 of the off-ledger document, validity, place) and the **seal**: the issuing
//! entry, whose Ed25519 signature is the authority's (or its delegate's under a grant, R391).
//! Amendments keep the facts they replace, so [`AttestRecord::status_at`] is a pure function
//! of the record for any past instant, like a ship certificate's.
//!
//! - [`kind`]: the kinds and which roles issue each (R391).
//! - [`stateless`]: field bounds (R390).
//! - `rules`: ISSUE, AMEND, SUPERSEDE, REVOKE (R391–R396).
//! - [`record`], [`status`]: the stored record and `status_at` (R393, R397).

mod action;
pub mod kind;
pub mod record;
mod rules;
pub mod stateless;
pub mod status;

pub use action::*;
pub use kind::TradeCertificateKind;
pub use record::{AmendmentRecord, AttestRecord, Closing, ClosingEvent, MAX_AMENDMENTS};
pub use status::AttestStatus;

use crate::entry::ActionKind;
use crate::error::{ExecResult, RuleError};
use crate::state::EntryContext;

/// Stateless checks of a trade certificate action (R390).
pub fn check_stateless(action: &AttestAction) -> Result<(), RuleError> {
    stateless::check_stateless(action)
}

/// Checks and applies a trade certificate action (R391–R396).
pub fn apply(ctx: &mut EntryContext<'_>, action: &AttestAction) -> ExecResult<()> {
    match action {
        AttestAction::Issue(issue) => rules::issue(ctx, issue),
        AttestAction::Amend {
            certificate,
            facts,
            reason,
        } => rules::amend(ctx, certificate, facts, reason),
        AttestAction::Supersede {
            certificate,
            by_number,
        } => rules::supersede(ctx, certificate, by_number),
        AttestAction::Revoke {
            certificate,
            reason,
        } => rules::revoke(ctx, certificate, reason),
    }
}

impl AttestAction {
    /// The action kind, for authorization and history.
    pub fn action_kind(&self) -> ActionKind {
        match self {
            AttestAction::Issue(_) => ActionKind::AttestIssue,
            AttestAction::Amend { .. } => ActionKind::AttestAmend,
            AttestAction::Supersede { .. } => ActionKind::AttestSupersede,
            AttestAction::Revoke { .. } => ActionKind::AttestRevoke,
        }
    }
}
