//! What custodial routes refuse, and how: scopes, keys without identities, bad JSON, unknown
//! actions, refusals before inclusion (which do not consume a sequence number), a gateway
//! without a custodian; and concurrent requests of one identity get distinct sequences.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod custodial_kit;
mod support;

use axum::http::Method;
use custodial_kit::*;
use serde_json::json;
use support::send;

fn issue_body(reference: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({"transport_document": document(reference), "issue_to": "SHIPPER"}))
        .unwrap()
}

#[tokio::test]
async fn a_key_without_the_custodial_scope_is_forbidden() {
    let (_n, _c, app) = app();
    let reply = send(
        &app,
        Method::POST,
        "/v1/custodial/ebls",
        NOT_CUSTODIAL,
        Some(issue_body("E-1")),
    )
    .await;
    reply.assert_problem(403, "MISSING_SCOPE");
}

#[tokio::test]
async fn a_custodial_key_not_bound_to_an_identity_is_forbidden() {
    let (_n, _c, app) = app();
    let reply = send(
        &app,
        Method::POST,
        "/v1/custodial/ebls",
        UNBOUND,
        Some(issue_body("E-2")),
    )
    .await;
    reply.assert_problem(403, "NO_CUSTODIAL_IDENTITY");
}

#[tokio::test]
async fn a_key_bound_to_an_identity_the_node_lacks_is_forbidden() {
    let (_n, _c, app) = app();
    let reply = send(
        &app,
        Method::POST,
        "/v1/custodial/ebls",
        GHOST,
        Some(issue_body("E-3")),
    )
    .await;
    reply.assert_problem(403, "UNKNOWN_IDENTITY");
}

#[tokio::test]
async fn malformed_json_unknown_fields_missing_fields_and_unknown_actions_are_4xx() {
    let (_n, _c, app) = app();
    let key = secret_of("carrier-ops");
    let id = "ab".repeat(32);
    let post = |uri: String, body: &'static [u8]| {
        let app = app.clone();
        let key = key.clone();
        async move { send(&app, Method::POST, &uri, &key, Some(body.to_vec())).await }
    };
    post("/v1/custodial/ebls".into(), b"{not json")
        .await
        .assert_problem(400, "MALFORMED_JSON");
    post(
        format!("/v1/custodial/ebls/{id}/transfer"),
        br#"{"too": "BANK"}"#,
    )
    .await
    .assert_problem(422, "INVALID_REQUEST");
    post(format!("/v1/custodial/ebls/{id}/transfer"), b"{}")
        .await
        .assert_problem(422, "MISSING_FIELD");
    post(format!("/v1/custodial/ebls/{id}/teleport"), b"{}")
        .await
        .assert_problem(404, "UNKNOWN_ACTION");
    post("/v1/custodial/ebls/xyz/sign".into(), b"{}")
        .await
        .assert_problem(400, "INVALID_ID");
    post(
        "/v1/custodial/ebls".into(),
        br#"{"transport_document": 5, "issue_to": "SHIPPER"}"#,
    )
    .await
    .assert_problem(422, "INVALID_DOCUMENT");
    post("/v1/custodial/certificates/MSA/U1/polish".into(), b"{}")
        .await
        .assert_problem(404, "UNKNOWN_ACTION");
}

#[tokio::test]
async fn an_entry_refused_before_inclusion_does_not_consume_its_sequence() {
    let (_n, _c, app) = app();
    let long = "x".repeat(2000);
    let refused = act(
        &app,
        "carrier-ops",
        "/v1/custodial/ebls",
        json!({"transport_document": document("SEQ-1"), "issue_to": "SHIPPER", "remark": long}),
    )
    .await;
    assert_eq!(refused.status.as_u16(), 422, "{}", refused.body);
    assert!(refused.body["entry_id"].is_string());
    let accepted = act(
        &app,
        "carrier-ops",
        "/v1/custodial/ebls",
        json!({"transport_document": document("SEQ-1"), "issue_to": "SHIPPER"}),
    )
    .await;
    assert_eq!(accepted.status.as_u16(), 202, "{}", accepted.body);
    assert_eq!(accepted.body["sequence"], 0, "{}", accepted.body);
}

#[tokio::test]
async fn a_gateway_without_a_custodian_answers_503() {
    let node = support::LocalNode::pilot();
    let app = ebl_gateway::router(node, config());
    let reply = send(
        &app,
        Method::POST,
        "/v1/custodial/ebls",
        &secret_of("carrier-ops"),
        Some(issue_body("E-4")),
    )
    .await;
    reply.assert_problem(503, "NO_CUSTODIAN");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_of_one_identity_all_commit_with_distinct_sequences() {
    let (node, _c, app) = app();
    // Held entries stay pending, so the ledger's next sequence does not move: only the
    // custodian's own bookkeeping can keep the numbers apart.
    node.hold();
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                act(
                    &app,
                    "carrier-ops",
                    "/v1/custodial/ebls",
                    json!({"transport_document": document(&format!("CONC-{i}")), "issue_to": "SHIPPER"}),
                )
                .await
            })
        })
        .collect();
    let mut sequences = Vec::new();
    let mut entries = Vec::new();
    for task in tasks {
        let reply = task.await.unwrap();
        assert_eq!(reply.status.as_u16(), 202, "{}", reply.body);
        sequences.push(reply.body["sequence"].as_u64().unwrap());
        entries.push(reply.body["id"].as_str().unwrap().to_string());
    }
    sequences.sort_unstable();
    assert_eq!(sequences, (0..16).collect::<Vec<u64>>());
    node.flush();
    for entry in entries {
        let status = read(&app, &format!("/v1/entries/{entry}")).await;
        assert_eq!(status.body["status"], "final", "{}", status.body);
    }
}
