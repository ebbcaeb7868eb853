//! An issuance request checked and mapped to the ledger's ISSUE (R30, R34–R36, R220–R226):
//! schema, the carrier's signature over the issuance manifest and its checksums, and the title
//! facts read from the document. Every failure is collected
//! so that one BREQ lists them all.

use ebl_ledger::docfacts::{self, TitleFacts};
use ebl_ledger::docid;
use ebl_ledger::ebl::EblIssue;
use ebl_ledger::ids::OrgId;
use serde_json::{Value, json};

use super::schema::{self, Payload, one_line};
use super::{manifest, parties};
use crate::AppState;
use crate::error::{ApiError, ApiResult};

/// DCSA `IssuanceResponse.errors` holds at most 255 items.
const MAX_ERRORS: usize = 255;

/// One reason a request cannot be issued (an `IssuanceError`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Stable code: `SCHEMA_VIOLATION`, `CHECKSUM_MISMATCH`, `INVALID_MANIFEST`,
    /// `INVALID_SIGNATURE`, `UNSUPPORTED_ALGORITHM`, `UNKNOWN_SIGNER`, `UNKNOWN_PARTY`,
    /// `UNSUPPORTED_DOCUMENT`, `DOCUMENT_MISMATCH`, or a ledger code for REFU.
    pub code: String,
    /// One-line explanation.
    pub reason: String,
}

impl Problem {
    pub(crate) fn new(code: &str, reason: impl AsRef<str>) -> Self {
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

/// R226: the manifest's checksums against the request (`documentChecksum` and `issueToChecksum`
/// required, `eBLVisualisationByCarrierChecksum` when the request has a visualisation).
fn compare_checksums(body: &Value, manifest: &Value, problems: &mut Vec<Problem>) {
    let expected = manifest::expected_manifest(body);
    for field in [
        "documentChecksum",
        "issueToChecksum",
        "eBLVisualisationByCarrierChecksum",
    ] {
        match (manifest.get(field), expected.get(field)) {
            (Some(claimed), Some(actual)) if claimed == actual => {}
            (Some(claimed), actual) => problems.push(Problem::new(
                "CHECKSUM_MISMATCH",
                format!(
                    "issuance manifest {field} {} does not match the payload ({})",
                    one_line(&claimed.to_string(), 66),
                    actual.and_then(Value::as_str).unwrap_or("absent")
                ),
            )),
            // The request has the part (its document and issueTo always, by the schema).
            (None, Some(_)) => problems.push(Problem::new(
                "INVALID_MANIFEST",
                format!("issuance manifest has no {field}"),
            )),
            (None, None) => {}
        }
    }
}

/// R224–R226: the carrier's signature over the manifest, then the manifest's checksums. Every
/// problem is listed; a manifest whose signature fails is still compared, so that the BREQ
/// names a tampered checksum too.
async fn check_manifest(
    state: &AppState,
    body: &Value,
    carrier: &OrgId,
    problems: &mut Vec<Problem>,
) -> ApiResult<()> {
    let Some(jws) = body
        .get("issuanceManifestSignedContent")
        .and_then(Value::as_str)
    else {
        return Ok(()); // reported by the schema
    };
    let Some(record) = parties::organisation(state, carrier).await? else {
        problems.push(Problem::new(
            "UNKNOWN_SIGNER",
            format!("{carrier} has no organisation record, so no registered key to verify with"),
        ));
        return Ok(());
    };
    let verified = manifest::verify(jws, &record.key, carrier.as_str());
    if let Err(e) = &verified {
        problems.push(Problem::new(e.code(), e.to_string()));
    }
    match manifest::payload(jws) {
        Some(payload) => compare_checksums(body, &payload, problems),
        // Already reported as a malformed JWS.
        None if verified == Err(manifest::ManifestError::Malformed) => {}
        None => problems.push(Problem::new(
            "INVALID_MANIFEST",
            "issuanceManifestSignedContent: the JWS payload is not base64url JSON",
        )),
    }
    Ok(())
}

async fn member(
    state: &AppState,
    org: OrgId,
    path: &str,
    problems: &mut Vec<Problem>,
) -> ApiResult<Option<OrgId>> {
    match parties::member(state, org).await? {
        Ok(org) => Ok(Some(org)),
        Err(problem) => {
            let text = problem.describe(path, &state.config.dcsa.platform);
            problems.push(Problem::new("UNKNOWN_PARTY", text));
            Ok(None)
        }
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

/// R220–R222: the document's title facts, read with this gateway's party directory; the
/// issuing party, when named here, must be `carrier`, and the title party a member.
async fn facts(
    state: &AppState,
    document: &Value,
    carrier: &OrgId,
    problems: &mut Vec<Problem>,
) -> ApiResult<Option<TitleFacts>> {
    let config = &state.config.dcsa;
    let facts = match docfacts::title_facts(document, &|p, c| parties::org_of_code(config, p, c)) {
        Ok(facts) => facts,
        Err(errors) => {
            for e in errors {
                // A missing reference is reported by the schema (and answered without BREQ).
                if e != docfacts::FactError::MissingReference {
                    problems.push(Problem::new(e.code(), e.to_string()));
                }
            }
            return Ok(None);
        }
    };
    if let Some(issuer) = facts.issuing_carrier.as_ref().filter(|i| *i != carrier) {
        problems.push(Problem::new(
            "DOCUMENT_MISMATCH",
            format!(
                "issuing_carrier: $.document.documentParties.issuingParty names {issuer}, but \
                 the request is signed by {carrier}"
            ),
        ));
        return Ok(None);
    }
    if let Some(org) = facts.title_party.clone() {
        let path = if facts.to_order {
            "endorsee"
        } else {
            "consignee"
        };
        let path = format!("$.document.documentParties.{path}");
        member(state, org, &path, problems).await?;
    }
    Ok(Some(facts))
}

/// Checks an issuance request body sent by `carrier` and maps it to the ledger's ISSUE.
pub async fn check(state: &AppState, body: &Value, carrier: &OrgId) -> ApiResult<Checked> {
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
    let document_id = docid::document_id(&document).ok();
    if document_id.is_none() {
        problems.push(Problem::new(
            "UNSUPPORTED_DOCUMENT",
            "the document cannot be put in RFC 8785 canonical form",
        ));
    }
    check_manifest(state, body, carrier, &mut problems).await?;
    if document.get("isElectronic").and_then(Value::as_bool) == Some(false) {
        problems.push(Problem::new(
            "UNSUPPORTED_DOCUMENT",
            "isElectronic is false: a paper document is not issued on the ledger",
        ));
    }
    let facts = facts(state, &document, carrier, &mut problems).await?;
    let issue_to = match body.get("issueTo") {
        Some(p) => party(state, p, "$.issueTo", &mut problems).await?,
        None => None,
    };
    match (problems.is_empty(), document_id, facts, issue_to) {
        (true, Some(document), Some(facts), Some(issue_to)) => Ok(Checked::Valid(EblIssue {
            document,
            reference,
            kind: facts.kind,
            issue_to,
            consignee: facts.title_party,
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
