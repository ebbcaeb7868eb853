//! Who may act on a trade certificate, ISSUE, AMEND, SUPERSEDE and REVOKE
//! (specs/protocol.md R391–R396).

use crate::attest::record::{
    self, AmendmentRecord, AttestRecord, Closing, ClosingEvent, MAX_AMENDMENTS,
};
use crate::attest::{AttestFacts, AttestIssue, AttestRef};
use crate::cert::Stamp;
use crate::entry::{ActionKind, DocumentRef};
use crate::error::{ExecResult, RuleError};
use crate::identity::org::{organisation, owner_of_key};
use crate::identity::{DocumentKind, authorize};
use crate::state::{EntryContext, keys};

/// R391–R393: ISSUE.
///
/// The authority is the acting organisation: the signer's own, or the one it acts for through
/// a grant covering ATTEST_ISSUE of trade certificates. It must hold one of the kind's issuer
/// roles (R391), the number must be new for it (R392), the certificate must not have expired
/// by the block date and a named eBL must be on the ledger (R392). The record keeps the seal:
/// the entry, its key and the authority (R393).
pub fn issue(ctx: &mut EntryContext<'_>, issue: &AttestIssue) -> ExecResult<()> {
    let authority = match &ctx.act_for {
        Some(org) => org.clone(),
        None => owner_of_key(&ctx.state, &ctx.signer)?.ok_or(RuleError::UnknownSigner)?,
    };
    let reference = AttestRef {
        authority,
        number: issue.number.clone(),
    };
    let actor = authorize(
        ctx,
        ActionKind::AttestIssue,
        Some(DocumentKind::TradeCertificate),
        Some(&DocumentRef::Attested(reference.clone())),
    )?;
    if actor != reference.authority {
        return Err(RuleError::NotAuthorized.into());
    }
    let org = organisation(&ctx.state, &actor)?;
    if !issue.kind.issuer_roles().iter().any(|r| org.has_role(*r)) {
        return Err(RuleError::MissingRole {
            org: actor.as_str().to_string(),
            role: issue.kind.issuer_roles_text(),
        }
        .into());
    }
    if ctx.state.get_raw(&keys::attested(&reference))?.is_some() {
        return Err(RuleError::DuplicateCertificateNumber.into());
    }
    // R397a: the authority's zone at issue judges every day of this certificate.
    let zone = org.profile.zone;
    check_facts_now(ctx, &zone, &issue.facts)?;
    let seal = Stamp::of(ctx, &actor)?;
    let mut record = AttestRecord {
        reference,
        kind: issue.kind,
        facts: issue.facts.clone(),
        seal: seal.clone(),
        amendments: Vec::new(),
        closed: None,
        supersedes: None,
        history: Vec::new(),
        authority_zone: zone,
    };
    record.log(ActionKind::AttestIssue, &seal);
    record::store(&mut ctx.state, &record);
    Ok(())
}

/// R392: facts that are about to take effect: not already expired at the block date in the
/// authority's zone (R397a), and the eBL they name (if any) is on the ledger.
fn check_facts_now(
    ctx: &EntryContext<'_>,
    zone: &crate::local_time::LocalZone,
    facts: &AttestFacts,
) -> ExecResult<()> {
    let today = zone.date_of(ctx.time);
    if facts.valid_until < today {
        return Err(RuleError::InvalidDates(format!(
            "valid_until {} is before the block date {today}",
            facts.valid_until
        ))
        .into());
    }
    if let Some(id) = &facts.subject.ebl
        && ctx.state.get_raw(&keys::ebl(id))?.is_none()
    {
        return Err(RuleError::UnknownDocument.into());
    }
    Ok(())
}

/// R396: every action after ISSUE. The signer acts for the authority (itself, or through a
/// grant covering `kind` for this certificate); the certificate exists
/// (UNKNOWN_TRADE_CERTIFICATE), the actor is its authority (NOT_ISSUER) and it is not revoked
/// or superseded (DOCUMENT_CLOSED).
fn open_for(
    ctx: &EntryContext<'_>,
    kind: ActionKind,
    reference: &AttestRef,
) -> ExecResult<(AttestRecord, Stamp)> {
    let actor = authorize(
        ctx,
        kind,
        Some(DocumentKind::TradeCertificate),
        Some(&DocumentRef::Attested(reference.clone())),
    )?;
    let record = record::load(&ctx.state, reference)?;
    if actor != record.reference.authority {
        return Err(RuleError::NotIssuer.into());
    }
    if let Some(code) = record.closed_code() {
        return Err(RuleError::DocumentClosed(code).into());
    }
    let stamp = Stamp::of(ctx, &actor)?;
    Ok((record, stamp))
}

/// R393: AMEND: new facts that differ from the current ones (NO_CHANGE), meet R392, and fit
/// in the record's [`MAX_AMENDMENTS`] (INVALID_FIELD). The replaced facts are kept.
pub fn amend(
    ctx: &mut EntryContext<'_>,
    reference: &AttestRef,
    facts: &AttestFacts,
    reason: &str,
) -> ExecResult<()> {
    let (mut record, stamp) = open_for(ctx, ActionKind::AttestAmend, reference)?;
    if record.facts == *facts {
        return Err(RuleError::NoChange.into());
    }
    if record.amendments.len() >= MAX_AMENDMENTS {
        return Err(RuleError::invalid(
            "certificate",
            format!("already amended {MAX_AMENDMENTS} times; supersede it instead"),
        )
        .into());
    }
    check_facts_now(ctx, &record.authority_zone, facts)?;
    let previous = std::mem::replace(&mut record.facts, facts.clone());
    record.amendments.push(AmendmentRecord {
        previous,
        reason: reason.to_string(),
        stamp: stamp.clone(),
    });
    record.log(ActionKind::AttestAmend, &stamp);
    record::store(&mut ctx.state, &record);
    Ok(())
}

/// R394: SUPERSEDE by `by_number` of the same authority: on the ledger
/// (UNKNOWN_TRADE_CERTIFICATE), open (DOCUMENT_CLOSED), of the same kind and superseding
/// nothing yet (INVALID_FIELD). Both records are linked; the old one is closed.
pub fn supersede(
    ctx: &mut EntryContext<'_>,
    reference: &AttestRef,
    by_number: &str,
) -> ExecResult<()> {
    let (mut old, stamp) = open_for(ctx, ActionKind::AttestSupersede, reference)?;
    let new_ref = AttestRef {
        authority: old.reference.authority.clone(),
        number: by_number.to_string(),
    };
    let mut new = record::load(&ctx.state, &new_ref)?;
    if let Some(code) = new.closed_code() {
        return Err(RuleError::DocumentClosed(code).into());
    }
    if new.kind != old.kind {
        return Err(RuleError::invalid(
            "by_number",
            "the replacement is a certificate of another kind",
        )
        .into());
    }
    if new.supersedes.is_some() {
        return Err(
            RuleError::invalid("by_number", "the replacement already supersedes another").into(),
        );
    }
    new.supersedes = Some(old.reference.clone());
    new.log(ActionKind::AttestSupersede, &stamp);
    record::store(&mut ctx.state, &new);
    old.closed = Some(ClosingEvent {
        change: Closing::Superseded { by: new_ref },
        stamp: stamp.clone(),
    });
    old.log(ActionKind::AttestSupersede, &stamp);
    record::store(&mut ctx.state, &old);
    Ok(())
}

/// R395: REVOKE, final, from any standing that is not closed.
pub fn revoke(ctx: &mut EntryContext<'_>, reference: &AttestRef, reason: &str) -> ExecResult<()> {
    let (mut record, stamp) = open_for(ctx, ActionKind::AttestRevoke, reference)?;
    record.closed = Some(ClosingEvent {
        change: Closing::Revoked {
            reason: reason.to_string(),
        },
        stamp: stamp.clone(),
    });
    record.log(ActionKind::AttestRevoke, &stamp);
    record::store(&mut ctx.state, &record);
    Ok(())
}
