//! R227–R229: the PARTIES check of `/v1/verify` compares the presented document's title facts
//! with what the ledger issued; an ISSUE signed outside the gateway that names another
//! consignee passes INTEGRITY and HOLDER but fails PARTIES.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::Method;
use ebl_ledger::ebl::{EblAction, EblIssue, EblType};
use ebl_ledger::entry::Body;
use serde_json::{Value, json};
use support::*;

fn named(id: &str) -> Value {
    json!({"partyName": id, "identifyingCodes": [{"codeListProvider": "EBLL", "partyCode": id}]})
}

/// The sample as a straight BL naming CONSIGNEE.
fn straight_document() -> Value {
    let (_, _, mut doc) = sample_document();
    doc["isToOrder"] = json!(false);
    doc["documentParties"]["consignee"] = named("CONSIGNEE");
    doc
}

/// Issues `doc` straight from CARRIER's key (no gateway), recording `consignee` and `kind`.
fn issue_raw(node: &LocalNode, doc: &Value, kind: EblType, consignee: &str) {
    let issue = EblIssue {
        document: ebl_ledger::docid::document_id(doc).unwrap(),
        reference: doc["transportDocumentReference"].as_str().unwrap().into(),
        kind,
        issue_to: node.with(|n| n.org("SHIPPER")),
        consignee: Some(node.with(|n| n.org(consignee))),
    };
    node.with(|n| n.submit("CARRIER", Body::Ebl(EblAction::Issue(issue))))
        .unwrap();
}

fn parties(reply: &Reply) -> Value {
    let checks = reply.body["checks"].as_array().unwrap();
    checks
        .iter()
        .find(|c| c["check"] == "PARTIES")
        .cloned()
        .unwrap_or_else(|| panic!("no PARTIES check: {}", reply.body))
}

#[tokio::test]
async fn a_document_whose_facts_the_ledger_recorded_passes_parties() {
    let (node, app) = app();
    let doc = straight_document();
    issue_raw(&node, &doc, EblType::StraightBl, "CONSIGNEE");
    let reply = post(&app, "/v1/verify", &doc).await;
    assert_eq!(reply.body["outcome"], "VERIFIED", "{}", reply.body);
    assert_eq!(parties(&reply)["code"], "PARTIES_MATCH");
    assert!(parties(&reply).get("mismatched").is_none());
}

#[tokio::test]
async fn a_ledger_consignee_other_than_the_documents_fails_parties_though_integrity_passes() {
    let (node, app) = app();
    let doc = straight_document();
    issue_raw(&node, &doc, EblType::StraightBl, "BANK");
    // A reader of the title (here the regulator key) is told what the ledger recorded.
    let body = serde_json::to_vec(&doc).unwrap();
    let uri = "/v1/verify?holder=SHIPPER";
    let reply = send(&app, Method::POST, uri, READ, Some(body.clone())).await;
    assert_eq!(reply.body["outcome"], "FAILED", "{}", reply.body);
    assert_eq!(reply.body["checks"][0]["code"], "INTEGRITY_OK");
    assert_eq!(reply.body["checks"][3]["code"], "HOLDER_OK");
    let check = parties(&reply);
    assert_eq!(check["result"], "FAIL");
    assert_eq!(check["code"], "PARTIES_MISMATCH");
    assert_eq!(check["mismatched"], json!(["consignee"]));
    assert!(check["message"].as_str().unwrap().contains("BANK"));
    // R238: a verifier who may not read the title learns which fact differs, not its value.
    let reply = send(&app, Method::POST, uri, SUBMIT, Some(body)).await;
    assert_eq!(reply.body["outcome"], "FAILED", "{}", reply.body);
    let check = parties(&reply);
    assert_eq!(check["mismatched"], json!(["consignee"]));
    assert!(
        !check["message"].as_str().unwrap().contains("BANK"),
        "{check}"
    );
}

#[tokio::test]
async fn a_ledger_kind_other_than_the_documents_names_kind_and_to_order() {
    let (node, app) = app();
    let doc = straight_document();
    issue_raw(&node, &doc, EblType::ToOrderBl, "CONSIGNEE");
    let check = parties(&post(&app, "/v1/verify", &doc).await);
    assert_eq!(check["mismatched"], json!(["kind", "to_order"]));
}

#[tokio::test]
async fn a_document_issued_by_another_carrier_than_it_names_fails_parties() {
    let (node, app) = app();
    let mut doc = straight_document();
    doc["documentParties"]["issuingParty"] = named("CARRIER2");
    issue_raw(&node, &doc, EblType::StraightBl, "CONSIGNEE");
    let check = parties(&post(&app, "/v1/verify", &doc).await);
    assert_eq!(check["mismatched"], json!(["issuing_carrier"]));
}

#[tokio::test]
async fn parties_named_by_codes_unknown_here_are_a_warning() {
    let (node, app) = app();
    let mut doc = straight_document();
    doc["documentParties"]["consignee"] = json!({"partyName": "Somebody"});
    issue_raw(&node, &doc, EblType::StraightBl, "CONSIGNEE");
    let reply = post(&app, "/v1/verify", &doc).await;
    assert_eq!(reply.body["outcome"], "INCONCLUSIVE", "{}", reply.body);
    assert_eq!(parties(&reply)["code"], "PARTIES_UNREADABLE");
}

#[tokio::test]
async fn an_id_alone_skips_parties_without_changing_the_outcome() {
    let (node, app) = app();
    let doc = straight_document();
    issue_raw(&node, &doc, EblType::StraightBl, "BANK");
    let id = ebl_ledger::docid::document_id(&doc).unwrap();
    let reply = send(
        &app,
        axum::http::Method::POST,
        "/public/v1/verify",
        "",
        Some(serde_json::to_vec(&json!({"ebl": id.to_hex()})).unwrap()),
    )
    .await;
    assert_eq!(reply.body["outcome"], "VERIFIED", "{}", reply.body);
    let check = parties(&reply);
    assert_eq!(check["result"], "SKIPPED");
    assert_eq!(check["code"], "PARTIES_NOT_PRESENTED");
}
