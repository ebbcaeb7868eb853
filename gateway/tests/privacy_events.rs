//! R236: the SSE stream and webhooks carry an eBL's events only to the readers of its title;
//! events that reveal no title (blocks, certificates) go to everyone.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod privacy_kit;

use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{Method, Request, StatusCode};
use ebl_gateway::testkit::LocalNode;
use ebl_ledger::cert::{CertAction, CertificateIssue, CertificateKind, Ship};
use ebl_ledger::ebl::EblAction;
use ebl_ledger::entry::Body as EntryBody;
use ebl_ledger::hash::Hash32;
use ebl_ledger::ids::OrgId;
use http_body_util::BodyExt;
use privacy_kit::*;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tower::ServiceExt;

const WAIT: Duration = Duration::from_secs(5);

/// An open SSE stream.
struct Stream {
    body: Body,
    pending: String,
}

impl Stream {
    async fn open(app: &Router, key: &str) -> Stream {
        let request = Request::get("/v1/events")
            .header("authorization", format!("Bearer {key}"))
            .body(Body::empty())
            .unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        Stream {
            body: response.into_body(),
            pending: String::new(),
        }
    }

    /// The actions of the next `n` entry events (block events skipped).
    async fn actions(&mut self, n: usize) -> Vec<String> {
        let mut actions = Vec::new();
        while actions.len() < n {
            let event = self.next().await;
            if event["type"] == "entry" {
                actions.push(event["action"].as_str().unwrap().to_string());
            }
        }
        actions
    }

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

fn certificate_issue(node: &LocalNode) -> EntryBody {
    node.with(|n| {
        let issued_on = n.time().date();
        EntryBody::Certificate(CertAction::Issue(CertificateIssue {
            utn: "UTN-PRIV".into(),
            kind: CertificateKind::Registry,
            ship: Ship {
                imo_number: "9074729".into(),
                name: "PILOT STAR".into(),
                flag: "CN".into(),
                call_sign: "BPXA".into(),
                gross_tonnage: 41_000,
            },
            issued_on,
            expires_on: issued_on.add_months(12),
            document: None,
            place: "Guangzhou".into(),
        }))
    })
}

async fn submit(app: &Router, node: &LocalNode, signer: &str, body: EntryBody) {
    let entry = node.with(|n| n.sign(signer, body));
    let hex = json!({ "entry": hex::encode(entry.encode()) });
    let reply = send(
        app,
        Method::POST,
        "/v1/entries",
        Who::Key(SUBMIT_KEY),
        Some(&hex),
    )
    .await;
    assert_eq!(reply.status, 202, "{}", reply.body);
}

/// One block with the bill's ISSUE, TRANSFER to BANK and BANK's READ_TITLE grant to SGSW;
/// one with SHIPPER's transfer of a bill that does not exist (FAILED: no record says who may
/// read it); then one with a certificate: the event every reader receives.
async fn bill_then_certificate(app: &Router, node: &LocalNode) {
    node.hold();
    submit(app, node, "CARRIER", issue(node)).await;
    submit(app, node, "SHIPPER", transfer_to_bank(node)).await;
    submit(app, node, "BANK", read_grant(node)).await;
    node.flush();
    let nowhere = EntryBody::Ebl(EblAction::Transfer {
        document: Hash32::sha256(b"no such bill"),
        to: OrgId("BUYER2".into()),
    });
    submit(app, node, "SHIPPER", nowhere).await;
    submit(app, node, "MSA", certificate_issue(node)).await;
}

#[tokio::test]
async fn sse_carries_a_bills_events_to_its_readers_and_certificates_to_everyone() {
    let mut config = config();
    config.request_timeout = Duration::from_millis(100);
    let (node, app) = app_with(config);
    let mut party = Stream::open(&app, SHIPPER_KEY).await;
    let mut authority = Stream::open(&app, AUTHORITY_KEY).await;
    let mut regulator = Stream::open(&app, REGULATOR_KEY).await;
    let mut stranger = Stream::open(&app, STRANGER_KEY).await;
    let mut unbound = Stream::open(&app, UNBOUND_KEY).await;
    bill_then_certificate(&app, &node).await;

    let bill = ["ISSUE", "TRANSFER", "GRANT", "CERT_ISSUE"];
    assert_eq!(party.actions(4).await, bill);
    assert_eq!(authority.actions(4).await, bill);
    // Only the regulator sees the failed transfer of a bill that has no record, even though
    // SHIPPER signed it.
    assert_eq!(
        regulator.actions(5).await,
        ["ISSUE", "TRANSFER", "GRANT", "TRANSFER", "CERT_ISSUE"]
    );
    // R236: the non-party and the unbound key skip the bill's events.
    assert_eq!(stranger.actions(1).await, ["CERT_ISSUE"]);
    assert_eq!(unbound.actions(1).await, ["CERT_ISSUE"]);
}

/// A receiver on 127.0.0.1 passing on every delivered event's JSON.
async fn receiver() -> (String, mpsc::Receiver<Value>) {
    let (tx, rx) = mpsc::channel(64);
    let hook = axum::routing::post(move |body: Bytes| {
        let tx = tx.clone();
        async move {
            tx.send(serde_json::from_slice(&body).unwrap())
                .await
                .unwrap();
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

async fn entry_actions(calls: &mut mpsc::Receiver<Value>, n: usize) -> Vec<String> {
    let mut actions = Vec::new();
    while actions.len() < n {
        let event = tokio::time::timeout(WAIT, calls.recv())
            .await
            .unwrap()
            .unwrap();
        if event["type"] == "entry" {
            actions.push(event["action"].as_str().unwrap().to_string());
        }
    }
    actions
}

async fn subscribe(app: &Router, key: &str, url: &str) -> Value {
    let reply = send(
        app,
        Method::POST,
        "/v1/webhooks",
        Who::Key(key),
        Some(&json!({ "url": url })),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.body
}

#[tokio::test]
async fn a_webhook_reads_as_the_key_that_made_it() {
    let mut config = config();
    config.webhook_targets = ebl_gateway::webhooks::TargetPolicy::allow_private();
    let (node, app) = app_with(config);
    let (bank_url, mut bank) = receiver().await;
    let (stranger_url, mut stranger) = receiver().await;
    let (operator_url, mut operator) = receiver().await;
    let made = subscribe(&app, BANK_ADMIN_KEY, &bank_url).await;
    assert_eq!(made["reader"], json!({ "type": "MEMBER", "id": "BANK" }));
    subscribe(&app, STRANGER_ADMIN_KEY, &stranger_url).await;
    // An operator's admin key acts for no organisation and is no regulator (R235).
    subscribe(&app, ADMIN_KEY, &operator_url).await;
    bill_then_certificate(&app, &node).await;

    assert_eq!(
        entry_actions(&mut bank, 4).await,
        ["ISSUE", "TRANSFER", "GRANT", "CERT_ISSUE"]
    );
    assert_eq!(entry_actions(&mut stranger, 1).await, ["CERT_ISSUE"]);
    assert_eq!(entry_actions(&mut operator, 1).await, ["CERT_ISSUE"]);

    // A member lists, deletes and sees the deliveries of its own subscriptions only; the
    // operator manages them all.
    let bank_id = made["id"].as_str().unwrap();
    let listed = |reply: &Reply| reply.body["webhooks"].as_array().map_or(0, Vec::len);
    let mine = get(&app, "/v1/webhooks", Who::Key(BANK_ADMIN_KEY)).await;
    assert_eq!(listed(&mine), 1, "{}", mine.body);
    assert_eq!(mine.body["webhooks"][0]["id"], bank_id);
    let all = get(&app, "/v1/webhooks", Who::Key(ADMIN_KEY)).await;
    assert_eq!(listed(&all), 3, "{}", all.body);
    let deliveries = get(&app, "/v1/webhooks/deliveries", Who::Key(BANK_ADMIN_KEY)).await;
    let deliveries = deliveries.body["deliveries"].as_array().unwrap().clone();
    assert!(!deliveries.is_empty());
    assert!(deliveries.iter().all(|d| d["subscription"] == bank_id));
    let uri = format!("/v1/webhooks/{bank_id}");
    let refused = send(
        &app,
        Method::DELETE,
        &uri,
        Who::Key(STRANGER_ADMIN_KEY),
        None,
    )
    .await;
    assert_eq!(refused.status, 404, "{}", refused.body);
    assert_eq!(refused.body["code"], "UNKNOWN_WEBHOOK");
    let deleted = send(&app, Method::DELETE, &uri, Who::Key(BANK_ADMIN_KEY), None).await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
}
