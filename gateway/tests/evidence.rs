//! Offshore-trade evidence over HTTP (R400–R409): parties link by custodial calls, a bank
//! checks its references in one call and its receipt cites the matched links; outsiders learn
//! nothing, not even that the bill exists.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod custodial_kit;
mod support;

use axum::Router;
use axum::http::Method;
use custodial_kit::*;
use ebl_ledger::entry::{Body, DocumentRef};
use ebl_ledger::hash::Hash32;
use ebl_ledger::receipt::{VerificationOutcome, VerificationReceipt};
use serde_json::{Value, json};
use support::{LocalNode, Reply, send};

fn sha(label: &str) -> String {
    Hash32::sha256(label.as_bytes()).to_hex()
}

fn one(kind: &str, reference: &str, document: &str) -> Value {
    json!({"kind": kind, "reference": reference, "hash": sha(document)})
}

async fn get_as(app: &Router, identity: &str, uri: &str) -> Reply {
    send(app, Method::GET, uri, &secret_of(identity), None).await
}

async fn check_as(app: &Router, identity: &str, id: &str, items: Value) -> Reply {
    let body = serde_json::to_vec(&json!({ "items": items })).unwrap();
    let uri = format!("/v1/ebls/{id}/evidence/check");
    send(app, Method::POST, &uri, &secret_of(identity), Some(body)).await
}

/// A bill issued to SHIPPER, which links its purchase order (1) and customs declaration (2)
/// and passes it to BANK, which links its LC (3) and the payment (4).
async fn linked_bill(app: &Router, reference: &str) -> String {
    let id = issue(app, reference, "SHIPPER", "SHIPPER").await;
    let goods = json!({"links": [
        one("PURCHASE_ORDER", "PO-2026-118", "purchase order"),
        one("CUSTOMS_DECLARATION", "530120260001234567", "export declaration"),
    ]});
    assert_final(&ebl(app, "shipper-erp", &id, "link-evidence", goods).await);
    let to_bank = json!({"to": "BANK"});
    assert_final(&ebl(app, "shipper-erp", &id, "transfer", to_bank).await);
    let mut lc = one("LETTER_OF_CREDIT", "LC-0042", "documentary credit");
    lc["issuer"] = json!("BKCHCNBJ");
    let funds = json!({"links": [lc, one("PAYMENT", "MT103-77", "payment order")]});
    assert_final(&ebl(app, "bank-tf", &id, "link-evidence", funds).await);
    id
}

/// BANK records a receipt about `id` citing `cites` (signed directly on the test node, after
/// every custodial action of BANK).
fn bank_receipt(node: &LocalNode, id: &str, cites: Vec<u32>) -> Result<(), String> {
    let id = Hash32::from_hex(id).unwrap();
    node.with(|net| {
        let key = net.party("BANK").key.clone();
        net.resync_sequence(&key);
        net.submit(
            "BANK",
            Body::Verification(VerificationReceipt {
                subject: DocumentRef::Ebl { id },
                outcome: VerificationOutcome::Verified,
                purpose: "OFFSHORE_TRADE_CHECK".into(),
                detail: "order, goods and funds flows refer to one shipment".into(),
                cites,
            }),
        )
    })
}

#[tokio::test]
async fn a_bank_checks_its_references_in_one_call_and_its_receipt_cites_the_matches() {
    let (node, _c, app) = app();
    let id = linked_bill(&app, "EVID-1").await;
    let items = json!([
        one("LETTER_OF_CREDIT", "LC-0042", "documentary credit"),
        one("PAYMENT", "MT103-77", "payment order"),
        one("PURCHASE_ORDER", "PO-2026-118", "purchase order"),
    ]);
    let reply = check_as(&app, "bank-tf", &id, items).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["all_match"], true, "{}", reply.body);
    assert_eq!(reply.body["cites"], json!([1, 3, 4]));
    assert_eq!(reply.body["items"][0]["link"], 3);
    assert_eq!(reply.body["items"][0]["linker"], "BANK");
    assert_eq!(reply.body["items"][2]["linker"], "SHIPPER");

    bank_receipt(&node, &id, vec![1, 3, 4]).unwrap();
    let set = get_as(&app, "shipper-erp", &format!("/v1/ebls/{id}/evidence")).await;
    assert_eq!(set.status, 200, "{}", set.body);
    let links = set.body["links"].as_array().unwrap();
    assert_eq!(links.len(), 4);
    assert_eq!(links[2]["kind"], "LETTER_OF_CREDIT");
    assert_eq!(links[2]["issuer"], "BKCHCNBJ");
    assert_eq!(links[2]["hash"], sha("documentary credit"));
    assert_eq!(links[2]["cited_by"][0]["verifier"], "BANK");
    assert_eq!(
        links[1]["cited_by"],
        json!([]),
        "the customs link was not cited"
    );
    let receipts = get_as(&app, "bank-tf", &format!("/v1/ebls/{id}/receipts")).await;
    assert_eq!(receipts.body["receipts"][0]["cites"], json!([1, 3, 4]));
}

#[tokio::test]
async fn a_wrong_hash_and_a_missing_reference_are_told_apart() {
    let (_node, _c, app) = app();
    let id = linked_bill(&app, "EVID-2").await;
    let items = json!([
        one("LETTER_OF_CREDIT", "LC-0042", "an amended credit"),
        one("COMMERCIAL_INVOICE", "INV-9", "invoice"),
        one("PAYMENT", "LC-0042", "documentary credit"),
    ]);
    let reply = check_as(&app, "bank-tf", &id, items).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let results: Vec<&str> = reply.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["result"].as_str().unwrap())
        .collect();
    assert_eq!(results, ["HASH_MISMATCH", "NOT_LINKED", "NOT_LINKED"]);
    assert_eq!(reply.body["all_match"], false);
    assert_eq!(reply.body["cites"], json!([]));
}

#[tokio::test]
async fn a_withdrawn_link_no_longer_matches_and_cannot_be_cited() {
    let (node, _c, app) = app();
    let id = linked_bill(&app, "EVID-3").await;
    let withdraw = json!({"link": 1, "reason": "superseded by PO revision 2"});
    assert_final(&ebl(&app, "shipper-erp", &id, "withdraw-evidence", withdraw).await);
    let items = json!([one("PURCHASE_ORDER", "PO-2026-118", "purchase order")]);
    let reply = check_as(&app, "bank-tf", &id, items).await;
    assert_eq!(
        reply.body["items"][0]["result"], "NOT_LINKED",
        "{}",
        reply.body
    );
    let set = get_as(&app, "bank-tf", &format!("/v1/ebls/{id}/evidence")).await;
    assert_eq!(set.body["links"][0]["live"], false);
    assert_eq!(
        set.body["links"][0]["withdrawn"]["reason"],
        "superseded by PO revision 2"
    );
    assert_eq!(
        bank_receipt(&node, &id, vec![1]),
        Err("LINK_WITHDRAWN".into())
    );
    assert_eq!(
        bank_receipt(&node, &id, vec![9]),
        Err("UNKNOWN_LINK".into())
    );
}

#[tokio::test]
async fn an_outsider_gets_the_answer_for_an_unknown_bill() {
    let (_node, _c, app) = app();
    let id = linked_bill(&app, "EVID-4").await;
    let unknown = "ab".repeat(32);
    for bill in [&id, &unknown] {
        let set = get_as(&app, "msa-db", &format!("/v1/ebls/{bill}/evidence")).await;
        set.assert_problem(404, "UNKNOWN_DOCUMENT");
        let items = json!([one("LETTER_OF_CREDIT", "LC-0042", "documentary credit")]);
        let check = check_as(&app, "msa-db", bill, items).await;
        check.assert_problem(404, "UNKNOWN_DOCUMENT");
    }
    let a = get_as(&app, "msa-db", &format!("/v1/ebls/{id}/evidence")).await;
    let b = get_as(&app, "msa-db", &format!("/v1/ebls/{unknown}/evidence")).await;
    assert_eq!(a.body["detail"], b.body["detail"]);
    // The outsider cannot link either.
    let link = json!({"links": [one("CUSTOMS_DECLARATION", "C-1", "declaration")]});
    let refused = ebl(&app, "msa-db", &id, "link-evidence", link).await;
    refused.assert_problem(422, "NOT_PARTY");
}

#[tokio::test]
async fn malformed_checks_and_links_are_refused() {
    let (_node, _c, app) = app();
    let id = linked_bill(&app, "EVID-5").await;
    check_as(&app, "bank-tf", &id, json!([]))
        .await
        .assert_problem(422, "INVALID_FIELD");
    let many: Vec<Value> = (0..17)
        .map(|i| one("PAYMENT", &format!("P-{i}"), "p"))
        .collect();
    check_as(&app, "bank-tf", &id, json!(many))
        .await
        .assert_problem(422, "INVALID_FIELD");
    let spaced = json!([one("PAYMENT", " P-1", "p")]);
    check_as(&app, "bank-tf", &id, spaced)
        .await
        .assert_problem(422, "INVALID_FIELD");
    let bad_hash = json!([{"kind": "PAYMENT", "reference": "P-1", "hash": "zz"}]);
    check_as(&app, "bank-tf", &id, bad_hash)
        .await
        .assert_problem(422, "INVALID_REQUEST");
    ebl(&app, "bank-tf", &id, "link-evidence", json!({}))
        .await
        .assert_problem(422, "MISSING_FIELD");
    let twice = json!({"links": [one("LETTER_OF_CREDIT", "LC-0042", "documentary credit")]});
    ebl(&app, "bank-tf", &id, "link-evidence", twice)
        .await
        .assert_problem(422, "DUPLICATE_LINK");
    let not_mine = json!({"link": 1, "reason": "no"});
    ebl(&app, "bank-tf", &id, "withdraw-evidence", not_mine)
        .await
        .assert_problem(422, "NOT_LINKER");
}
