//! R204 attacks: an admin key points a webhook at the operator's internal network (cloud
//! metadata, a name that resolves to loopback) or at another scheme; the gateway refuses at
//! creation and, for receivers it did not judge at creation, again on every delivery.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use axum::Router;
use axum::http::{Method, StatusCode};
use ebl_gateway::NodeApi;
use ebl_gateway::webhooks::{RetryPolicy, TargetPolicy, WebhookConfig};
use ebl_ledger::ebl::EblAction;
use ebl_ledger::entry::{Body as EntryBody, SignedEntry};
use serde_json::{Value, json};
use support::*;
use tokio::sync::mpsc;

const WAIT: Duration = Duration::from_secs(10);

/// A receiver on 127.0.0.1 that answers 204 and reports every call; returns its port.
async fn receiver() -> (u16, mpsc::Receiver<()>) {
    let (tx, rx) = mpsc::channel(16);
    let hook = axum::routing::post(move || {
        let tx = tx.clone();
        async move {
            let _ = tx.send(()).await;
            StatusCode::NO_CONTENT
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        axum::serve(listener, Router::new().route("/hook", hook))
            .await
            .unwrap();
    });
    (port, rx)
}

async fn subscribe(app: &Router, url: &str) -> Reply {
    let body = json!({ "url": url }).to_string().into_bytes();
    send(app, Method::POST, "/v1/webhooks", ADMIN, Some(body)).await
}

async fn listed(app: &Router) -> usize {
    let reply = send(app, Method::GET, "/v1/webhooks", ADMIN, None).await;
    reply.body["webhooks"].as_array().unwrap().len()
}

fn quick_retries(mut config: ebl_gateway::GatewayConfig) -> ebl_gateway::GatewayConfig {
    config.webhook_retry = RetryPolicy {
        attempts: 2,
        base: Duration::from_millis(10),
        cap: Duration::from_millis(10),
    };
    config
}

async fn commit_transfer_to_bank(node: &LocalNode) {
    let (document, _, _) = sample_document();
    let bank = node.with(|n| n.org("BANK"));
    let transfer: SignedEntry = node.with(|n| {
        n.sign(
            "SHIPPER",
            EntryBody::Ebl(EblAction::Transfer { document, to: bank }),
        )
    });
    for entry in [signed_issue(node), transfer] {
        let id = entry.id();
        node.submit(entry).await.unwrap();
        node.wait_final(id, WAIT).await.unwrap();
    }
}

/// Waits until the delivery log's first delivery is `failed`; returns it.
async fn failed_delivery(app: &Router) -> Value {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let reply = send(app, Method::GET, "/v1/webhooks/deliveries", ADMIN, None).await;
        let first = reply.body["deliveries"][0].clone();
        if first["state"] == "failed" {
            return first;
        }
        assert!(tokio::time::Instant::now() < deadline, "{}", reply.body);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_webhook_to_the_cloud_metadata_address_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config();
    config.webhook_state_dir = Some(dir.path().to_path_buf());
    let (_node, app) = app_with(config);
    for url in [
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://[::ffff:169.254.169.254]/latest/meta-data/",
        "http://10.0.0.1:8500/v1/kv/",
        "http://100.100.100.200/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
    ] {
        let reply = subscribe(&app, url).await;
        reply.assert_problem(422, "WEBHOOK_TARGET_FORBIDDEN");
    }
    assert_eq!(listed(&app).await, 0, "nothing was subscribed");
    assert!(
        !dir.path().join("subscriptions.json").exists(),
        "nothing was saved"
    );
}

#[tokio::test]
async fn a_webhook_to_a_name_that_resolves_to_loopback_is_refused() {
    let (port, _calls) = receiver().await;
    let (_node, app) = app();
    let reply = subscribe(&app, &format!("http://localhost:{port}/hook")).await;
    reply.assert_problem(422, "WEBHOOK_TARGET_FORBIDDEN");
    assert!(
        reply.body["detail"].as_str().unwrap().contains("loopback"),
        "{}",
        reply.body
    );
    subscribe(&app, &format!("http://127.0.0.1:{port}/hook"))
        .await
        .assert_problem(422, "WEBHOOK_TARGET_FORBIDDEN");
    assert_eq!(listed(&app).await, 0);
}

#[tokio::test]
async fn other_schemes_and_credentials_are_refused() {
    let (_node, app) = app();
    for url in [
        "file:///etc/passwd",
        "gopher://bank.example:70/_x",
        "ftp://bank.example/hook",
        "https://user:password@bank.example/hook",
    ] {
        subscribe(&app, url)
            .await
            .assert_problem(422, "INVALID_WEBHOOK_URL");
    }
}

#[tokio::test]
async fn the_operator_may_allow_an_internal_network() {
    let (port, mut calls) = receiver().await;
    let mut config = config();
    config.webhook_targets = TargetPolicy {
        allow_private: false,
        allowed: vec!["127.0.0.0/8".parse().unwrap()],
    };
    let (node, app) = app_with(config);
    let created = subscribe(&app, &format!("http://127.0.0.1:{port}/hook")).await;
    assert_eq!(created.status, 201, "{}", created.body);
    subscribe(&app, "http://169.254.169.254/latest/meta-data/")
        .await
        .assert_problem(422, "WEBHOOK_TARGET_FORBIDDEN");
    commit_transfer_to_bank(&node).await;
    tokio::time::timeout(WAIT, calls.recv())
        .await
        .expect("the allowed receiver gets the events")
        .unwrap();
}

#[tokio::test]
async fn a_receiver_not_judged_at_creation_is_refused_at_delivery() {
    // Configured receivers skip the creation check; the name resolves to 127.0.0.1 only
    // when delivering, as after a DNS rebinding.
    let (port, mut calls) = receiver().await;
    let mut config = quick_retries(config());
    config.webhooks = vec![WebhookConfig {
        url: format!("http://localhost:{port}/hook"),
        secret: "configured-secret".into(),
        filter: Default::default(),
        // R236: BANK's receiver, so the transfer to BANK is for it.
        reader: ebl_gateway::privacy::Reader::Member(ebl_ledger::ids::OrgId("BANK".into())),
    }];
    let (node, app) = app_with(config);
    commit_transfer_to_bank(&node).await;
    let failed = failed_delivery(&app).await;
    assert_eq!(failed["attempts"], 2);
    assert_eq!(failed["last_status"], Value::Null, "no connection was made");
    assert!(calls.try_recv().is_err(), "the receiver heard nothing");
}

#[tokio::test]
async fn a_saved_subscription_to_a_now_forbidden_target_is_not_delivered() {
    let dir = tempfile::tempdir().unwrap();
    let (port, mut calls) = receiver().await;
    let url = format!("http://127.0.0.1:{port}/hook");
    let node = LocalNode::pilot();
    {
        let mut permissive = config();
        permissive.webhook_state_dir = Some(dir.path().to_path_buf());
        permissive.webhook_targets = TargetPolicy::allow_private();
        let app = ebl_gateway::router(node.clone(), permissive);
        assert_eq!(subscribe(&app, &url).await.status, 201);
    }
    // The operator withdraws the allowance and restarts the gateway.
    let mut strict = quick_retries(config());
    strict.webhook_state_dir = Some(dir.path().to_path_buf());
    let app = ebl_gateway::router(node.clone(), strict);
    assert_eq!(listed(&app).await, 1);
    commit_transfer_to_bank(&node).await;
    let failed = failed_delivery(&app).await;
    assert_eq!(failed["url"], url);
    assert_eq!(failed["last_status"], Value::Null);
    assert!(calls.try_recv().is_err());
}
