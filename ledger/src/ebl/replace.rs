//! AMEND, SPLIT, COMBINE and VOID (specs/protocol.md R55–R58).

use crate::ebl::EblIssue;
use crate::ebl::issue::{new_record, store_new};
use crate::ebl::record::{self, EblRecord, EblStatus};
use crate::entry::{ActionKind, DocumentRef};
use crate::error::{ExecResult, RuleError};
use crate::hash::DocumentId;
use crate::identity::{DocumentKind, authorize};
use crate::ids::OrgId;
use crate::state::EntryContext;

/// R55: the issuing carrier acts on a document surrendered for amendment; returns the party
/// that surrendered it, to whom the replacements go.
fn surrendered_by(record: &EblRecord, actor: &OrgId) -> Result<OrgId, RuleError> {
    record.check_open()?;
    record.check_issuer(actor)?;
    match (&record.surrender, record.status) {
        (Some(surrender), EblStatus::SurrenderedForAmendment) => Ok(surrender.by.clone()),
        _ => Err(RuleError::WrongStatus(record.status.code())),
    }
}

/// R56: every replacement goes to the party that surrendered.
fn check_issue_to(replacement: &EblIssue, surrenderer: &OrgId) -> Result<(), RuleError> {
    if &replacement.issue_to != surrenderer {
        return Err(RuleError::invalid(
            "issue_to",
            "a replacement is issued to the party that surrendered the document",
        ));
    }
    Ok(())
}

/// R55–R56: AMEND (`action` EblAmend, one replacement) and SPLIT (EblSplit, several): the old
/// document becomes REPLACED with links to the new ones, which are issued like ISSUE with a link
/// back.
pub fn replace(
    ctx: &mut EntryContext<'_>,
    record: &mut EblRecord,
    actor: &OrgId,
    action: ActionKind,
    replacements: &[EblIssue],
) -> ExecResult<()> {
    let surrenderer = surrendered_by(record, actor)?;
    let mut new_ids = Vec::with_capacity(replacements.len());
    for replacement in replacements {
        check_issue_to(replacement, &surrenderer)?;
        let new = new_record(ctx, actor, replacement, action, vec![record.id])?;
        // Stored at once, so that a later replacement of the same entry sees its id and reference.
        store_new(ctx, &new);
        new_ids.push(new.id);
    }
    record.replaced_by = new_ids;
    record.status = EblStatus::Replaced;
    record.record(
        ctx,
        action,
        actor,
        Some(actor.clone()),
        Some(surrenderer),
        None,
    );
    Ok(())
}

/// R55–R57: COMBINE: several documents surrendered for amendment by the same party, all issued
/// by the actor, are replaced by one.
pub fn apply_combine(
    ctx: &mut EntryContext<'_>,
    documents: &[DocumentId],
    replacement: &EblIssue,
) -> ExecResult<()> {
    let mut actor: Option<OrgId> = None;
    let mut surrenderer: Option<OrgId> = None;
    let mut olds = Vec::with_capacity(documents.len());
    for id in documents {
        // R37: authority is checked for every document, so a grant for one does not reach others.
        let this_actor = authorize(
            ctx,
            ActionKind::EblCombine,
            Some(DocumentKind::Ebl),
            Some(&DocumentRef::Ebl { id: *id }),
        )?;
        let record = record::load(ctx, id)?;
        let by = surrendered_by(&record, &this_actor)?;
        // R57
        if surrenderer.as_ref().is_some_and(|s| s != &by) {
            return Err(RuleError::invalid(
                "documents",
                "combined documents must be surrendered by the same party",
            )
            .into());
        }
        surrenderer = Some(by);
        actor = Some(this_actor);
        olds.push(record);
    }
    let (Some(actor), Some(surrenderer)) = (actor, surrenderer) else {
        return Err(RuleError::invalid("documents", "no documents").into());
    };
    check_issue_to(replacement, &surrenderer)?;
    let new = new_record(
        ctx,
        &actor,
        replacement,
        ActionKind::EblCombine,
        documents.to_vec(),
    )?;
    for mut old in olds {
        old.replaced_by = vec![new.id];
        old.status = EblStatus::Replaced;
        old.record(
            ctx,
            ActionKind::EblCombine,
            &actor,
            Some(actor.clone()),
            Some(surrenderer.clone()),
            None,
        );
        record::store(ctx, &old);
    }
    store_new(ctx, &new);
    Ok(())
}

/// R58: the issuing carrier voids a document no one else has rights in: one it holds with title
/// while ACTIVE, or one surrendered for amendment and accepted.
pub fn void(
    ctx: &EntryContext<'_>,
    record: &mut EblRecord,
    actor: &OrgId,
    reason: &str,
) -> ExecResult<()> {
    record.check_issuer(actor)?;
    match record.status {
        EblStatus::SurrenderedForAmendment => {}
        EblStatus::Active => {
            record.check_holder(actor)?;
            // Possession alone is not enough: a named title party other than the carrier (a
            // to-order endorsee, the consignee of a straight BL) keeps its rights.
            if !record.holder_has_title() {
                return Err(RuleError::NotEndorsee.into());
            }
        }
        status => return Err(RuleError::WrongStatus(status.code()).into()),
    }
    record.status = EblStatus::Void;
    record.pending_reject = None;
    record.record(
        ctx,
        ActionKind::EblVoid,
        actor,
        Some(actor.clone()),
        None,
        Some(reason.to_string()),
    );
    Ok(())
}
