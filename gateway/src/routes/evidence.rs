//! Offshore-trade evidence of an eBL (R408–R409): the linked set with the receipts citing each
//! link, and a bank's one-call check of the references and hashes it holds. Both answer only a
//! reader of the bill's title (R231–R235); anyone else gets the 404 of an unknown bill (R234).

use axum::extract::State;
use axum::{Extension, Json};
use ebl_ledger::ebl::trade_links::{self, TradeDocumentKind, TradeLinkRecord, TradeLinks};
use ebl_ledger::entry::DocumentRef;
use ebl_ledger::hash::{DocumentId, Hash32};
use ebl_ledger::receipt::ReceiptRecord;
use ebl_ledger::state::keys;
use serde::Deserialize;
use serde_json::{Value, json};

use super::parse_hash;
use crate::AppState;
use crate::auth::Caller;
use crate::dto;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::records;

/// R409: most items one check answers.
pub const MAX_CHECK_ITEMS: usize = 16;

/// The bill's links (none yet: an empty set).
async fn links_of(state: &AppState, id: &DocumentId) -> ApiResult<TradeLinks> {
    Ok(records::get::<TradeLinks>(state, keys::ebl_links(id))
        .await?
        .unwrap_or(TradeLinks {
            document: *id,
            links: Vec::new(),
        }))
}

fn link_view(link: &TradeLinkRecord, receipts: &[ReceiptRecord]) -> Value {
    let cited_by: Vec<Value> = receipts
        .iter()
        .filter(|r| r.receipt.cites.contains(&link.number))
        .map(|r| {
            json!({
                "verifier": r.verifier.0,
                "outcome": r.receipt.outcome,
                "purpose": r.receipt.purpose,
                "height": r.height,
                "time": dto::time(r.time),
                "entry": r.entry.to_hex(),
            })
        })
        .collect();
    let mut view = json!({
        "number": link.number,
        "kind": link.link.kind,
        "reference": link.link.reference,
        "hash": link.link.hash.to_hex(),
        "linker": link.linker.0,
        "signer": link.signer.to_hex(),
        "height": link.height,
        "time": dto::time(link.time),
        "entry": link.entry.to_hex(),
        "live": link.is_live(),
        "cited_by": cited_by,
    });
    if let Some(issuer) = &link.link.issuer {
        view["issuer"] = json!(issuer);
    }
    if let Some(w) = &link.withdrawn {
        view["withdrawn"] = json!({
            "height": w.height,
            "time": dto::time(w.time),
            "entry": w.entry.to_hex(),
            "reason": w.reason,
        });
    }
    view
}

/// R408: `GET /v1/ebls/{id}/evidence`: every link of the bill, withdrawn ones included, each
/// with the receipts that cite it.
pub async fn linked_set(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    let id = parse_hash("document id", &id)?;
    crate::privacy::readable_ebl(&state, &caller, &id, "/v1/ebls/{id}/evidence").await?;
    let set = links_of(&state, &id).await?;
    let receipts =
        records::scan::<ReceiptRecord>(&state, keys::receipt_prefix(&DocumentRef::Ebl { id }))
            .await?;
    let links: Vec<Value> = set.links.iter().map(|l| link_view(l, &receipts)).collect();
    Ok(Json(json!({ "document": id.to_hex(), "links": links })))
}

/// One reference a bank holds, as it asks about it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckItem {
    /// The kind of document.
    pub kind: TradeDocumentKind,
    /// Its reference.
    pub reference: String,
    /// SHA-256 of the document as the bank holds it.
    pub hash: Hash32,
}

/// Body of `POST /v1/ebls/{id}/evidence/check`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    /// 1 to 16 items.
    pub items: Vec<CheckItem>,
}

/// R409: MATCH, HASH_MISMATCH or NOT_LINKED for one item, against the live links only.
fn verdict(set: &TradeLinks, item: &CheckItem) -> Value {
    let mut answer = json!({ "kind": item.kind, "reference": item.reference });
    match set.live(item.kind, &item.reference) {
        None => answer["result"] = json!("NOT_LINKED"),
        Some(link) => {
            let result = if link.link.hash == item.hash {
                "MATCH"
            } else {
                "HASH_MISMATCH"
            };
            answer["result"] = json!(result);
            answer["link"] = json!(link.number);
            answer["linker"] = json!(link.linker.0);
        }
    }
    answer
}

/// R409: `POST /v1/ebls/{id}/evidence/check`: whether the bill links each reference the
/// bank holds with the same hash; `cites` lists the matched links, for the bank's receipt.
pub async fn check(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<CheckRequest>,
) -> ApiResult<Json<Value>> {
    let id = parse_hash("document id", &id)?;
    crate::privacy::readable_ebl(&state, &caller, &id, "/v1/ebls/{id}/evidence/check").await?;
    if request.items.is_empty() || request.items.len() > MAX_CHECK_ITEMS {
        return Err(ApiError::rejected(
            "INVALID_FIELD",
            format!("items: give 1-{MAX_CHECK_ITEMS}"),
        ));
    }
    for item in &request.items {
        trade_links::check_reference(&item.reference)
            .map_err(|e| ApiError::rejected(e.code(), e.to_string()))?;
    }
    let set = links_of(&state, &id).await?;
    let items: Vec<Value> = request.items.iter().map(|i| verdict(&set, i)).collect();
    let mut cites: Vec<u64> = items
        .iter()
        .filter(|i| i["result"] == "MATCH")
        .filter_map(|i| i["link"].as_u64())
        .collect();
    cites.sort_unstable();
    cites.dedup();
    let all_match = items.iter().all(|i| i["result"] == "MATCH");
    Ok(Json(json!({
        "document": id.to_hex(),
        "all_match": all_match,
        "items": items,
        "cites": cites,
    })))
}
