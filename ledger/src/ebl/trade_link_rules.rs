//! LINK_EVIDENCE, WITHDRAW_EVIDENCE and the links a verification receipt cites
//! (specs/protocol.md §9aa, R401–R407).

use crate::ebl::trade_links::{
    self, LinkWithdrawal, MAX_LINKS_PER_BILL, MAX_LINKS_PER_LINKER, TradeLink, TradeLinkRecord,
};
use crate::ebl::{EblRecord, EblStatus};
use crate::entry::ActionKind;
use crate::error::{ExecResult, RuleError};
use crate::hash::DocumentId;
use crate::ids::OrgId;
use crate::state::EntryContext;

/// R401, R406: the actor is a party of the bill (R140), and the bill takes actions: open
/// (R32, checked by the caller) and not waiting for another platform's answer (R291).
fn check_may_act(record: &EblRecord, actor: &OrgId) -> Result<(), RuleError> {
    record.check_open()?;
    if record.status == EblStatus::ExportPending {
        return Err(RuleError::WrongStatus(record.status.code()));
    }
    if !record.is_party(actor) {
        return Err(RuleError::NotParty);
    }
    Ok(())
}

/// R401–R404: appends `links` to the bill's set, numbered after the last, by `actor`.
pub fn link(
    ctx: &mut EntryContext<'_>,
    record: &mut EblRecord,
    actor: &OrgId,
    links: &[TradeLink],
) -> ExecResult<()> {
    check_may_act(record, actor)?;
    let mut set = trade_links::load(ctx, &record.id)?;
    for link in links {
        if set.live(link.kind, &link.reference).is_some() {
            return Err(RuleError::DuplicateLink.into());
        }
    }
    let by_actor = set.links.iter().filter(|l| &l.linker == actor).count();
    if set.links.len() + links.len() > MAX_LINKS_PER_BILL
        || by_actor + links.len() > MAX_LINKS_PER_LINKER
    {
        return Err(RuleError::TooManyLinks.into());
    }
    for link in links {
        // Bounded by MAX_LINKS_PER_BILL, so the number always fits.
        let number = u32::try_from(set.links.len() + 1).map_err(|_| RuleError::TooManyLinks)?;
        set.links.push(TradeLinkRecord {
            number,
            link: link.clone(),
            linker: actor.clone(),
            signer: ctx.signer,
            height: ctx.height,
            time: ctx.time,
            entry: ctx.entry_id,
            withdrawn: None,
        });
    }
    trade_links::store(ctx, &set);
    record.record(
        ctx,
        ActionKind::EblLinkEvidence,
        actor,
        Some(actor.clone()),
        None,
        None,
    );
    Ok(())
}

/// R405: the linker withdraws its live link `number`; the link stays in the set.
pub fn withdraw(
    ctx: &mut EntryContext<'_>,
    record: &mut EblRecord,
    actor: &OrgId,
    number: u32,
    reason: &str,
) -> ExecResult<()> {
    check_may_act(record, actor)?;
    let mut set = trade_links::load(ctx, &record.id)?;
    let slot = usize::try_from(number).ok().and_then(|n| n.checked_sub(1));
    let Some(link) = slot.and_then(|i| set.links.get_mut(i)) else {
        return Err(RuleError::UnknownLink.into());
    };
    if &link.linker != actor {
        return Err(RuleError::NotLinker.into());
    }
    if !link.is_live() {
        return Err(RuleError::LinkWithdrawn.into());
    }
    link.withdrawn = Some(LinkWithdrawal {
        height: ctx.height,
        time: ctx.time,
        entry: ctx.entry_id,
        reason: reason.to_owned(),
    });
    trade_links::store(ctx, &set);
    record.record(
        ctx,
        ActionKind::EblWithdrawEvidence,
        actor,
        Some(actor.clone()),
        None,
        Some(reason.to_owned()),
    );
    Ok(())
}

/// R407: a receipt about bill `id` by `verifier` may cite links only if the verifier is a
/// party of the bill and every cited link exists on it and is live.
pub fn check_cited(
    ctx: &EntryContext<'_>,
    id: &DocumentId,
    verifier: &OrgId,
    cites: &[u32],
) -> ExecResult<()> {
    if cites.is_empty() {
        return Ok(());
    }
    let record = crate::ebl::record::load(ctx, id)?;
    if !record.is_party(verifier) {
        return Err(RuleError::NotParty.into());
    }
    let set = trade_links::load(ctx, id)?;
    for number in cites {
        let link = set.get(*number).ok_or(RuleError::UnknownLink)?;
        if !link.is_live() {
            return Err(RuleError::LinkWithdrawn.into());
        }
    }
    Ok(())
}
