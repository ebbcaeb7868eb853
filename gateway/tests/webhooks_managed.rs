//! Webhook subscriptions made through the API: created, listed without secrets, deleted, and
//! delivered at least once across a gateway restart from their durable cursor.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode};
use ebl_gateway::NodeApi;
use ebl_gateway::webhooks::verify;
use ebl_ledger::ebl::EblAction;
use ebl_ledger::entry::{Body as EntryBody, SignedEntry};
use serde_json::{Value, json};
use support::*;
use tokio::sync::mpsc;

const WAIT: Duration = Duration::from_secs(10);

type Call = (HeaderMap, Bytes);

/// A receiver on 127.0.0.1 that answers 204 and forwards every call.
async fn receiver() -> (String, mpsc::Receiver<Call>) {
    let (tx, rx) = mpsc::channel(16);
    let hook = axum::routing::post(move |headers: HeaderMap, body: Bytes| {
        let tx = tx.clone();
        async move {
            let _ = tx.send((headers, body)).await;
            StatusCode::NO_CONTENT
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, Router::new().route("/hook", hook))
            .await
            .unwrap();
    });
    (url, rx)
}

fn config_in(dir: &std::path::Path) -> ebl_gateway::GatewayConfig {
    let mut config = config();
    // R204: the receivers are on 127.0.0.1, which the operator must allow explicitly.
    config.webhook_targets = ebl_gateway::webhooks::TargetPolicy::allow_private();
    config.webhook_state_dir = Some(dir.to_path_buf());
    config
}

async fn subscribe(app: &Router, body: Value) -> Reply {
    send(
        app,
        Method::POST,
        "/v1/webhooks",
        ADMIN,
        Some(body.to_string().into_bytes()),
    )
    .await
}

async fn list(app: &Router) -> Value {
    let reply = send(app, Method::GET, "/v1/webhooks", ADMIN, None).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["webhooks"].clone()
}

fn transfer(node: &LocalNode, from: &str, to: &str) -> SignedEntry {
    let (document, _, _) = sample_document();
    let to = node.with(|n| n.org(to));
    node.with(|n| n.sign(from, EntryBody::Ebl(EblAction::Transfer { document, to })))
}

async fn commit(node: &LocalNode, entry: SignedEntry) {
    let id = entry.id();
    node.submit(entry).await.unwrap();
    let status = node.wait_final(id, WAIT).await.unwrap();
    assert!(
        matches!(status, ebl_gateway::EntryStatus::Final { .. }),
        "{status:?}"
    );
}

async fn next_call(calls: &mut mpsc::Receiver<Call>) -> (HeaderMap, Value, Bytes) {
    let (headers, body) = tokio::time::timeout(WAIT, calls.recv())
        .await
        .expect("no delivery in time")
        .unwrap();
    let event = serde_json::from_slice(&body).unwrap();
    (headers, event, body)
}

#[tokio::test]
async fn a_webhook_created_through_the_api_is_delivered_and_stops_when_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let (node, app) = app_with(config_in(dir.path()));
    let (deleted_url, mut deleted_calls) = receiver().await;
    let (kept_url, mut kept_calls) = receiver().await;
    let filter = json!({ "party": "BANK" });
    let created = subscribe(&app, json!({ "url": deleted_url, "filter": filter })).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let secret = created.body["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    let id = created.body["id"].as_str().unwrap().to_string();
    let kept = subscribe(
        &app,
        json!({ "url": kept_url, "secret": "a-secret-of-16-chars", "filter": filter }),
    )
    .await;
    assert_eq!(kept.status, 201, "{}", kept.body);

    let listed = list(&app).await;
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w.get("secret").is_none())
    );

    commit(&node, signed_issue(&node)).await;
    commit(&node, transfer(&node, "SHIPPER", "BANK")).await;
    let (headers, event, body) = next_call(&mut deleted_calls).await;
    assert_eq!(event["action"], "TRANSFER");
    assert_eq!(headers["x-ebl-event-id"].to_str().unwrap(), event["id"]);
    let signature = headers["x-ebl-signature"].to_str().unwrap();
    assert!(verify(&secret, &body, signature));
    let (_, kept_event, _) = next_call(&mut kept_calls).await;
    assert_eq!(kept_event["id"], event["id"]);

    let uri = format!("/v1/webhooks/{id}");
    let gone = send(&app, Method::DELETE, &uri, ADMIN, None).await;
    assert_eq!(gone.status, 204, "{}", gone.body);
    send(&app, Method::DELETE, &uri, ADMIN, None)
        .await
        .assert_problem(404, "UNKNOWN_WEBHOOK");
    assert_eq!(list(&app).await.as_array().unwrap().len(), 1);

    // BANK gives it away and gets it back: only the kept subscription hears of it.
    commit(&node, transfer(&node, "BANK", "CONSIGNEE")).await;
    commit(&node, transfer(&node, "CONSIGNEE", "BANK")).await;
    let (_, later, _) = next_call(&mut kept_calls).await;
    assert_eq!(later["action"], "TRANSFER");
    assert_ne!(later["id"], event["id"]);
    assert!(deleted_calls.try_recv().is_err());
}

#[tokio::test]
async fn deliveries_resume_after_a_restart_from_the_saved_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let node = LocalNode::pilot();
    let app = ebl_gateway::router(node.clone(), config_in(dir.path()));
    let (url, mut calls) = receiver().await;
    let created = subscribe(&app, json!({ "url": url, "filter": { "party": "BANK" } })).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_string();

    commit(&node, signed_issue(&node)).await;
    commit(&node, transfer(&node, "SHIPPER", "BANK")).await;
    let (_, first, _) = next_call(&mut calls).await;
    // The cursor is saved once the delivery finished.
    let deadline = tokio::time::Instant::now() + WAIT;
    while list(&app).await[0]["last_event"] != first["id"] {
        assert!(tokio::time::Instant::now() < deadline, "cursor not saved");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(app);

    // While no gateway runs, the document comes back to BANK.
    commit(&node, transfer(&node, "BANK", "CONSIGNEE")).await;
    commit(&node, transfer(&node, "CONSIGNEE", "BANK")).await;

    let app = ebl_gateway::router(node.clone(), config_in(dir.path()));
    let listed = list(&app).await;
    assert_eq!(listed[0]["id"], id.as_str(), "the subscription survived");
    let (_, missed, _) = next_call(&mut calls).await;
    assert_eq!(missed["action"], "TRANSFER");
    assert!(
        missed["height"].as_u64() > first["height"].as_u64(),
        "{missed}"
    );
    assert_eq!(missed["parties"], json!(["BANK"]));
}

#[tokio::test]
async fn bad_subscriptions_are_refused_and_leave_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config_in(dir.path());
    config.webhooks = vec![ebl_gateway::webhooks::WebhookConfig {
        url: "http://127.0.0.1:9/configured".into(),
        secret: "configured-secret".into(),
        filter: Default::default(),
        reader: Default::default(),
    }];
    let (_node, app) = app_with(config);
    for (body, code) in [
        (
            json!({ "url": "ftp://bank.example/hook" }),
            "INVALID_WEBHOOK_URL",
        ),
        (json!({ "url": "/relative" }), "INVALID_WEBHOOK_URL"),
        (
            json!({ "url": "http://127.0.0.1:9/h", "secret": "short" }),
            "WEAK_WEBHOOK_SECRET",
        ),
    ] {
        subscribe(&app, body).await.assert_problem(422, code);
    }
    subscribe(&app, json!({ "url": "http://127.0.0.1:9/h", "extra": 1 }))
        .await
        .assert_problem(422, "INVALID_REQUEST");
    let listed = list(&app).await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["managed"], false);
    let uri = format!("/v1/webhooks/{}", listed[0]["id"].as_str().unwrap());
    send(&app, Method::DELETE, &uri, ADMIN, None)
        .await
        .assert_problem(409, "CONFIGURED_WEBHOOK");
    let reader = send(
        &app,
        Method::POST,
        "/v1/webhooks",
        READ,
        Some(
            json!({ "url": "http://127.0.0.1:9/h" })
                .to_string()
                .into_bytes(),
        ),
    )
    .await;
    reader.assert_problem(403, "MISSING_SCOPE");
}
