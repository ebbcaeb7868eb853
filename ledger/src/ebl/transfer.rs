//! TRANSFER, REJECT and the receiving party's right to reject (specs/protocol.md R38–R41,
//! R46–R47).

use crate::ebl::EblType;
use crate::ebl::record::{EblRecord, PendingReject, Position};
use crate::entry::ActionKind;
use crate::error::{ExecResult, RuleError};
use crate::identity::org::active_organisation;
use crate::ids::OrgId;
use crate::state::EntryContext;

/// R38–R41: the holder passes possession to `to`; the transferor is divested at once, so a
/// second transfer by it (even later in the same block) fails NOT_HOLDER.
pub fn transfer(
    ctx: &EntryContext<'_>,
    record: &mut EblRecord,
    actor: &OrgId,
    to: &OrgId,
) -> ExecResult<()> {
    record.check_active()?;
    // R40: a sea waybill is not a document of title and never changes hands on the ledger.
    if record.kind == EblType::SeaWaybill {
        return Err(RuleError::NotTransferable.into());
    }
    record.check_holder(actor)?;
    // R39
    if record.holder() == to {
        return Err(RuleError::NoChange.into());
    }
    // R40: a straight BL (or a to-order BL after a named endorsement) may pass to any member,
    // e.g. the remitting and collecting banks of a documentary collection: possession moves,
    // title stays with the named party, and only that party, holding it, surrenders it (R49).
    active_organisation(ctx, to)?;
    let before = record.position.clone();
    record.position.holder = to.clone();
    give_reject_right(record, actor, to, ActionKind::EblTransfer, before);
    record.record(
        ctx,
        ActionKind::EblTransfer,
        actor,
        Some(actor.clone()),
        Some(to.clone()),
        None,
    );
    Ok(())
}

/// R46: the receiving party, as its first action, undoes what it received: the position goes
/// back to what it was before (holder, endorsee, endorsement, nominee).
pub fn reject(
    ctx: &EntryContext<'_>,
    record: &mut EblRecord,
    actor: &OrgId,
    reason: &str,
) -> ExecResult<()> {
    record.check_active()?;
    let pending = match record.pending_reject.take() {
        Some(p) if &p.receiver == actor => p,
        _ => return Err(RuleError::NothingToReject.into()),
    };
    let back_to = pending.before.holder.clone();
    record.position = pending.before;
    record.record(
        ctx,
        ActionKind::EblReject,
        actor,
        Some(actor.clone()),
        Some(back_to),
        Some(reason.to_string()),
    );
    Ok(())
}

/// R47: a TRANSFER or named endorsement gives its receiver the right to reject. Several given to
/// the same receiver before it acts add up (REJECT undoes them all); one to another party
/// replaces the right. Nothing is given to the actor itself.
pub fn give_reject_right(
    record: &mut EblRecord,
    actor: &OrgId,
    receiver: &OrgId,
    action: ActionKind,
    before: Position,
) {
    if receiver == actor {
        record.pending_reject = None;
        return;
    }
    let before = match record.pending_reject.take() {
        Some(p) if &p.receiver == receiver => p.before,
        _ => before,
    };
    record.pending_reject = Some(PendingReject {
        receiver: receiver.clone(),
        action,
        before,
    });
}

/// R47: any action other than REJECT by the receiving party ends its right to reject.
pub fn clear_reject_right_of(record: &mut EblRecord, actor: &OrgId) {
    if record
        .pending_reject
        .as_ref()
        .is_some_and(|p| &p.receiver == actor)
    {
        record.pending_reject = None;
    }
}
