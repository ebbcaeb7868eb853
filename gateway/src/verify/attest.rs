//! Verification of a trade certificate (R398): INTEGRITY (on the ledger; with
//! `document_hash`, whether the presented document is the one sealed), STATUS and ISSUER.

use axum::http::StatusCode;
use ebl_ledger::attest::AttestStatus;
use ebl_ledger::hash::Hash32;
use serde_json::Value;

use super::checks::{Verdict, check, issuer_check, organisation, result_json};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::routes::attested::{attest_ref, load};
use crate::routes::documents::judge_time;

fn invalid(detail: String) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "INVALID_REQUEST", detail)
}

/// `{"trade_certificate": {"authority", "number"}, "document_hash": "<64 hex>", "at": ..}`.
pub(crate) async fn verify_trade_certificate(
    state: &AppState,
    reference: &Value,
    document_hash: Option<&Value>,
    at: Option<&str>,
) -> ApiResult<Value> {
    let field = |name: &str| {
        reference
            .get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| invalid(format!("trade_certificate.{name} must be a string")))
    };
    let reference = attest_ref(field("authority")?, field("number")?)?;
    let presented = match document_hash {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_str()
                .and_then(Hash32::from_hex)
                .ok_or_else(|| invalid("document_hash must be 64 hex digits".into()))?,
        ),
    };
    let at = judge_time(state, at).await?;
    let subject = format!("{}/{}", reference.authority, reference.number);
    let record = match load(state, &reference).await {
        Ok(r) => r,
        Err(e) if e.status == StatusCode::NOT_FOUND => {
            let c = check(
                "INTEGRITY",
                Verdict::Fail,
                "UNKNOWN_TRADE_CERTIFICATE",
                format!("No trade certificate {subject} is on the ledger."),
            );
            return Ok(result_json("TRADE_CERTIFICATE", &subject, &[c]));
        }
        Err(e) => return Err(e),
    };
    let kind = record.kind.code();
    let sealed = record.facts_at(at).document;
    let integrity = match presented {
        None => check(
            "INTEGRITY",
            Verdict::Pass,
            "INTEGRITY_OK",
            format!(
                "{kind} {subject} is on the ledger, sealed at height {} by {}; its document hash is {sealed}.",
                record.seal.height, record.seal.actor
            ),
        ),
        Some(hash) if hash == sealed => check(
            "INTEGRITY",
            Verdict::Pass,
            "DOCUMENT_MATCH",
            format!("The document presented is the one {subject} seals ({hash})."),
        ),
        Some(hash) => {
            let earlier = record
                .amendments
                .iter()
                .any(|a| a.previous.document == hash);
            let why = if earlier {
                "it is a version the authority has since amended"
            } else {
                "it is not a version of this certificate"
            };
            check(
                "INTEGRITY",
                Verdict::Fail,
                "DOCUMENT_MISMATCH",
                format!(
                    "The document presented ({hash}) is not the one {subject} seals ({sealed}): {why}."
                ),
            )
        }
    };
    let status = record.status_at(at);
    let when = at.to_rfc3339();
    let status_check = if status == AttestStatus::Valid {
        check(
            "STATUS",
            Verdict::Pass,
            status.code(),
            format!("The certificate is valid at {when}."),
        )
    } else {
        check(
            "STATUS",
            Verdict::Fail,
            status.code(),
            format!("The certificate is {} at {when}.", status.code()),
        )
    };
    let authority = organisation(state, &reference.authority).await?;
    // The role that lets this authority issue the kind, if it has one (R391).
    let roles = record.kind.issuer_roles();
    let role = roles
        .iter()
        .copied()
        .find(|r| authority.as_ref().is_some_and(|o| o.has_role(*r)))
        .unwrap_or(roles[0]);
    let issuer = issuer_check(authority.as_ref(), &reference.authority, role);
    Ok(result_json(
        "TRADE_CERTIFICATE",
        &subject,
        &[integrity, status_check, issuer],
    ))
}
