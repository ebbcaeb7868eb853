//! DCSA SUR 3.0.4 on this platform (R240–R247, ADR 0032).
//!
//! - `POST /v3/ebl-surrender-requests` is the *holder's* intake: the holder's own system (through
//!   its custodial identity) asks this platform to surrender (SREQ → SURRENDER_FOR_DELIVERY,
//!   AREQ → SURRENDER_FOR_AMENDMENT). The entry records the surrenderRequestReference on the
//!   ledger (R240); once final, the platform calls the *carrier's* `POST
//!   /v3/ebl-surrender-requests` with the endorsement chain ([`crate::dcsa::surrender_call`]).
//! - `POST /v3/ebl-surrender-responses` is the *carrier's* answer (SURR → SACC, SREJ → SREJ),
//!   taken by any member's gateway: the request is found in ledger state by its reference (R246).

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ebl_ledger::ebl::{AmendmentReason, EblAction, EblRecord, EblType};
use ebl_ledger::entry::Body;
use ebl_ledger::hash::DocumentId;
use ebl_ledger::ids::OrgId;
use ebl_ledger::state::keys;
use serde_json::Value;

use crate::AppState;
use crate::auth::Caller;
use crate::dcsa::act::{Settled, acting};
use crate::dcsa::chain::documents_by_reference;
use crate::dcsa::error::{DcsaError, DetailedError, Failure};
use crate::dcsa::schema::{self, Payload};
use crate::dcsa::surrender_call::pending;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::records;

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

/// `POST /v3/ebl-surrender-requests` (the holder's intake): the caller, entitled to surrender
/// (R49, R50, R242), surrenders the eBL to its carrier under the given surrenderRequestReference
/// (R240, R241). An `endorsementChain` in the body is ignored: the platform builds the chain
/// from the ledger when it calls the carrier (R245). 204 once final, 202 if not final within the
/// wait; DCSA `ErrorResponse` otherwise.
pub async fn request(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, Failure> {
    let acting = acting(&state, &caller)?;
    validate(Payload::SurrenderRequest, REQUESTS, &body)?;
    let reference = text(&body, "surrenderRequestReference");
    // R241: the ledger refuses a used reference too; this answers before signing.
    if surrendered_document(&state, reference).await?.is_some() {
        return Err(fail(
            REQUESTS,
            StatusCode::CONFLICT,
            "surrenderRequestReference was already used",
            "DUPLICATE_SURRENDER_REQUEST",
        ));
    }
    let request_reference = Some(reference.to_string());
    let comments = text(&body, "comments");
    let action = |document| match text(&body, "surrenderRequestCode") {
        "AREQ" => {
            let reason = match text(&body, "reasonCode") {
                "SWTP" => AmendmentReason::SwitchToPaper,
                "COD" => AmendmentReason::ChangeOfDestination,
                "SWI" => AmendmentReason::SwitchBl,
                // DCSA SUR: "In case no valid reasonCode exists ... use the comments property".
                "" if !comments.is_empty() => AmendmentReason::Other,
                _ => {
                    let e = DetailedError::new(
                        "INVALID_REASON_CODE",
                        "AREQ needs reasonCode SWTP, COD or SWI, or, when none fits, the \
                         reason in comments",
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
            Ok(EblAction::SurrenderForAmendment {
                document,
                reason,
                request_reference: request_reference.clone(),
            })
        }
        _ => Ok(EblAction::SurrenderForDelivery {
            document,
            request_reference: request_reference.clone(),
        }),
    };
    let tdr = text(&body, "transportDocumentReference");
    let record = pick(documents_by_reference(&state, tdr).await?, &acting.org)?;
    let action = action(record.id)?;
    // The comments travel in the entry's remark (R8: at most 1 KiB; DCSA caps them at 255),
    // so an OTHR amendment's reason is on the ledger for the carrier's SUR call.
    let remark = (!comments.is_empty()).then(|| comments.as_bytes().to_vec());
    let (_, outcome) = acting
        .sign_and_wait(&state, Body::Ebl(action), remark)
        .await?;
    match outcome {
        Settled::Applied => Ok(StatusCode::NO_CONTENT.into_response()),
        Settled::Pending => Ok(StatusCode::ACCEPTED.into_response()),
        Settled::Refused { code, message } => Err(refused(REQUESTS, &code, &message)),
    }
}

/// R246: the document a surrender request reference names, from the ledger's index.
async fn surrendered_document(
    state: &AppState,
    reference: &str,
) -> Result<Option<EblRecord>, Failure> {
    let key = keys::surrender_request(reference);
    let Some(id) = records::get::<DocumentId>(state, key).await? else {
        return Ok(None);
    };
    Ok(records::get::<EblRecord>(state, keys::ebl(&id)).await?)
}

/// `POST /v3/ebl-surrender-responses`: the issuing carrier accepts (SURR) or rejects (SREJ,
/// with `comments` as the reason) the surrender request with this reference, through any
/// member's gateway (R246). Unknown reference, or a caller that is not the document's issuing
/// carrier: 404 (the same answer, so it tells a stranger nothing). One answer per request: 409
/// after (DCSA SUR).
pub async fn response(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, Failure> {
    let acting = acting(&state, &caller)?;
    validate(Payload::SurrenderAnswer, RESPONSES, &body)?;
    let reference = text(&body, "surrenderRequestReference");
    let record = surrendered_document(&state, reference)
        .await?
        .filter(|r| r.carrier == acting.org)
        .ok_or_else(|| {
            fail(
                RESPONSES,
                StatusCode::NOT_FOUND,
                "no surrender request with this reference for this carrier",
                "UNKNOWN_SURRENDER_REQUEST",
            )
        })?;
    // R247: answered already (or a later request of the same document is pending).
    let waiting = pending(&record).is_some_and(|s| s.reference == reference);
    if !waiting {
        return Err(fail(
            RESPONSES,
            StatusCode::CONFLICT,
            "this surrender request was already answered",
            "ALREADY_ANSWERED",
        ));
    }
    let document = record.id;
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
        Settled::Applied => Ok(StatusCode::NO_CONTENT.into_response()),
        Settled::Pending => Ok(StatusCode::ACCEPTED.into_response()),
        // Another gateway's answer won the race: the ledger's WRONG_STATUS, as a 409.
        Settled::Refused { code, message } => Err(refused(RESPONSES, &code, &message)),
    }
}
