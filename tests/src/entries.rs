//! Entry bodies the scenarios use (eBL issue and transfer, verification receipt).

use ebl_ledger::ebl::{EblAction, EblIssue, EblType};
use ebl_ledger::entry::{Body, DocumentRef};
use ebl_ledger::hash::{DocumentId, Hash32};
use ebl_ledger::ids::OrgId;
use ebl_ledger::receipt::{VerificationOutcome, VerificationReceipt};

/// A document id derived from a reference (stands in for a DCSA checksum).
pub fn doc(reference: &str) -> DocumentId {
    Hash32::sha256(reference.as_bytes())
}

/// ISSUE of a to-order BL to `to`, consigned to order of `to`.
pub fn issue(reference: &str, to: &str) -> Body {
    Body::Ebl(EblAction::Issue(EblIssue {
        document: doc(reference),
        reference: reference.to_string(),
        kind: EblType::ToOrderBl,
        issue_to: OrgId(to.to_string()),
        consignee: Some(OrgId(to.to_string())),
    }))
}

/// TRANSFER of possession to `to`.
pub fn transfer(id: DocumentId, to: &str) -> Body {
    Body::Ebl(EblAction::Transfer {
        document: id,
        to: OrgId(to.to_string()),
    })
}

/// A verification receipt about eBL `id`.
pub fn receipt(id: DocumentId, purpose: &str) -> Body {
    Body::Verification(VerificationReceipt {
        subject: DocumentRef::Ebl { id },
        outcome: VerificationOutcome::Verified,
        purpose: purpose.to_string(),
        detail: "checked against the carrier's copy".to_string(),
        cites: Vec::new(),
    })
}
