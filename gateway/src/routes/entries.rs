//! `POST /v1/entries` (idempotent submission, optional bounded wait for finality) and
//! `GET /v1/entries/{id}`.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ebl_ledger::entry::SignedEntry;
use ebl_ledger::hash::EntryId;
use serde::Deserialize;
use serde_json::{Value, json};

use super::parse_hash;
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::node::{EntryStatus, SubmitOutcome};

/// Query of `POST /v1/entries`.
#[derive(Debug, Deserialize)]
pub(crate) struct SubmitQuery {
    /// `final` to wait for finality.
    wait: Option<String>,
    /// How long to wait, in milliseconds (default 10 000, at most the configured maximum).
    timeout_ms: Option<u64>,
}

/// Decodes the body: `{"entry": "<hex of canonical bytes>"}` or the JSON form of a
/// `SignedEntry` (`{"entry": {...}, "signature": "<hex>"}`), told apart by the type of `entry`.
fn decode_entry(body: Value) -> ApiResult<SignedEntry> {
    match body.get("entry") {
        Some(Value::String(text)) => decode_hex(text),
        Some(Value::Object(_)) => decode_json(body),
        _ => Err(not_an_entry(
            "`entry` must be the hex of a canonical signed entry or its JSON form",
        )),
    }
}

/// Decodes one entry in either form `POST /v1/entries` accepts, as a batch element carries it
/// (R165): a JSON string is the hex of the canonical bytes, an object is the JSON form of a
/// `SignedEntry`.
pub(crate) fn decode_element(element: Value) -> ApiResult<SignedEntry> {
    match element {
        Value::String(text) => decode_hex(&text),
        object @ Value::Object(_) => decode_json(object),
        _ => Err(not_an_entry(
            "an element must be the hex of a canonical signed entry or its JSON form",
        )),
    }
}

/// The hex of a canonical signed entry: 400 `BAD_HEX`, or 400 with the codec's code.
fn decode_hex(text: &str) -> ApiResult<SignedEntry> {
    let bytes = hex::decode(text.trim())
        .map_err(|e| ApiError::bad_request("BAD_HEX", format!("`entry` is not hex: {e}")))?;
    SignedEntry::decode(&bytes).map_err(|e| ApiError::bad_request(e.code(), e.to_string()))
}

/// The JSON form of a `SignedEntry`: 422 `INVALID_REQUEST` if it is not one.
fn decode_json(value: Value) -> ApiResult<SignedEntry> {
    serde_json::from_value(value).map_err(|e| not_an_entry(&format!("not a signed entry: {e}")))
}

fn not_an_entry(detail: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "INVALID_REQUEST",
        detail.to_string(),
    )
}

/// The JSON view of an entry's status.
pub fn status_view(id: &EntryId, status: &EntryStatus) -> Value {
    let id = id.to_hex();
    match status {
        EntryStatus::Unknown => json!({"id": id, "status": "unknown"}),
        EntryStatus::Pending => json!({"id": id, "status": "pending"}),
        EntryStatus::Final { height } => json!({"id": id, "status": "final", "height": height}),
        EntryStatus::Failed {
            height,
            code,
            message,
        } => json!({"id": id, "status": "failed", "height": height, "code": code,
                    "message": message}),
        EntryStatus::Rejected { code, message } => {
            json!({"id": id, "status": "rejected", "code": code, "message": message})
        }
    }
}

pub(crate) fn rejection(id: &EntryId, code: &str, message: &str) -> ApiError {
    let mut e = ApiError::rejected(code, message);
    e.entry_id = Some(id.to_hex());
    e
}

/// The answer once the caller asked to wait: final → 200, failed or rejected → 422 with the
/// ledger's code, still pending → 202.
pub(crate) fn settled_response(id: &EntryId, status: &EntryStatus) -> Response {
    match status {
        EntryStatus::Final { .. } => {
            (StatusCode::OK, Json(status_view(id, status))).into_response()
        }
        EntryStatus::Failed { code, message, .. } | EntryStatus::Rejected { code, message } => {
            rejection(id, code, message).into_response()
        }
        EntryStatus::Pending | EntryStatus::Unknown => (
            StatusCode::ACCEPTED,
            Json(status_view(id, &EntryStatus::Pending)),
        )
            .into_response(),
    }
}

pub(crate) fn wait_for(state: &AppState, query: &SubmitQuery) -> ApiResult<Option<Duration>> {
    match query.wait.as_deref() {
        None => Ok(None),
        Some("final") => {
            let asked = Duration::from_millis(query.timeout_ms.unwrap_or(10_000));
            Ok(Some(asked.min(state.config.max_wait)))
        }
        Some(other) => Err(ApiError::bad_request(
            "INVALID_QUERY",
            format!("wait must be `final`, not `{other}`"),
        )),
    }
}

/// `POST /v1/entries`.
pub async fn submit(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<SubmitQuery>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Response> {
    let wait = wait_for(&state, &query)?;
    let entry = decode_entry(body)?;
    let (id, fresh) = match state.node.submit(entry).await? {
        SubmitOutcome::Accepted(id) => (id, true),
        SubmitOutcome::Duplicate(id) => (id, false),
        SubmitOutcome::Rejected { id, code, message } => {
            return Err(rejection(&id, &code, &message));
        }
    };
    if let Some(timeout) = wait {
        let status = state.node.wait_final(id, timeout).await?;
        return Ok(settled_response(&id, &status));
    }
    if fresh {
        let view = status_view(&id, &EntryStatus::Pending);
        return Ok((StatusCode::ACCEPTED, Json(view)).into_response());
    }
    let status = state.node.entry_status(id).await?;
    let code = if status.is_settled() {
        StatusCode::OK
    } else {
        StatusCode::ACCEPTED
    };
    Ok((code, Json(status_view(&id, &status))).into_response())
}

/// `GET /v1/entries/{id}`, optionally `?wait=final&timeout_ms=..` (bounded like submission).
pub async fn status(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<SubmitQuery>,
) -> ApiResult<Json<Value>> {
    let id = parse_hash("entry id", &id)?;
    let status = match wait_for(&state, &query)? {
        Some(timeout) => state.node.wait_final(id, timeout).await?,
        None => state.node.entry_status(id).await?,
    };
    match status {
        EntryStatus::Unknown => Err(ApiError::not_found(
            "UNKNOWN_ENTRY",
            "no entry with this id is known to the node",
        )),
        status => Ok(Json(status_view(&id, &status))),
    }
}
