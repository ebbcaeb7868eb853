//! SURRENDER_FOR_DELIVERY, SURRENDER_FOR_AMENDMENT, SACC and SREJ (specs/protocol.md R49–R54,
//! R240–R244).

use crate::ebl::record::{EblRecord, EblStatus, Surrender, SurrenderKind};
use crate::ebl::{AmendmentReason, EblType};
use crate::entry::ActionKind;
use crate::error::{ExecResult, RuleError};
use crate::hash::DocumentId;
use crate::ids::OrgId;
use crate::state::{EntryContext, keys};

/// R242: the first holder (the `issue_to` of the ISSUE, or of the AMEND / SPLIT / COMBINE that
/// issued a replacement: the shipper, or the party a replacement went to), from the first
/// history entry, which is always the record's issuance.
fn original_shipper(record: &EblRecord) -> Option<&OrgId> {
    record.history.first().and_then(|first| first.to.as_ref())
}

/// R49, R50, R242: who may surrender the document, and for what.
fn check_may_surrender(
    record: &EblRecord,
    actor: &OrgId,
    kind: SurrenderKind,
) -> Result<(), RuleError> {
    match record.kind {
        EblType::SeaWaybill => {
            // R50: a waybill is no document of title: the goods are delivered to the consignee
            // without it; it may only be surrendered for amendment, by its holder (the shipper,
            // who keeps the right of control) or its consignee.
            if kind == SurrenderKind::Delivery {
                return Err(RuleError::NotNegotiable);
            }
            if record.holder() != actor && record.endorsee() != Some(actor) {
                return Err(RuleError::NotHolder);
            }
        }
        EblType::StraightBl => {
            // R242 (DCSA SUR: "submitted by the sole possessor ... either the original shipper
            // OR the consignee"): the consignee in possession may surrender for delivery or
            // amendment; the original shipper in possession only for amendment (delivery is
            // made to the named consignee alone).
            record.check_holder(actor)?;
            let consignee = record.holder_has_title();
            let shipper = original_shipper(record) == Some(actor);
            let amendment = matches!(kind, SurrenderKind::Amendment(_));
            if !(consignee || (shipper && amendment)) {
                return Err(RuleError::NotEndorsee);
            }
        }
        EblType::ToOrderBl => {
            // R49
            record.check_holder(actor)?;
            if !record.holder_has_title() {
                return Err(RuleError::NotEndorsee);
            }
        }
    }
    Ok(())
}

/// R49–R51, R240–R242: the party entitled to surrender returns the document to the issuing
/// carrier, which holds it until it answers with SACC or SREJ. The surrender request reference
/// (`request_reference`, or the entry id in hex) is recorded with the surrender and indexed, and
/// may never be used again.
pub fn surrender(
    ctx: &mut EntryContext<'_>,
    record: &mut EblRecord,
    actor: &OrgId,
    kind: SurrenderKind,
    request_reference: Option<&str>,
) -> ExecResult<()> {
    record.check_active()?;
    // R296: a bill issued on another platform has no issuer here to answer; it is surrendered
    // by exporting it to its carrier's platform.
    if record
        .carrier
        .as_str()
        .starts_with(crate::ebl::pint::FOREIGN_CARRIER_PREFIX)
    {
        return Err(RuleError::invalid(
            "document",
            "issued on another platform: surrender it to its carrier by PINT export",
        )
        .into());
    }
    check_may_surrender(record, actor, kind)?;
    // R240
    let reference = match request_reference {
        Some(reference) => reference.to_string(),
        None => ctx.entry_id.to_hex(),
    };
    // R241
    let index = keys::surrender_request(&reference);
    if ctx.state.get::<DocumentId>(&index)?.is_some() {
        return Err(RuleError::DuplicateSurrenderRequest.into());
    }
    ctx.state.put(index, &record.id);
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
        reference,
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
            AmendmentReason::ChangeOfDestination
            | AmendmentReason::SwitchBl
            | AmendmentReason::Other,
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

/// R52, R54, R244: SREJ. Possession returns to the party that requested the surrender (DCSA
/// SUR: "the eBL is returned to the party that submitted the surrender request"); ACTIVE again.
/// The surrender stays recorded (its reference answered), so a second answer is WRONG_STATUS.
pub fn reject(
    ctx: &EntryContext<'_>,
    record: &mut EblRecord,
    actor: &OrgId,
    reason: &str,
) -> ExecResult<()> {
    let surrender = pending_surrender(record, actor)?;
    record.position.holder = surrender.by.clone();
    record.status = EblStatus::Active;
    record.record(
        ctx,
        ActionKind::EblRejectSurrender,
        actor,
        Some(actor.clone()),
        Some(surrender.by),
        Some(reason.to_string()),
    );
    Ok(())
}
