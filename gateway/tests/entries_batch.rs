//! `POST /v1/entries/batch` (R164–R168): per-entry results in order, all-or-nothing decoding,
//! size bounds, and one rate-limit token per entry.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::Method;
use ebl_gateway::{ApiKey, EntryStatus, GatewayConfig, NodeApi, RateLimit, Scope};
use ebl_ledger::ebl::{EblAction, EblIssue, EblType};
use ebl_ledger::entry::{Body, Entry, SignedEntry};
use ebl_ledger::hash::Hash32;
use serde_json::{Value, json};
use support::*;

const BATCH: &str = "/v1/entries/batch";

/// An ISSUE by CARRIER of a to-order eBL `reference` to SHIPPER, with the next sequence.
fn issue(node: &LocalNode, reference: &str) -> SignedEntry {
    node.with(|n| {
        let shipper = n.org("SHIPPER");
        let body = Body::Ebl(EblAction::Issue(EblIssue {
            document: Hash32::sha256(reference.as_bytes()),
            reference: reference.into(),
            kind: EblType::ToOrderBl,
            issue_to: shipper.clone(),
            consignee: Some(shipper),
        }));
        n.sign("CARRIER", body)
    })
}

fn hex(entry: &SignedEntry) -> Value {
    Value::String(hex::encode(entry.encode()))
}

fn batch(elements: Vec<Value>) -> Value {
    let mut body = json!({ "entries": [] });
    body["entries"] = Value::Array(elements);
    body
}

fn height(node: &LocalNode) -> u64 {
    node.with(|n| n.ledger.head().height)
}

/// The test keys with a rate limit of `burst` tokens that barely refill.
fn config_with_burst(burst: u32) -> GatewayConfig {
    let mut config = config();
    config.rate_limit = RateLimit {
        burst,
        per_second: 0.001,
    };
    config
}

#[tokio::test]
async fn a_batch_of_valid_entries_is_all_pending_then_final() {
    let (node, app) = app();
    node.hold();
    let entries: Vec<SignedEntry> = (0..3).map(|i| issue(&node, &format!("B-{i}"))).collect();
    // Both forms in one batch: hex, JSON form, hex.
    let elements = vec![
        hex(&entries[0]),
        serde_json::to_value(&entries[1]).unwrap(),
        hex(&entries[2]),
    ];
    let reply = post(&app, BATCH, &batch(elements.clone())).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let results = reply.body["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    for (i, (r, e)) in results.iter().zip(&entries).enumerate() {
        assert_eq!(r["index"], i);
        assert_eq!(r["id"], e.id().to_hex());
        assert_eq!(r["status"], "pending", "{r}");
        let status = get(&app, &format!("/v1/entries/{}", e.id())).await;
        assert_eq!(status.body["status"], "pending");
    }
    node.flush();
    for e in &entries {
        let status = get(&app, &format!("/v1/entries/{}", e.id())).await;
        assert_eq!(status.body["status"], "final", "{}", status.body);
    }
    // The same batch again: every entry is a duplicate, reported with its settled status.
    let again = post(&app, BATCH, &batch(elements)).await;
    assert_eq!(again.status, 200, "{}", again.body);
    for r in again.body["results"].as_array().unwrap() {
        assert_eq!(r["status"], "duplicate", "{r}");
        assert_eq!(r["settled"]["status"], "final", "{r}");
        assert_eq!(r["settled"]["height"], 1, "{r}");
    }
    assert_eq!(height(&node), 1, "one block, committed once");
}

#[tokio::test]
async fn a_mixed_batch_gets_per_entry_results_in_order_and_only_the_good_entry_commits() {
    let (node, app) = app();
    let first = issue(&node, "M-0");
    assert_eq!(
        post(&app, "/v1/entries", &hex_body(&first)).await.status,
        202
    );
    let good = issue(&node, "M-1");
    // Sequence 0 again, for another document: a replay of a consumed sequence.
    let replay = node.with(|n| {
        let key = n.party("CARRIER").key.clone();
        let mut entry: Entry = good.entry().clone();
        entry.sequence = first.entry().sequence;
        entry.remark = Some(b"replay".to_vec());
        entry.sign(&key)
    });
    let mut forged = issue(&node, "M-2");
    forged = forged.tampered_signature(0, 1);
    let elements = vec![hex(&good), hex(&replay), hex(&forged), hex(&first)];
    let reply = post(&app, BATCH, &batch(elements)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let results = reply.body["results"].as_array().unwrap();
    let statuses: Vec<(u64, &str)> = results
        .iter()
        .map(|r| (r["index"].as_u64().unwrap(), r["status"].as_str().unwrap()))
        .collect();
    // The test double has no mempool: the replay is accepted and fails in its block, where a
    // node's mempool refuses it at once (R104). Either way it never applies.
    assert_eq!(
        statuses,
        vec![
            (0, "pending"),
            (1, "pending"),
            (2, "rejected"),
            (3, "duplicate")
        ]
    );
    assert_eq!(results[2]["code"], "BAD_SIGNATURE");
    assert_eq!(results[2]["id"], forged.id().to_hex());
    assert!(results[2]["message"].is_string());
    assert_eq!(results[3]["settled"]["status"], "final");

    let status = |id: String| {
        let app = app.clone();
        async move { get(&app, &format!("/v1/entries/{id}")).await.body }
    };
    assert_eq!(status(good.id().to_hex()).await["status"], "final");
    let replayed = status(replay.id().to_hex()).await;
    assert_eq!(
        (replayed["status"].as_str(), replayed["code"].as_str()),
        (Some("failed"), Some("REPLAY"))
    );
    assert_eq!(status(forged.id().to_hex()).await["status"], "rejected");
    let carrier = node.with(|n| n.party("CARRIER").key.verifying_key().to_bytes());
    let next = node.with(|n| {
        n.ledger
            .next_sequence(&ebl_ledger::crypto::PublicKey(carrier))
            .unwrap()
    });
    assert_eq!(
        next, 2,
        "only the first entry and the good one consumed a sequence"
    );
}

#[tokio::test]
async fn a_malformed_element_refuses_the_whole_batch_and_nothing_is_pooled() {
    let (node, app) = app();
    node.hold();
    let good = issue(&node, "X-0");
    let cases = [
        (json!("zz"), 400, "BAD_HEX"),
        (json!("00ff"), 400, "MALFORMED"),
        (json!(7), 422, "INVALID_REQUEST"),
        (
            json!({"entry": {"chain": 1}, "signature": "00"}),
            422,
            "INVALID_REQUEST",
        ),
    ];
    for (bad, status, code) in cases {
        let reply = post(&app, BATCH, &batch(vec![hex(&good), bad])).await;
        reply.assert_problem(status, code);
        assert_eq!(reply.body["index"], 1, "{}", reply.body);
    }
    post(&app, BATCH, &json!({"entries": "not a list"}))
        .await
        .assert_problem(422, "INVALID_REQUEST");
    post(&app, BATCH, &json!([hex(&good)]))
        .await
        .assert_problem(422, "INVALID_REQUEST");
    get(&app, &format!("/v1/entries/{}", good.id()))
        .await
        .assert_problem(404, "UNKNOWN_ENTRY");
    node.flush();
    assert_eq!(height(&node), 0, "nothing was submitted");
}

#[tokio::test]
async fn empty_and_oversized_batches_are_refused() {
    let (node, app) = app();
    post(&app, BATCH, &batch(vec![]))
        .await
        .assert_problem(422, "EMPTY_BATCH");
    let too_many = vec![json!("00"); 1_001];
    post(&app, BATCH, &batch(too_many))
        .await
        .assert_problem(413, "BATCH_TOO_LARGE");
    assert_eq!(height(&node), 0);
}

#[tokio::test]
async fn a_full_batch_is_accepted_though_larger_than_the_gateway_body_limit() {
    // A thousand tokens for the batch, one for the single request below.
    let (node, app) = app_with(config_with_burst(1_001));
    node.hold();
    let entries: Vec<SignedEntry> = (0..1_000)
        .map(|i| issue(&node, &format!("F-{i}")))
        .collect();
    let body = batch(entries.iter().map(hex).collect());
    let size = serde_json::to_vec(&body).unwrap().len();
    assert!(size > GatewayConfig::default().body_limit, "{size}");
    let reply = post(&app, BATCH, &body).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let results = reply.body["results"].as_array().unwrap();
    assert_eq!(results.len(), 1_000);
    assert!(results.iter().all(|r| r["status"] == "pending"));
    assert_eq!(results[999]["id"], entries[999].id().to_hex());
    // The single route keeps its own limit.
    let big = json!({"entry": "ab".repeat(200 * 1024)});
    post(&app, "/v1/entries", &big)
        .await
        .assert_problem(413, "PAYLOAD_TOO_LARGE");
}

#[tokio::test]
async fn a_batch_costs_one_rate_limit_token_per_entry() {
    let (node, app) = app_with(config_with_burst(5));
    node.hold();
    let entries: Vec<SignedEntry> = (0..6).map(|i| issue(&node, &format!("R-{i}"))).collect();
    let six = batch(entries.iter().map(hex).collect());
    let reply = post(&app, BATCH, &six).await;
    reply.assert_problem(429, "RATE_LIMITED");
    assert!(reply.headers.contains_key("retry-after"));
    for e in &entries {
        // Asked of the node: the read key has a bucket of five too.
        let status = node.entry_status(e.id()).await.unwrap();
        assert_eq!(status, EntryStatus::Unknown, "nothing was submitted");
    }
    // The refused batch took nothing: five entries pass, and then the bucket is empty.
    let five = batch(entries[..5].iter().map(hex).collect());
    let reply = post(&app, BATCH, &five).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    post(&app, "/v1/entries", &hex_body(&entries[5]))
        .await
        .assert_problem(429, "RATE_LIMITED");
    post(&app, BATCH, &batch(vec![hex(&entries[5])]))
        .await
        .assert_problem(429, "RATE_LIMITED");
}

#[tokio::test]
async fn batch_submission_needs_the_submit_scope() {
    let (node, app) = app();
    let entry = issue(&node, "S-0");
    let body = serde_json::to_vec(&batch(vec![hex(&entry)])).unwrap();
    send(&app, Method::POST, BATCH, READ, Some(body.clone()))
        .await
        .assert_problem(403, "MISSING_SCOPE");
    send(&app, Method::POST, BATCH, "", Some(body))
        .await
        .assert_problem(401, "UNAUTHENTICATED");
    let key = ApiKey::from_secret("s", "s-secret", &[Scope::Submit]);
    let (_, app) = app_with(GatewayConfig::with_keys([key]));
    let body = serde_json::to_vec(&batch(vec![hex(&entry)])).unwrap();
    let reply = send(&app, Method::POST, BATCH, "s-secret", Some(body)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

/// `POST /v1/entries/batch` as a member certificate (mTLS) of organisation CARRIER.
async fn post_as_member(app: &axum::Router, body: &Value) -> u16 {
    use tower::ServiceExt as _;
    let mut request = axum::http::Request::post(BATCH)
        .header("content-type", "application/json")
        .body(axum::body::Body::from(serde_json::to_vec(body).unwrap()))
        .unwrap();
    let org = ebl_ledger::ids::OrgId::new("CARRIER").unwrap();
    request
        .extensions_mut()
        .insert(ebl_gateway::auth::CertificatePrincipal { org });
    let response = app.clone().oneshot(request).await.unwrap();
    response.status().as_u16()
}

#[tokio::test]
async fn a_member_certificate_pays_one_token_per_entry_too() {
    let (node, app) = app_with(config_with_burst(3));
    node.hold();
    let entries: Vec<SignedEntry> = (0..4).map(|i| issue(&node, &format!("C-{i}"))).collect();
    assert_eq!(
        post_as_member(&app, &batch(entries.iter().map(hex).collect())).await,
        429
    );
    assert_eq!(
        post_as_member(&app, &batch(entries[..3].iter().map(hex).collect())).await,
        200
    );
    assert_eq!(
        post_as_member(&app, &batch(vec![hex(&entries[3])])).await,
        429,
        "the organisation's three tokens are spent"
    );
}

#[tokio::test]
async fn a_request_that_is_not_a_batch_costs_one_token_and_an_oversized_one_is_told_to_split() {
    let (node, app) = app_with(config_with_burst(2));
    let entries: Vec<SignedEntry> = (0..3).map(|i| issue(&node, &format!("T-{i}"))).collect();
    let three = post(&app, BATCH, &batch(entries.iter().map(hex).collect())).await;
    three.assert_problem(429, "RATE_LIMITED");
    assert!(
        three.body["detail"]
            .as_str()
            .unwrap()
            .contains("burst of 2"),
        "{}",
        three.body
    );
    post(&app, BATCH, &json!({"entries": 1}))
        .await
        .assert_problem(422, "INVALID_REQUEST");
    let one = post(&app, BATCH, &batch(vec![hex(&entries[0])])).await;
    assert_eq!(one.status, 200, "one token was left: {}", one.body);
    post(&app, BATCH, &batch(vec![hex(&entries[1])]))
        .await
        .assert_problem(429, "RATE_LIMITED");
}
