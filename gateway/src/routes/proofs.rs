//! Proof bundles: a header, the record bytes and their Merkle proof, checkable offline with
//! `RecordProof::verify(&header.state_root)`, and the header's commit certificate in portable
//! form, checkable offline with `CommitCertificate::verify_header` against a trusted validator
//! set (R132, R133; ADR 0016).

use axum::extract::State;
use axum::{Extension, Json};
use ebl_ledger::finality::CommitCertificate;
use ebl_ledger::state::keys;
use serde_json::{Value, json};

use super::documents::{certificate_ref, load_certificate};
use super::parse_hash;
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiPath;

async fn bundle(state: &AppState, key: Vec<u8>) -> ApiResult<Json<Value>> {
    let proven = state.node.prove(key).await?;
    if proven.proof.value.is_none() {
        // The record was read just before; a missing one now means it changed in between.
        return Err(ApiError::not_found(
            "UNKNOWN_DOCUMENT",
            "the record is not in the proven state",
        ));
    }
    // Empty means the header has no certificate (genesis); anything else must decode, or the
    // node handed over something it should not have.
    let certificate: Option<CommitCertificate> = if proven.commit_certificate.is_empty() {
        None
    } else {
        Some(
            ebl_ledger::codec::decode(&proven.commit_certificate, usize::MAX)
                .map_err(|e| ApiError::internal(&e))?,
        )
    };
    Ok(Json(json!({
        "header": proven.header,
        "header_hash": proven.header.hash().to_hex(),
        "record": proven.proof,
        "commit_certificate": certificate,
        "verify": "decode `record` as ebl_ledger::state::tree::RecordProof and `header` as \
                   BlockHeader, then RecordProof::verify(&header.state_root); decode \
                   `commit_certificate` as ebl_ledger::finality::CommitCertificate and call \
                   verify_header(&header.chain.genesis_hash, &header, trusted_validators)",
    })))
}

/// `GET /v1/proofs/ebls/{id}`: the proven record holds the title, so only for a reader who
/// may see it (R231–R235), else 404 (R234).
pub async fn ebl(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    let id = parse_hash("document id", &id)?;
    crate::privacy::readable_ebl(&state, &caller, &id, "/v1/proofs/ebls/{id}").await?;
    bundle(&state, keys::ebl(&id)).await
}

/// `GET /v1/proofs/certificates/{administration}/{utn}`.
pub async fn certificate(
    State(state): State<AppState>,
    ApiPath((administration, utn)): ApiPath<(String, String)>,
) -> ApiResult<Json<Value>> {
    let reference = certificate_ref(&administration, &utn)?;
    load_certificate(&state, &reference).await?;
    bundle(&state, keys::certificate(&reference)).await
}
