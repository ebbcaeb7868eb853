//! API keys, scopes and rate limits.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::{Method, Request};
use ebl_gateway::{ApiKey, GatewayConfig, RateLimit, Scope};
use http_body_util::BodyExt;
use support::*;
use tower::ServiceExt;

#[tokio::test]
async fn a_request_without_a_key_is_401() {
    let (_, app) = app();
    let reply = send(&app, Method::GET, "/v1/status", "", None).await;
    reply.assert_problem(401, "UNAUTHENTICATED");
    assert_eq!(reply.headers["www-authenticate"], "Bearer");
}

#[tokio::test]
async fn an_unknown_key_is_401() {
    let (_, app) = app();
    send(&app, Method::GET, "/v1/status", "guess", None)
        .await
        .assert_problem(401, "UNAUTHENTICATED");
}

#[tokio::test]
async fn the_x_api_key_header_is_accepted() {
    let (_, app) = app();
    let request = Request::get("/v1/status")
        .header("x-api-key", READ)
        .body(axum::body::Body::empty())
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_read_key_cannot_submit() {
    let (node, app) = app();
    let issue = signed_issue(&node);
    let body = serde_json::to_vec(&hex_body(&issue)).unwrap();
    send(&app, Method::POST, "/v1/entries", READ, Some(body.clone()))
        .await
        .assert_problem(403, "MISSING_SCOPE");
    let reply = send(&app, Method::POST, "/v1/entries", ADMIN, Some(body)).await;
    assert_eq!(reply.status, 202, "admin implies submit: {}", reply.body);
}

#[tokio::test]
async fn public_routes_need_no_key() {
    let (_, app) = app();
    for uri in ["/health", "/ready", "/v1/openapi.json"] {
        let reply = send(&app, Method::GET, uri, "", None).await;
        assert_eq!(reply.status, 200, "{uri}: {}", reply.body);
    }
}

#[tokio::test]
async fn a_key_over_its_rate_gets_429_with_retry_after() {
    let mut config = GatewayConfig::with_keys([ApiKey::from_secret("r", READ, &[Scope::Read])]);
    config.rate_limit = RateLimit {
        burst: 2,
        per_second: 0.1,
    };
    let (_, app) = app_with(config);
    assert_eq!(get(&app, "/v1/status").await.status, 200);
    assert_eq!(get(&app, "/v1/status").await.status, 200);
    let reply = get(&app, "/v1/status").await;
    reply.assert_problem(429, "RATE_LIMITED");
    let retry: u64 = reply.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=11).contains(&retry), "{retry}");
    // Public routes are not limited.
    let response = app
        .oneshot(
            Request::get("/health")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        !response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .is_empty()
    );
}

#[tokio::test]
async fn a_submit_only_key_cannot_read() {
    let config =
        GatewayConfig::with_keys([ApiKey::from_secret("s", "only-submit", &[Scope::Submit])]);
    let (_, app) = app_with(config);
    send(&app, Method::GET, "/v1/status", "only-submit", None)
        .await
        .assert_problem(403, "MISSING_SCOPE");
}

#[tokio::test]
async fn a_malformed_authorization_header_is_401() {
    let (_, app) = app();
    let request = Request::get("/v1/status")
        .header("authorization", format!("Basic {READ}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), 401);
}
