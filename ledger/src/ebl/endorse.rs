//! ENDORSE, ENDORSE_TO_ORDER, BLANK_ENDORSE, NOMINATE and SIGN (specs/protocol.md R42–R45, R48).

use crate::ebl::EblType;
use crate::ebl::record::{EblRecord, EblSignature, Endorsement};
use crate::ebl::transfer::give_reject_right;
use crate::entry::ActionKind;
use crate::error::{ExecResult, RuleError};
use crate::identity::org::active_organisation;
use crate::ids::OrgId;
use crate::state::EntryContext;

/// R42–R44: the holder with title (or executing a nomination) names a new endorsee: `Named`
/// (ENDORSE), `ToOrder` (ENDORSE_TO_ORDER) or `Blank` (BLANK_ENDORSE, `to` = None).
pub fn endorse(
    ctx: &EntryContext<'_>,
    record: &mut EblRecord,
    actor: &OrgId,
    style: Endorsement,
    to: Option<&OrgId>,
) -> ExecResult<()> {
    record.check_active()?;
    // R42: only a to-order bill still negotiable (not named-endorsed) is endorsed.
    if record.kind != EblType::ToOrderBl || record.position.endorsement == Endorsement::Named {
        return Err(RuleError::NotNegotiable.into());
    }
    record.check_holder(actor)?;
    // R43: title to endorse, or a nomination to execute.
    if !record.holder_has_title() {
        match &record.position.nominee {
            None => return Err(RuleError::NotEndorsee.into()),
            Some(nominee) if to != Some(nominee) => return Err(RuleError::NotNominee.into()),
            Some(_) => {}
        }
    }
    // R44: to the party that already has title (or blank when already blank) changes nothing.
    let unchanged = match to {
        Some(to) => record.endorsee() == Some(to),
        None => record.position.endorsement == Endorsement::Blank,
    };
    if unchanged {
        return Err(RuleError::NoChange.into());
    }
    if let Some(to) = to {
        active_organisation(ctx, to)?;
    }
    let before = record.position.clone();
    record.position.endorsee = to.cloned();
    record.position.endorsement = style;
    record.position.nominee = None;
    let action = match style {
        Endorsement::Named => ActionKind::EblEndorse,
        Endorsement::ToOrder => ActionKind::EblEndorseToOrder,
        Endorsement::Blank => ActionKind::EblBlankEndorse,
    };
    match to {
        Some(to) => give_reject_right(record, actor, to, action, before),
        // A blank endorsement has no receiving party.
        None => record.pending_reject = None,
    }
    record.record(ctx, action, actor, Some(actor.clone()), to.cloned(), None);
    Ok(())
}

/// R45: the endorsee of a to-order bill that someone else holds proposes the next endorsee; the
/// holder executes it with ENDORSE or ENDORSE_TO_ORDER.
pub fn nominate(
    ctx: &EntryContext<'_>,
    record: &mut EblRecord,
    actor: &OrgId,
    nominee: &OrgId,
) -> ExecResult<()> {
    record.check_active()?;
    if record.kind != EblType::ToOrderBl || record.position.endorsement == Endorsement::Named {
        return Err(RuleError::NotNegotiable.into());
    }
    if record.endorsee() != Some(actor) {
        return Err(RuleError::NotEndorsee.into());
    }
    if record.holder() == actor {
        // The holding endorsee endorses directly; a nomination would be addressed to itself.
        return Err(RuleError::WrongStatus("HELD_BY_ENDORSEE").into());
    }
    if record.position.nominee.as_ref() == Some(nominee) || record.endorsee() == Some(nominee) {
        return Err(RuleError::NoChange.into());
    }
    active_organisation(ctx, nominee)?;
    record.position.nominee = Some(nominee.clone());
    record.record(
        ctx,
        ActionKind::EblNominate,
        actor,
        Some(actor.clone()),
        Some(nominee.clone()),
        None,
    );
    Ok(())
}

/// R48: the holder, and only the holder, records its signature, once. DCSA PINT 3.0 `SIGN`:
/// "can only be performed while the actor is the current possessor of the eBL"; an endorsee
/// that does not hold the bill has title on paper but nothing to confirm possession of.
pub fn sign(ctx: &EntryContext<'_>, record: &mut EblRecord, actor: &OrgId) -> ExecResult<()> {
    record.check_active()?;
    if record.holder() != actor {
        return Err(RuleError::NotHolder.into());
    }
    if record.signatures.iter().any(|s| &s.org == actor) {
        return Err(RuleError::NoChange.into());
    }
    record.signatures.push(EblSignature {
        org: actor.clone(),
        key: ctx.signer,
        height: ctx.height,
        time: ctx.time,
    });
    record.record(
        ctx,
        ActionKind::EblSign,
        actor,
        Some(actor.clone()),
        None,
        None,
    );
    Ok(())
}
