//! The public routes' rate limits are per client network: one client over its limit gets 429
//! with Retry-After while another client is still served.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use support::*;
use tower::ServiceExt;

async fn from(app: &Router, client: &str) -> axum::response::Response {
    let addr: SocketAddr = client.parse().unwrap();
    let mut request = Request::get("/public/v1/ebls/00")
        .body(Body::empty())
        .unwrap();
    request.extensions_mut().insert(ConnectInfo(addr));
    app.clone().oneshot(request).await.unwrap()
}

#[tokio::test]
async fn a_client_over_its_public_limit_does_not_lock_out_another_client() {
    let (_, app) = app();
    let mut last = None;
    for _ in 0..61 {
        last = Some(from(&app, "192.0.2.10:40000").await);
    }
    let limited = last.unwrap();
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers().contains_key("retry-after"));
    // Another port of the same address is the same client.
    let same = from(&app, "192.0.2.10:40001").await;
    assert_eq!(same.status(), StatusCode::TOO_MANY_REQUESTS);
    // Another client is answered (400: the id is malformed, not a rate limit).
    let other = from(&app, "198.51.100.7:50000").await;
    assert_eq!(other.status(), StatusCode::BAD_REQUEST);
}
