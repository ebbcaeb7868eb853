//! R220–R223: custodial ISSUE and DCSA ISS read the title facts from the document; a request
//! field that contradicts the document is refused (DOCUMENT_MISMATCH) and nothing is written.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod custodial_kit;
#[path = "support/dcsa.rs"]
mod dcsa;
mod support;

use axum::http::Method;
use custodial_kit::{act, assert_final, blank_document, id_of, read};
use serde_json::{Value, json};

fn named(id: &str) -> Value {
    json!({"partyName": id, "identifyingCodes": [{"codeListProvider": "EBLL", "partyCode": id}]})
}

/// A straight BL of `reference` naming consignee `consignee`.
fn straight(reference: &str, consignee: &str) -> Value {
    let mut doc = blank_document(reference);
    doc["isToOrder"] = json!(false);
    doc["documentParties"]["consignee"] = named(consignee);
    doc
}

async fn issue(app: &axum::Router, body: Value) -> support::Reply {
    act(app, "carrier-ops", "/v1/custodial/ebls?wait=final", body).await
}

#[tokio::test]
async fn a_straight_bl_is_recorded_with_the_consignee_its_document_names() {
    let (_node, _c, app) = custodial_kit::app();
    let doc = straight("TF-1", "CONSIGNEE");
    assert_final(
        &issue(
            &app,
            json!({"transport_document": doc, "issue_to": "SHIPPER"}),
        )
        .await,
    );
    let ebl = read(&app, &format!("/v1/ebls/{}", id_of(&doc))).await;
    assert_eq!(ebl.body["endorsee"], "CONSIGNEE", "{}", ebl.body);
    assert_eq!(ebl.body["kind"], "STRAIGHT_BL", "{}", ebl.body);
    assert_eq!(ebl.body["reference"], "TF-1", "{}", ebl.body);
}

#[tokio::test]
async fn fields_that_repeat_the_document_are_accepted() {
    let (_node, _c, app) = custodial_kit::app();
    let doc = straight("TF-2", "CONSIGNEE");
    let body = json!({"transport_document": doc, "issue_to": "SHIPPER", "consignee": "CONSIGNEE",
        "reference": "TF-2", "kind": "STRAIGHT_BL"});
    assert_final(&issue(&app, body).await);
}

#[tokio::test]
async fn a_consignee_other_than_the_documents_is_refused_and_nothing_is_issued() {
    let (_node, _c, app) = custodial_kit::app();
    let doc = straight("TF-3", "CONSIGNEE");
    let body = json!({"transport_document": doc, "issue_to": "SHIPPER", "consignee": "BANK"});
    let reply = issue(&app, body).await;
    reply.assert_problem(422, "DOCUMENT_MISMATCH");
    assert!(
        reply.body["detail"]
            .as_str()
            .unwrap()
            .contains("`consignee`")
    );
    let ebl = read(&app, &format!("/v1/ebls/{}", id_of(&doc))).await;
    assert_eq!(ebl.status.as_u16(), 404, "{}", ebl.body);
}

#[tokio::test]
async fn a_reference_or_kind_other_than_the_documents_is_refused() {
    let (_node, _c, app) = custodial_kit::app();
    let doc = straight("TF-4", "CONSIGNEE");
    for (field, value) in [("reference", "OTHER"), ("kind", "TO_ORDER_BL")] {
        let mut body = json!({"transport_document": doc, "issue_to": "SHIPPER"});
        body[field] = json!(value);
        let reply = issue(&app, body).await;
        reply.assert_problem(422, "DOCUMENT_MISMATCH");
        assert!(reply.body["detail"].as_str().unwrap().contains(field));
    }
}

#[tokio::test]
async fn an_endorsee_on_a_blank_to_order_document_is_refused() {
    let (_node, _c, app) = custodial_kit::app();
    let body = json!({"transport_document": blank_document("TF-5"), "issue_to": "SHIPPER",
        "consignee": "BANK"});
    issue(&app, body)
        .await
        .assert_problem(422, "DOCUMENT_MISMATCH");
}

#[tokio::test]
async fn a_document_issued_by_another_carrier_is_refused() {
    let (_node, _c, app) = custodial_kit::app();
    let mut doc = straight("TF-6", "CONSIGNEE");
    doc["documentParties"]["issuingParty"] = named("CARRIER2");
    let reply = issue(
        &app,
        json!({"transport_document": doc, "issue_to": "SHIPPER"}),
    )
    .await;
    reply.assert_problem(422, "DOCUMENT_MISMATCH");
    assert!(reply.body["detail"].as_str().unwrap().contains("CARRIER2"));
    doc["documentParties"]["issuingParty"] = named("CARRIER");
    assert_final(
        &issue(
            &app,
            json!({"transport_document": doc, "issue_to": "SHIPPER"}),
        )
        .await,
    );
}

#[tokio::test]
async fn the_first_holder_defaults_to_the_shipper_the_document_names() {
    let (_node, _c, app) = custodial_kit::app();
    let mut doc = straight("TF-7", "CONSIGNEE");
    assert_eq!(
        issue(&app, json!({"transport_document": doc})).await.code(),
        "MISSING_FIELD",
        "the sample's shipper has no code known here"
    );
    doc["documentParties"]["shipper"] = named("SHIPPER");
    assert_final(&issue(&app, json!({"transport_document": doc})).await);
    let ebl = read(&app, &format!("/v1/ebls/{}", id_of(&doc))).await;
    assert_eq!(ebl.body["holder"], "SHIPPER", "{}", ebl.body);
}

#[tokio::test]
async fn a_straight_bl_whose_consignee_is_not_named_here_is_refused() {
    let (_node, _c, app) = custodial_kit::app();
    let mut doc = straight("TF-8", "CONSIGNEE");
    doc["documentParties"]["consignee"] = json!({"partyName": "Somebody"});
    let reply = issue(
        &app,
        json!({"transport_document": doc, "issue_to": "SHIPPER"}),
    )
    .await;
    reply.assert_problem(422, "UNKNOWN_PARTY");
}

#[tokio::test]
async fn dcsa_iss_refuses_a_document_whose_issuing_party_is_another_carrier() {
    let (node, app) = dcsa::dcsa_app();
    let before = dcsa::height(&node);
    let mut request = dcsa::issuance_sample_as_published();
    request["document"]["transportDocumentReference"] = "TF-ISS-1".into();
    request["document"]["documentParties"]["issuingParty"]["identifyingCodes"] =
        named("CARRIER2")["identifyingCodes"].clone();
    let request = dcsa::with_manifest(request);
    let uri = "/v3/ebl-issuance-requests?responseMode=sync";
    let reply = dcsa::send_json(&app, Method::PUT, uri, dcsa::CARRIER_KEY, &request).await;
    assert_eq!(reply.body["issuanceResponseCode"], "BREQ", "{}", reply.body);
    assert_eq!(
        reply.body["errors"][0]["errorCode"], "DOCUMENT_MISMATCH",
        "{}",
        reply.body
    );
    assert_eq!(dcsa::height(&node), before);
}

#[tokio::test]
async fn dcsa_iss_records_the_endorsee_its_document_names() {
    let (_node, app) = dcsa::dcsa_app();
    let mut request = dcsa::issuance_sample_as_published();
    request["document"]["transportDocumentReference"] = "TF-ISS-2".into();
    request["document"]["documentParties"]["endorsee"] = named("BANK");
    let request = dcsa::with_manifest(request);
    let uri = "/v3/ebl-issuance-requests?responseMode=sync";
    let reply = dcsa::send_json(&app, Method::PUT, uri, dcsa::CARRIER_KEY, &request).await;
    assert_eq!(reply.body["issuanceResponseCode"], "ISSU", "{}", reply.body);
    let id = id_of(&request["document"]);
    let ebl = support::get(&app, &format!("/v1/ebls/{id}")).await;
    assert_eq!(ebl.body["endorsee"], "BANK", "{}", ebl.body);
}

#[tokio::test]
async fn an_amendments_replacement_is_bound_to_its_document_too() {
    let (_node, _c, app) = custodial_kit::app();
    let id = custodial_kit::issue(&app, "TF-A1", "SHIPPER", "SHIPPER").await;
    let cod = json!({"amendment_reason": "COD"});
    assert_final(&custodial_kit::ebl(&app, "shipper-erp", &id, "surrender", cod).await);
    let accept = json!({});
    assert_final(&custodial_kit::ebl(&app, "carrier-ops", &id, "accept-surrender", accept).await);
    let replacement = custodial_kit::document_of("TF-A2", "SHIPPER");
    let wrong = json!({"replacement": {"transport_document": replacement, "consignee": "BANK",
        "issue_to": "SHIPPER"}});
    let reply = custodial_kit::ebl(&app, "carrier-ops", &id, "amend", wrong).await;
    reply.assert_problem(422, "DOCUMENT_MISMATCH");
    let old = read(&app, &format!("/v1/ebls/{id}")).await;
    assert_eq!(
        old.body["status"], "SURRENDERED_FOR_AMENDMENT",
        "{}",
        old.body
    );
    let right = json!({"replacement": {"transport_document": replacement, "issue_to": "SHIPPER"}});
    assert_final(&custodial_kit::ebl(&app, "carrier-ops", &id, "amend", right).await);
    let new = read(&app, &format!("/v1/ebls/{}", id_of(&replacement))).await;
    assert_eq!(new.body["endorsee"], "SHIPPER", "{}", new.body);
}
