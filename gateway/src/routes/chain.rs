//! Blocks and chain status.

use axum::extract::State;
use axum::{Extension, Json};
use ebl_ledger::block::Outcome;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiPath;
use crate::privacy::Reader;

/// `GET /v1/status`.
pub async fn status(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let s = state.node.status().await?;
    Ok(Json(json!({
        "chain_id": s.chain.chain_id,
        "genesis_hash": s.chain.genesis_hash.to_hex(),
        "height": s.height,
        "last_block_hash": s.last_block_hash.to_hex(),
        "time": s.time.to_rfc3339(),
        "validators": s.validators.iter().map(|v| json!({
            "key": v.key.to_hex(), "operator": v.operator.0, "power": v.power,
        })).collect::<Vec<_>>(),
        "peers": s.peers,
        "protocol_version": s.protocol_version,
        "protocol_upgrade": s.protocol_upgrade.map(|u| json!({
            "version": u.version, "activation_height": u.activation_height,
        })),
    })))
}

/// `GET /v1/blocks/{height}`: header, entries and results. R237: entry bodies, signers and
/// `act_for` name who holds and finances bills, so they are shown to the regulator only (its
/// read audited); other readers see each entry's id, action and result.
pub async fn block(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(height): ApiPath<u64>,
) -> ApiResult<Json<Value>> {
    let reader = Reader::of(Some(&caller));
    let full = matches!(reader, Reader::Regulator(_));
    let stored =
        state.node.block(height).await?.ok_or_else(|| {
            ApiError::not_found("UNKNOWN_BLOCK", format!("no final block {height}"))
        })?;
    let header = &stored.block.header;
    let entries: Vec<Value> = stored
        .block
        .entries
        .iter()
        .zip(&stored.results)
        .map(|(e, r)| {
            let (status, code) = match &r.outcome {
                Outcome::Applied => ("APPLIED", None),
                Outcome::Failed { code, .. } => ("FAILED", Some(code.clone())),
            };
            let mut entry = json!({
                "id": e.id().to_hex(),
                "action": e.entry().body.action_kind().code(),
                "result": status,
                "code": code,
            });
            if full {
                entry["signer"] = json!(e.entry().signer.to_hex());
                entry["sequence"] = json!(e.entry().sequence);
                entry["act_for"] = json!(e.entry().act_for.as_ref().map(|o| o.0.clone()));
                entry["body"] = json!(e.entry().body);
            }
            entry
        })
        .collect();
    if full {
        crate::privacy::audit(&reader, "/v1/blocks/{height}", &format!("block {height}"));
    }
    Ok(Json(json!({
        "height": header.height,
        "hash": header.hash().to_hex(),
        "header": header,
        "time": header.time.to_rfc3339(),
        "entries": entries,
        "commit_certificate": hex::encode(&stored.certificate),
    })))
}
