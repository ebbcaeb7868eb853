//! ISSUE, and the issuance of replacements (specs/protocol.md R30, R31, R34–R36).

use crate::ebl::record::{self, EblRecord, EblStatus, Endorsement, Position};
use crate::ebl::{EblIssue, EblType};
use crate::entry::{ActionKind, DocumentRef};
use crate::error::{ExecResult, RuleError};
use crate::hash::DocumentId;
use crate::identity::org::active_organisation;
use crate::identity::{DocumentKind, Role, authorize, require_role};
use crate::ids::OrgId;
use crate::state::{EntryContext, keys};

/// R34: the ISSUE action: authorize the carrier, then issue.
pub fn apply_issue(ctx: &mut EntryContext<'_>, issue: &EblIssue) -> ExecResult<()> {
    let doc = DocumentRef::Ebl { id: issue.document };
    let carrier = authorize(
        ctx,
        ActionKind::EblIssue,
        Some(DocumentKind::Ebl),
        Some(&doc),
    )?;
    let record = new_record(ctx, &carrier, issue, ActionKind::EblIssue, Vec::new())?;
    store_new(ctx, &record);
    Ok(())
}

/// R30, R31, R34–R36: checks an issuance by `carrier` and builds the new record (not stored).
/// `action` is ISSUE, or AMEND / SPLIT / COMBINE for replacements, which also pass `replaces`.
pub fn new_record(
    ctx: &EntryContext<'_>,
    carrier: &OrgId,
    issue: &EblIssue,
    action: ActionKind,
    replaces: Vec<DocumentId>,
) -> ExecResult<EblRecord> {
    // R34: only a carrier issues.
    require_role(ctx, carrier, Role::Carrier)?;
    // R30: one record per document id.
    if ctx.state.get_raw(&keys::ebl(&issue.document))?.is_some() {
        return Err(RuleError::DuplicateDocument.into());
    }
    // R31: one live document per reference per carrier; a replacement may carry on the
    // reference of a document it replaces (DCSA amends under the same transportDocumentReference
    // with a new sub-reference), and the reference then names the replacement.
    let reference_key = keys::ebl_reference(carrier, &issue.reference);
    if let Some(holder_of_reference) = ctx.state.get::<DocumentId>(&reference_key)?
        && !replaces.contains(&holder_of_reference)
    {
        return Err(RuleError::DuplicateDocument.into());
    }
    // R36: the first holder and the named consignee must be able to take part now.
    active_organisation(ctx, &issue.issue_to)?;
    if let Some(consignee) = &issue.consignee {
        active_organisation(ctx, consignee)?;
    }
    // R35: a to-order BL names its first endorsee or is blank; the others name their consignee.
    let endorsement = match (issue.kind, &issue.consignee) {
        (EblType::ToOrderBl, Some(_)) => Endorsement::ToOrder,
        (EblType::ToOrderBl, None) => Endorsement::Blank,
        (EblType::StraightBl | EblType::SeaWaybill, Some(_)) => Endorsement::Named,
        (EblType::StraightBl | EblType::SeaWaybill, None) => {
            return Err(RuleError::invalid("consignee", "required for this document kind").into());
        }
    };
    let mut record = EblRecord {
        id: issue.document,
        reference: issue.reference.clone(),
        kind: issue.kind,
        carrier: carrier.clone(),
        position: Position {
            holder: issue.issue_to.clone(),
            endorsee: issue.consignee.clone(),
            endorsement,
            nominee: None,
        },
        status: EblStatus::Active,
        pending_reject: None,
        surrender: None,
        signatures: Vec::new(),
        replaces,
        replaced_by: Vec::new(),
        issued_height: ctx.height,
        issued_time: ctx.time,
        history: Vec::new(),
    };
    record.record(
        ctx,
        action,
        carrier,
        Some(carrier.clone()),
        Some(issue.issue_to.clone()),
        None,
    );
    Ok(record)
}

/// Stores a new record and its reference index entry.
pub fn store_new(ctx: &mut EntryContext<'_>, record: &EblRecord) {
    ctx.state.put(
        keys::ebl_reference(&record.carrier, &record.reference),
        &record.id,
    );
    record::store(ctx, record);
}
