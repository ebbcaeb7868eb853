//! `POST /v1/verify`: checks an uploaded DCSA TransportDocument (bare, inside an issuance
//! request's `document`, or a PINT envelope's `transportDocument`) or a certificate reference
//! against the ledger, and answers one result per check — INTEGRITY, STATUS, ISSUER, HOLDER —
//! each `PASS`, `WARNING` or `FAIL` with a stable code and a sentence.

use axum::Json;
use axum::extract::State;
use ebl_ledger::cert::CertificateStatus;
use ebl_ledger::ebl::{EblRecord, EblStatus};
use ebl_ledger::hash::DocumentId;
use ebl_ledger::identity::{Organisation, Role};
use ebl_ledger::ids::OrgId;
use ebl_ledger::state::keys;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::records;
use crate::routes::documents::{certificate_ref, judge_time, load_certificate};

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
}

/// One check's result.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// INTEGRITY, STATUS, ISSUER or HOLDER.
    pub check: &'static str,
    /// Verdict.
    pub result: Verdict,
    /// Stable code.
    pub code: String,
    /// Human sentence.
    pub message: String,
}

fn check(name: &'static str, result: Verdict, code: &str, message: String) -> Check {
    Check {
        check: name,
        result,
        code: code.into(),
        message,
    }
}

/// Query of `POST /v1/verify`.
#[derive(Debug, Deserialize)]
pub struct VerifyQuery {
    /// The organisation presenting the document; HOLDER fails if it is not the holder.
    holder: Option<String>,
}

/// The TransportDocument inside an upload, unwrapped like `ebl-wallet doc-id`.
fn transport_document(body: Value) -> Value {
    match body {
        Value::Object(mut map) => {
            for wrapper in ["document", "transportDocument"] {
                if matches!(map.get(wrapper), Some(Value::Object(_))) {
                    return map.remove(wrapper).unwrap_or_default();
                }
            }
            Value::Object(map)
        }
        other => other,
    }
}

fn overall(checks: &[Check]) -> &'static str {
    if checks.iter().any(|c| c.result == Verdict::Fail) {
        "FAILED"
    } else if checks.iter().any(|c| c.result == Verdict::Warning) {
        "INCONCLUSIVE"
    } else {
        "VERIFIED"
    }
}

async fn organisation(state: &AppState, org: &OrgId) -> ApiResult<Option<Organisation>> {
    records::get::<Organisation>(state, keys::organisation(org)).await
}

fn issuer_check(org: Option<&Organisation>, id: &OrgId, role: Role) -> Check {
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

fn status_check(r: &EblRecord) -> Check {
    let code = r.status.code();
    match r.status {
        EblStatus::Active => check("STATUS", Verdict::Pass, code, "The eBL is active.".into()),
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

async fn holder_check(state: &AppState, r: &EblRecord, expected: Option<&str>) -> ApiResult<Check> {
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

async fn verify_document(
    state: &AppState,
    body: Value,
    expected: Option<&str>,
) -> ApiResult<Value> {
    let document = transport_document(body);
    let id: DocumentId = ebl_ledger::docid::document_id(&document)
        .map_err(|e| ApiError::bad_request("INVALID_DOCUMENT", e.to_string()))?;
    let record = records::get::<EblRecord>(state, keys::ebl(&id)).await?;
    let mut checks = Vec::new();
    let Some(record) = record else {
        let reference = document
            .get("transportDocumentReference")
            .and_then(Value::as_str);
        let message = match reference {
            Some(r) => format!(
                "No eBL with document id {id} is on the ledger; if {r} was issued, this copy differs from the issued document."
            ),
            None => format!("No eBL with document id {id} is on the ledger."),
        };
        checks.push(check(
            "INTEGRITY",
            Verdict::Fail,
            "UNKNOWN_DOCUMENT",
            message,
        ));
        return Ok(result_json("EBL", &id.to_hex(), &checks));
    };
    checks.push(check(
        "INTEGRITY",
        Verdict::Pass,
        "INTEGRITY_OK",
        format!(
            "The document's checksum {id} matches eBL {} on the ledger.",
            record.reference
        ),
    ));
    checks.push(status_check(&record));
    let carrier = organisation(state, &record.carrier).await?;
    checks.push(issuer_check(
        carrier.as_ref(),
        &record.carrier,
        Role::Carrier,
    ));
    checks.push(holder_check(state, &record, expected).await?);
    Ok(result_json("EBL", &id.to_hex(), &checks))
}

fn result_json(kind: &str, subject: &str, checks: &[Check]) -> Value {
    serde_json::json!({
        "subject": { "type": kind, "id": subject },
        "outcome": overall(checks),
        "checks": checks,
    })
}

async fn verify_certificate(
    state: &AppState,
    reference: &Value,
    at: Option<&str>,
) -> ApiResult<Value> {
    let field = |name: &str| {
        reference.get(name).and_then(Value::as_str).ok_or_else(|| {
            ApiError::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "INVALID_REQUEST",
                format!("certificate.{name} must be a string"),
            )
        })
    };
    let reference = certificate_ref(field("administration")?, field("utn")?)?;
    let at = judge_time(state, at).await?;
    let subject = format!("{}/{}", reference.administration, reference.utn);
    let record = match load_certificate(state, &reference).await {
        Ok(r) => r,
        Err(e) if e.status == axum::http::StatusCode::NOT_FOUND => {
            let c = check(
                "INTEGRITY",
                Verdict::Fail,
                "UNKNOWN_CERTIFICATE",
                format!("No certificate {subject} is on the ledger."),
            );
            return Ok(result_json("CERTIFICATE", &subject, &[c]));
        }
        Err(e) => return Err(e),
    };
    let status = record.status_at(at);
    let mut checks = vec![check(
        "INTEGRITY",
        Verdict::Pass,
        "INTEGRITY_OK",
        format!(
            "Certificate {subject} for {} (IMO {}) is on the ledger.",
            record.ship.name, record.ship.imo_number
        ),
    )];
    let when = at.to_rfc3339();
    checks.push(match status {
        CertificateStatus::Valid => check(
            "STATUS",
            Verdict::Pass,
            status.code(),
            format!("The certificate is valid at {when}."),
        ),
        _ => check(
            "STATUS",
            Verdict::Fail,
            status.code(),
            format!("The certificate is {} at {when}.", status.code()),
        ),
    });
    let admin = organisation(state, &reference.administration).await?;
    checks.push(issuer_check(
        admin.as_ref(),
        &reference.administration,
        Role::MaritimeAdministration,
    ));
    Ok(result_json("CERTIFICATE", &subject, &checks))
}

/// `POST /v1/verify`. Body: a document (see module docs), or
/// `{"certificate": {"administration": .., "utn": ..}, "at": "<RFC 3339>"}`.
pub async fn handler(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<VerifyQuery>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Json<Value>> {
    if let Some(reference) = body.get("certificate").filter(|c| c.is_object()) {
        let at = body.get("at").and_then(Value::as_str);
        return verify_certificate(&state, reference, at).await.map(Json);
    }
    if !body.is_object() {
        return Err(ApiError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "INVALID_REQUEST",
            "the body must be a JSON object: a transport document or a certificate reference",
        ));
    }
    verify_document(&state, body, q.holder.as_deref())
        .await
        .map(Json)
}
