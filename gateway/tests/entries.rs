//! `POST /v1/entries` and `GET /v1/entries/{id}`: idempotence, finality, rejections, bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use axum::http::Method;
use ebl_ledger::ebl::EblAction;
use ebl_ledger::entry::Body;
use serde_json::json;
use support::*;

#[tokio::test]
async fn the_same_entry_submitted_twice_gets_the_same_id_in_either_form() {
    let (node, app) = app();
    let issue = signed_issue(&node);
    let first = post(&app, "/v1/entries", &hex_body(&issue)).await;
    assert_eq!(first.status, 202);
    let again = post(&app, "/v1/entries", &serde_json::to_value(&issue).unwrap()).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.body["id"], first.body["id"]);
    assert_eq!(again.body["status"], "final");
    assert_eq!(node.with(|n| n.ledger.head().height), 1, "committed once");
}

#[tokio::test]
async fn a_pending_entry_is_never_reported_final_before_the_node_says_so() {
    let (node, app) = app();
    node.hold();
    let issue = signed_issue(&node);
    let id = issue.id().to_hex();
    let reply = post(
        &app,
        "/v1/entries?wait=final&timeout_ms=50",
        &hex_body(&issue),
    )
    .await;
    assert_eq!(reply.status, 202, "{}", reply.body);
    assert_eq!(reply.body["status"], "pending");
    let status = get(&app, &format!("/v1/entries/{id}")).await;
    assert_eq!(status.body["status"], "pending");
    let again = post(&app, "/v1/entries", &hex_body(&issue)).await;
    assert_eq!(
        (again.status.as_u16(), again.body["status"].as_str()),
        (202, Some("pending"))
    );

    let waited = get(&app, &format!("/v1/entries/{id}?wait=final&timeout_ms=20")).await;
    assert_eq!(waited.body["status"], "pending");

    let flusher = node.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        flusher.flush();
    });
    let reply = post(
        &app,
        "/v1/entries?wait=final&timeout_ms=5000",
        &hex_body(&issue),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["status"], "final");
    assert_eq!(reply.body["height"], 1);
    let waited = get(&app, &format!("/v1/entries/{id}?wait=final&timeout_ms=20")).await;
    assert_eq!(waited.body["status"], "final");
}

#[tokio::test]
async fn a_bad_signature_is_rejected_with_the_ledger_code() {
    let (node, app) = app();
    let mut issue = signed_issue(&node);
    issue = issue.tampered_signature(0, 1);
    let reply = post(&app, "/v1/entries", &hex_body(&issue)).await;
    reply.assert_problem(422, "BAD_SIGNATURE");
    assert_eq!(reply.body["entry_id"], issue.id().to_hex());
    let status = get(&app, &format!("/v1/entries/{}", issue.id())).await;
    assert_eq!(status.body["status"], "rejected");
    assert_eq!(status.body["code"], "BAD_SIGNATURE");
}

#[tokio::test]
async fn an_entry_that_fails_in_its_block_reports_the_rule_code() {
    let (node, app) = app();
    let issue = signed_issue(&node);
    post(&app, "/v1/entries", &hex_body(&issue)).await;
    let (doc, _, _) = sample_document();
    let stolen = node.with(|n| {
        let to = n.org("BUYER2");
        n.sign("BANK", Body::Ebl(EblAction::Transfer { document: doc, to }))
    });
    let reply = post(&app, "/v1/entries?wait=final", &hex_body(&stolen)).await;
    reply.assert_problem(422, "NOT_HOLDER");
    let status = get(&app, &format!("/v1/entries/{}", stolen.id())).await;
    assert_eq!(status.status, 200);
    assert_eq!(status.body["status"], "failed");
    assert_eq!(status.body["code"], "NOT_HOLDER");
    assert_eq!(status.body["height"], 2);
}

#[tokio::test]
async fn client_mistakes_in_submissions_are_4xx_problems() {
    let (node, app) = app();
    let issue = signed_issue(&node);
    post(&app, "/v1/entries", &json!({"entry": "zz"}))
        .await
        .assert_problem(400, "BAD_HEX");
    post(&app, "/v1/entries", &json!({"entry": "00ff"}))
        .await
        .assert_problem(400, "MALFORMED");
    post(&app, "/v1/entries", &json!({"entry": 7}))
        .await
        .assert_problem(422, "INVALID_REQUEST");
    post(
        &app,
        "/v1/entries",
        &json!({"entry": {"chain": 1}, "signature": "00"}),
    )
    .await
    .assert_problem(422, "INVALID_REQUEST");
    post(&app, "/v1/entries", &json!([1, 2]))
        .await
        .assert_problem(422, "INVALID_REQUEST");
    post(&app, "/v1/entries?wait=soon", &hex_body(&issue))
        .await
        .assert_problem(400, "INVALID_QUERY");
    send(
        &app,
        Method::POST,
        "/v1/entries",
        SUBMIT,
        Some(b"{\"entry\": ".to_vec()),
    )
    .await
    .assert_problem(400, "MALFORMED_JSON");
    let mut trailing = issue.encode();
    trailing.push(0);
    post(
        &app,
        "/v1/entries",
        &json!({"entry": hex::encode(trailing)}),
    )
    .await
    .assert_problem(400, "TRAILING_BYTES");
}

#[tokio::test]
async fn a_body_without_json_content_type_is_415() {
    let (_, app) = app();
    let request = axum::http::Request::post("/v1/entries")
        .header("authorization", format!("Bearer {SUBMIT}"))
        .body(axum::body::Body::from("{}"))
        .unwrap();
    let response = tower::ServiceExt::oneshot(app, request).await.unwrap();
    assert_eq!(response.status(), 415);
}

#[tokio::test]
async fn an_oversize_body_is_413() {
    let (_, app) = app();
    let big = json!({"entry": "ab".repeat(200 * 1024)});
    post(&app, "/v1/entries", &big)
        .await
        .assert_problem(413, "PAYLOAD_TOO_LARGE");
}

#[tokio::test]
async fn unknown_and_malformed_entry_ids() {
    let (_, app) = app();
    get(&app, &format!("/v1/entries/{}", "ab".repeat(32)))
        .await
        .assert_problem(404, "UNKNOWN_ENTRY");
    get(&app, "/v1/entries/xyz")
        .await
        .assert_problem(400, "INVALID_ID");
}
