//! DCSA surrender (`POST /v3/ebl-surrender-requests`, `POST /v3/ebl-surrender-responses`):
//! SREQ → SURR and AREQ → SREJ on the ledger, and the refusals.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/dcsa.rs"]
mod dcsa;
mod support;

use axum::Router;
use axum::http::Method;
use dcsa::*;
use ebl_gateway::dcsa::schema::Payload;
use serde_json::{Value, json};
use support::Reply;

const REQUESTS: &str = "/v3/ebl-surrender-requests";
const RESPONSES: &str = "/v3/ebl-surrender-responses";

async fn post(app: &Router, uri: &str, key: &str, body: &Value) -> Reply {
    send_json(app, Method::POST, uri, key, body).await
}

/// Issues the sample under `reference` (holder SHIPPER, blank to-order BL); returns its id.
async fn issue(app: &Router, reference: &str) -> String {
    let request = issuance_request(reference);
    let reply = send_json(
        app,
        Method::PUT,
        "/v3/ebl-issuance-requests?responseMode=sync",
        CARRIER_KEY,
        &request,
    )
    .await;
    assert_eq!(reply.body["issuanceResponseCode"], "ISSU", "{}", reply.body);
    ebl_ledger::docid::document_id(&request["document"])
        .unwrap()
        .to_hex()
}

async fn ebl(app: &Router, id: &str) -> Value {
    support::get(app, &format!("/v1/ebls/{id}")).await.body
}

fn answer(reference: &str, action: &str, comments: Option<&str>) -> Value {
    let mut body = json!({"surrenderRequestReference": reference, "action": action});
    if let Some(c) = comments {
        body["comments"] = c.into();
    }
    body
}

fn assert_dcsa_error(reply: &Reply, status: u16, code: &str) {
    assert_eq!(reply.status.as_u16(), status, "{}", reply.body);
    assert_dcsa(Payload::ErrorResponse, &reply.body);
    let codes: Vec<&str> = reply.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["errorCodeText"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&code), "{codes:?} {}", reply.body);
}

#[tokio::test]
async fn sreq_surrenders_for_the_holder_and_surr_accomplishes_the_ebl() {
    let (_node, app) = dcsa_app();
    let id = issue(&app, "SUR-1").await;
    let request = surrender_sample("SUR-1", "Z-1");
    assert_dcsa(Payload::SurrenderRequest, &request);
    let reply = post(&app, REQUESTS, SHIPPER_KEY, &request).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    let record = ebl(&app, &id).await;
    assert_eq!(
        record["status"], "SURRENDER_FOR_DELIVERY_PENDING",
        "{record}"
    );
    assert_eq!(record["holder"], "CARRIER");
    let surr = answer("Z-1", "SURR", None);
    assert_dcsa(Payload::SurrenderAnswer, &surr);
    let reply = post(&app, RESPONSES, CARRIER_KEY, &surr).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    assert_eq!(ebl(&app, &id).await["status"], "ACCOMPLISHED");
    // One answer per request.
    let again = post(&app, RESPONSES, CARRIER_KEY, &surr).await;
    assert_dcsa_error(&again, 409, "ALREADY_ANSWERED");
}

#[tokio::test]
async fn areq_rejected_with_srej_returns_possession_to_the_holder() {
    let (_node, app) = dcsa_app();
    let id = issue(&app, "SUR-2").await;
    let mut request = surrender_sample("SUR-2", "Z-2");
    request["surrenderRequestCode"] = "AREQ".into();
    request["reasonCode"] = "COD".into();
    let reply = post(&app, REQUESTS, SHIPPER_KEY, &request).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    assert_eq!(
        ebl(&app, &id).await["status"],
        "SURRENDER_FOR_AMENDMENT_PENDING"
    );
    let srej = answer("Z-2", "SREJ", Some("Destination change not possible"));
    let reply = post(&app, RESPONSES, CARRIER_KEY, &srej).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    let record = ebl(&app, &id).await;
    assert_eq!(record["status"], "ACTIVE", "{record}");
    assert_eq!(record["holder"], "SHIPPER");
}

#[tokio::test]
async fn a_party_that_does_not_hold_the_ebl_cannot_surrender_it() {
    let (_node, app) = dcsa_app();
    let id = issue(&app, "SUR-3").await;
    let reply = post(
        &app,
        REQUESTS,
        CONSIGNEE_KEY,
        &surrender_sample("SUR-3", "Z-3"),
    )
    .await;
    assert_dcsa_error(&reply, 409, "NOT_HOLDER");
    assert_eq!(ebl(&app, &id).await["status"], "ACTIVE");
}

#[tokio::test]
async fn surrender_requests_are_checked_against_the_dcsa_schema() {
    let (_node, app) = dcsa_app();
    issue(&app, "SUR-4").await;
    let mut bad = surrender_sample("SUR-4", "Z-4");
    bad["surrenderRequestCode"] = "DELIVER".into();
    bad.as_object_mut()
        .unwrap()
        .remove("transportDocumentReference");
    let reply = post(&app, REQUESTS, SHIPPER_KEY, &bad).await;
    assert_dcsa_error(&reply, 400, "SCHEMA_VIOLATION");
    assert_eq!(
        reply.body["errors"].as_array().unwrap().len(),
        2,
        "{}",
        reply.body
    );
    let paths: Vec<&str> = reply.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["jsonPath"].as_str().unwrap())
        .collect();
    assert!(paths.contains(&"$.surrenderRequestCode"), "{paths:?}");
    // AREQ needs one of the DCSA reason codes.
    let mut areq = surrender_sample("SUR-4", "Z-4");
    areq["surrenderRequestCode"] = "AREQ".into();
    let reply = post(&app, REQUESTS, SHIPPER_KEY, &areq).await;
    assert_dcsa_error(&reply, 400, "INVALID_REASON_CODE");
}

#[tokio::test]
async fn unknown_documents_and_reused_references_are_refused() {
    let (_node, app) = dcsa_app();
    let reply = post(
        &app,
        REQUESTS,
        SHIPPER_KEY,
        &surrender_sample("NO-SUCH", "Z-5"),
    )
    .await;
    assert_dcsa_error(&reply, 404, "UNKNOWN_DOCUMENT");
    issue(&app, "SUR-5").await;
    let request = surrender_sample("SUR-5", "Z-5");
    assert_eq!(
        post(&app, REQUESTS, SHIPPER_KEY, &request).await.status,
        204
    );
    let reply = post(&app, REQUESTS, SHIPPER_KEY, &request).await;
    assert_dcsa_error(&reply, 409, "DUPLICATE_SURRENDER_REQUEST");
}

#[tokio::test]
async fn only_the_issuing_carrier_answers_and_a_rejection_says_why() {
    let (_node, app) = dcsa_app();
    let id = issue(&app, "SUR-6").await;
    assert_eq!(
        post(
            &app,
            REQUESTS,
            SHIPPER_KEY,
            &surrender_sample("SUR-6", "Z-6")
        )
        .await
        .status,
        204
    );
    let reply = post(&app, RESPONSES, CARRIER2_KEY, &answer("Z-6", "SURR", None)).await;
    assert_dcsa_error(&reply, 404, "UNKNOWN_SURRENDER_REQUEST");
    let reply = post(&app, RESPONSES, CARRIER_KEY, &answer("Z-6", "SREJ", None)).await;
    assert_dcsa_error(&reply, 400, "MISSING_COMMENTS");
    let reply = post(&app, RESPONSES, CARRIER_KEY, &answer("Z-X", "SURR", None)).await;
    assert_dcsa_error(&reply, 404, "UNKNOWN_SURRENDER_REQUEST");
    let reply = post(&app, RESPONSES, CARRIER_KEY, &json!({"action": "SURR"})).await;
    assert_dcsa_error(&reply, 400, "SCHEMA_VIOLATION");
    assert_eq!(
        ebl(&app, &id).await["status"],
        "SURRENDER_FOR_DELIVERY_PENDING"
    );
}

#[tokio::test]
async fn surrender_routes_need_a_bound_custodial_key() {
    let (_node, app) = dcsa_app();
    let request = surrender_sample("SUR-7", "Z-7");
    post(&app, REQUESTS, "", &request)
        .await
        .assert_problem(401, "UNAUTHENTICATED");
    post(&app, REQUESTS, READ_KEY, &request)
        .await
        .assert_problem(403, "MISSING_SCOPE");
    post(&app, RESPONSES, UNBOUND_KEY, &answer("Z-7", "SURR", None))
        .await
        .assert_problem(403, "NOT_BOUND");
}
