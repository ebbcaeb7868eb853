//! R337, R339: what a self-signing holder needs from its gateway to export a bill by DCSA PINT:
//! the chain entry signed with the platform key, and the receiving platform's verified answer.

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::Value;

use super::parse_hash;
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::pint::model::Party;
use crate::platform::Platform;

/// Body of `POST /v1/ebls/{id}/pint/chain-entry`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainEntryRequest {
    /// The receiving party on another platform.
    recipient: Party,
    /// Endorse the bill to the order of the recipient as well.
    #[serde(default)]
    endorse: bool,
}

fn platform(state: &AppState) -> ApiResult<std::sync::Arc<Platform>> {
    state.pint.clone().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "PINT_DISABLED",
            "this gateway is not configured as a DCSA PINT platform",
        )
    })
}

/// `POST /v1/ebls/{id}/pint/chain-entry`: the chain entry the holder signs into PINT_EXPORT.
pub async fn chain_entry(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<ChainEntryRequest>,
) -> ApiResult<Json<Value>> {
    let id = parse_hash("document id", &id)?;
    let edge = platform(&state)?;
    let now = ebl_ledger::time::Timestamp(
        u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000)
            .unwrap_or(0),
    );
    let entry = crate::platform::self_signed::chain_entry(
        &state,
        &edge,
        &caller,
        id,
        &request.recipient,
        request.endorse,
        now,
    )
    .await?;
    Ok(Json(entry))
}

/// `GET /v1/ebls/{id}/pint/answer`: the verified final answer the holder records.
pub async fn answer(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    let id = parse_hash("document id", &id)?;
    let edge = platform(&state)?;
    Ok(Json(
        crate::platform::self_signed::answer(&state, &edge, &caller, id).await?,
    ))
}
