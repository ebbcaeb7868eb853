//! Ship e-certificates (IMO FAL.5/Circ.39/Rev.2): records, rules and status over time
//! (specs/protocol.md R60–R79, R280–R283).
//!
//! A certificate is keyed by its issuing Administration and unique tracking number (UTN). Only
//! that Administration, or a recognized organization acting for it through a grant, changes it.
//! Its status at any instant is a pure function of the stored record
//! ([`CertificateRecord::status_at`]), so verifiers can judge it offline from a proven record.
//!
//! - [`imo`]: IMO number check digit (R60).
//! - [`stateless`]: field bounds and issue dates (R60–R64).
//! - [`rules`]: authority, ISSUE, and the checks every later action makes (R65–R70).
//! - `survey`: ENDORSE and EXTEND (R71–R74).
//! - `lifecycle`: SUSPEND, REINSTATE, WITHDRAW, SUPERSEDE (R75–R78).
//! - [`regime`]: the survey regime of each kind and what it requires (R72, R280–R283).
//! - [`status`]: `status_at` and the annual windows (R79), on the issuing Administration's
//!   local day (R383–R384).
//! - [`flag`]: the ship's flag at issue and FLAG_CHANGE (R385–R388).

mod action;
pub mod flag;
pub mod imo;
mod lifecycle;
pub mod record;
pub mod regime;
pub mod rules;
pub mod stateless;
pub mod status;
mod survey;

pub use action::*;
pub use flag::{FlagChangeRecord, ShipRecord};
pub use imo::{check_imo_number, is_valid_imo_number};
pub use record::{
    CertificateRecord, EndorsementRecord, ExtensionRecord, HistoryItem, Stamp, StatusChange,
    StatusEvent,
};
pub use regime::{Requirement, SurveyRefusal, SurveyRegime};
pub use status::{CertificateStatus, EndorsementWindow};

use crate::error::{ExecResult, RuleError};
use crate::state::EntryContext;

/// Stateless checks of a certificate action (R60–R64).
pub fn check_stateless(action: &CertAction) -> Result<(), RuleError> {
    stateless::check_stateless(action)
}

/// Checks and applies a certificate action (R65–R78).
pub fn apply(ctx: &mut EntryContext<'_>, action: &CertAction) -> ExecResult<()> {
    match action {
        CertAction::Issue(issue) => rules::issue(ctx, issue),
        CertAction::Endorse {
            certificate,
            endorsement,
        } => survey::endorse(ctx, certificate, endorsement),
        CertAction::Extend {
            certificate,
            new_expiry,
            reason,
        } => survey::extend(ctx, certificate, *new_expiry, reason),
        CertAction::Suspend {
            certificate,
            reason,
        } => lifecycle::suspend(ctx, certificate, reason),
        CertAction::Reinstate { certificate } => lifecycle::reinstate(ctx, certificate),
        CertAction::Withdraw {
            certificate,
            reason,
        } => lifecycle::withdraw(ctx, certificate, reason),
        CertAction::Supersede {
            certificate,
            by_utn,
        } => lifecycle::supersede(ctx, certificate, by_utn),
        CertAction::FlagChange {
            imo_number,
            to_flag,
            effective_on,
        } => flag::change_flag(ctx, imo_number, to_flag, *effective_on),
    }
}
