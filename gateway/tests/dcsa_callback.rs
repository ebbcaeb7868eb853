//! DCSA issuance-response callbacks: a carrier with a configured endpoint receives ISSU, BREQ
//! (and ISSU after a pending wait) as a signed `IssuanceResponse`; a carrier without one
//! receives nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/dcsa.rs"]
mod dcsa;
mod support;

use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode};
use dcsa::*;
use ebl_gateway::dcsa::callback::CallbackTarget;
use ebl_gateway::dcsa::schema::Payload;
use ebl_gateway::webhooks::verify;
use serde_json::Value;
use support::Reply;
use tokio::sync::mpsc;

const PUT_URI: &str = "/v3/ebl-issuance-requests";
const SECRET: &str = "carrier-callback-secret";
const WAIT: Duration = Duration::from_secs(10);

/// The carrier's `POST /v3/ebl-issuance-responses` on 127.0.0.1.
async fn carrier_endpoint() -> (String, mpsc::Receiver<(HeaderMap, Bytes)>) {
    let (tx, rx) = mpsc::channel(8);
    let route = axum::routing::post(move |headers: HeaderMap, body: Bytes| {
        let tx = tx.clone();
        async move {
            let _ = tx.send((headers, body)).await;
            StatusCode::NO_CONTENT
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/v3/ebl-issuance-responses",
        listener.local_addr().unwrap()
    );
    let app = Router::new().route("/v3/ebl-issuance-responses", route);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, rx)
}

fn config_with_callback(url: &str) -> ebl_gateway::GatewayConfig {
    let mut config = dcsa_config();
    let carrier = ebl_ledger::ids::OrgId::new("CARRIER").unwrap();
    config.dcsa.callbacks.insert(
        carrier,
        CallbackTarget {
            url: url.into(),
            secret: SECRET.into(),
        },
    );
    config
}

async fn callback(calls: &mut mpsc::Receiver<(HeaderMap, Bytes)>) -> Value {
    let (headers, body) = tokio::time::timeout(WAIT, calls.recv())
        .await
        .expect("no callback in time")
        .unwrap();
    let signature = headers["x-ebl-signature"].to_str().unwrap();
    assert!(verify(SECRET, &body, signature));
    assert_eq!(headers["api-version"], "3.0.4");
    let response: Value = serde_json::from_slice(&body).unwrap();
    assert_dcsa(Payload::IssuanceResponse, &response);
    response
}

/// `key`'s issuance `request`, put without waiting for a synchronous answer.
async fn put(app: &Router, key: &str, request: &Value) -> Reply {
    send_json(app, Method::PUT, PUT_URI, key, request).await
}

/// CARRIER's issuance `request`, decided at once (204); returns the callback it causes.
async fn issue_and_hear_back(
    app: &Router,
    calls: &mut mpsc::Receiver<(HeaderMap, Bytes)>,
    request: &Value,
) -> Value {
    let reply = put(app, CARRIER_KEY, request).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    callback(calls).await
}

#[tokio::test]
async fn the_carrier_is_called_back_with_issu_and_with_breq() {
    let (url, mut calls) = carrier_endpoint().await;
    let (_node, app) = dcsa_app_with(config_with_callback(&url));
    let issued = issue_and_hear_back(&app, &mut calls, &issuance_request("CB-1")).await;
    assert_eq!(issued["issuanceResponseCode"], "ISSU");
    assert_eq!(issued["transportDocumentReference"], "CB-1");

    let mut bad = issuance_request("CB-2");
    bad["document"]["transportDocumentTypeCode"] = "NOT-A-TYPE".into();
    let refused = issue_and_hear_back(&app, &mut calls, &bad).await;
    assert_eq!(refused["issuanceResponseCode"], "BREQ");
    assert_eq!(refused["transportDocumentReference"], "CB-2");
}

#[tokio::test]
async fn a_pending_issuance_is_called_back_once_final() {
    let (url, mut calls) = carrier_endpoint().await;
    let mut config = config_with_callback(&url);
    config.max_wait = Duration::from_millis(50);
    let (node, app) = dcsa_app_with(config);
    node.hold();
    let reply = put(&app, CARRIER_KEY, &issuance_request("CB-3")).await;
    assert_eq!(reply.status, 202, "{}", reply.body);
    assert!(calls.try_recv().is_err(), "nothing decided yet");
    node.flush();
    let issued = callback(&mut calls).await;
    assert_eq!(issued["issuanceResponseCode"], "ISSU");
}

#[tokio::test]
async fn a_carrier_without_a_callback_endpoint_is_not_called() {
    let (url, mut calls) = carrier_endpoint().await;
    // Only CARRIER has an endpoint; CARRIER2 issues.
    let (_node, app) = dcsa_app_with(config_with_callback(&url));
    let reply = put(&app, CARRIER2_KEY, &issuance_request("CB-4")).await;
    assert!(reply.status.is_success(), "{}", reply.body);
    // CARRIER's own issuance afterwards is the first (and only) callback received.
    let first = issue_and_hear_back(&app, &mut calls, &issuance_request("CB-5")).await;
    assert_eq!(first["transportDocumentReference"], "CB-5");
}
