//! Stateless bounds of grant entries (specs/protocol.md R25).

use crate::entry::{ActionKind, DocumentRef};
use crate::error::RuleError;
use crate::identity::{DocumentKind, GrantAction, GrantTerms, Grantee};

/// Most actions one grant may name.
pub const MAX_GRANT_ACTIONS: usize = 32;
/// Most document kinds one grant may name (of the three; a grant usually names one).
pub const MAX_GRANT_KINDS: usize = 2;

/// Actions that can never be delegated: authority over grants and governance stays with the
/// organisation's own key and the validators (R25, R28).
const NOT_DELEGABLE: [ActionKind; 4] = [
    ActionKind::GrantCreate,
    ActionKind::GrantRevoke,
    ActionKind::GovernancePropose,
    ActionKind::GovernanceVote,
];

/// R25: stateless bounds of a grant entry.
pub fn check_grant_stateless(action: &GrantAction) -> Result<(), RuleError> {
    match action {
        GrantAction::Create(terms) => check_terms(terms),
        GrantAction::Revoke { .. } => Ok(()),
    }
}

fn check_terms(terms: &GrantTerms) -> Result<(), RuleError> {
    match &terms.grantee {
        Grantee::Key(key) => key.check_registrable()?,
        Grantee::Organisation(org) => org.validate("grantee")?,
    }
    if terms.actions.is_empty() || terms.actions.len() > MAX_GRANT_ACTIONS {
        return Err(RuleError::invalid(
            "actions",
            format!("1 to {MAX_GRANT_ACTIONS} actions"),
        ));
    }
    if has_duplicates(&terms.actions) {
        return Err(RuleError::invalid("actions", "an action is named twice"));
    }
    if let Some(kind) = terms.actions.iter().find(|a| NOT_DELEGABLE.contains(a)) {
        return Err(RuleError::invalid(
            "actions",
            format!("{} may not be delegated", kind.code()),
        ));
    }
    // R233: a read grant names the organisation that reads; a bare key reads nothing (readers
    // are identified by organisation at the gateway, never by a ledger key).
    if terms.actions.contains(&ActionKind::EblReadTitle) && matches!(terms.grantee, Grantee::Key(_))
    {
        return Err(RuleError::invalid(
            "grantee",
            "READ_TITLE is granted to an organisation, not to a key",
        ));
    }
    if terms.document_kinds.is_empty() || terms.document_kinds.len() > MAX_GRANT_KINDS {
        return Err(RuleError::invalid(
            "document_kinds",
            format!("1 to {MAX_GRANT_KINDS} document kinds"),
        ));
    }
    if has_duplicates(&terms.document_kinds) {
        return Err(RuleError::invalid(
            "document_kinds",
            "a document kind is named twice",
        ));
    }
    if let Some(document) = &terms.document {
        let kind = match document {
            DocumentRef::Ebl { .. } => DocumentKind::Ebl,
            DocumentRef::Certificate(c) => {
                c.administration.validate("document.administration")?;
                crate::ids::check_code("document.utn", &c.utn, 64)?;
                DocumentKind::ShipCertificate
            }
            DocumentRef::Attested(a) => {
                crate::attest::stateless::check_reference(a)?;
                DocumentKind::TradeCertificate
            }
        };
        if !terms.document_kinds.contains(&kind) {
            return Err(RuleError::invalid(
                "document",
                "the document's kind is not among document_kinds",
            ));
        }
    }
    if terms.valid_until <= terms.valid_from {
        return Err(RuleError::invalid(
            "valid_until",
            "must be later than valid_from",
        ));
    }
    Ok(())
}

fn has_duplicates<T: Ord + Copy>(items: &[T]) -> bool {
    let mut sorted = items.to_vec();
    sorted.sort();
    sorted.windows(2).any(|w| w[0] == w[1])
}
