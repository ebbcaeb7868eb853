//! ENDORSE and EXTEND: surveys and validity (specs/protocol.md R71–R74).

use crate::cert::record::{self, EndorsementRecord, ExtensionRecord};
use crate::cert::regime::SurveyRefusal;
use crate::cert::{CertificateRef, Endorsement, EndorsementKind};
use crate::entry::ActionKind;
use crate::error::{ExecResult, RuleError};
use crate::state::EntryContext;
use crate::time::CalendarDate;

/// Months before expiry in which a renewal survey may be completed (SOLAS I/14(b)).
pub const RENEWAL_WINDOW_MONTHS: i32 = 3;
/// Longest validity a renewal endorsement may add (SOLAS I/14(e)).
pub const RENEWAL_EXTENSION_MONTHS: i32 = 5;
/// Longest extension after the original expiry (SOLAS I/14(f)).
pub const EXTENSION_MONTHS: i32 = 3;

fn dates(message: String) -> crate::error::ExecError {
    RuleError::InvalidDates(message).into()
}

/// R71–R73: ENDORSE. A suspended certificate may be endorsed: the survey is a fact about the
/// ship, and often the reason it is later reinstated.
pub fn endorse(
    ctx: &mut EntryContext<'_>,
    reference: &CertificateRef,
    endorsement: &Endorsement,
) -> ExecResult<()> {
    let (mut record, stamp) = super::rules::open_for(ctx, ActionKind::CertEndorse, reference)?;
    // R384: the day in the issuing Administration's zone.
    let today = record.local_date(ctx.time);
    let survey = endorsement.survey_date;
    // R71: a survey is reported after it happened, during the certificate's validity.
    if survey > today {
        return Err(dates(format!(
            "survey date {survey} is after the block date {today}"
        )));
    }
    if survey < record.issued_on {
        return Err(dates(format!(
            "survey date {survey} is before the first day of validity {}",
            record.issued_on
        )));
    }
    if endorsement.kind != EndorsementKind::Renewal {
        // R72: a periodic survey the kind's regime has, dated where the regime places it.
        periodic_survey_allowed(&record, endorsement)?;
    } else {
        // R73: the renewal endorsement, once, while the certificate is in force.
        let until = renewal_until(&record, endorsement, today)?;
        record.expires_on = until;
    }
    record.endorsements.push(EndorsementRecord {
        endorsement: endorsement.clone(),
        stamp: stamp.clone(),
    });
    record.log(ActionKind::CertEndorse, &stamp);
    record::store(&mut ctx.state, &record);
    Ok(())
}

/// R72: a kind whose regime has no survey of this kind is refused with INVALID_FIELD (the
/// kind is wrong whatever the date); a survey the regime has but not on this date, with
/// INVALID_DATES.
fn periodic_survey_allowed(
    record: &record::CertificateRecord,
    endorsement: &Endorsement,
) -> ExecResult<()> {
    let survey = endorsement.survey_date;
    let regime = record.kind.survey_regime();
    match record.accepts_survey(endorsement.kind, survey) {
        Ok(()) => Ok(()),
        Err(SurveyRefusal::NotInRegime) => Err(RuleError::invalid(
            "endorsement.kind",
            format!(
                "a {:?} certificate ({regime:?}) has no {:?} survey",
                record.kind, endorsement.kind
            ),
        )
        .into()),
        Err(SurveyRefusal::OutsideWindow) => Err(dates(format!(
            "a {:?} survey on {survey} is not in a window of the {regime:?} regime",
            endorsement.kind
        ))),
    }
}

/// R73: a renewal survey completed in the last three months of validity lets the existing
/// certificate stay valid until the new one arrives, at most five months beyond its expiry.
fn renewal_until(
    record: &record::CertificateRecord,
    endorsement: &Endorsement,
    today: CalendarDate,
) -> ExecResult<CalendarDate> {
    let expiry = record.expires_on;
    if record.renewal().is_some() {
        return Err(dates(
            "the certificate already has a renewal endorsement".into(),
        ));
    }
    if today > expiry {
        return Err(dates(format!("the certificate expired on {expiry}")));
    }
    let survey = endorsement.survey_date;
    let opens = expiry.add_months(-RENEWAL_WINDOW_MONTHS);
    if survey < opens || survey > expiry {
        return Err(dates(format!(
            "renewal survey {survey} is not within the three months before expiry ({opens} to {expiry})"
        )));
    }
    // Stateless checks (R64) guarantee a renewal carries `extended_until`.
    let until = endorsement
        .extended_until
        .ok_or_else(|| RuleError::invalid("endorsement.extended_until", "missing"))?;
    let limit = expiry.add_months(RENEWAL_EXTENSION_MONTHS);
    if until <= expiry || until > limit {
        return Err(dates(format!(
            "extended_until {until} must be after {expiry} and not after {limit}"
        )));
    }
    Ok(until)
}

/// R74: EXTEND, at most once, while the certificate is in force and not suspended, to a date
/// after the current expiry and at most three months after the original expiry.
pub fn extend(
    ctx: &mut EntryContext<'_>,
    reference: &CertificateRef,
    new_expiry: CalendarDate,
    reason: &str,
) -> ExecResult<()> {
    let (mut record, stamp) = super::rules::open_for(ctx, ActionKind::CertExtend, reference)?;
    if record.is_suspended() {
        return Err(RuleError::WrongStatus("SUSPENDED").into());
    }
    if record.extension.is_some() {
        return Err(dates("the certificate was already extended once".into()));
    }
    // R384: the day in the issuing Administration's zone.
    let today = record.local_date(ctx.time);
    let expiry = record.expires_on;
    if today > expiry {
        return Err(dates(format!("the certificate expired on {expiry}")));
    }
    let limit = record.original_expires_on.add_months(EXTENSION_MONTHS);
    if new_expiry <= expiry || new_expiry > limit {
        return Err(dates(format!(
            "new expiry {new_expiry} must be after {expiry} and not after {limit}"
        )));
    }
    record.extension = Some(ExtensionRecord {
        previous_expiry: expiry,
        new_expiry,
        reason: reason.to_string(),
        stamp: stamp.clone(),
    });
    record.expires_on = new_expiry;
    record.log(ActionKind::CertExtend, &stamp);
    record::store(&mut ctx.state, &record);
    Ok(())
}
