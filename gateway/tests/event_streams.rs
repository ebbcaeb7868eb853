//! R203 attack: one client opens event streams until the gateway runs out of tasks and
//! sockets. Each client (API key, or member organisation over mTLS) gets a few streams, the
//! gateway a bounded number; a closed stream frees its slot at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use ebl_gateway::auth::CertificatePrincipal;
use ebl_gateway::streams::StreamLimits;
use http_body_util::BodyExt;
use serde_json::Value;
use support::*;
use tower::ServiceExt;

fn limited(per_client: usize, total: usize) -> Router {
    let mut config = config();
    config.streams = StreamLimits { per_client, total };
    app_with(config).1
}

/// Opens `/v1/events` with API key `key` or, when `key` is empty, as member `org` over mTLS.
async fn open(app: &Router, key: &str, org: Option<&str>) -> Response<Body> {
    let mut request = Request::get("/v1/events");
    if !key.is_empty() {
        request = request.header("authorization", format!("Bearer {key}"));
    }
    let mut request = request.body(Body::empty()).unwrap();
    if let Some(org) = org {
        let org = ebl_ledger::ids::OrgId::new(org).unwrap();
        request
            .extensions_mut()
            .insert(CertificatePrincipal { org });
    }
    app.clone().oneshot(request).await.unwrap()
}

async fn problem(response: Response<Body>) -> (StatusCode, Value, Option<String>) {
    let status = response.status();
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let retry = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap(), retry)
}

#[tokio::test]
async fn a_client_over_its_share_of_streams_gets_429_and_a_closed_stream_frees_its_slot() {
    let app = limited(2, 100);
    let first = open(&app, READ, None).await;
    let second = open(&app, READ, None).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(second.status(), StatusCode::OK);

    let (status, body, retry) = problem(open(&app, READ, None).await).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["code"], "TOO_MANY_STREAMS");
    assert!(retry.is_some(), "a refused client is told when to retry");

    // Another key is not held back by the first one's streams.
    assert_eq!(open(&app, SUBMIT, None).await.status(), StatusCode::OK);

    drop(first);
    let again = open(&app, READ, None).await;
    assert_eq!(
        again.status(),
        StatusCode::OK,
        "the closed stream's slot is free"
    );
    drop(second);
    drop(again);
}

#[tokio::test]
async fn a_member_organisation_over_mtls_is_one_client() {
    let app = limited(1, 100);
    let held = open(&app, "", Some("BANK")).await;
    assert_eq!(held.status(), StatusCode::OK);
    let (status, body, _) = problem(open(&app, "", Some("BANK")).await).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["code"], "TOO_MANY_STREAMS");
    assert_eq!(
        open(&app, "", Some("CARRIER")).await.status(),
        StatusCode::OK
    );
    drop(held);
}

#[tokio::test]
async fn the_gateway_wide_cap_holds_against_many_clients() {
    let app = limited(4, 3);
    let mut held = Vec::new();
    for key in [READ, SUBMIT, ADMIN] {
        let response = open(&app, key, None).await;
        assert_eq!(response.status(), StatusCode::OK);
        held.push(response);
    }
    let (status, body, retry) = problem(open(&app, READ, None).await).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["code"], "STREAMS_EXHAUSTED");
    assert!(retry.is_some());
    held.pop();
    assert_eq!(open(&app, READ, None).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_refused_or_unauthenticated_request_takes_no_slot() {
    let app = limited(1, 1);
    assert_eq!(
        open(&app, "", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let bad_resume = Request::get("/v1/events")
        .header("authorization", format!("Bearer {READ}"))
        .header("last-event-id", "not-an-id")
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(bad_resume).await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(open(&app, READ, None).await.status(), StatusCode::OK);
}
