//! `GET /v1/events` (Server-Sent Events of committed blocks and entries) and
//! `GET /v1/webhooks/deliveries` (the webhook delivery log).
//!
//! The request-timeout layer only bounds the time to the response head: an SSE response is
//! returned at once and its body streams afterwards, so the layer never cuts a stream (a test
//! checks it). R203: each stream holds a [`StreamSlot`] of its client for as long as its body
//! lives, so a client has at most a few streams open and the gateway a bounded number.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::{Extension, Json};
use futures_util::Stream;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::AppState;
use crate::auth::{Caller, RateBucket};
use crate::error::{ApiError, ApiResult};
use crate::events::{Filter, follow, parse_id};
use crate::privacy::{Reader, event_visible};
use crate::streams::{StreamRefused, StreamSlot};

/// Events buffered per subscriber before the follower waits for the client.
const BUFFER: usize = 64;

/// `GET /v1/events?party=ORG&document=ID`, resumable with `Last-Event-ID`; R236: only the
/// events the caller may receive.
pub async fn stream(
    State(state): State<AppState>,
    Extension(RateBucket(client)): Extension<RateBucket>,
    Extension(caller): Extension<Caller>,
    Query(filter): Query<Filter>,
    headers: HeaderMap,
) -> ApiResult<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>> {
    let after = match headers.get("last-event-id") {
        None => None,
        Some(v) => Some(v.to_str().ok().and_then(parse_id).ok_or_else(|| {
            ApiError::bad_request("INVALID_EVENT_ID", "Last-Event-ID must be HEIGHT:ORDINAL")
        })?),
    };
    // R203: taken before anything is spawned; dropped with the body below.
    let slot: StreamSlot = state.streams.acquire(client).map_err(|e| refused(&e))?;
    let (tx, rx) = mpsc::channel(BUFFER);
    let node = state.node.clone();
    // Subscribed before the handler returns, so the client misses no block after its request.
    let blocks = node.subscribe();
    tokio::spawn(async move {
        if let Err(e) = follow(node, blocks, after, tx).await {
            tracing::warn!(error = %e, "event stream stopped");
        }
    });
    let reader = Reader::of(Some(&caller));
    // R235: a regulator's stream is logged once at INFO; its events are counted one by one.
    let scope = filter.document.as_deref().unwrap_or("*");
    crate::privacy::audit(&reader, "/v1/events", scope);
    let visibility = state.node.clone();
    let events = futures_util::stream::unfold(
        (rx, filter, slot, reader, visibility),
        |(mut rx, filter, slot, reader, node)| async move {
            loop {
                let event = rx.recv().await?;
                if !filter.matches(&event) {
                    continue;
                }
                match event_visible(node.as_ref(), &event, &reader, "/v1/events").await {
                    Ok(true) => {}
                    Ok(false) => continue,
                    Err(e) => {
                        // The stream ends rather than skipping what it could not judge; the
                        // client resumes from its last event id.
                        tracing::warn!(code = e.code, "event stream stopped: visibility unknown");
                        return None;
                    }
                }
                let sse = SseEvent::default()
                    .id(event.id())
                    .event(event.json["type"].as_str().unwrap_or("entry"))
                    .data(event.json.to_string());
                return Some((Ok(sse), (rx, filter, slot, reader, node)));
            }
        },
    );
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// R203: 429 `TOO_MANY_STREAMS` (this client's share is used) or 503 `STREAMS_EXHAUSTED` (the
/// gateway's), both with `Retry-After`.
fn refused(e: &StreamRefused) -> ApiError {
    let status = match e {
        StreamRefused::PerClient(_) => StatusCode::TOO_MANY_REQUESTS,
        StreamRefused::Total(_) => StatusCode::SERVICE_UNAVAILABLE,
    };
    tracing::debug!(code = e.code(), "event stream refused");
    let mut problem = ApiError::new(status, e.code(), e.to_string());
    problem.retry_after = Some(5);
    problem
}

/// `GET /v1/webhooks/deliveries`: the last deliveries, oldest first, of the subscriptions the
/// caller manages (R236).
pub async fn deliveries(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Json<Value> {
    let Some(webhooks) = state.webhooks.as_ref() else {
        return Json(json!({ "deliveries": [] }));
    };
    let reader = Reader::of(Some(&caller));
    let mut items = webhooks.log.snapshot();
    if matches!(reader, Reader::Member(_)) {
        let mine: Vec<String> = webhooks
            .list()
            .into_iter()
            .filter(|s| crate::privacy::manages_subscription(&reader, &s.reader))
            .map(|s| s.id)
            .collect();
        items.retain(|d| mine.contains(&d.subscription));
    }
    Json(json!({ "deliveries": items }))
}
