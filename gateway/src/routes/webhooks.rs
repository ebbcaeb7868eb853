//! Webhook subscriptions managed at run time (admin scope): `GET /v1/webhooks`,
//! `POST /v1/webhooks`, `DELETE /v1/webhooks/{id}`. Secrets are returned once, on creation.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::events::Filter;
use crate::extract::{ApiJson, ApiPath};
use crate::privacy::{Reader, manages_subscription};
use crate::webhooks::{Subscription, WebhookError, WebhookHandle};

/// Body of `POST /v1/webhooks`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    url: String,
    #[serde(default)]
    secret: Option<String>,
    #[serde(default)]
    filter: Filter,
}

fn handle(state: &AppState) -> ApiResult<&Arc<WebhookHandle>> {
    state.webhooks.as_ref().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "WEBHOOKS_UNAVAILABLE",
            "webhook delivery is not running on this gateway",
        )
    })
}

fn problem(e: &WebhookError) -> ApiError {
    let status = match e {
        WebhookError::InvalidUrl(_)
        | WebhookError::WeakSecret
        | WebhookError::TargetForbidden { .. }
        | WebhookError::TargetUnresolvable(_) => StatusCode::UNPROCESSABLE_ENTITY,
        WebhookError::TooMany | WebhookError::Configured(_) => StatusCode::CONFLICT,
        WebhookError::Unknown(_) => StatusCode::NOT_FOUND,
        WebhookError::Node(n) => return ApiError::from(n.clone()),
        WebhookError::Storage(_) => return ApiError::internal(e),
    };
    ApiError::new(status, e.code(), e.to_string())
}

fn view(s: &Subscription, cursor: Option<(u64, u64)>) -> Value {
    // The last event finished, as an event id; `None` until the first block after creation
    // (a fresh cursor points past every event of the head block).
    let last_event = cursor
        .filter(|(_, ordinal)| *ordinal != u64::MAX)
        .map(|(h, o)| format!("{h}:{o}"));
    json!({ "id": s.id, "url": s.url, "filter": s.filter, "managed": s.managed,
            "reader": s.reader, "last_event": last_event })
}

/// `GET /v1/webhooks`: the subscriptions the caller manages (R236), without secrets.
pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Json<Value>> {
    let webhooks = handle(&state)?;
    let reader = Reader::of(Some(&caller));
    let all: Vec<Value> = webhooks
        .list()
        .iter()
        .filter(|s| manages_subscription(&reader, &s.reader))
        .map(|s| view(s, webhooks.cursor(&s.id)))
        .collect();
    Ok(Json(json!({ "webhooks": all })))
}

/// `POST /v1/webhooks`: subscribes a receiver to the events of blocks final from now on that
/// the calling key may receive (R236: the subscription reads as its creator).
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<NewWebhook>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let reader = Reader::of(Some(&caller));
    // R235: a regulator's subscription is logged at INFO when made; its events are counted.
    let scope = body.filter.document.as_deref().unwrap_or("*");
    crate::privacy::audit(&reader, "/v1/webhooks", scope);
    let created = handle(&state)?
        .add(&body.url, body.secret, body.filter, reader)
        .await
        .map_err(|e| problem(&e))?;
    let mut reply = view(&created, None);
    reply["secret"] = Value::String(created.secret);
    Ok((StatusCode::CREATED, Json(reply)))
}

/// `DELETE /v1/webhooks/{id}`: stops deliveries to a subscription made through the API; one
/// the caller does not manage (R236) is unknown to it.
pub async fn delete(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    let webhooks = handle(&state)?;
    let reader = Reader::of(Some(&caller));
    let theirs = webhooks
        .list()
        .iter()
        .any(|s| s.id == id && !manages_subscription(&reader, &s.reader));
    if theirs {
        return Err(problem(&WebhookError::Unknown(id)));
    }
    webhooks.remove(&id).map_err(|e| problem(&e))?;
    Ok(StatusCode::NO_CONTENT)
}
