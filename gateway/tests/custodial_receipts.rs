//! Verification receipts over custodial HTTP (R80–R83, R407): a bank that signs only through
//! its node's custody records the receipt that cites the evidence links it matched; a port
//! State control officer records one about a ship certificate; refused receipts answer the
//! ledger's code and record nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod custodial_kit;
mod support;

use axum::Router;
use axum::http::Method;
use custodial_kit::*;
use ebl_ledger::hash::Hash32;
use serde_json::{Value, json};
use support::{Reply, send};

async fn get_as(app: &Router, identity: &str, uri: &str) -> Reply {
    send(app, Method::GET, uri, &secret_of(identity), None).await
}

async fn receipt(app: &Router, identity: &str, receipt: Value) -> Reply {
    let uri = "/v1/custodial/receipts?wait=final";
    act(app, identity, uri, json!({ "receipt": receipt })).await
}

fn about_bill(id: &str, cites: &[u32]) -> Value {
    json!({"subject": {"type": "EBL", "id": id}, "outcome": "VERIFIED",
           "purpose": "LC_PAYMENT", "detail": "LC terms met", "cites": cites})
}

/// A bill the shipper passed to BANK, which linked its letter of credit (link 1).
async fn bill_with_lc(app: &Router, reference: &str) -> String {
    let id = issue(app, reference, "SHIPPER", "SHIPPER").await;
    assert_final(&ebl(app, "shipper-erp", &id, "transfer", json!({"to": "BANK"})).await);
    let hash = Hash32::sha256(b"documentary credit").to_hex();
    let lc = json!({"links": [{"kind": "LETTER_OF_CREDIT", "reference": "LC-0042", "hash": hash}]});
    assert_final(&ebl(app, "bank-tf", &id, "link-evidence", lc).await);
    id
}

#[tokio::test]
async fn a_custodial_bank_records_a_receipt_citing_its_letter_of_credit() {
    let (_node, _c, app) = app();
    let id = bill_with_lc(&app, "RCPT-1").await;
    assert_final(&receipt(&app, "bank-tf", about_bill(&id, &[1])).await);
    let receipts = get_as(&app, "bank-tf", &format!("/v1/ebls/{id}/receipts")).await;
    assert_eq!(receipts.status.as_u16(), 200, "{}", receipts.body);
    assert_eq!(
        receipts.body["receipts"][0]["verifier"], "BANK",
        "{}",
        receipts.body
    );
    assert_eq!(receipts.body["receipts"][0]["cites"], json!([1]));
    let set = get_as(&app, "bank-tf", &format!("/v1/ebls/{id}/evidence")).await;
    assert_eq!(set.body["links"][0]["cited_by"][0]["verifier"], "BANK");
}

#[tokio::test]
async fn a_port_state_officer_records_a_receipt_about_a_ship_certificate() {
    let (node, _c, app) = app();
    let today = node.with(|n| n.time().date());
    let certificate = json!({"certificate": {
        "utn": "UTN-R1", "kind": "SAFETY_EQUIPMENT",
        "ship": {"imo_number": "9074729", "name": "PILOT STAR", "flag": "CN",
                 "call_sign": "BPXA", "gross_tonnage": 41000},
        "issued_on": today.to_string(), "expires_on": today.add_months(12).to_string(),
        "document": null, "place": "Guangzhou"}});
    let issued = act(
        &app,
        "msa-db",
        "/v1/custodial/certificates?wait=final",
        certificate,
    )
    .await;
    assert_final(&issued);
    let psc = json!({"subject": {"type": "CERTIFICATE", "administration": "MSA", "utn": "UTN-R1"},
                     "outcome": "VERIFIED", "purpose": "PORT_STATE_CONTROL",
                     "detail": "checked on board at Singapore"});
    assert_final(&receipt(&app, "consignee-erp", psc).await);
    let receipts = get_as(&app, "msa-db", "/v1/certificates/MSA/UTN-R1/receipts").await;
    assert_eq!(receipts.status.as_u16(), 200, "{}", receipts.body);
    assert_eq!(
        receipts.body["receipts"][0]["purpose"],
        "PORT_STATE_CONTROL"
    );
}

#[tokio::test]
async fn refused_receipts_answer_the_ledger_s_code_and_record_nothing() {
    let (_node, _c, app) = app();
    let id = bill_with_lc(&app, "RCPT-2").await;
    // A link the bill does not have.
    let unknown = receipt(&app, "bank-tf", about_bill(&id, &[9])).await;
    unknown.assert_problem(422, "UNKNOWN_LINK");
    // Citing is for the bill's parties (R407): the administration is not one.
    let outsider = receipt(&app, "msa-db", about_bill(&id, &[1])).await;
    outsider.assert_problem(422, "NOT_PARTY");
    // A field the request does not have is refused, not dropped.
    let extra = json!({"receipt": about_bill(&id, &[1]), "pay": true});
    let refused = act(&app, "bank-tf", "/v1/custodial/receipts?wait=final", extra).await;
    assert_eq!(refused.status.as_u16(), 422, "{}", refused.body);
    // Without a key.
    let body = serde_json::to_vec(&json!({"receipt": about_bill(&id, &[])})).unwrap();
    let anonymous = send(&app, Method::POST, "/v1/custodial/receipts", "", Some(body)).await;
    assert_eq!(anonymous.status.as_u16(), 401, "{}", anonymous.body);

    let receipts = get_as(&app, "bank-tf", &format!("/v1/ebls/{id}/receipts")).await;
    assert_eq!(receipts.body["receipts"], json!([]), "{}", receipts.body);
}
