//! Stateless checks of trade certificate actions: bounds, charsets and the dates that need no
//! state (specs/protocol.md R390). The mempool runs them before admission.

use crate::attest::{AttestAction, AttestFacts, AttestRef, Subject};
use crate::error::RuleError;
use crate::ids::{check_code, check_text};

/// Longest certificate number.
pub const MAX_NUMBER: usize = 64;
/// Longest exporter or importer (name and address).
pub const MAX_PARTY: usize = 256;
/// Longest goods description.
pub const MAX_GOODS: usize = 1024;
/// Longest place of issue.
pub const MAX_PLACE: usize = 128;
/// Longest reason of an amendment or revocation.
pub const MAX_REASON: usize = 256;
/// Longest validity, in months from the first day: five years, the longest any of the kinds
/// is issued for (approvals and licences); a phytosanitary certificate or a certificate of
/// origin is usually valid for days or one year, which the authority states.
pub const MAX_VALIDITY_MONTHS: i32 = 60;

/// R390: stateless checks of a trade certificate action.
pub fn check_stateless(action: &AttestAction) -> Result<(), RuleError> {
    match action {
        AttestAction::Issue(issue) => {
            check_code("number", &issue.number, MAX_NUMBER)?;
            check_facts(&issue.facts)
        }
        AttestAction::Amend {
            certificate,
            facts,
            reason,
        } => {
            check_reference(certificate)?;
            check_facts(facts)?;
            required_text("reason", reason, MAX_REASON)
        }
        AttestAction::Supersede {
            certificate,
            by_number,
        } => {
            check_reference(certificate)?;
            check_code("by_number", by_number, MAX_NUMBER)?;
            if *by_number == certificate.number {
                return Err(RuleError::invalid(
                    "by_number",
                    "must differ from the certificate's number",
                ));
            }
            Ok(())
        }
        AttestAction::Revoke {
            certificate,
            reason,
        } => {
            check_reference(certificate)?;
            required_text("reason", reason, MAX_REASON)
        }
    }
}

/// R390: a reference names a valid organisation id and a 1–64 character number.
pub fn check_reference(reference: &AttestRef) -> Result<(), RuleError> {
    reference.authority.validate("certificate.authority")?;
    check_code("certificate.number", &reference.number, MAX_NUMBER)
}

/// R390: the facts: bounded subject and place, and a validity of 1 day to 5 years.
fn check_facts(facts: &AttestFacts) -> Result<(), RuleError> {
    check_subject(&facts.subject)?;
    required_text("facts.place", &facts.place, MAX_PLACE)?;
    if facts.valid_until < facts.valid_from {
        return Err(RuleError::InvalidDates(format!(
            "valid_until {} is before valid_from {}",
            facts.valid_until, facts.valid_from
        )));
    }
    let limit = facts.valid_from.add_months(MAX_VALIDITY_MONTHS);
    if facts.valid_until > limit {
        return Err(RuleError::InvalidDates(format!(
            "valid_until {} is more than five years after valid_from {} (last allowed {limit})",
            facts.valid_until, facts.valid_from
        )));
    }
    Ok(())
}

fn check_subject(subject: &Subject) -> Result<(), RuleError> {
    required_text("subject.exporter", &subject.exporter, MAX_PARTY)?;
    required_text("subject.importer", &subject.importer, MAX_PARTY)?;
    required_text("subject.goods", &subject.goods, MAX_GOODS)?;
    country("subject.origin_country", &subject.origin_country)?;
    country("subject.destination_country", &subject.destination_country)
}

/// ISO 3166-1 alpha-2 in upper case.
fn country(field: &'static str, code: &str) -> Result<(), RuleError> {
    let bytes = code.as_bytes();
    if bytes.len() != 2 || !bytes.iter().all(u8::is_ascii_uppercase) {
        return Err(RuleError::invalid(
            field,
            "must be an ISO 3166-1 alpha-2 code in upper case",
        ));
    }
    Ok(())
}

/// Text that must say something: 1..=max bytes, not only blanks, no control characters.
fn required_text(field: &'static str, text: &str, max: usize) -> Result<(), RuleError> {
    if text.trim().is_empty() {
        return Err(RuleError::invalid(field, "must not be empty"));
    }
    check_text(field, text, max)
}
