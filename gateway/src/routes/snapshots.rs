//! `POST /v1/admin/snapshots`: a consistent copy of the running node's ledger (R424, ADR 0047).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::node::SnapshotOutcome;

/// Takes a snapshot (a RocksDB checkpoint under the node's `snapshots` folder) and answers
/// where it is and which block it holds; 409 `SNAPSHOT_LIMIT` once the node keeps its maximum.
pub async fn take(State(state): State<AppState>) -> ApiResult<(StatusCode, Json<Value>)> {
    match state.node.snapshot().await? {
        SnapshotOutcome::Taken {
            path,
            height,
            block_hash,
            state_root,
        } => Ok((
            StatusCode::CREATED,
            Json(json!({
                "path": path,
                "height": height,
                "block_hash": block_hash.to_hex(),
                "state_root": state_root.to_hex(),
            })),
        )),
        SnapshotOutcome::Full(kept) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "SNAPSHOT_LIMIT",
            format!(
                "the node keeps {kept} snapshots already: move or delete old ones from its \
                 snapshots folder"
            ),
        )),
    }
}
