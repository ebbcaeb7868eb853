//! Events: the SSE stream filtered by party, and signed, retried webhook deliveries.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode};
use ebl_gateway::events::Filter;
use ebl_gateway::webhooks::{RetryPolicy, WebhookConfig, verify};
use ebl_ledger::ebl::EblAction;
use ebl_ledger::entry::Body as EntryBody;
use http_body_util::BodyExt;
use serde_json::Value;
use support::*;
use tokio::sync::mpsc;
use tower::ServiceExt;

const WAIT: Duration = Duration::from_secs(5);

/// An open SSE response body and the text received but not yet parsed.
struct Stream {
    body: Body,
    pending: String,
}

impl Stream {
    async fn open(app: &Router, uri: &str) -> Stream {
        let request = Request::get(uri)
            .header("authorization", format!("Bearer {READ}"))
            .body(Body::empty())
            .unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Stream {
            body: response.into_body(),
            pending: String::new(),
        }
    }

    /// The next event's JSON data (keep-alive comments skipped), waiting at most [`WAIT`].
    async fn next(&mut self) -> Value {
        tokio::time::timeout(WAIT, async {
            loop {
                if let Some(end) = self.pending.find("\n\n") {
                    let frame: String = self.pending.drain(..end + 2).collect();
                    let data: String = frame
                        .lines()
                        .filter_map(|l| l.strip_prefix("data:"))
                        .map(str::trim_start)
                        .collect();
                    if !data.is_empty() {
                        return serde_json::from_str(&data).unwrap();
                    }
                    continue;
                }
                let frame = self.body.frame().await.unwrap().unwrap();
                if let Ok(data) = frame.into_data() {
                    self.pending.push_str(std::str::from_utf8(&data).unwrap());
                }
            }
        })
        .await
        .expect("no event in time")
    }
}

/// Issues the sample to SHIPPER and transfers it to `to`; returns the document id.
async fn issue_and_transfer(node: &LocalNode, app: &Router, from: &str, to: &str) -> String {
    let (doc_id, _, _) = sample_document();
    if from == "SHIPPER" {
        let reply = post(app, "/v1/entries", &hex_body(&signed_issue(node))).await;
        assert_eq!(reply.status, 202, "{}", reply.body);
    }
    transfer(node, app, from, to).await;
    doc_id.to_hex()
}

async fn transfer(node: &LocalNode, app: &Router, from: &str, to: &str) {
    let (doc_id, _, _) = sample_document();
    let to = node.with(|n| n.org(to));
    let entry = node.with(|n| {
        n.sign(
            from,
            EntryBody::Ebl(EblAction::Transfer {
                document: doc_id,
                to,
            }),
        )
    });
    let reply = post(app, "/v1/entries", &hex_body(&entry)).await;
    assert_eq!(reply.status, 202, "{}", reply.body);
}

#[tokio::test]
async fn sse_delivers_a_transfer_to_the_receiving_party_only() {
    let mut config = config();
    // The stream must outlive the request timeout.
    config.request_timeout = Duration::from_millis(100);
    let (node, app) = app_with(config);
    let mut bank = Stream::open(&app, "/v1/events?party=BANK").await;
    let mut shipper = Stream::open(&app, "/v1/events?party=SHIPPER").await;
    let mut all = Stream::open(&app, "/v1/events").await;
    // Deliberately longer than the request timeout (the one fixed wait of this file).
    tokio::time::sleep(Duration::from_millis(250)).await;

    let doc = issue_and_transfer(&node, &app, "SHIPPER", "BANK").await;
    transfer(&node, &app, "BANK", "SHIPPER").await;

    let event = bank.next().await;
    assert_eq!(event["type"], "entry");
    assert_eq!(event["action"], "TRANSFER");
    assert_eq!(event["document"], doc);
    assert_eq!(event["parties"], serde_json::json!(["BANK"]));
    assert_eq!(event["result"], "APPLIED");
    let to_bank_height = event["height"].as_u64().unwrap();

    // SHIPPER sees the issue and the transfer back to it, never the transfer to BANK between.
    let first = shipper.next().await;
    assert_eq!(first["action"], "ISSUE");
    let second = shipper.next().await;
    assert_eq!(second["action"], "TRANSFER");
    assert_eq!(second["parties"], serde_json::json!(["SHIPPER"]));
    assert!(second["height"].as_u64().unwrap() > to_bank_height);

    // Unfiltered: the block event comes first, then its entry.
    let block = all.next().await;
    assert_eq!(block["type"], "block");
    assert_eq!(block["entry_count"], 1);
    assert_eq!(all.next().await["action"], "ISSUE");
}

#[tokio::test]
async fn sse_resumes_after_the_last_event_id() {
    let (node, app) = app();
    issue_and_transfer(&node, &app, "SHIPPER", "BANK").await;
    let height = get(&app, "/v1/status").await.body["height"]
        .as_u64()
        .unwrap();
    let (doc_id, _, _) = sample_document();
    let request = Request::get(format!("/v1/events?document={doc_id}"))
        .header("authorization", format!("Bearer {READ}"))
        .header("last-event-id", format!("{}:1", height - 1))
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let mut stream = Stream {
        body: response.into_body(),
        pending: String::new(),
    };
    // The ISSUE (entry 1 of block height - 1, the last id seen) is not replayed; the TRANSFER is.
    let event = stream.next().await;
    assert_eq!(event["action"], "TRANSFER");
    assert_eq!(event["height"], height);
    assert_eq!(event["document"], doc_id.to_hex());
}

/// A receiver on 127.0.0.1 that fails its first `failures` calls with 500.
async fn receiver(failures: u32) -> (String, mpsc::Receiver<(HeaderMap, Bytes)>) {
    let (tx, rx) = mpsc::channel(16);
    let calls = Arc::new(AtomicU32::new(0));
    let hook = axum::routing::post(move |headers: HeaderMap, body: Bytes| {
        let (tx, calls) = (tx.clone(), calls.clone());
        async move {
            if calls.fetch_add(1, Ordering::SeqCst) < failures {
                return StatusCode::INTERNAL_SERVER_ERROR;
            }
            tx.send((headers, body)).await.unwrap();
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

fn webhook_config(url: &str) -> ebl_gateway::GatewayConfig {
    let mut config = config();
    // R204: the receiver is on 127.0.0.1, which the operator must allow explicitly.
    config.webhook_targets = ebl_gateway::webhooks::TargetPolicy::allow_private();
    config.webhooks = vec![WebhookConfig {
        url: url.into(),
        secret: "hook-secret".into(),
        filter: Filter {
            party: Some("BANK".into()),
            document: None,
        },
        // R236: BANK's own receiver, so it gets the events of BANK's bills.
        reader: ebl_gateway::privacy::Reader::Member(ebl_ledger::ids::OrgId("BANK".into())),
    }];
    config.webhook_retry = RetryPolicy {
        attempts: 5,
        base: Duration::from_millis(20),
        cap: Duration::from_millis(100),
    };
    config
}

#[tokio::test]
async fn webhook_body_is_signed_with_the_shared_secret() {
    let (url, mut calls) = receiver(0).await;
    let (node, app) = app_with(webhook_config(&url));
    let doc = issue_and_transfer(&node, &app, "SHIPPER", "BANK").await;

    let (headers, body) = tokio::time::timeout(WAIT, calls.recv())
        .await
        .unwrap()
        .unwrap();
    let signature = headers["x-ebl-signature"].to_str().unwrap();
    assert!(verify("hook-secret", &body, signature));
    assert!(!verify("another-secret", &body, signature));
    let event: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(event["action"], "TRANSFER");
    assert_eq!(event["document"], doc);
    assert_eq!(event["parties"], serde_json::json!(["BANK"]));
}

#[tokio::test]
async fn webhook_is_retried_until_the_receiver_recovers_and_logged() {
    let (url, mut calls) = receiver(2).await;
    let (node, app) = app_with(webhook_config(&url));
    issue_and_transfer(&node, &app, "SHIPPER", "BANK").await;

    let (_, body) = tokio::time::timeout(WAIT, calls.recv())
        .await
        .unwrap()
        .unwrap();
    let event: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(event["action"], "TRANSFER");

    // The log shows three attempts, the last one answered 204.
    let deadline = tokio::time::Instant::now() + WAIT;
    let delivery = loop {
        let reply = send(
            &app,
            axum::http::Method::GET,
            "/v1/webhooks/deliveries",
            ADMIN,
            None,
        )
        .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        let d = reply.body["deliveries"][0].clone();
        if d["state"] == "delivered" {
            break d;
        }
        assert!(tokio::time::Instant::now() < deadline, "{}", reply.body);
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(delivery["attempts"], 3);
    assert_eq!(delivery["last_status"], 204);
    assert_eq!(delivery["url"], url);
    assert_eq!(delivery["event"], event["id"]);
    // Exactly once to the recovered receiver.
    assert!(calls.try_recv().is_err());
}

#[tokio::test]
async fn deliveries_need_the_admin_scope() {
    let (_node, app) = app();
    let reply = get(&app, "/v1/webhooks/deliveries").await;
    assert_eq!(reply.status, 403, "{}", reply.body);
}

#[tokio::test]
async fn webhook_that_never_recovers_is_logged_as_failed_after_the_last_attempt() {
    let (url, _calls) = receiver(u32::MAX).await;
    let mut config = webhook_config(&url);
    config.webhook_retry.attempts = 3;
    let (node, app) = app_with(config);
    issue_and_transfer(&node, &app, "SHIPPER", "BANK").await;

    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let reply = send(
            &app,
            axum::http::Method::GET,
            "/v1/webhooks/deliveries",
            ADMIN,
            None,
        )
        .await;
        let d = &reply.body["deliveries"][0];
        if d["state"] == "failed" {
            assert_eq!(d["attempts"], 3);
            assert_eq!(d["last_status"], 500);
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{}", reply.body);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[test]
fn backoff_doubles_from_the_base_up_to_the_cap() {
    let policy = RetryPolicy::default();
    assert_eq!(policy.backoff(1), Duration::from_millis(200));
    assert_eq!(policy.backoff(2), Duration::from_millis(400));
    assert_eq!(policy.backoff(8), Duration::from_millis(25_600));
    assert_eq!(policy.backoff(9), Duration::from_secs(30));
    assert_eq!(policy.backoff(40), Duration::from_secs(30));
}
