//! Public routes: liveness, readiness and the OpenAPI document.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::AppState;
use crate::error::{ApiError, ApiResult};

/// `GET /health`: the process answers.
pub async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// `GET /ready`: the node answers status queries.
pub async fn ready(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let status = state.node.status().await?;
    Ok(Json(json!({"status": "ready", "height": status.height})))
}

/// `GET /v1/openapi.json`: `specs/openapi.yaml` as JSON.
pub async fn openapi() -> ApiResult<Json<Value>> {
    crate::openapi::document()
        .cloned()
        .map(Json)
        .map_err(|e| ApiError::internal(&e))
}
