//! Who may act on a certificate, and ISSUE (specs/protocol.md R65–R70).

use crate::cert::flag;
use crate::cert::record::{self, CertificateRecord, Stamp};
use crate::cert::{CertificateIssue, CertificateRef};
use crate::entry::{ActionKind, DocumentRef};
use crate::error::{ExecResult, RuleError};
use crate::identity::org::{organisation, owner_of_key};
use crate::identity::{DocumentKind, Role, authorize, require_role};
use crate::ids::OrgId;
use crate::state::{EntryContext, keys};

/// R65–R68: ISSUE.
///
/// The certificate's Administration is the acting organisation: the signer's own, or the one it
/// acts for through a grant covering CERT_ISSUE of ship certificates (a recognized organization
/// for its flag Administration). It must have the MARITIME_ADMINISTRATION role (R65) and be of
/// the ship's flag (R385). Its UTN must be new for that Administration (R66) and the
/// certificate must not already have expired at the block date in the Administration's zone
/// (R67, R384). The record, with that zone, the IMO index entry and the ship record are
/// written (R68, R383, R385).
pub fn issue(ctx: &mut EntryContext<'_>, issue: &CertificateIssue) -> ExecResult<()> {
    // The grant check needs the document, whose Administration is the party acted for.
    let administration = match &ctx.act_for {
        Some(org) => org.clone(),
        None => owner_of_key(&ctx.state, &ctx.signer)?.ok_or(RuleError::UnknownSigner)?,
    };
    let reference = CertificateRef {
        administration,
        utn: issue.utn.clone(),
    };
    let actor = authorize(
        ctx,
        ActionKind::CertIssue,
        Some(DocumentKind::ShipCertificate),
        Some(&DocumentRef::Certificate(reference.clone())),
    )?;
    if actor != reference.administration {
        return Err(RuleError::NotAuthorized.into());
    }
    require_role(ctx, &actor, Role::MaritimeAdministration)?;
    let administration = organisation(&ctx.state, &actor)?;
    let ship_record = flag::check_issue_flag(ctx, &administration, &issue.ship)?;
    let key = keys::certificate(&reference);
    if ctx.state.get_raw(&key)?.is_some() {
        return Err(RuleError::DuplicateUtn.into());
    }
    let zone = administration.profile.zone;
    let today = zone.date_of(ctx.time);
    if issue.expires_on < today {
        return Err(RuleError::InvalidDates(format!(
            "certificate expired on {} before the block date {today}",
            issue.expires_on
        ))
        .into());
    }
    let stamp = Stamp::of(ctx, &actor)?;
    let mut record = CertificateRecord {
        reference: reference.clone(),
        kind: issue.kind,
        ship: issue.ship.clone(),
        issued_on: issue.issued_on,
        expires_on: issue.expires_on,
        original_expires_on: issue.expires_on,
        document: issue.document,
        place: issue.place.clone(),
        issued: stamp.clone(),
        endorsements: Vec::new(),
        extension: None,
        status_events: Vec::new(),
        superseded_by: None,
        supersedes: None,
        history: Vec::new(),
        administration_zone: zone,
    };
    record.log(ActionKind::CertIssue, &stamp);
    record::store(&mut ctx.state, &record);
    ctx.state.put(
        keys::certificate_by_imo(&issue.ship.imo_number, &reference),
        &reference,
    );
    flag::register(ctx, ship_record, &issue.ship, &reference)
}

/// R69–R70: every action after ISSUE. The signer must act for an organisation (itself, or the
/// Administration through a grant covering `kind` for this certificate); the certificate must
/// exist (UNKNOWN_CERTIFICATE), the actor must be its Administration (NOT_ISSUER) and it must
/// not be withdrawn or superseded (DOCUMENT_CLOSED). Returns the record and the stamp to record.
pub fn open_for(
    ctx: &EntryContext<'_>,
    kind: ActionKind,
    reference: &CertificateRef,
) -> ExecResult<(CertificateRecord, Stamp)> {
    let actor: OrgId = authorize(
        ctx,
        kind,
        Some(DocumentKind::ShipCertificate),
        Some(&DocumentRef::Certificate(reference.clone())),
    )?;
    let record = record::load(&ctx.state, reference)?;
    if actor != record.reference.administration {
        return Err(RuleError::NotIssuer.into());
    }
    if let Some(status) = record.closed() {
        return Err(RuleError::DocumentClosed(status).into());
    }
    let stamp = Stamp::of(ctx, &actor)?;
    Ok((record, stamp))
}
