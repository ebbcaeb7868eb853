//! Organisations, grants and account sequence numbers.

use axum::Json;
use axum::extract::State;
use ebl_ledger::crypto::PublicKey;
use ebl_ledger::identity::{GrantRecord, Organisation};
use ebl_ledger::state::keys;
use serde_json::{Value, json};

use super::{parse_hash, parse_org};
use crate::AppState;
use crate::dto;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiPath;
use crate::records;

/// `GET /v1/organisations`.
pub async fn list(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let orgs = records::scan::<Organisation>(&state, keys::organisation_prefix()).await?;
    let items: Vec<Value> = orgs.iter().map(dto::organisation).collect();
    Ok(Json(json!({ "organisations": items })))
}

/// Reads an organisation or answers 404 `UNKNOWN_ORGANISATION`.
pub(crate) async fn load(state: &AppState, id: &str) -> ApiResult<Organisation> {
    let org = parse_org(id)?;
    records::get::<Organisation>(state, keys::organisation(&org))
        .await?
        .ok_or_else(|| {
            ApiError::not_found("UNKNOWN_ORGANISATION", format!("no organisation `{org}`"))
        })
}

/// `GET /v1/organisations/{id}`.
pub async fn one(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(dto::organisation(&load(&state, &id).await?)))
}

/// `GET /v1/grants/{id}`.
pub async fn grant(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    let id = parse_hash("grant id", &id)?;
    let grant = records::get::<GrantRecord>(&state, keys::grant(&id))
        .await?
        .ok_or_else(|| ApiError::not_found("UNKNOWN_GRANT", "no grant with this id"))?;
    Ok(Json(dto::grant(&grant)))
}

/// `GET /v1/accounts/{key}/sequence`.
pub async fn sequence(
    State(state): State<AppState>,
    ApiPath(key): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    let signer = PublicKey::from_hex(&key)
        .ok_or_else(|| ApiError::bad_request("INVALID_ID", "key must be 64 hex digits"))?;
    let next = state.node.next_sequence(signer).await?;
    Ok(Json(
        json!({ "key": signer.to_hex(), "next_sequence": next }),
    ))
}
