//! SURRENDER_FOR_DELIVERY, SURRENDER_FOR_AMENDMENT, SACC and SREJ (specs/protocol.md R49–R54).

use crate::ebl::record::{EblRecord, EblStatus, Surrender, SurrenderKind};
use crate::ebl::{AmendmentReason, EblType};
use crate::entry::ActionKind;
use crate::error::{ExecResult, RuleError};
use crate::ids::OrgId;
use crate::state::EntryContext;

/// R49–R51: the holder with title returns the document to the issuing carrier, which holds it
/// until it answers with SACC or SREJ.
pub fn surrender(
    ctx: &EntryContext<'_>,
    record: &mut EblRecord,
    actor: &OrgId,
    kind: SurrenderKind,
) -> ExecResult<()> {
    record.check_active()?;
    if record.kind == EblType::SeaWaybill {
        // R50: a waybill is no document of title: the goods are delivered to the consignee
        // without it; it may only be surrendered for amendment, by its holder (the shipper, who
        // keeps the right of control) or its consignee.
        if kind == SurrenderKind::Delivery {
            return Err(RuleError::NotNegotiable.into());
        }
        if record.holder() != actor && record.endorsee() != Some(actor) {
            return Err(RuleError::NotHolder.into());
        }
    } else {
        // R49
        record.check_holder(actor)?;
        if !record.holder_has_title() {
            return Err(RuleError::NotEndorsee.into());
        }
    }
    let (action, status) = match kind {
        SurrenderKind::Delivery => (
            ActionKind::EblSurrenderForDelivery,
            EblStatus::SurrenderForDeliveryPending,
        ),
        SurrenderKind::Amendment(_) => (
            ActionKind::EblSurrenderForAmendment,
            EblStatus::SurrenderForAmendmentPending,
        ),
    };
    // R51
    record.surrender = Some(Surrender {
        kind,
        by: actor.clone(),
        previous_holder: record.holder().clone(),
        height: ctx.height,
    });
    record.position.holder = record.carrier.clone();
    record.status = status;
    record.pending_reject = None;
    let carrier = record.carrier.clone();
    record.record(ctx, action, actor, Some(actor.clone()), Some(carrier), None);
    Ok(())
}

/// R52: the issuing carrier answers a pending surrender.
fn pending_surrender(record: &EblRecord, actor: &OrgId) -> Result<Surrender, RuleError> {
    record.check_issuer(actor)?;
    let pending = matches!(
        record.status,
        EblStatus::SurrenderForDeliveryPending | EblStatus::SurrenderForAmendmentPending
    );
    match &record.surrender {
        Some(surrender) if pending => Ok(surrender.clone()),
        _ => Err(RuleError::WrongStatus(record.status.code())),
    }
}

/// R52–R53: SACC. Delivery: ACCOMPLISHED. Amendment: SWITCHED_TO_PAPER for SWTP, otherwise
/// SURRENDERED_FOR_AMENDMENT until the carrier issues the replacement.
pub fn accept(ctx: &EntryContext<'_>, record: &mut EblRecord, actor: &OrgId) -> ExecResult<()> {
    let surrender = pending_surrender(record, actor)?;
    record.status = match surrender.kind {
        SurrenderKind::Delivery => EblStatus::Accomplished,
        SurrenderKind::Amendment(AmendmentReason::SwitchToPaper) => EblStatus::SwitchedToPaper,
        SurrenderKind::Amendment(
            AmendmentReason::ChangeOfDestination | AmendmentReason::SwitchBl,
        ) => EblStatus::SurrenderedForAmendment,
    };
    record.record(
        ctx,
        ActionKind::EblAcceptSurrender,
        actor,
        Some(actor.clone()),
        Some(surrender.by),
        None,
    );
    Ok(())
}

/// R52, R54: SREJ. Possession returns to the holder before the surrender; ACTIVE again.
pub fn reject(
    ctx: &EntryContext<'_>,
    record: &mut EblRecord,
    actor: &OrgId,
    reason: &str,
) -> ExecResult<()> {
    let surrender = pending_surrender(record, actor)?;
    record.position.holder = surrender.previous_holder.clone();
    record.status = EblStatus::Active;
    record.surrender = None;
    record.record(
        ctx,
        ActionKind::EblRejectSurrender,
        actor,
        Some(actor.clone()),
        Some(surrender.previous_holder),
        Some(reason.to_string()),
    );
    Ok(())
}
