//! R335: verification re-checks every move of a bill between platforms under the trust file,
//! so a refusal a member recorded without the receiving platform's signature is visible.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/dcsa.rs"]
mod dcsa;
#[path = "support/pint.rs"]
mod pint;
mod support;

use axum::http::Method;
use dcsa::*;
use ebl_gateway::pint::jws::PlatformSigningKey;
use ebl_ledger::ebl::pint::PintRecord;
use ebl_ledger::ebl::{EblAction, EblRecord, EblStatus, ExportAnswerCode};
use ebl_ledger::entry::Body;
use ebl_ledger::hash::DocumentId;
use ebl_ledger::state::keys;
use pint::*;
use serde_json::{Value, json};

async fn issue_to_bank(a: &Side) -> (Value, DocumentId) {
    let (request, id) = issue_sample(a).await;
    let uri = format!("/v1/custodial/ebls/{id}/transfer?wait=final");
    let reply = send_json(
        &a.app,
        Method::POST,
        &uri,
        SHIPPER_KEY,
        &json!({"to": "BANK"}),
    )
    .await;
    assert!(reply.status.is_success(), "{}", reply.body);
    (request, id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_no_platform_signed_fails_verification_and_a_real_move_passes() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _b) = two_platforms(dir.path()).await;
    let (request, id) = issue_to_bank(&a).await;
    // EBLB cannot be reached any more: the trust file now points elsewhere (re-read on change).
    let dead = "http://127.0.0.1:9";
    let trust = write_trust(dir.path(), "EBLA", "EBLB", dead);
    assert!(trust.ends_with("trust-EBLA.json"));
    let uri = format!("/v1/custodial/ebls/{id}/export?wait=final");
    let body = json!({"recipient": party("Consignee on B", "EBLB", "CONSIGNEE")});
    let reply = send_json(&a.app, Method::POST, &uri, BANK_KEY, &body).await;
    assert!(reply.status.is_success(), "{}", reply.body);
    // BANK signs a refusal itself, with a JWS of its own making (no platform's key).
    let impostor = PlatformSigningKey {
        kid: "EBLB-1".into(),
        key: ed25519_dalek::SigningKey::from_bytes(&[3; 32]),
    };
    let chain_entry = a
        .node
        .with(|n| n.ledger.get::<PintRecord>(&keys::pint(&id)).unwrap())
        .unwrap()
        .pending
        .unwrap()
        .chain_entry;
    let forged = ebl_gateway::pint::send::finished_response(
        ebl_gateway::pint::model::ResponseCode::BENV,
        &ebl_gateway::pint::jws::checksum(&chain_entry),
        ebl_gateway::pint::send::ResponseDetails::default(),
        &impostor,
    );
    let answer = Body::Ebl(EblAction::ExportAnswer {
        document: id,
        code: ExportAnswerCode::BadEnvelope,
        response: forged,
    });
    a.node.with(|n| n.submit("BANK", answer)).unwrap();
    let record = a
        .node
        .with(|n| n.ledger.get::<EblRecord>(&keys::ebl(&id)).unwrap())
        .unwrap();
    assert_eq!(
        record.status,
        EblStatus::Active,
        "the ledger took the member's word"
    );
    // The bank that verifies before paying sees it.
    let reply = send_json(
        &a.app,
        Method::POST,
        "/v1/verify",
        READ_KEY,
        &request["document"],
    )
    .await;
    let check = check_in(&reply.body, "PLATFORM");
    assert_eq!(check["result"], "FAIL", "{check}");
    assert_eq!(check["code"], "PINT_UNVERIFIED");
    assert_eq!(reply.body["outcome"], "FAILED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bill_that_really_travelled_verifies_on_both_sides() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two_platforms(dir.path()).await;
    let (request, id) = issue_to_bank(&a).await;
    let uri = format!("/v1/custodial/ebls/{id}/export?wait=final");
    let body = json!({"recipient": party("Consignee on B", "EBLB", "CONSIGNEE")});
    let reply = send_json(&a.app, Method::POST, &uri, BANK_KEY, &body).await;
    assert!(reply.status.is_success(), "{}", reply.body);
    let exported = || {
        a.node
            .with(|n| n.ledger.get::<EblRecord>(&keys::ebl(&id)).unwrap())
            .is_some_and(|r| r.status == EblStatus::Exported)
    };
    eventually("EXPORTED on EBLA", exported).await;
    for side in [&a, &b] {
        let check = verify_check(side, &request["document"], "PLATFORM").await;
        assert_eq!(check["code"], "PINT_VERIFIED", "{}: {check}", side.code);
    }
    // A bill that never travelled has no PLATFORM check.
    let mut other = issuance_sample_as_published();
    other["document"]["transportDocumentReference"] = json!("HOME0001");
    let other = with_manifest(other);
    let uri = "/v3/ebl-issuance-requests?responseMode=sync";
    send_json(&a.app, Method::PUT, uri, CARRIER_KEY, &other).await;
    let reply = send_json(
        &a.app,
        Method::POST,
        "/v1/verify",
        READ_KEY,
        &other["document"],
    )
    .await;
    let checks = reply.body["checks"].as_array().unwrap();
    assert!(
        checks.iter().all(|c| c["check"] != "PLATFORM"),
        "{}",
        reply.body
    );
}
