//! R337–R339: exports by a holder that signs its own entries (the wallet, or a system with its
//! own key). The gateway cannot sign PINT_EXPORT or PINT_EXPORT_ANSWER for it, so it lends what
//! only the platform has: the chain entry signed with the platform key (given only to the
//! bill's holder), and, once its sender has the receiving platform's verified final answer, that
//! answer for the holder to record. Both are served to the holder's organisation only.

use std::collections::BTreeMap;
use std::sync::Mutex;

use axum::http::StatusCode;
use ebl_ledger::ebl::{EblAction, EblRecord};
use ebl_ledger::entry::Body;
use ebl_ledger::hash::DocumentId;
use ebl_ledger::state::keys;
use ebl_ledger::time::Timestamp;
use serde_json::{Value, json};

use super::Platform;
use super::export::export_body;
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::pint::model::{Party, ResponseCode};
use crate::records;

/// Most answers kept for holders to collect.
pub const MAX_ANSWERS: usize = 1024;

/// Verified final answers waiting for their self-signing holders (bounded; a lost one is
/// fetched again by the next send, which the receiver answers DUPE).
#[derive(Debug, Default)]
pub struct Answers(Mutex<BTreeMap<DocumentId, (ResponseCode, String)>>);

impl Answers {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<DocumentId, (ResponseCode, String)>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Keeps the answer for `id` (dropping the oldest ids beyond the bound).
    pub fn keep(&self, id: DocumentId, code: ResponseCode, response: String) {
        let mut map = self.lock();
        map.insert(id, (code, response));
        while map.len() > MAX_ANSWERS {
            let Some(first) = map.keys().next().copied() else {
                break;
            };
            map.remove(&first);
        }
    }

    /// Whether an answer for `id` waits to be recorded.
    pub fn waiting(&self, id: &DocumentId) -> bool {
        self.lock().contains_key(id)
    }

    /// The answer for `id`.
    pub fn get(&self, id: &DocumentId) -> Option<(ResponseCode, String)> {
        self.lock().get(id).cloned()
    }

    /// Forgets answers of exports no longer pending.
    pub fn keep_only(&self, pending: &std::collections::BTreeSet<DocumentId>) {
        self.lock().retain(|id, _| pending.contains(id));
    }
}

fn not_holder() -> ApiError {
    // R234: a caller that is not the holder learns nothing about the bill.
    ApiError::not_found(
        "UNKNOWN_DOCUMENT",
        "no eBL with this id held by the caller's organisation",
    )
}

async fn held_by_caller(
    state: &AppState,
    caller: &Caller,
    id: &DocumentId,
) -> ApiResult<EblRecord> {
    let record = records::get::<EblRecord>(state, keys::ebl(id))
        .await?
        .ok_or_else(not_holder)?;
    match &caller.org {
        Some(org) if org == record.holder() => Ok(record),
        _ => Err(not_holder()),
    }
}

/// R337: the chain entry a holder signs into its own PINT_EXPORT.
pub async fn chain_entry(
    state: &AppState,
    platform: &Platform,
    caller: &Caller,
    id: DocumentId,
    to: &Party,
    endorse: bool,
    now: Timestamp,
) -> ApiResult<Value> {
    held_by_caller(state, caller, &id).await?;
    match export_body(state, platform, id, to, endorse, now).await? {
        Body::Ebl(EblAction::Export { chain_entry, .. }) => {
            Ok(json!({ "chainEntry": chain_entry }))
        }
        _ => Err(ApiError::internal(&"export body is not an export")),
    }
}

/// R339: the verified final answer for the holder to record as PINT_EXPORT_ANSWER.
pub async fn answer(
    state: &AppState,
    platform: &Platform,
    caller: &Caller,
    id: DocumentId,
) -> ApiResult<Value> {
    held_by_caller(state, caller, &id).await?;
    let (code, response) = platform.answers.get(&id).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "NO_ANSWER_YET",
            "the receiving platform has not given a final answer this gateway verified",
        )
    })?;
    Ok(json!({"code": format!("{code:?}"), "response": response}))
}
