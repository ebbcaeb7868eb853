//! `PUT /v3/ebl-issuance-requests` (DCSA ISS 3.0.4) and the issuance response, read back with
//! `GET /v3/ebl-issuance-responses/{transportDocumentReference}` (ADR 0013).

use axum::Extension;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use ebl_ledger::ebl::EblAction;
use ebl_ledger::entry::Body;
use std::time::Duration;

use ebl_ledger::hash::{DocumentId, EntryId};
use ebl_ledger::ids::OrgId;
use ebl_ledger::state::keys;
use serde::Deserialize;
use serde_json::Value;

use crate::AppState;
use crate::auth::Caller;
use crate::bodies::{self, DocumentBody};
use crate::dcsa::act::{Settled, acting, settled};
use crate::dcsa::error::{DcsaError, DetailedError, Failure};
use crate::dcsa::issuance::{self, Checked, Problem, response};
use crate::dcsa::issuance_material;
use crate::dcsa::replacements;
use crate::dcsa::store::Verdict;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::records;

use super::dcsa_replacements;

const REQUESTS: &str = "/v3/ebl-issuance-requests";

/// Query of the issuance request.
#[derive(Debug, Deserialize)]
pub struct IssueQuery {
    /// `sync`: answer 200 with the issuance response instead of DCSA's bare 204.
    #[serde(rename = "responseMode")]
    response_mode: Option<String>,
}

fn location(reference: &str) -> String {
    format!("/v3/ebl-issuance-responses/{reference}")
}

pub(super) fn pending(reference: &str) -> Response {
    (
        StatusCode::ACCEPTED,
        [(header::LOCATION, location(reference))],
    )
        .into_response()
}

pub(super) fn answer(sync: bool, body: Value) -> Response {
    if sync {
        (StatusCode::OK, Json(body)).into_response()
    } else {
        StatusCode::NO_CONTENT.into_response()
    }
}

pub(super) fn issued(reference: &str) -> Value {
    response(reference, "ISSU", None, &[])
}

pub(super) fn refused(reference: &str, code: &str, message: &str) -> Value {
    let problem = Problem {
        code: code.to_string(),
        reason: crate::dcsa::schema::one_line(message, 255),
    };
    let reason = format!("the ledger refused the issuance: {code}");
    response(reference, "REFU", Some(&reason), &[problem])
}

/// `PUT /v3/ebl-issuance-requests[?responseMode=sync]`: checks the request, signs the ISSUE as
/// the caller's carrier identity and answers 204 (or 200 with the response) once the ledger has
/// decided, 202 if it has not within the gateway's wait. Payload errors are a BREQ; a request
/// without a usable transportDocumentReference cannot be named by one and gets a DCSA 400.
/// With `transportDocumentReplacements` the checked document replaces earlier ones (AMEND,
/// COMBINE, or a SPLIT gathered part by part; R340–R347, [`dcsa_replacements`]).
pub async fn put_request(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(query): ApiQuery<IssueQuery>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, Failure> {
    let sync = match query.response_mode.as_deref() {
        None => false,
        Some("sync") => true,
        Some(other) => {
            return Err(ApiError::bad_request(
                "INVALID_QUERY",
                format!("responseMode `{other}` is not known (use `sync`)"),
            )
            .into());
        }
    };
    let acting = acting(&state, &caller)?;
    let issue = match issuance::check(&state, &body, &acting.org).await? {
        Checked::NoReference(problems) => {
            let errors = problems
                .iter()
                .map(|p| DetailedError::new(&p.code, &p.reason))
                .collect();
            return Err(DcsaError::new(
                StatusCode::BAD_REQUEST,
                "PUT",
                REQUESTS,
                "the issuance request has no valid transportDocumentReference",
                errors,
            )
            .into());
        }
        Checked::Invalid {
            reference,
            problems,
        } => {
            return Ok(breq(&state, &acting.org, &reference, &problems, sync));
        }
        Checked::Valid(issue) => issue,
    };
    // R340: a request that replaces earlier documents is an AMEND, COMBINE or SPLIT part.
    match replacements::plan(&state, &body, &acting.org, &issue.reference).await? {
        Ok(None) => {}
        Ok(Some(plan)) => {
            return dcsa_replacements::replace(&state, &acting, body, issue, plan, sync).await;
        }
        Err(problems) => return Ok(breq(&state, &acting.org, &issue.reference, &problems, sync)),
    }
    let reference = issue.reference.clone();
    // R162: the body is stored once the ISSUE is final (ISSU), so the carrier never uploads
    // it; `check` has already canonicalised it (a valid request hashes to `issue.document`).
    let document = body.get("document").and_then(|d| DocumentBody::of(d).ok());
    let document_id = issue.document;
    let (entry, outcome) = acting
        .sign_and_wait(&state, Body::Ebl(EblAction::Issue(issue)), None)
        .await?;
    match outcome {
        Settled::Applied => {
            if let Some(document) = &document {
                bodies::store(&state, document).await;
            }
            issuance_material::record(&state, &acting, &body, document_id).await;
            call_back(&state, &acting.org, issued(&reference));
            Ok(answer(sync, issued(&reference)))
        }
        Settled::Pending => {
            if let Some(document) = document {
                bodies::store_when_final(&state, entry, document);
            }
            issuance_material::record(&state, &acting, &body, document_id).await;
            state
                .dcsa
                .set_verdict(&acting.org, &reference, Verdict::Pending(entry));
            call_back_when_settled(&state, &acting.org, &reference, entry);
            Ok(pending(&reference))
        }
        Settled::Refused { code, message } => {
            let body = refused(&reference, &code, &message);
            state
                .dcsa
                .set_verdict(&acting.org, &reference, Verdict::Decided(body.clone()));
            call_back(&state, &acting.org, body.clone());
            if code == "DUPLICATE_DOCUMENT" && !sync {
                // ISS 3.0.4: a reused transportDocumentReference is answered 409.
                return Err(DcsaError::new(
                    StatusCode::CONFLICT,
                    "PUT",
                    REQUESTS,
                    "this transport document was already issued",
                    vec![DetailedError::new(&code, &message)],
                )
                .into());
            }
            Ok(answer(sync, body))
        }
    }
}

/// BREQ: remembered, called back and answered.
pub(super) fn breq(
    state: &AppState,
    carrier: &OrgId,
    reference: &str,
    problems: &[Problem],
    sync: bool,
) -> Response {
    let reason = format!(
        "the issuance request is invalid: {} problem(s)",
        problems.len()
    );
    let body = response(reference, "BREQ", Some(&reason), problems);
    state
        .dcsa
        .set_verdict(carrier, reference, Verdict::Decided(body.clone()));
    call_back(state, carrier, body.clone());
    answer(sync, body)
}

/// Sends `body` to the carrier's DCSA callback, if it has one (ISS 3.0.4).
pub(super) fn call_back(state: &AppState, carrier: &OrgId, body: Value) {
    let target = state.config.dcsa.callbacks.get(carrier);
    state.dcsa_callbacks.send(target, carrier, body);
}

/// Longest a callback waits for a pending ISSUE to settle.
const CALLBACK_WAIT: Duration = Duration::from_secs(120);

/// Calls the carrier back once the pending ISSUE `entry` is final (ISSU) or refused (REFU).
pub(super) fn call_back_when_settled(
    state: &AppState,
    carrier: &OrgId,
    reference: &str,
    entry: EntryId,
) {
    if !state.config.dcsa.callbacks.contains_key(carrier) {
        return;
    }
    let (state, carrier, reference) = (state.clone(), carrier.clone(), reference.to_string());
    tokio::spawn(async move {
        let status = match state.node.wait_final(entry, CALLBACK_WAIT).await {
            Ok(status) => status,
            Err(e) => {
                tracing::warn!(%carrier, %reference, error = %e, "no DCSA callback: node failed");
                return;
            }
        };
        let body = match settled(status) {
            Settled::Applied => issued(&reference),
            Settled::Refused { code, message } => {
                let body = refused(&reference, &code, &message);
                state
                    .dcsa
                    .set_verdict(&carrier, &reference, Verdict::Decided(body.clone()));
                body
            }
            Settled::Pending => {
                tracing::warn!(%carrier, %reference, "ISSUE still pending; no DCSA callback");
                return;
            }
        };
        call_back(&state, &carrier, body);
    });
}

/// Checks a transportDocumentReference from a path (DCSA: 1–20 characters, no surrounding
/// space).
pub(crate) fn check_reference(reference: &str) -> Result<(), ApiError> {
    let ok = !reference.is_empty()
        && reference.chars().count() <= 20
        && reference.trim() == reference
        && !reference.chars().any(char::is_control);
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "INVALID_PATH",
            "transportDocumentReference must be 1-20 characters without surrounding space",
        ))
    }
}

/// `GET /v3/ebl-issuance-responses/{transportDocumentReference}`: the DCSA issuance response
/// for the caller's carrier: ISSU from the ledger, else the remembered BREQ/REFU; 202 while
/// the ISSUE is not final; 404 when nothing is known.
pub async fn get_response(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(reference): ApiPath<String>,
) -> Result<Response, Failure> {
    check_reference(&reference)?;
    let acting = acting(&state, &caller)?;
    let verdict = state.dcsa.verdict(&acting.org, &reference);
    // R344: a split part waits for its other parts, even when its reference still names the
    // document it splits (R31).
    if verdict == Some(Verdict::Gathering) {
        return Ok(pending(&reference));
    }
    let key = keys::ebl_reference(&acting.org, &reference);
    if records::get::<DocumentId>(&state, key.clone())
        .await?
        .is_some()
    {
        return Ok(Json(issued(&reference)).into_response());
    }
    match verdict {
        Some(Verdict::Gathering) => Ok(pending(&reference)),
        Some(Verdict::Decided(body)) => Ok(Json(body).into_response()),
        Some(Verdict::Pending(entry)) => match settled(state.node.entry_status(entry).await?) {
            Settled::Pending => Ok(pending(&reference)),
            Settled::Applied => Ok(Json(issued(&reference)).into_response()),
            Settled::Refused { code, message } => {
                let body = refused(&reference, &code, &message);
                state
                    .dcsa
                    .set_verdict(&acting.org, &reference, Verdict::Decided(body.clone()));
                Ok(Json(body).into_response())
            }
        },
        None => Err(ApiError::not_found(
            "UNKNOWN_ISSUANCE_REQUEST",
            "no issuance request with this transportDocumentReference is known for this carrier",
        )
        .into()),
    }
}
