//! Grants: an organisation lets a key or another organisation act for it, within limits
//! (specs/protocol.md R25–R27).

use crate::crypto::PublicKey;
use crate::entry::{ActionKind, DocumentRef};
use crate::error::{ExecResult, RuleError};
use crate::identity::{DocumentKind, GrantAction};
use crate::ids::OrgId;
use crate::state::EntryContext;

/// What an entry asks a grant to cover.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The organisation the signer acts for.
    pub grantor: &'a OrgId,
    /// The signing key.
    pub signer: &'a PublicKey,
    /// The signer's own organisation, if the key belongs to one.
    pub signer_org: Option<&'a OrgId>,
    /// The action.
    pub kind: ActionKind,
    /// The document kind acted on.
    pub document_kind: Option<DocumentKind>,
    /// The document acted on.
    pub document: Option<&'a DocumentRef>,
}

/// R27: whether a live grant of `request.grantor` covers the request at the block time.
pub fn covers(_ctx: &EntryContext<'_>, _request: &Request<'_>) -> ExecResult<bool> {
    Ok(false)
}

/// R25: stateless bounds of a grant entry.
pub fn check_grant_stateless(_action: &GrantAction) -> Result<(), RuleError> {
    Ok(())
}

/// Applies a grant entry.
pub fn apply_grant(_ctx: &mut EntryContext<'_>, _action: &GrantAction) -> ExecResult<()> {
    Err(RuleError::NotAuthorized.into())
}
