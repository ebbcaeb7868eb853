//! DCSA issuance (`PUT /v3/ebl-issuance-requests`, issuance responses) through the router over
//! the LocalNode test double with a test custodian.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/dcsa.rs"]
mod dcsa;
mod support;

use axum::http::Method;
use dcsa::*;
use ebl_gateway::dcsa::schema::Payload;
use serde_json::Value;
use support::{LocalNode, Reply, send};

const PUT_URI: &str = "/v3/ebl-issuance-requests";
const SYNC_URI: &str = "/v3/ebl-issuance-requests?responseMode=sync";

async fn put(app: &axum::Router, uri: &str, key: &str, body: &Value) -> Reply {
    send_json(app, Method::PUT, uri, key, body).await
}

async fn verdict(app: &axum::Router, reference: &str) -> Reply {
    let uri = format!("/v3/ebl-issuance-responses/{reference}");
    send(app, Method::GET, &uri, CARRIER_KEY, None).await
}

fn codes(reply: &Reply) -> Vec<String> {
    reply.body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["errorCode"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn no_ebl(node: &LocalNode, before: u64) {
    assert_eq!(height(node), before, "a BREQ must not touch the ledger");
}

#[tokio::test]
async fn the_dcsa_sample_is_issued_to_the_holder_its_issue_to_party_maps_to() {
    let (node, app) = dcsa_app();
    let request = with_manifest(issuance_sample_as_published());
    let reply = put(&app, SYNC_URI, CARRIER_KEY, &request).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["issuanceResponseCode"], "ISSU");
    assert_eq!(
        reply.body["transportDocumentReference"],
        "62CD536BA8D34C469AFD"
    );
    assert!(reply.body.get("reason").is_none());
    assert_dcsa(Payload::IssuanceResponse, &reply.body);
    // On the ledger: id = RFC 8785 SHA-256 of the document, holder SHIPPER (BOLE/BOLE001), a
    // to-order BL without endorsee (blank), issued by CARRIER.
    let id = ebl_ledger::docid::document_id(&request["document"]).unwrap();
    let ebl = support::get(&app, &format!("/v1/ebls/{id}")).await;
    assert_eq!(ebl.status, 200, "{}", ebl.body);
    assert_eq!(ebl.body["holder"], "SHIPPER", "{}", ebl.body);
    assert_eq!(ebl.body["carrier"], "CARRIER");
    assert_eq!(ebl.body["reference"], "62CD536BA8D34C469AFD");
    let read_back = verdict(&app, "62CD536BA8D34C469AFD").await;
    assert_eq!(read_back.status, 200);
    assert_eq!(read_back.body["issuanceResponseCode"], "ISSU");
    drop(node);
}

#[tokio::test]
async fn the_default_mode_answers_204_as_dcsa_does() {
    let (_node, app) = dcsa_app();
    let reply = put(&app, PUT_URI, CARRIER_KEY, &issuance_request("REF-204")).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    assert_eq!(
        verdict(&app, "REF-204").await.body["issuanceResponseCode"],
        "ISSU"
    );
}

#[tokio::test]
async fn the_sample_as_published_gets_breq_for_its_placeholder_checksums() {
    let (node, app) = dcsa_app();
    let before = height(&node);
    let reply = put(&app, PUT_URI, CARRIER_KEY, &issuance_sample_as_published()).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    let breq = verdict(&app, "62CD536BA8D34C469AFD").await;
    assert_eq!(breq.body["issuanceResponseCode"], "BREQ", "{}", breq.body);
    assert_dcsa(Payload::IssuanceResponse, &breq.body);
    // Its RS256 signature cannot be verified with a registered Ed25519 key (R225), and
    // documentChecksum, issueToChecksum and the visualisation's checksum are all wrong.
    let mut expected = vec!["UNSUPPORTED_ALGORITHM"];
    expected.extend(["CHECKSUM_MISMATCH"; 3]);
    assert_eq!(codes(&breq), expected, "{}", breq.body);
    no_ebl(&node, before);
}

#[tokio::test]
async fn a_changed_document_fails_its_checksum_with_a_breq() {
    let (node, app) = dcsa_app();
    let before = height(&node);
    let mut request = issuance_request("REF-SUM");
    request["document"]["serviceContractReference"] = "CHANGED-AFTER-SIGNING".into();
    let reply = put(&app, SYNC_URI, CARRIER_KEY, &request).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["issuanceResponseCode"], "BREQ");
    assert_eq!(codes(&reply), vec!["CHECKSUM_MISMATCH"], "{}", reply.body);
    let reason = reply.body["errors"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("documentChecksum"), "{reason}");
    no_ebl(&node, before);
}

#[tokio::test]
async fn schema_violations_are_a_breq_listing_every_one() {
    let (node, app) = dcsa_app();
    let before = height(&node);
    let mut request = issuance_request("REF-SCHEMA");
    request["document"]["receiptTypeAtOrigin"] = "XYZ-TOO-LONG".into();
    request["document"]
        .as_object_mut()
        .unwrap()
        .remove("invoicePayableAt");
    let request = with_manifest(request);
    let reply = put(&app, SYNC_URI, CARRIER_KEY, &request).await;
    assert_eq!(reply.body["issuanceResponseCode"], "BREQ", "{}", reply.body);
    assert_dcsa(Payload::IssuanceResponse, &reply.body);
    let reasons: Vec<&str> = reply.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["reason"].as_str().unwrap())
        .collect();
    assert!(codes(&reply).iter().all(|c| c == "SCHEMA_VIOLATION"));
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("$.document.receiptTypeAtOrigin")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("invoicePayableAt")),
        "{reasons:?}"
    );
    no_ebl(&node, before);
}

#[tokio::test]
async fn an_unknown_issue_to_party_is_a_breq() {
    let (node, app) = dcsa_app();
    let before = height(&node);
    let mut request = issuance_sample_as_published();
    request["document"]["transportDocumentReference"] = "REF-PARTY".into();
    request["issueTo"]["identifyingCodes"][0]["partyCode"] = "BOLE999".into();
    let reply = put(&app, SYNC_URI, CARRIER_KEY, &with_manifest(request)).await;
    assert_eq!(reply.body["issuanceResponseCode"], "BREQ", "{}", reply.body);
    assert_eq!(codes(&reply), vec!["UNKNOWN_PARTY"]);
    assert!(
        reply.body["errors"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("HHL Invest")
    );
    no_ebl(&node, before);
}

#[tokio::test]
async fn our_own_party_code_names_an_organisation_directly() {
    let (_node, app) = dcsa_app();
    let mut request = issuance_sample_as_published();
    request["document"]["transportDocumentReference"] = "REF-OWN".into();
    request["issueTo"]["identifyingCodes"] =
        serde_json::json!([{"codeListProvider": "EBLL", "partyCode": "BUYER2"}]);
    let reply = put(&app, SYNC_URI, CARRIER_KEY, &with_manifest(request)).await;
    assert_eq!(reply.body["issuanceResponseCode"], "ISSU", "{}", reply.body);
    let mut request = issuance_sample_as_published();
    request["document"]["transportDocumentReference"] = "REF-NOORG".into();
    request["issueTo"]["identifyingCodes"] =
        serde_json::json!([{"codeListProvider": "EBLL", "partyCode": "NOBODY"}]);
    let reply = put(&app, SYNC_URI, CARRIER_KEY, &with_manifest(request)).await;
    assert_eq!(reply.body["issuanceResponseCode"], "BREQ");
    assert_eq!(codes(&reply), vec!["UNKNOWN_PARTY"]);
}

#[tokio::test]
async fn a_request_without_a_reference_gets_the_dcsa_error_shape() {
    let (_node, app) = dcsa_app();
    let mut request = issuance_request("X");
    request["document"]
        .as_object_mut()
        .unwrap()
        .remove("transportDocumentReference");
    let reply = put(&app, PUT_URI, CARRIER_KEY, &request).await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert_dcsa(Payload::ErrorResponse, &reply.body);
    assert_eq!(reply.body["httpMethod"], "PUT");
    assert_eq!(reply.body["errors"][0]["errorCodeText"], "SCHEMA_VIOLATION");
}

#[tokio::test]
async fn issuing_the_same_request_twice_is_refused_by_the_ledger() {
    let (_node, app) = dcsa_app();
    let request = issuance_request("REF-TWICE");
    assert_eq!(put(&app, PUT_URI, CARRIER_KEY, &request).await.status, 204);
    let again = put(&app, SYNC_URI, CARRIER_KEY, &request).await;
    assert_eq!(again.body["issuanceResponseCode"], "REFU", "{}", again.body);
    assert_eq!(codes(&again), vec!["DUPLICATE_DOCUMENT"]);
    assert_dcsa(Payload::IssuanceResponse, &again.body);
    // Same keys as DCSA's own REFU example.
    let sample = refu_sample();
    let keys = |v: &Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    assert_eq!(keys(&again.body), keys(&sample));
    // DCSA's default mode answers a reused reference with 409.
    let conflict = put(&app, PUT_URI, CARRIER_KEY, &request).await;
    assert_eq!(conflict.status, 409, "{}", conflict.body);
    assert_dcsa(Payload::ErrorResponse, &conflict.body);
    // The document stays issued.
    assert_eq!(
        verdict(&app, "REF-TWICE").await.body["issuanceResponseCode"],
        "ISSU"
    );
}

#[tokio::test]
async fn an_organisation_that_is_not_a_carrier_is_refused() {
    let (_node, app) = dcsa_app();
    // Signed with BANK's own registered key (R224), so that the ledger decides (R34).
    let mut request = issuance_sample_as_published();
    request["document"]["transportDocumentReference"] = "REF-BANK".into();
    let request = ebl_gateway::testkit::signed_issuance_request(request, "BANK");
    let reply = put(&app, SYNC_URI, BANK_KEY, &request).await;
    assert_eq!(reply.body["issuanceResponseCode"], "REFU", "{}", reply.body);
    assert_eq!(codes(&reply), vec!["MISSING_ROLE"]);
}

#[tokio::test]
async fn issuance_needs_a_bound_custodial_key() {
    let (_node, app) = dcsa_app();
    let request = issuance_request("REF-AUTH");
    put(&app, PUT_URI, "", &request)
        .await
        .assert_problem(401, "UNAUTHENTICATED");
    put(&app, PUT_URI, "wrong-secret", &request)
        .await
        .assert_problem(401, "UNAUTHENTICATED");
    put(&app, PUT_URI, READ_KEY, &request)
        .await
        .assert_problem(403, "MISSING_SCOPE");
    put(&app, PUT_URI, UNBOUND_KEY, &request)
        .await
        .assert_problem(403, "NOT_BOUND");
}

#[tokio::test]
async fn without_a_custodian_issuance_is_unavailable() {
    let node = LocalNode::pilot();
    let app = ebl_gateway::router(node, dcsa_config());
    put(&app, PUT_URI, CARRIER_KEY, &issuance_request("REF-NOC"))
        .await
        .assert_problem(503, "CUSTODY_UNAVAILABLE");
}

#[tokio::test]
async fn malformed_json_and_unknown_modes_are_client_errors() {
    let (_node, app) = dcsa_app();
    send(
        &app,
        Method::PUT,
        PUT_URI,
        CARRIER_KEY,
        Some(b"{not json".to_vec()),
    )
    .await
    .assert_problem(400, "MALFORMED_JSON");
    let uri = "/v3/ebl-issuance-requests?responseMode=later";
    put(&app, uri, CARRIER_KEY, &issuance_request("REF-Q"))
        .await
        .assert_problem(400, "INVALID_QUERY");
}

#[tokio::test]
async fn an_unknown_issuance_response_is_not_found() {
    let (_node, app) = dcsa_app();
    verdict(&app, "NEVER-SENT")
        .await
        .assert_problem(404, "UNKNOWN_ISSUANCE_REQUEST");
    // Verdicts are per carrier: CARRIER2 does not see CARRIER's.
    put(&app, PUT_URI, CARRIER_KEY, &issuance_request("REF-MINE")).await;
    let other = send(
        &app,
        Method::GET,
        "/v3/ebl-issuance-responses/REF-MINE",
        CARRIER2_KEY,
        None,
    )
    .await;
    other.assert_problem(404, "UNKNOWN_ISSUANCE_REQUEST");
}

#[tokio::test]
async fn an_issuance_not_final_within_the_wait_is_accepted_and_read_back_later() {
    let mut config = dcsa_config();
    config.max_wait = std::time::Duration::from_millis(50);
    let (node, app) = dcsa_app_with(config);
    node.hold();
    let reply = put(&app, PUT_URI, CARRIER_KEY, &issuance_request("REF-HOLD")).await;
    assert_eq!(reply.status, 202, "{}", reply.body);
    assert_eq!(
        reply.headers["location"],
        "/v3/ebl-issuance-responses/REF-HOLD"
    );
    assert_eq!(verdict(&app, "REF-HOLD").await.status, 202);
    node.flush();
    let back = verdict(&app, "REF-HOLD").await;
    assert_eq!(back.body["issuanceResponseCode"], "ISSU", "{}", back.body);
}
