//! An issuance request checked and mapped to the ledger's ISSUE (R30, R34–R36): schema, the
//! issuance manifest's checksums, the document kind and the parties. Every failure is collected
//! so that one BREQ lists them all.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ebl_ledger::docid;
use ebl_ledger::ebl::{EblIssue, EblType};
use ebl_ledger::hash::{DocumentId, Hash32};
use ebl_ledger::ids::OrgId;
use serde_json::{Value, json};

use super::parties;
use super::schema::{self, Payload, one_line};
use crate::AppState;
use crate::error::{ApiError, ApiResult};

/// DCSA `IssuanceResponse.errors` holds at most 255 items.
const MAX_ERRORS: usize = 255;

/// One reason a request cannot be issued (an `IssuanceError`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Stable code: `SCHEMA_VIOLATION`, `CHECKSUM_MISMATCH`, `INVALID_MANIFEST`,
    /// `UNKNOWN_PARTY`, `UNSUPPORTED_DOCUMENT`, or a ledger code for REFU.
    pub code: String,
    /// One-line explanation.
    pub reason: String,
}

impl Problem {
    fn new(code: &str, reason: impl AsRef<str>) -> Self {
        Problem {
            code: code.into(),
            reason: one_line(reason.as_ref(), 255),
        }
    }
}

/// The outcome of checking a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Checked {
    /// No usable `document.transportDocumentReference`: no BREQ can name it.
    NoReference(Vec<Problem>),
    /// BREQ: the request cannot be issued as sent.
    Invalid {
        /// transportDocumentReference.
        reference: String,
        /// Every problem found.
        problems: Vec<Problem>,
    },
    /// Ready to sign.
    Valid(EblIssue),
}

/// The DCSA `IssuanceResponse` body.
pub fn response(reference: &str, code: &str, reason: Option<&str>, errors: &[Problem]) -> Value {
    let mut body = json!({"transportDocumentReference": reference, "issuanceResponseCode": code});
    if let Some(reason) = reason {
        body["reason"] = json!(one_line(reason, 255));
    }
    if !errors.is_empty() {
        body["errors"] = errors
            .iter()
            .take(MAX_ERRORS)
            .map(|p| json!({"errorCode": one_line(&p.code, 50), "reason": p.reason}))
            .collect();
    }
    body
}

fn sha256_jcs(value: &Value) -> Option<Hash32> {
    docid::document_id(value).ok()
}

/// The manifest's checksums against the payload (the JWS signature is not checked: the carrier
/// is authenticated by its API key and signs the ledger entry; ADR 0013).
fn check_manifest(body: &Value, document_id: Option<DocumentId>, problems: &mut Vec<Problem>) {
    let Some(jws) = body
        .get("issuanceManifestSignedContent")
        .and_then(Value::as_str)
    else {
        return; // reported by the schema
    };
    let payload = jws
        .split('.')
        .nth(1)
        .and_then(|p| URL_SAFE_NO_PAD.decode(p.trim_end_matches('=')).ok())
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok());
    let Some(manifest) = payload else {
        problems.push(Problem::new(
            "INVALID_MANIFEST",
            "issuanceManifestSignedContent: the JWS payload is not base64url JSON",
        ));
        return;
    };
    let mut compare = |field: &str, actual: Option<Hash32>, required: bool| match (
        manifest.get(field).and_then(Value::as_str),
        actual,
    ) {
        (Some(claimed), Some(actual)) if claimed == actual.to_hex() => {}
        (Some(claimed), Some(actual)) => problems.push(Problem::new(
            "CHECKSUM_MISMATCH",
            format!(
                "issuance manifest {field} {} does not match the payload ({})",
                one_line(claimed, 64),
                actual.to_hex()
            ),
        )),
        (None, _) if required => problems.push(Problem::new(
            "INVALID_MANIFEST",
            format!("issuance manifest has no {field}"),
        )),
        _ => {}
    };
    compare("documentChecksum", document_id, true);
    let issue_to = body.get("issueTo").and_then(sha256_jcs);
    compare("issueToChecksum", issue_to, true);
    let visualisation = body
        .pointer("/eBLVisualisationByCarrier/content")
        .and_then(Value::as_str)
        .and_then(|c| STANDARD.decode(c).ok())
        .map(|bytes| Hash32::sha256(&bytes));
    compare("eBLVisualisationByCarrierChecksum", visualisation, false);
}

/// The ledger's kind of the document, or the problem.
fn kind_of(document: &Value) -> Result<EblType, Problem> {
    let code = document
        .get("transportDocumentTypeCode")
        .and_then(Value::as_str);
    let to_order = document.get("isToOrder").and_then(Value::as_bool);
    match (code, to_order) {
        (Some("BOL"), Some(true)) => Ok(EblType::ToOrderBl),
        (Some("BOL"), _) => Ok(EblType::StraightBl),
        (Some("SWB"), Some(true)) => Err(Problem::new(
            "UNSUPPORTED_DOCUMENT",
            "a sea waybill (SWB) cannot be to order (isToOrder must be false)",
        )),
        (Some("SWB"), _) => Ok(EblType::SeaWaybill),
        _ => Err(Problem::new(
            "UNSUPPORTED_DOCUMENT",
            "transportDocumentTypeCode must be BOL or SWB",
        )),
    }
}

async fn party(
    state: &AppState,
    party: &Value,
    path: &str,
    problems: &mut Vec<Problem>,
) -> ApiResult<Option<OrgId>> {
    match parties::resolve(state, party).await? {
        Ok(org) => Ok(Some(org)),
        Err(problem) => {
            let name = party
                .get("partyName")
                .and_then(Value::as_str)
                .unwrap_or("?");
            let text = problem.describe(name, &state.config.dcsa.platform);
            problems.push(Problem::new("UNKNOWN_PARTY", format!("{path}: {text}")));
            Ok(None)
        }
    }
}

/// Checks an issuance request body and maps it to the ledger's ISSUE.
pub async fn check(state: &AppState, body: &Value) -> ApiResult<Checked> {
    let violations =
        schema::validate(Payload::IssuanceRequest, body).map_err(|e| ApiError::internal(&e))?;
    let mut problems: Vec<Problem> = violations
        .iter()
        .map(|v| {
            Problem::new(
                "SCHEMA_VIOLATION",
                format!("{}: {}", v.json_path, v.message),
            )
        })
        .collect();
    let reference_ok = !violations
        .iter()
        .any(|v| v.json_path == "$.document.transportDocumentReference" || v.json_path == "$");
    let reference = body
        .pointer("/document/transportDocumentReference")
        .and_then(Value::as_str)
        .filter(|_| reference_ok)
        .map(str::to_string);
    let Some(reference) = reference else {
        if problems.is_empty() {
            problems.push(Problem::new(
                "SCHEMA_VIOLATION",
                "$.document.transportDocumentReference is required",
            ));
        }
        return Ok(Checked::NoReference(problems));
    };
    let document = body.get("document").cloned().unwrap_or(Value::Null);
    // R30: the document id is the transportDocumentChecksum.
    let document_id = sha256_jcs(&document);
    if document_id.is_none() {
        problems.push(Problem::new(
            "UNSUPPORTED_DOCUMENT",
            "the document cannot be put in RFC 8785 canonical form",
        ));
    }
    check_manifest(body, document_id, &mut problems);
    if document.get("isElectronic").and_then(Value::as_bool) == Some(false) {
        problems.push(Problem::new(
            "UNSUPPORTED_DOCUMENT",
            "isElectronic is false: a paper document is not issued on the ledger",
        ));
    }
    let kind = kind_of(&document).map_err(|p| problems.push(p)).ok();
    let issue_to = match body.get("issueTo") {
        Some(p) => party(state, p, "$.issueTo", &mut problems).await?,
        None => None,
    };
    // R35: straight BL and waybill name their consignee; a to-order BL its first endorsee, if
    // any (none: blank, a bearer bill).
    let (field, required) = match kind {
        Some(EblType::ToOrderBl) => ("endorsee", false),
        _ => ("consignee", true),
    };
    let path = format!("$.document.documentParties.{field}");
    let consignee = match document.pointer(&format!("/documentParties/{field}")) {
        Some(p) => party(state, p, &path, &mut problems).await?,
        None if required && kind.is_some() => {
            problems.push(Problem::new(
                "UNKNOWN_PARTY",
                format!("{path} is required for this document kind"),
            ));
            None
        }
        None => None,
    };
    match (problems.is_empty(), document_id, kind, issue_to) {
        (true, Some(document), Some(kind), Some(issue_to)) => Ok(Checked::Valid(EblIssue {
            document,
            reference,
            kind,
            issue_to,
            consignee,
        })),
        _ => {
            if problems.is_empty() {
                problems.push(Problem::new("INVALID_REQUEST", "the request is incomplete"));
            }
            Ok(Checked::Invalid {
                reference,
                problems,
            })
        }
    }
}
