//! `GET /v1/sync/snapshot` and `GET /v1/sync/snapshots/{height}/chunks/{index}`: a recent
//! snapshot for a member node that starts by state sync (R450–R459, ADR 0050).
//!
//! Member-only (R451): a member's client certificate (mTLS) with the `read` scope it carries,
//! or an API key with the `admin` scope (an operator syncing its own nodes). Read keys handed
//! to applications do not reach the whole state.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::auth::CertificatePrincipal;
use crate::config::Scope;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiPath;

/// R451: most chunks a snapshot has (as `ebl_ledger::state_sync::MAX_CHUNKS`).
const MAX_CHUNKS: usize = ebl_ledger::state_sync::MAX_CHUNKS;

/// The manifest of the snapshot the node serves now (built first when it has none recent).
pub async fn manifest(State(state): State<AppState>) -> ApiResult<Response> {
    let json = state.node.sync_manifest().await?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        json.as_ref().clone(),
    )
        .into_response())
}

/// One chunk, as bytes; 404 `SNAPSHOT_NOT_SERVED` when the node no longer serves it.
pub async fn chunk(
    State(state): State<AppState>,
    ApiPath((height, index)): ApiPath<(u64, u32)>,
) -> ApiResult<Response> {
    let not_served = || {
        ApiError::not_found(
            "SNAPSHOT_NOT_SERVED",
            "this node serves no such snapshot chunk; fetch the manifest again",
        )
    };
    let index = index as usize;
    if index >= MAX_CHUNKS {
        return Err(not_served());
    }
    let bytes = state
        .node
        .sync_chunk(height, index)
        .await?
        .ok_or_else(not_served)?;
    Ok(([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response())
}

/// R451: a member certificate (checked as for `read`) when no API key is presented, else an
/// API key with the `admin` scope.
pub async fn require_member(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let member = request.extensions().get::<CertificatePrincipal>().is_some();
    let scope = if member && !presents_key(request.headers()) {
        Scope::Read
    } else {
        Scope::Admin
    };
    crate::auth::require(State((state, scope)), request, next).await
}

fn presents_key(headers: &HeaderMap) -> bool {
    headers.contains_key("x-api-key") || headers.contains_key(header::AUTHORIZATION)
}
