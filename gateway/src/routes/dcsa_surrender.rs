//! DCSA SUR 3.0.4: `POST /v3/ebl-surrender-requests` (the holder's SREQ / AREQ →
//! SURRENDER_FOR_DELIVERY / SURRENDER_FOR_AMENDMENT) and `POST /v3/ebl-surrender-responses`
//! (the carrier's SURR / SREJ → SACC / SREJ), signed custodially (R49–R54, ADR 0013).

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ebl_ledger::ebl::{AmendmentReason, EblAction, EblRecord, EblType};
use ebl_ledger::entry::Body;
use ebl_ledger::ids::OrgId;
use serde_json::Value;

use crate::AppState;
use crate::auth::Caller;
use crate::dcsa::act::{Settled, acting};
use crate::dcsa::chain::documents_by_reference;
use crate::dcsa::error::{DcsaError, DetailedError, Failure};
use crate::dcsa::schema::{self, Payload};
use crate::dcsa::store::SurrenderRequest;
use crate::error::ApiError;
use crate::extract::ApiJson;

const REQUESTS: &str = "/v3/ebl-surrender-requests";
const RESPONSES: &str = "/v3/ebl-surrender-responses";

fn fail(uri: &'static str, status: StatusCode, message: &str, code: &str) -> Failure {
    DcsaError::new(
        status,
        "POST",
        uri,
        message,
        vec![DetailedError::new(code, message)],
    )
    .into()
}

fn at(mut e: DetailedError, path: &str) -> DetailedError {
    e.json_path = Some(path.into());
    e
}

/// Schema check: every violation in one DCSA 400.
fn validate(payload: Payload, uri: &'static str, body: &Value) -> Result<(), Failure> {
    let violations = schema::validate(payload, body).map_err(|e| ApiError::internal(&e))?;
    if violations.is_empty() {
        return Ok(());
    }
    let errors = violations.iter().map(DetailedError::violation).collect();
    Err(DcsaError::new(
        StatusCode::BAD_REQUEST,
        "POST",
        uri,
        "the payload does not match the DCSA schema",
        errors,
    )
    .into())
}

fn text<'a>(body: &'a Value, field: &str) -> &'a str {
    body.get(field).and_then(Value::as_str).unwrap_or_default()
}

/// The document the holder means: the one with this reference it may surrender (holder, or the
/// consignee of a waybill); if only one carrier has such a reference, that one (the ledger then
/// says why it cannot be surrendered).
fn pick(records: Vec<EblRecord>, org: &OrgId) -> Result<EblRecord, Failure> {
    let total = records.len();
    let mine: Vec<EblRecord> = records
        .iter()
        .filter(|r| {
            r.holder() == org || (r.kind == EblType::SeaWaybill && r.endorsee() == Some(org))
        })
        .cloned()
        .collect();
    let not_found = "no transport document with this reference";
    match (mine.len(), total) {
        (1, _) => Ok(mine.into_iter().next().ok_or_else(|| {
            fail(
                REQUESTS,
                StatusCode::NOT_FOUND,
                not_found,
                "UNKNOWN_DOCUMENT",
            )
        })?),
        (0, 1) => Ok(records.into_iter().next().ok_or_else(|| {
            fail(
                REQUESTS,
                StatusCode::NOT_FOUND,
                not_found,
                "UNKNOWN_DOCUMENT",
            )
        })?),
        (0, 0) => Err(fail(
            REQUESTS,
            StatusCode::NOT_FOUND,
            not_found,
            "UNKNOWN_DOCUMENT",
        )),
        _ => Err(fail(
            REQUESTS,
            StatusCode::CONFLICT,
            "several transport documents have this reference",
            "AMBIGUOUS_REFERENCE",
        )),
    }
}

fn refused(uri: &'static str, code: &str, message: &str) -> Failure {
    DcsaError::new(
        StatusCode::CONFLICT,
        "POST",
        uri,
        format!("the ledger refused the action: {code}"),
        vec![DetailedError::new(code, message)],
    )
    .into()
}

/// `POST /v3/ebl-surrender-requests`: the caller (holder) surrenders the eBL to its carrier.
/// 204 once final, 202 if not final within the wait; DCSA `ErrorResponse` otherwise.
pub async fn request(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, Failure> {
    let acting = acting(&state, &caller)?;
    validate(Payload::SurrenderRequest, REQUESTS, &body)?;
    let reference = text(&body, "surrenderRequestReference");
    if state.dcsa.has_surrender(reference) {
        return Err(fail(
            REQUESTS,
            StatusCode::CONFLICT,
            "surrenderRequestReference was already used",
            "DUPLICATE_SURRENDER_REQUEST",
        ));
    }
    let action = |document| match text(&body, "surrenderRequestCode") {
        "AREQ" => {
            let reason = match text(&body, "reasonCode") {
                "SWTP" => AmendmentReason::SwitchToPaper,
                "COD" => AmendmentReason::ChangeOfDestination,
                "SWI" => AmendmentReason::SwitchBl,
                _ => {
                    let e = DetailedError::new(
                        "INVALID_REASON_CODE",
                        "AREQ needs reasonCode SWTP, COD or SWI",
                    );
                    return Err(Failure::from(DcsaError::new(
                        StatusCode::BAD_REQUEST,
                        "POST",
                        REQUESTS,
                        "AREQ needs a reasonCode",
                        vec![at(e, "$.reasonCode")],
                    )));
                }
            };
            Ok(EblAction::SurrenderForAmendment { document, reason })
        }
        _ => Ok(EblAction::SurrenderForDelivery { document }),
    };
    let tdr = text(&body, "transportDocumentReference");
    let record = pick(documents_by_reference(&state, tdr).await?, &acting.org)?;
    let action = action(record.id)?;
    let remark = format!("DCSA {} {reference}", text(&body, "surrenderRequestCode"));
    let (entry, outcome) = acting
        .sign_and_wait(&state, Body::Ebl(action), Some(remark.into_bytes()))
        .await?;
    let remember = SurrenderRequest {
        document: record.id,
        carrier: record.carrier.clone(),
        entry,
        answered: false,
    };
    match outcome {
        Settled::Applied => {
            state.dcsa.add_surrender(reference, remember);
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        Settled::Pending => {
            state.dcsa.add_surrender(reference, remember);
            Ok(StatusCode::ACCEPTED.into_response())
        }
        Settled::Refused { code, message } => Err(refused(REQUESTS, &code, &message)),
    }
}

/// `POST /v3/ebl-surrender-responses`: the carrier accepts (SURR) or rejects (SREJ, with
/// `comments` as the reason) a surrender request made through this gateway. One answer per
/// request (409 after).
pub async fn response(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, Failure> {
    let acting = acting(&state, &caller)?;
    validate(Payload::SurrenderAnswer, RESPONSES, &body)?;
    let reference = text(&body, "surrenderRequestReference");
    let request = state
        .dcsa
        .surrender(reference)
        .filter(|r| r.carrier == acting.org)
        .ok_or_else(|| {
            fail(
                RESPONSES,
                StatusCode::NOT_FOUND,
                "no surrender request with this reference for this carrier",
                "UNKNOWN_SURRENDER_REQUEST",
            )
        })?;
    if request.answered {
        return Err(fail(
            RESPONSES,
            StatusCode::CONFLICT,
            "this surrender request was already answered",
            "ALREADY_ANSWERED",
        ));
    }
    let document = request.document;
    let action = match text(&body, "action") {
        "SREJ" => {
            let comments = text(&body, "comments");
            if comments.is_empty() {
                let e = DetailedError::new("MISSING_COMMENTS", "SREJ must give comments");
                return Err(DcsaError::new(
                    StatusCode::BAD_REQUEST,
                    "POST",
                    RESPONSES,
                    "a rejection must say why in comments",
                    vec![at(e, "$.comments")],
                )
                .into());
            }
            EblAction::RejectSurrender {
                document,
                reason: comments.to_string(),
            }
        }
        _ => EblAction::AcceptSurrender { document },
    };
    let (_, outcome) = acting
        .sign_and_wait(&state, Body::Ebl(action), None)
        .await?;
    match outcome {
        Settled::Applied => {
            state.dcsa.mark_answered(reference);
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        Settled::Pending => Ok(StatusCode::ACCEPTED.into_response()),
        Settled::Refused { code, message } => Err(refused(RESPONSES, &code, &message)),
    }
}
