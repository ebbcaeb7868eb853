//! The checks of a verification: each answers PASS, WARNING or FAIL with a stable code and a
//! sentence a clerk can read.

use ebl_ledger::ebl::{EblRecord, EblStatus};
use ebl_ledger::identity::{Organisation, Role};
use ebl_ledger::ids::OrgId;
use ebl_ledger::state::keys;
use serde::Serialize;
use serde_json::Value;

use crate::AppState;
use crate::error::ApiResult;
use crate::records;

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    /// The check passed.
    Pass,
    /// Passed with a caveat the verifier should read.
    Warning,
    /// The check failed.
    Fail,
    /// The check could not be made from what was presented (R229); it does not change the
    /// outcome.
    Skipped,
}

/// One check's result.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// INTEGRITY, STATUS, ISSUER, HOLDER, PARTIES or PLATFORM.
    pub check: &'static str,
    /// Verdict.
    pub result: Verdict,
    /// Stable code.
    pub code: String,
    /// Human sentence.
    pub message: String,
    /// PARTIES_MISMATCH: the facts that differ (`kind`, `to_order`, `reference`,
    /// `issuing_carrier`, `consignee`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mismatched: Vec<&'static str>,
}

pub(crate) fn check(name: &'static str, result: Verdict, code: &str, message: String) -> Check {
    Check {
        check: name,
        result,
        code: code.into(),
        message,
        mismatched: Vec::new(),
    }
}

pub(crate) fn overall(checks: &[Check]) -> &'static str {
    if checks.iter().any(|c| c.result == Verdict::Fail) {
        "FAILED"
    } else if checks.iter().any(|c| c.result == Verdict::Warning) {
        "INCONCLUSIVE"
    } else {
        "VERIFIED"
    }
}

pub(crate) async fn organisation(state: &AppState, org: &OrgId) -> ApiResult<Option<Organisation>> {
    records::get::<Organisation>(state, keys::organisation(org)).await
}

pub(crate) fn issuer_check(org: Option<&Organisation>, id: &OrgId, role: Role) -> Check {
    let Some(o) = org else {
        return check(
            "ISSUER",
            Verdict::Fail,
            "UNKNOWN_ORGANISATION",
            format!("The issuer {id} is not a member organisation."),
        );
    };
    let roles: Vec<&str> = o.roles.iter().map(|r| r.code()).collect();
    let who = format!(
        "{} ({}, {}, roles {})",
        o.name,
        o.id,
        o.country,
        roles.join(", ")
    );
    if !o.has_role(role) {
        return check(
            "ISSUER",
            Verdict::Fail,
            "MISSING_ROLE",
            format!("Issued by {who}, which lacks the {} role.", role.code()),
        );
    }
    if o.revoked_at_height.is_some() {
        return check(
            "ISSUER",
            Verdict::Warning,
            "ORGANISATION_REVOKED",
            format!("Issued by {who}, whose membership has since been revoked."),
        );
    }
    check(
        "ISSUER",
        Verdict::Pass,
        "ISSUER_OK",
        format!("Issued by {who}, a member with a certificate from the consortium CA."),
    )
}

pub(crate) fn status_check(r: &EblRecord) -> Check {
    let code = r.status.code();
    match r.status {
        EblStatus::Active => check("STATUS", Verdict::Pass, code, "The eBL is active.".into()),
        // R293: control is on another platform; this ledger no longer decides who holds title.
        EblStatus::Exported => check(
            "STATUS",
            Verdict::Fail,
            code,
            "The eBL was exported to another platform by DCSA PINT; control is no longer on this ledger.".into(),
        ),
        EblStatus::ExportPending => check(
            "STATUS",
            Verdict::Warning,
            code,
            "An export to another platform is waiting for that platform's answer.".into(),
        ),
        s if s.is_closed() => check(
            "STATUS",
            Verdict::Fail,
            code,
            format!("The eBL is closed ({code}); it no longer carries title."),
        ),
        _ => check(
            "STATUS",
            Verdict::Warning,
            code,
            format!("A surrender is in progress ({code})."),
        ),
    }
}

pub(crate) async fn holder_check(
    state: &AppState,
    r: &EblRecord,
    expected: Option<&str>,
) -> ApiResult<Check> {
    let holder = r.holder();
    let name = organisation(state, holder)
        .await?
        .map_or_else(|| holder.0.clone(), |o| format!("{} ({})", o.name, o.id));
    let title = if r.holder_has_title() {
        "with title"
    } else {
        "without title (the endorsee is another party)"
    };
    Ok(match expected {
        Some(e) if e != holder.as_str() => check(
            "HOLDER",
            Verdict::Fail,
            "HOLDER_MISMATCH",
            format!("The eBL is held by {name}, not by {e}."),
        ),
        _ => check(
            "HOLDER",
            Verdict::Pass,
            "HOLDER_OK",
            format!("The eBL is held by {name}, {title}."),
        ),
    })
}

pub(crate) fn result_json(kind: &str, subject: &str, checks: &[Check]) -> Value {
    serde_json::json!({
        "subject": { "type": kind, "id": subject },
        "outcome": overall(checks),
        "checks": checks,
    })
}
