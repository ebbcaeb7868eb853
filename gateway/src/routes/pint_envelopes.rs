//! DCSA PINT 3.0 receiving routes (R325–R330): `POST /v3/envelopes`,
//! `PUT /v3/envelopes/{envelopeReference}/additional-documents/{documentChecksum}`,
//! `PUT /v3/envelopes/{envelopeReference}/finish-transfer`, `POST /v3/receiver-validation`.
//! Signed answers are the JSON string of the compact JWS, as the specification's
//! `EnvelopeTransferFinishedResponseSignedContent`; unsigned failures are the DCSA
//! `ErrorResponse`.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ebl_ledger::hash::Hash32;

use crate::AppState;
use crate::dcsa::error::{DcsaError, Failure};
use crate::extract::{ApiJson, ApiPath};
use crate::pint::model::{EblEnvelope, IdentifyingCode};
use crate::platform::Platform;
use crate::platform::answers::{PintAnswer, unsigned};
use crate::platform::inbox;

/// The API version these routes implement.
const API_VERSION: &str = "3.0.0";

fn with_version(response: Response) -> Response {
    let mut response = response;
    if let Ok(value) = header::HeaderValue::from_str(API_VERSION) {
        response.headers_mut().insert("API-Version", value);
    }
    response
}

fn platform(
    state: &AppState,
    method: &'static str,
    uri: &'static str,
) -> Result<Arc<Platform>, DcsaError> {
    state.pint.clone().ok_or_else(|| {
        unsigned(
            StatusCode::SERVICE_UNAVAILABLE,
            method,
            uri,
            "PINT_DISABLED",
            "this gateway does not receive eBLs by DCSA PINT",
        )
    })
}

fn answer(result: Result<PintAnswer, DcsaError>) -> Result<Response, Failure> {
    let response = match result? {
        PintAnswer::Signed(status, jws) => (status, Json(jws)).into_response(),
        PintAnswer::Started(started) => (StatusCode::CREATED, Json(started)).into_response(),
        PintAnswer::Received => StatusCode::NO_CONTENT.into_response(),
    };
    Ok(with_version(response))
}

/// `POST /v3/envelopes`: start an envelope transfer.
pub async fn start(
    State(state): State<AppState>,
    ApiJson(envelope): ApiJson<EblEnvelope>,
) -> Result<Response, Failure> {
    let edge = platform(&state, "POST", "/v3/envelopes")?;
    answer(inbox::start(&state, &edge, envelope).await)
}

/// `PUT /v3/envelopes/{envelopeReference}/additional-documents/{documentChecksum}`: one
/// additional document, base64 in a JSON string.
pub async fn document(
    State(state): State<AppState>,
    ApiPath((reference, checksum)): ApiPath<(String, String)>,
    ApiJson(content): ApiJson<String>,
) -> Result<Response, Failure> {
    const URI: &str = "/v3/envelopes/{envelopeReference}/additional-documents/{documentChecksum}";
    let edge = platform(&state, "PUT", URI)?;
    let bad =
        |code: &str, message: &str| unsigned(StatusCode::BAD_REQUEST, "PUT", URI, code, message);
    let checksum = Hash32::from_hex(&checksum)
        .filter(|_| checksum.len() == 64)
        .ok_or_else(|| bad("INVALID_PATH", "documentChecksum must be 64 hex digits"))?;
    let bytes = STANDARD
        .decode(content.as_bytes())
        .map_err(|_| bad("INVALID_BODY", "the body must be a base64 string"))?;
    answer(inbox::document(&edge, &reference, checksum, bytes).await)
}

/// `PUT /v3/envelopes/{envelopeReference}/finish-transfer`.
pub async fn finish(
    State(state): State<AppState>,
    ApiPath(reference): ApiPath<String>,
) -> Result<Response, Failure> {
    let edge = platform(
        &state,
        "PUT",
        "/v3/envelopes/{envelopeReference}/finish-transfer",
    )?;
    answer(inbox::finish(&state, &edge, &reference).await)
}

/// `POST /v3/receiver-validation`: the name of the party a code names here, or 404.
pub async fn receiver_validation(
    State(state): State<AppState>,
    ApiJson(code): ApiJson<IdentifyingCode>,
) -> Result<Response, Failure> {
    const URI: &str = "/v3/receiver-validation";
    platform(&state, "POST", URI)?;
    match crate::platform::validation::party_name(&state, &code).await {
        Some(name) => Ok(with_version(
            Json(serde_json::json!({ "partyName": name })).into_response(),
        )),
        None => Err(unsigned(
            StatusCode::NOT_FOUND,
            "POST",
            URI,
            "UNKNOWN_PARTY",
            "Unknown party",
        )
        .into()),
    }
}
