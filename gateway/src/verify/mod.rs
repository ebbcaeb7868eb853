//! `POST /v1/verify`: checks an uploaded DCSA TransportDocument (bare, inside an issuance
//! request's `document`, or a PINT envelope's `transportDocument`) or a certificate reference
//! against the ledger, and answers one result per check — INTEGRITY, STATUS, ISSUER, HOLDER,
//! PARTIES — each `PASS`, `WARNING`, `FAIL` or `SKIPPED` with a stable code and a sentence.
//!
//! R163: the answer is built from ledger records only (never a stored document body), so a
//! presenter learns nothing of the document beyond what it sent.

use axum::extract::State;
use axum::{Extension, Json};
use ebl_ledger::cert::CertificateStatus;
use ebl_ledger::ebl::EblRecord;
use ebl_ledger::hash::DocumentId;
use ebl_ledger::identity::Role;
use ebl_ledger::state::keys;
use serde::Deserialize;
use serde_json::Value;

mod attest;
mod checks;
mod disclosure;
mod parties;
mod platform;

pub(crate) use attest::verify_trade_certificate;
use checks::{Verdict, check, issuer_check, organisation, result_json, status_check};

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::privacy::{Reader, access};
use crate::records;
use crate::routes::documents::{certificate_ref, judge_time, load_certificate};

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

pub(crate) async fn verify_document(
    state: &AppState,
    body: Value,
    expected: Option<&str>,
    reader: &Reader,
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
    record_checks(state, &record, expected, reader, &mut checks).await?;
    // R238: a verifier who may not read the title learns which facts differ, not their values.
    let sees_title = access(state.node.as_ref(), &record, reader)
        .await?
        .sees_title();
    checks.push(parties::parties_check(state, &record, Some(&document), sees_title).await?);
    Ok(result_json("EBL", &id.to_hex(), &checks))
}

/// The checks of an eBL presented by its document id only (the public page, anonymous):
/// INTEGRITY says the id is on the ledger (the presenter holds no document to hash), then
/// STATUS and ISSUER (R232, R238: no reference, no HOLDER), and PARTIES skipped (R229: no
/// document to compare).
pub(crate) async fn verify_ebl_id(state: &AppState, id: &DocumentId) -> ApiResult<Value> {
    let record = crate::routes::documents::load_ebl(state, id).await?;
    let mut checks = vec![check(
        "INTEGRITY",
        Verdict::Pass,
        "INTEGRITY_OK",
        format!("Document id {id} is an eBL on the ledger."),
    )];
    record_checks(state, &record, None, &Reader::Anonymous, &mut checks).await?;
    checks.push(parties::parties_check(state, &record, None, false).await?);
    Ok(result_json("EBL", &id.to_hex(), &checks))
}

async fn record_checks(
    state: &AppState,
    record: &EblRecord,
    expected: Option<&str>,
    reader: &Reader,
    checks: &mut Vec<checks::Check>,
) -> ApiResult<()> {
    checks.push(status_check(record));
    let carrier = organisation(state, &record.carrier).await?;
    checks.push(issuer_check(
        carrier.as_ref(),
        &record.carrier,
        Role::Carrier,
    ));
    checks.extend(disclosure::holder_for(state, record, expected, reader).await?);
    checks.extend(platform::platform_check(state, record).await?);
    Ok(())
}

pub(crate) async fn verify_certificate(
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
    Extension(caller): Extension<Caller>,
    ApiQuery(q): ApiQuery<VerifyQuery>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Json<Value>> {
    if let Some(reference) = body.get("certificate").filter(|c| c.is_object()) {
        let at = body.get("at").and_then(Value::as_str);
        return verify_certificate(&state, reference, at).await.map(Json);
    }
    if let Some(reference) = body.get("trade_certificate").filter(|c| c.is_object()) {
        let at = body.get("at").and_then(Value::as_str);
        let hash = body.get("document_hash");
        return verify_trade_certificate(&state, reference, hash, at)
            .await
            .map(Json);
    }
    if !body.is_object() {
        return Err(ApiError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "INVALID_REQUEST",
            "the body must be a JSON object: a transport document or a certificate reference",
        ));
    }
    let reader = Reader::of(Some(&caller));
    verify_document(&state, body, q.holder.as_deref(), &reader)
        .await
        .map(Json)
}
