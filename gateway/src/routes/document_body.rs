//! `PUT` and `GET /v1/ebls/{id}/document`: the body of an eBL (its DCSA TransportDocument),
//! kept off the ledger by the nodes, uploaded and read by the document's parties only
//! (R140, R160–R161; ADR 0018).

use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ebl_ledger::ebl::EblRecord;
use ebl_ledger::hash::{DocumentId, Hash32};
use ebl_ledger::ids::OrgId;
use serde_json::Value;

use super::documents::load_ebl;
use super::parse_hash;
use crate::AppState;
use crate::auth::Caller;
use crate::bodies::{BodyError, DocumentBody};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};

/// R160: the caller's organisation, or 403 `ORGANISATION_REQUIRED`.
fn caller_org(caller: &Caller) -> ApiResult<OrgId> {
    caller.org.clone().ok_or_else(|| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "ORGANISATION_REQUIRED",
            "document bodies are served to organisations: use a member certificate or an API key \
             bound to an organisation",
        )
    })
}

/// R160: the eBL `id` if `org` is one of its parties (R140); R234: 404 `UNKNOWN_DOCUMENT`
/// alike when no such eBL is on the ledger and when `org` is not a party, so existence does
/// not leak.
async fn party_record(state: &AppState, id: &DocumentId, org: &OrgId) -> ApiResult<EblRecord> {
    let record = load_ebl(state, id).await?;
    if !record.is_party(org) {
        return Err(crate::privacy::not_found());
    }
    Ok(record)
}

/// The strong entity tag of a body: its document id, quoted.
fn etag(id: &DocumentId) -> HeaderValue {
    // 64 hex digits in quotes are always a valid header value; fall back to none otherwise.
    HeaderValue::from_str(&format!("\"{}\"", id.to_hex()))
        .unwrap_or_else(|_| HeaderValue::from_static("\"\""))
}

/// `PUT /v1/ebls/{id}/document` (scope `submit`): stores the TransportDocument of eBL `id`
/// for its parties. 204 with the id as `ETag`; storing it again is a no-op.
pub async fn put(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
    ApiJson(document): ApiJson<Value>,
) -> ApiResult<Response> {
    let id = parse_hash("document id", &id)?;
    let org = caller_org(&caller)?;
    party_record(&state, &id, &org).await?;
    // R161: the id is the SHA-256 of the canonical form, so key order and whitespace of the
    // upload do not matter, and what is stored is the canonical form.
    let body = DocumentBody::of(&document).map_err(|e| match e {
        BodyError::TooLarge(_) => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            e.to_string(),
        ),
        BodyError::NotCanonical(_) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "INVALID_DOCUMENT",
            e.to_string(),
        ),
    })?;
    if body.id != id {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "DOCUMENT_MISMATCH",
            format!(
                "this document's RFC 8785 SHA-256 is {}, not the eBL's document id {id}",
                body.id
            ),
        ));
    }
    state.node.put_document_body(id, body.bytes).await?;
    tracing::info!(document = %id, %org, "document body stored");
    Ok((StatusCode::NO_CONTENT, [(header::ETAG, etag(&id))]).into_response())
}

/// `GET /v1/ebls/{id}/document` (scope `read`): the TransportDocument of eBL `id`, in RFC 8785
/// canonical form, for a party of it; `ETag` is the document id (`If-None-Match` → 304).
pub async fn get(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let id = parse_hash("document id", &id)?;
    let org = caller_org(&caller)?;
    party_record(&state, &id, &org).await?;
    let tag = etag(&id);
    let cached = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == "*" || t.trim() == tag));
    let bytes = state.node.document_body(id, org).await?.ok_or_else(|| {
        ApiError::not_found(
            "DOCUMENT_BODY_UNAVAILABLE",
            "no reachable node holds this eBL's body; a party can upload it with PUT",
        )
    })?;
    // The node checks fetched bodies (R142); checking again costs one hash per read and keeps a
    // storage fault from ever reaching a client as the document.
    if Hash32::sha256(&bytes) != id {
        return Err(ApiError::internal(&format!(
            "stored body of {id} does not hash to its id"
        )));
    }
    let private = HeaderValue::from_static("private");
    if cached {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, tag), (header::CACHE_CONTROL, private)],
        )
            .into_response());
    }
    Ok((
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::ETAG, tag),
            (header::CACHE_CONTROL, private),
        ],
        bytes,
    )
        .into_response())
}
