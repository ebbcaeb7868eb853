//! `POST /v1/entries/batch`: many signed entries in one request (R164–R168, ADR 0024), for
//! legacy systems that work in batches and for the throughput benchmark. The request is
//! judged as a whole first (size, rate limit, decoding of every element); only then are the
//! entries handed to the node in one `NodeApi::submit_batch` call, and the answer is one
//! result per entry, in input order.

use std::fmt;
use std::time::Instant;

use axum::Json;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use ebl_ledger::entry::SignedEntry;
use ebl_ledger::hash::EntryId;
use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde_json::{Value, json};

use super::entries::{decode_element, status_view};
use crate::AppState;
use crate::auth::{RateBucket, rate_limited};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::node::SubmitOutcome;

/// R165: the most entries one batch may carry.
pub const MAX_BATCH_ENTRIES: usize = 1_000;

/// R168: the largest batch request body. A full batch of typical entries (a few hundred
/// canonical bytes, twice that in hex, two to three times that in JSON form) fits with room to
/// spare; the gateway-wide `body_limit` (256 KiB by default) would not.
pub const BATCH_BODY_LIMIT: usize = 8 * 1024 * 1024;

/// R167: at most this many duplicates of one batch are looked up to report their settled
/// status; a lookup reads the entry's block, and a retried batch may be all duplicates.
pub const MAX_SETTLED_LOOKUPS: usize = 100;

/// The body of `POST /v1/entries/batch`: `{"entries": [ ... ]}`.
#[derive(Debug, Deserialize)]
pub(crate) struct BatchBody {
    entries: Elements,
}

/// The elements of `entries`, of which at most [`MAX_BATCH_ENTRIES`] are kept: the rest are
/// only counted, so an oversized batch costs no memory beyond its (bounded) body.
#[derive(Debug)]
struct Elements {
    kept: Vec<Value>,
    total: usize,
}

impl<'de> Deserialize<'de> for Elements {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Bounded;
        impl<'de> Visitor<'de> for Bounded {
            type Value = Elements;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of signed entries")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Elements, A::Error> {
                let mut kept = Vec::new();
                let mut total = 0usize;
                loop {
                    let more = if kept.len() < MAX_BATCH_ENTRIES {
                        seq.next_element::<Value>()?.map(|v| kept.push(v)).is_some()
                    } else {
                        seq.next_element::<IgnoredAny>()?.is_some()
                    };
                    if !more {
                        return Ok(Elements { kept, total });
                    }
                    total = total.saturating_add(1);
                }
            }
        }
        deserializer.deserialize_seq(Bounded)
    }
}

/// R166: takes `n` tokens from the caller's bucket, all or none; 429 with `Retry-After` when
/// the bucket cannot pay for them now.
fn charge(state: &AppState, bucket: RateBucket, n: usize) -> ApiResult<()> {
    let cost = u32::try_from(n).unwrap_or(u32::MAX);
    state
        .limiter
        .check_n(bucket.0, cost, Instant::now())
        .map_err(|wait| {
            let mut e = rate_limited(wait, "this caller");
            let burst = state.limiter.burst();
            if cost > burst {
                e.detail = format!(
                    "a batch of {n} entries costs {n} rate-limit tokens, more than this \
                     caller's burst of {burst}: send smaller batches"
                );
            }
            e
        })
}

/// R165: decodes every element or refuses the whole batch, naming the first bad element.
fn decode_all(elements: Vec<Value>) -> ApiResult<Vec<SignedEntry>> {
    elements
        .into_iter()
        .enumerate()
        .map(|(i, element)| {
            decode_element(element).map_err(|mut e| {
                e.detail = format!("entry {i}: {}", e.detail);
                e.index = Some(i);
                e
            })
        })
        .collect()
}

/// One element of the answer (R167).
async fn result(
    state: &AppState,
    index: usize,
    outcome: SubmitOutcome,
    lookups: &mut usize,
) -> ApiResult<Value> {
    Ok(match outcome {
        SubmitOutcome::Accepted(id) => {
            json!({"index": index, "id": id.to_hex(), "status": "pending"})
        }
        SubmitOutcome::Duplicate(id) => {
            let mut view = json!({"index": index, "id": id.to_hex(), "status": "duplicate"});
            if *lookups < MAX_SETTLED_LOOKUPS {
                *lookups += 1;
                if let Some(settled) = settled_view(state, id).await? {
                    view["settled"] = settled;
                }
            }
            view
        }
        SubmitOutcome::Rejected { id, code, message } => json!({
            "index": index, "id": id.to_hex(), "status": "rejected",
            "code": code, "message": message,
        }),
    })
}

/// The status of a known entry if it can no longer change (as `GET /v1/entries/{id}` shows it).
async fn settled_view(state: &AppState, id: EntryId) -> ApiResult<Option<Value>> {
    let status = state.node.entry_status(id).await?;
    Ok(status.is_settled().then(|| status_view(&id, &status)))
}

/// `POST /v1/entries/batch` (scope `submit`; the route's middleware takes no token, this
/// handler takes one per entry).
pub async fn submit_batch(
    State(state): State<AppState>,
    bucket: Option<Extension<RateBucket>>,
    body: Result<ApiJson<BatchBody>, ApiError>,
) -> ApiResult<Json<Value>> {
    let Some(Extension(bucket)) = bucket else {
        return Err(ApiError::internal(
            &"batch route mounted without its middleware",
        ));
    };
    // A body that is not a batch still costs one token, like any request.
    let elements = match body {
        Ok(ApiJson(body)) => body.entries,
        Err(e) => {
            charge(&state, bucket, 1)?;
            return Err(e);
        }
    };
    let n = elements.total;
    if n == 0 {
        charge(&state, bucket, 1)?;
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "EMPTY_BATCH",
            "`entries` is empty: send at least one entry",
        ));
    }
    if n > MAX_BATCH_ENTRIES {
        charge(&state, bucket, 1)?;
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "BATCH_TOO_LARGE",
            format!("{n} entries; a batch carries at most {MAX_BATCH_ENTRIES}"),
        ));
    }
    // Charged before decoding: decoding and signature checks are the work the limit protects.
    charge(&state, bucket, n)?;
    let entries = decode_all(elements.kept)?;
    let outcomes = state.node.submit_batch(entries).await?;
    if outcomes.len() != n {
        return Err(ApiError::internal(&format!(
            "the node answered {} outcomes for a batch of {n}",
            outcomes.len()
        )));
    }
    let mut results = Vec::with_capacity(n);
    let mut lookups = 0;
    for (index, outcome) in outcomes.into_iter().enumerate() {
        results.push(result(&state, index, outcome, &mut lookups).await?);
    }
    Ok(Json(json!({ "results": results })))
}
