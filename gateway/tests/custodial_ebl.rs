//! Every custodial eBL action through `POST /v1/custodial/ebls[/{id}/{action}]`: the node signs
//! for the identity the API key is bound to, and the ledger's rules decide.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod custodial_kit;
mod support;

use custodial_kit::*;
use serde_json::json;

async fn ebl_status(app: &axum::Router, id: &str) -> serde_json::Value {
    read(app, &format!("/v1/ebls/{id}")).await.body
}

#[tokio::test]
async fn an_ebl_is_issued_endorsed_transferred_surrendered_and_accepted_by_custodial_calls() {
    let (_node, _c, app) = app();
    let id = issue(&app, "CUST-FLOW-1", "SHIPPER", "SHIPPER").await;
    assert_final(&ebl(&app, "shipper-erp", &id, "sign", json!({})).await);
    let to_bank = json!({"endorsee": "BANK"});
    assert_final(&ebl(&app, "shipper-erp", &id, "endorse-to-order", to_bank).await);
    assert_final(&ebl(&app, "shipper-erp", &id, "transfer", json!({"to": "BANK"})).await);
    let to_consignee = json!({"endorsee": "CONSIGNEE"});
    assert_final(&ebl(&app, "bank-tf", &id, "endorse", to_consignee).await);
    let transfer = json!({"to": "CONSIGNEE", "remark": "LC 42 settled"});
    assert_final(&ebl(&app, "bank-tf", &id, "transfer", transfer).await);
    assert_final(&ebl(&app, "consignee-erp", &id, "surrender", json!({})).await);
    assert_final(&ebl(&app, "carrier-ops", &id, "accept-surrender", json!({})).await);
    let view = ebl_status(&app, &id).await;
    assert_eq!(view["status"], "ACCOMPLISHED", "{view}");
    assert_eq!(view["holder"], "CARRIER", "{view}");
}

#[tokio::test]
async fn a_received_ebl_is_rejected_and_a_surrender_is_refused_by_the_carrier() {
    let (_node, _c, app) = app();
    let id = issue(&app, "CUST-REJ-1", "SHIPPER", "SHIPPER").await;
    assert_final(
        &ebl(
            &app,
            "shipper-erp",
            &id,
            "endorse-to-order",
            json!({"endorsee": "BANK"}),
        )
        .await,
    );
    assert_final(&ebl(&app, "shipper-erp", &id, "transfer", json!({"to": "BANK"})).await);
    let reason = json!({"reason": "not under our credit"});
    assert_final(&ebl(&app, "bank-tf", &id, "reject", reason).await);
    assert_eq!(ebl_status(&app, &id).await["holder"], "SHIPPER");
    // Back with the shipper, which now surrenders it for delivery; the carrier refuses.
    assert_final(&ebl(&app, "shipper-erp", &id, "surrender", json!({})).await);
    let refuse = json!({"reason": "freight unpaid"});
    assert_final(&ebl(&app, "carrier-ops", &id, "reject-surrender", refuse).await);
    let view = ebl_status(&app, &id).await;
    assert_eq!(view["status"], "ACTIVE", "{view}");
    assert_eq!(view["holder"], "SHIPPER", "{view}");
}

#[tokio::test]
async fn nominate_and_blank_endorse_are_signed_for_their_parties() {
    let (_node, _c, app) = app();
    // Held by SHIPPER, to the order of BANK: the endorsee proposes a new endorsee.
    let nominated = issue(&app, "CUST-NOM-1", "SHIPPER", "BANK").await;
    let nominee = json!({"nominee": "CONSIGNEE"});
    assert_final(&ebl(&app, "bank-tf", &nominated, "nominate", nominee).await);
    assert_eq!(ebl_status(&app, &nominated).await["nominee"], "CONSIGNEE");
    let blank = issue(&app, "CUST-BLANK-1", "SHIPPER", "SHIPPER").await;
    assert_final(&ebl(&app, "shipper-erp", &blank, "blank-endorse", json!({})).await);
    assert_eq!(ebl_status(&app, &blank).await["endorsement"], "BLANK");
}

#[tokio::test]
async fn a_surrender_for_amendment_is_accepted_and_the_carrier_amends() {
    let (_node, _c, app) = app();
    let id = issue(&app, "CUST-AMEND-1", "SHIPPER", "SHIPPER").await;
    let cod = json!({"amendment_reason": "COD"});
    assert_final(&ebl(&app, "shipper-erp", &id, "surrender", cod).await);
    assert_final(&ebl(&app, "carrier-ops", &id, "accept-surrender", json!({})).await);
    let replacement = json!({"replacement": {
        "transport_document": document_of("CUST-AMEND-2", "SHIPPER"),
        "issue_to": "SHIPPER",
        "consignee": "SHIPPER",
    }});
    assert_final(&ebl(&app, "carrier-ops", &id, "amend", replacement).await);
    let old = ebl_status(&app, &id).await;
    assert_eq!(old["status"], "REPLACED", "{old}");
    let new = ebl_status(&app, &id_of(&document_of("CUST-AMEND-2", "SHIPPER"))).await;
    assert_eq!(new["status"], "ACTIVE", "{new}");
    assert_eq!(new["replaces"][0], id.as_str(), "{new}");
}

/// Surrenders `id` (held by SHIPPER) for a change of destination; the carrier accepts.
async fn surrendered_for_amendment(app: &axum::Router, id: &str) {
    let cod = json!({"amendment_reason": "COD"});
    assert_final(&ebl(app, "shipper-erp", id, "surrender", cod).await);
    assert_final(&ebl(app, "carrier-ops", id, "accept-surrender", json!({})).await);
}

fn replacement(reference: &str) -> serde_json::Value {
    json!({"transport_document": document_of(reference, "SHIPPER"), "issue_to": "SHIPPER"})
}

#[tokio::test]
async fn the_carrier_splits_one_surrendered_bill_into_two() {
    let (_node, _c, app) = app();
    let id = issue(&app, "CUST-SPLIT-1", "SHIPPER", "SHIPPER").await;
    surrendered_for_amendment(&app, &id).await;
    let parts = ["CUST-SPLIT-1A", "CUST-SPLIT-1B"];
    let body = json!({"replacements": [replacement(parts[0]), replacement(parts[1])]});
    assert_final(&ebl(&app, "carrier-ops", &id, "split", body).await);
    let old = ebl_status(&app, &id).await;
    assert_eq!(old["status"], "REPLACED", "{old}");
    for part in parts {
        let new = ebl_status(&app, &id_of(&document_of(part, "SHIPPER"))).await;
        assert_eq!(new["status"], "ACTIVE", "{new}");
        assert_eq!(new["replaces"][0], id.as_str(), "{new}");
    }
}

#[tokio::test]
async fn the_carrier_combines_two_surrendered_bills_into_one() {
    let (_node, _c, app) = app();
    let a = issue(&app, "CUST-COMB-1", "SHIPPER", "SHIPPER").await;
    let b = issue(&app, "CUST-COMB-2", "SHIPPER", "SHIPPER").await;
    surrendered_for_amendment(&app, &a).await;
    surrendered_for_amendment(&app, &b).await;
    let body = json!({"combine_with": [b], "replacement": replacement("CUST-COMB-3")});
    assert_final(&ebl(&app, "carrier-ops", &a, "combine", body).await);
    for old in [&a, &b] {
        assert_eq!(ebl_status(&app, old).await["status"], "REPLACED");
    }
    let new = ebl_status(&app, &id_of(&document_of("CUST-COMB-3", "SHIPPER"))).await;
    assert_eq!(new["status"], "ACTIVE", "{new}");
    assert_eq!(new["replaces"].as_array().unwrap().len(), 2, "{new}");
}

#[tokio::test]
async fn split_and_combine_without_their_fields_are_refused() {
    let (_node, _c, app) = app();
    let id = issue(&app, "CUST-SPLIT-2", "SHIPPER", "SHIPPER").await;
    surrendered_for_amendment(&app, &id).await;
    let reply = ebl(&app, "carrier-ops", &id, "split", json!({})).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(reply.code(), "MISSING_FIELD");
    let one = json!({"replacements": [replacement("CUST-SPLIT-2A")]});
    let reply = ebl(&app, "carrier-ops", &id, "split", one).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(reply.code(), "INVALID_FIELD");
    let reply = ebl(
        &app,
        "carrier-ops",
        &id,
        "combine",
        json!({"replacement": replacement("X")}),
    )
    .await;
    assert_eq!(reply.code(), "MISSING_FIELD");
    assert_eq!(
        ebl_status(&app, &id).await["status"],
        "SURRENDERED_FOR_AMENDMENT"
    );
}

#[tokio::test]
async fn switch_to_paper_and_void_close_their_documents() {
    let (_node, _c, app) = app();
    let paper = issue(&app, "CUST-PAPER-1", "SHIPPER", "SHIPPER").await;
    assert_final(&ebl(&app, "shipper-erp", &paper, "switch-to-paper", json!({})).await);
    assert_final(&ebl(&app, "carrier-ops", &paper, "accept-surrender", json!({})).await);
    assert_eq!(
        ebl_status(&app, &paper).await["status"],
        "SWITCHED_TO_PAPER"
    );
    let own = issue(&app, "CUST-VOID-1", "CARRIER", "CARRIER").await;
    let reason = json!({"reason": "booking cancelled"});
    assert_final(&ebl(&app, "carrier-ops", &own, "void", reason).await);
    assert_eq!(ebl_status(&app, &own).await["status"], "VOID");
}

#[tokio::test]
async fn a_transfer_by_a_party_that_does_not_hold_the_ebl_fails_with_the_ledger_code() {
    let (_node, _c, app) = app();
    let id = issue(&app, "CUST-NH-1", "SHIPPER", "SHIPPER").await;
    let reply = ebl(&app, "bank-tf", &id, "transfer", json!({"to": "CONSIGNEE"})).await;
    reply.assert_problem(422, "NOT_HOLDER");
    assert!(reply.body["entry_id"].is_string(), "{}", reply.body);
    // A straight BL is never endorsed.
    let straight = act(
        &app,
        "carrier-ops",
        "/v1/custodial/ebls?wait=final",
        json!({
            "transport_document": document("CUST-STRAIGHT-1"),
            "issue_to": "SHIPPER",
            "consignee": "CONSIGNEE",
            "kind": "STRAIGHT_BL",
        }),
    )
    .await;
    straight.assert_problem(422, "DOCUMENT_MISMATCH");
}

#[tokio::test]
async fn without_wait_the_answer_is_202_with_the_entry_id_and_sequence() {
    let (_node, _c, app) = app();
    let reply = act(
        &app,
        "carrier-ops",
        "/v1/custodial/ebls",
        json!({"transportDocument": document("CUST-202-1"), "issue_to": "SHIPPER"}),
    )
    .await;
    assert_eq!(reply.status.as_u16(), 202, "{}", reply.body);
    assert_eq!(reply.body["status"], "pending");
    assert_eq!(reply.body["sequence"], 0);
    let entry = reply.body["id"].as_str().unwrap().to_string();
    let status = read(&app, &format!("/v1/entries/{entry}")).await;
    assert_eq!(status.body["status"], "final", "{}", status.body);
}
