//! The full flow: the DCSA sample issued through a signed entry, transferred, queried, verified
//! and proven offline.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use ebl_ledger::block::BlockHeader;
use ebl_ledger::ebl::{EblAction, EblRecord};
use ebl_ledger::entry::Body;
use ebl_ledger::state::tree::RecordProof;
use serde_json::json;
use support::*;

#[tokio::test]
async fn dcsa_sample_is_issued_transferred_verified_and_proven_offline() {
    let (node, app) = app();
    let (doc_id, reference, _) = sample_document();

    // ISSUE by the carrier, submitted as hex of the canonical bytes.
    let issue = signed_issue(&node);
    let reply = post(&app, "/v1/entries", &hex_body(&issue)).await;
    assert_eq!(reply.status, 202, "{}", reply.body);
    assert_eq!(reply.body["status"], "pending");
    assert_eq!(reply.body["id"], issue.id().to_hex());
    let status = get(&app, &format!("/v1/entries/{}", issue.id())).await;
    assert_eq!(status.body["status"], "final", "{}", status.body);

    // TRANSFER by the shipper to the bank, submitted in JSON form, waiting for finality.
    let bank = node.with(|n| n.org("BANK"));
    let transfer = node.with(|n| {
        n.sign(
            "SHIPPER",
            Body::Ebl(EblAction::Transfer {
                document: doc_id,
                to: bank.clone(),
            }),
        )
    });
    let reply = post(
        &app,
        "/v1/entries?wait=final&timeout_ms=2000",
        &serde_json::to_value(&transfer).unwrap(),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["status"], "final");
    let transfer_height = reply.body["height"].as_u64().unwrap();

    // The new holder, with the history.
    let ebl = get(&app, &format!("/v1/ebls/{doc_id}")).await;
    assert_eq!(ebl.status, 200, "{}", ebl.body);
    assert_eq!(ebl.body["holder"], "BANK");
    assert!(
        ebl.body["endorsee"].is_null(),
        "blank, as the document says"
    );
    assert_eq!(ebl.body["status"], "ACTIVE");
    assert_eq!(ebl.body["reference"], reference);
    let history = ebl.body["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["action"], "ISSUE");
    assert_eq!(history[0]["actor"], "CARRIER");
    assert_eq!(history[1]["action"], "TRANSFER");
    assert_eq!(history[1]["height"].as_u64(), Some(transfer_height));
    assert_eq!(history[1]["to"], "BANK");
    assert!(history[1]["time"].as_str().unwrap().ends_with('Z'));

    // Verification of the uploaded issuance request, presented by the bank, as read by the
    // regulator (R238: the full HOLDER check is for readers of the title).
    let verdict = send(
        &app,
        axum::http::Method::POST,
        "/v1/verify?holder=BANK",
        READ,
        Some(serde_json::to_vec(&dcsa_issuance_request()).unwrap()),
    )
    .await;
    assert_eq!(verdict.status, 200, "{}", verdict.body);
    assert_eq!(verdict.body["outcome"], "VERIFIED", "{}", verdict.body);
    let checks = verdict.body["checks"].as_array().unwrap();
    let names: Vec<&str> = checks
        .iter()
        .map(|c| c["check"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["INTEGRITY", "STATUS", "ISSUER", "HOLDER", "PARTIES"]
    );
    assert!(
        checks.iter().all(|c| c["result"] == "PASS"),
        "{}",
        verdict.body
    );
    assert!(
        checks[2]["message"]
            .as_str()
            .unwrap()
            .contains("Ocean Line Shipping Co")
    );

    // The proof bundle verifies offline, and fails once tampered with.
    let bundle = get(&app, &format!("/v1/proofs/ebls/{doc_id}")).await;
    assert_eq!(bundle.status, 200, "{}", bundle.body);
    assert!(bundle.body.get("commit_certificate").is_some());
    let header: BlockHeader = serde_json::from_value(bundle.body["header"].clone()).unwrap();
    let proof: RecordProof = serde_json::from_value(bundle.body["record"].clone()).unwrap();
    assert_eq!(bundle.body["header_hash"], header.hash().to_hex());
    proof.verify(&header.state_root).unwrap();
    let record: EblRecord =
        ebl_ledger::codec::decode_stored(proof.value.as_deref().unwrap()).unwrap();
    assert_eq!(record.holder().as_str(), "BANK");

    let mut tampered = proof.clone();
    let mut value = tampered.value.take().unwrap();
    let last = value.len() - 1;
    value[last] ^= 1;
    tampered.value = Some(value);
    assert!(tampered.verify(&header.state_root).is_err());
    let mut wrong_root = header.state_root;
    wrong_root.0[0] ^= 1;
    assert!(proof.verify(&wrong_root).is_err());

    // Receipts of the document: none recorded yet.
    let receipts = get(&app, &format!("/v1/ebls/{doc_id}/receipts")).await;
    assert_eq!(receipts.status, 200);
    assert_eq!(receipts.body, json!({"receipts": []}));
}
