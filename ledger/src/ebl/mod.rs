//! Electronic bills of lading: records and the rules of every action (specs/protocol.md R30–R59).

mod action;

pub use action::*;

use crate::error::{ExecResult, RuleError};
use crate::state::EntryContext;

/// Stateless checks of an eBL action.
pub fn check_stateless(_action: &EblAction) -> Result<(), RuleError> {
    Ok(())
}

/// Checks and applies an eBL action.
pub fn apply(_ctx: &mut EntryContext<'_>, _action: &EblAction) -> ExecResult<()> {
    Err(RuleError::NotAuthorized.into())
}
