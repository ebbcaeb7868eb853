//! R162: the gateway stores the body of an eBL it issues (custodial ISSUE and AMEND, DCSA
//! issuance) once the entry is final, so its parties read it without the carrier uploading it;
//! a former holder keeps reading it, an unrelated organisation never does (R140).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bodies_kit;
mod custodial_kit;
#[path = "support/dcsa.rs"]
mod dcsa;
mod support;

use axum::Router;
use axum::http::{Method, StatusCode};
use bodies_kit::{
    BANK_RO, Who, app, canonical, document, get_document, id_of, org, read_when_stored,
};
use custodial_kit::{act, assert_final, ebl, secret_of};
use ebl_gateway::NodeApi;
use serde_json::{Value, json};
use support::Reply;

fn issue_request(doc: &serde_json::Value) -> serde_json::Value {
    json!({"transport_document": doc, "issue_to": "SHIPPER", "consignee": "SHIPPER"})
}

/// `key`'s custodial ISSUE of `doc` to SHIPPER, posted to `uri`.
async fn issue(app: &Router, key: &str, uri: &str, doc: &Value) -> Reply {
    act(app, key, uri, issue_request(doc)).await
}

/// CARRIER's DCSA issuance `request`, put with the query `query` ("" or "?...").
async fn dcsa_issue(app: &Router, query: &str, request: &Value) -> Reply {
    let uri = format!("/v3/ebl-issuance-requests{query}");
    dcsa::send_json(app, Method::PUT, &uri, dcsa::CARRIER_KEY, request).await
}

#[tokio::test]
async fn a_custodial_issue_stores_the_body_so_the_holder_reads_it() {
    let (_node, app) = app();
    let doc = document("ISSUED-1");
    let reply = issue(&app, "carrier-ops", "/v1/custodial/ebls?wait=final", &doc).await;
    assert_final(&reply);
    assert_eq!(reply.body["document_body"], "stored", "{}", reply.body);
    let holder = get_document(&app, Who::Key(&secret_of("shipper-erp")), &id_of(&doc)).await;
    holder.assert_body(&canonical(&doc));
}

#[tokio::test]
async fn without_waiting_the_body_is_stored_when_the_issue_becomes_final() {
    let (node, app) = app();
    node.hold();
    let doc = document("ISSUED-2");
    let reply = issue(&app, "carrier-ops", "/v1/custodial/ebls", &doc).await;
    assert_eq!(reply.status, 202, "{}", reply.body);
    assert_eq!(reply.body["document_body"], "on_finality", "{}", reply.body);
    let id = id_of(&doc);
    // Not final: no eBL yet, so nothing to read.
    get_document(&app, Who::Cert("SHIPPER"), &id)
        .await
        .assert_problem(404, "UNKNOWN_DOCUMENT");
    node.flush();
    let holder = read_when_stored(&app, Who::Cert("SHIPPER"), &id).await;
    holder.assert_body(&canonical(&doc));
}

#[tokio::test]
async fn an_issue_the_ledger_refuses_stores_no_body() {
    let (node, app) = app();
    // SHIPPER is not a carrier: the ISSUE fails in its block.
    let doc = document("REFUSED-1");
    let reply = issue(&app, "shipper-erp", "/v1/custodial/ebls?wait=final", &doc).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert!(reply.body.get("document_body").is_none(), "{}", reply.body);
    let id = ebl_ledger::docid::document_id(&doc).unwrap();
    let stored = node.document_body(id, org("SHIPPER")).await.unwrap();
    assert!(stored.is_none(), "a refused issuance left a body behind");
}

#[tokio::test]
async fn an_amendment_stores_the_replacement_body() {
    let (_node, app) = app();
    let id = custodial_kit::issue(&app, "AMEND-BODY-1", "SHIPPER", "SHIPPER").await;
    let cod = json!({"amendment_reason": "COD"});
    assert_final(&ebl(&app, "shipper-erp", &id, "surrender", cod).await);
    assert_final(&ebl(&app, "carrier-ops", &id, "accept-surrender", json!({})).await);
    let replacement = document("AMEND-BODY-2");
    let body = json!({"replacement": issue_request(&replacement)});
    let reply = ebl(&app, "carrier-ops", &id, "amend", body).await;
    assert_final(&reply);
    assert_eq!(reply.body["document_body"], "stored", "{}", reply.body);
    let read = get_document(&app, Who::Cert("SHIPPER"), &id_of(&replacement)).await;
    read.assert_body(&canonical(&replacement));
}

#[tokio::test]
async fn a_former_holder_still_reads_the_body_and_an_unrelated_organisation_never_does() {
    let (_node, app) = app();
    let doc = custodial_kit::document("CHAIN-1");
    let id = custodial_kit::issue(&app, "CHAIN-1", "SHIPPER", "SHIPPER").await;
    let expected = canonical(&doc);
    // BANK's read-only system is refused until BANK becomes a party.
    get_document(&app, Who::Key(BANK_RO), &id)
        .await
        .assert_problem(404, "UNKNOWN_DOCUMENT");
    let to_bank = json!({"endorsee": "BANK"});
    assert_final(&ebl(&app, "shipper-erp", &id, "endorse-to-order", to_bank).await);
    assert_final(&ebl(&app, "shipper-erp", &id, "transfer", json!({"to": "BANK"})).await);
    let bank = get_document(&app, Who::Key(BANK_RO), &id).await;
    bank.assert_body(&expected);
    // SHIPPER no longer holds it and still reads it; CONSIGNEE is not (yet) a party.
    assert_eq!(
        get_document(&app, Who::Cert("SHIPPER"), &id).await.bytes,
        expected
    );
    get_document(&app, Who::Cert("CONSIGNEE"), &id)
        .await
        .assert_problem(404, "UNKNOWN_DOCUMENT");
    get_document(&app, Who::Cert("CARRIER2"), &id)
        .await
        .assert_problem(404, "UNKNOWN_DOCUMENT");
    let to_consignee = json!({"endorsee": "CONSIGNEE"});
    assert_final(&ebl(&app, "bank-tf", &id, "endorse", to_consignee).await);
    assert_final(&ebl(&app, "bank-tf", &id, "transfer", json!({"to": "CONSIGNEE"})).await);
    assert_eq!(
        get_document(&app, Who::Cert("CONSIGNEE"), &id).await.bytes,
        expected
    );
    assert_eq!(
        get_document(&app, Who::Key(BANK_RO), &id).await.bytes,
        expected
    );
}

#[tokio::test]
async fn a_dcsa_issuance_stores_the_body_for_the_holder() {
    let (_node, app) = dcsa::dcsa_app();
    let request = dcsa::issuance_request("DCSA-BODY-1");
    let reply = dcsa_issue(&app, "?responseMode=sync", &request).await;
    assert_eq!(reply.body["issuanceResponseCode"], "ISSU", "{}", reply.body);
    let id = id_of(&request["document"]);
    let holder = get_document(&app, Who::Cert("SHIPPER"), &id).await;
    holder.assert_body(&canonical(&request["document"]));
    get_document(&app, Who::Cert("BANK"), &id)
        .await
        .assert_problem(404, "UNKNOWN_DOCUMENT");
}

#[tokio::test]
async fn a_dcsa_issuance_not_final_within_the_wait_stores_the_body_once_final() {
    let mut config = dcsa::dcsa_config();
    config.max_wait = std::time::Duration::from_millis(50);
    let (node, app) = dcsa::dcsa_app_with(config);
    node.hold();
    let request = dcsa::issuance_request("DCSA-BODY-2");
    let reply = dcsa_issue(&app, "", &request).await;
    assert_eq!(reply.status, 202, "{}", reply.body);
    node.flush();
    let id = id_of(&request["document"]);
    let holder = read_when_stored(&app, Who::Cert("SHIPPER"), &id).await;
    holder.assert_body(&canonical(&request["document"]));
}

#[tokio::test]
async fn bodies_waiting_for_finality_are_bounded_and_the_rest_are_reported_not_stored() {
    let mut config = bodies_kit::config();
    config.rate_limit = ebl_gateway::RateLimit {
        burst: 1000,
        per_second: 1000.0,
    };
    let (node, app) = bodies_kit::app_with(config);
    node.hold();
    let limit = ebl_gateway::bodies::MAX_PENDING_STORES;
    let mut fates = std::collections::BTreeMap::<String, usize>::new();
    for i in 0..=limit {
        let doc = document(&format!("BOUND-{i}"));
        let reply = issue(&app, "carrier-ops", "/v1/custodial/ebls", &doc).await;
        assert_eq!(reply.status, 202, "{}", reply.body);
        let fate = reply.body["document_body"].as_str().unwrap().to_string();
        *fates.entry(fate).or_default() += 1;
    }
    assert_eq!(fates.get("on_finality"), Some(&limit), "{fates:?}");
    assert_eq!(fates.get("not_stored"), Some(&1), "{fates:?}");
    node.flush();
    // The first waits end with the flush and store their bodies.
    let first = id_of(&document("BOUND-0"));
    let read = read_when_stored(&app, Who::Cert("SHIPPER"), &first).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.reply().body);
    let last = id_of(&document(&format!("BOUND-{limit}")));
    get_document(&app, Who::Cert("SHIPPER"), &last)
        .await
        .assert_problem(404, "DOCUMENT_BODY_UNAVAILABLE");
}
