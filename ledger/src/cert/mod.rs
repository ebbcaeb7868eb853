//! Ship e-certificates: records, rules and status over time (specs/protocol.md R60–R79).

mod action;

pub use action::*;

use crate::error::{ExecResult, RuleError};
use crate::state::EntryContext;

/// Stateless checks of a certificate action.
pub fn check_stateless(_action: &CertAction) -> Result<(), RuleError> {
    Ok(())
}

/// Checks and applies a certificate action.
pub fn apply(_ctx: &mut EntryContext<'_>, _action: &CertAction) -> ExecResult<()> {
    Err(RuleError::NotAuthorized.into())
}
