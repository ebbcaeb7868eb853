//! Stateless checks of certificate actions: bounds, charsets, check digits and the dates that
//! need no state (specs/protocol.md R60–R64). The mempool runs them before admission.

use crate::cert::imo::check_imo_number;
use crate::cert::{
    CertAction, CertificateIssue, CertificateRef, Endorsement, EndorsementKind, Ship,
};
use crate::error::RuleError;
use crate::ids::{check_code, check_text};

/// Longest unique tracking number (R61).
pub const MAX_UTN: usize = 64;
/// Longest ship name, place of issue or survey, surveyor (R62, R64).
pub const MAX_NAME: usize = 128;
/// Longest call sign (R62).
pub const MAX_CALL_SIGN: usize = 16;
/// Longest reason for an extension, suspension or withdrawal (R64).
pub const MAX_REASON: usize = 256;
/// Longest validity of a certificate, in months from its first day (R63).
pub const MAX_VALIDITY_MONTHS: i32 = 60;

/// Stateless checks of a certificate action (R60–R64).
pub fn check_stateless(action: &CertAction) -> Result<(), RuleError> {
    match action {
        CertAction::Issue(issue) => check_issue(issue),
        CertAction::Endorse {
            certificate,
            endorsement,
        } => {
            check_reference(certificate)?;
            check_endorsement(endorsement)
        }
        CertAction::Extend {
            certificate,
            reason,
            ..
        }
        | CertAction::Suspend {
            certificate,
            reason,
        }
        | CertAction::Withdraw {
            certificate,
            reason,
        } => {
            check_reference(certificate)?;
            required_text("reason", reason, MAX_REASON)
        }
        CertAction::Reinstate { certificate } => check_reference(certificate),
        CertAction::Supersede {
            certificate,
            by_utn,
        } => {
            check_reference(certificate)?;
            check_code("by_utn", by_utn, MAX_UTN)?;
            // R64: a certificate cannot supersede itself.
            if *by_utn == certificate.utn {
                return Err(RuleError::invalid(
                    "by_utn",
                    "must differ from the certificate's UTN",
                ));
            }
            Ok(())
        }
        // R386: a valid IMO number and an alpha-2 flag.
        CertAction::FlagChange {
            imo_number,
            to_flag,
            ..
        } => {
            check_imo_number(imo_number)?;
            check_flag("to_flag", to_flag)
        }
    }
}

/// R60–R63: the facts recorded at issue.
fn check_issue(issue: &CertificateIssue) -> Result<(), RuleError> {
    check_code("utn", &issue.utn, MAX_UTN)?;
    check_ship(&issue.ship)?;
    required_text("place", &issue.place, MAX_NAME)?;
    // R63: validity is a non-empty period of at most five years.
    if issue.expires_on <= issue.issued_on {
        return Err(RuleError::InvalidDates(format!(
            "expires_on {} is not after issued_on {}",
            issue.expires_on, issue.issued_on
        )));
    }
    let limit = issue.issued_on.add_months(MAX_VALIDITY_MONTHS);
    if issue.expires_on > limit {
        return Err(RuleError::InvalidDates(format!(
            "expires_on {} is more than five years after issued_on {} (last allowed {limit})",
            issue.expires_on, issue.issued_on
        )));
    }
    Ok(())
}

/// R60, R62: the ship particulars.
pub fn check_ship(ship: &Ship) -> Result<(), RuleError> {
    check_imo_number(&ship.imo_number)?;
    required_text("ship.name", &ship.name, MAX_NAME)?;
    check_flag("ship.flag", &ship.flag)?;
    check_code("ship.call_sign", &ship.call_sign, MAX_CALL_SIGN)?;
    if ship.gross_tonnage == 0 {
        return Err(RuleError::invalid("ship.gross_tonnage", "must be positive"));
    }
    Ok(())
}

/// R62, R386: a flag is an ISO 3166-1 alpha-2 code in upper case.
fn check_flag(field: &'static str, flag: &str) -> Result<(), RuleError> {
    let bytes = flag.as_bytes();
    if bytes.len() != 2 || !bytes.iter().all(u8::is_ascii_uppercase) {
        return Err(RuleError::invalid(
            field,
            "must be an ISO 3166-1 alpha-2 code in upper case",
        ));
    }
    Ok(())
}

/// R61: a reference names a valid organisation id and a 1–64 character UTN.
pub fn check_reference(reference: &CertificateRef) -> Result<(), RuleError> {
    reference
        .administration
        .validate("certificate.administration")?;
    check_code("certificate.utn", &reference.utn, MAX_UTN)
}

/// R64: place and surveyor are bounded text; only a renewal endorsement carries
/// `extended_until`, and it must.
fn check_endorsement(endorsement: &Endorsement) -> Result<(), RuleError> {
    required_text("endorsement.place", &endorsement.place, MAX_NAME)?;
    required_text("endorsement.surveyor", &endorsement.surveyor, MAX_NAME)?;
    match (endorsement.kind, endorsement.extended_until) {
        (EndorsementKind::Renewal, None) => Err(RuleError::invalid(
            "endorsement.extended_until",
            "a renewal endorsement must state the extended expiry",
        )),
        (EndorsementKind::Renewal, Some(_)) | (_, None) => Ok(()),
        (_, Some(_)) => Err(RuleError::invalid(
            "endorsement.extended_until",
            "only a renewal endorsement extends validity",
        )),
    }
}

/// Text that must say something: 1..=max bytes, not only blanks, no control characters.
fn required_text(field: &'static str, text: &str, max: usize) -> Result<(), RuleError> {
    if text.trim().is_empty() {
        return Err(RuleError::invalid(field, "must not be empty"));
    }
    check_text(field, text, max)
}
