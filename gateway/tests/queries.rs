//! Query routes: eBLs, certificates, ships, organisations, grants, accounts, blocks, status,
//! receipts and proofs, with their 400/404 paths.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::Method;
use ebl_ledger::block::BlockHeader;
use ebl_ledger::cert::{CertAction, CertificateIssue, CertificateKind, Ship};
use ebl_ledger::entry::{ActionKind, Body, DocumentRef};
use ebl_ledger::identity::{DocumentKind, GrantAction, GrantTerms, Grantee};
use ebl_ledger::receipt::{VerificationOutcome, VerificationReceipt};
use ebl_ledger::state::tree::RecordProof;
use ebl_ledger::time::Timestamp;
use serde_json::json;
use support::*;

const IMO: &str = "9074729";
const UTN: &str = "MSA-SC-00000001";

fn issue_certificate(node: &LocalNode) {
    node.with(|n| {
        let issued_on = n.time().date();
        let issue = CertificateIssue {
            utn: UTN.into(),
            kind: CertificateKind::SafetyConstruction,
            ship: Ship {
                imo_number: IMO.into(),
                name: "PILOT STAR".into(),
                flag: "CN".into(),
                call_sign: "BPXA".into(),
                gross_tonnage: 41_000,
            },
            issued_on,
            expires_on: issued_on.add_months(60),
            document: None,
            place: "Guangzhou".into(),
        };
        n.submit("MSA", Body::Certificate(CertAction::Issue(issue)))
            .unwrap();
    });
}

fn issue_ebl(node: &LocalNode) {
    let body = issue_body(node);
    node.with(|n| n.submit("CARRIER", body)).unwrap();
}

#[tokio::test]
async fn status_names_the_chain_head_and_validators() {
    let (node, app) = app();
    issue_ebl(&node);
    let reply = get(&app, "/v1/status").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["chain_id"], "ebl-test-1");
    assert_eq!(reply.body["height"], 1);
    let head = node.with(|n| n.ledger.head().hash().to_hex());
    assert_eq!(reply.body["last_block_hash"], head);
    assert_eq!(reply.body["validators"].as_array().unwrap().len(), 4);
    assert_eq!(reply.body["peers"], 0);
}

#[tokio::test]
async fn blocks_show_entries_and_results() {
    let (node, app) = app();
    issue_ebl(&node);
    let genesis = get(&app, "/v1/blocks/0").await;
    assert_eq!(genesis.status, 200);
    assert_eq!(genesis.body["height"], 0);
    let block = get(&app, "/v1/blocks/1").await;
    assert_eq!(block.status, 200, "{}", block.body);
    let entry = &block.body["entries"][0];
    assert_eq!(entry["action"], "ISSUE");
    assert_eq!(entry["result"], "APPLIED");
    let header: BlockHeader = serde_json::from_value(block.body["header"].clone()).unwrap();
    assert_eq!(block.body["hash"], header.hash().to_hex());
    get(&app, "/v1/blocks/99")
        .await
        .assert_problem(404, "UNKNOWN_BLOCK");
    get(&app, "/v1/blocks/abc")
        .await
        .assert_problem(400, "INVALID_PATH");
    get(&app, "/v1/blocks/-1")
        .await
        .assert_problem(400, "INVALID_PATH");
}

#[tokio::test]
async fn ebls_are_found_by_id_and_by_carrier_reference() {
    let (node, app) = app();
    issue_ebl(&node);
    let (id, reference, _) = sample_document();
    let by_ref = get(
        &app,
        &format!("/v1/ebls?carrier=CARRIER&reference={reference}"),
    )
    .await;
    assert_eq!(by_ref.status, 200, "{}", by_ref.body);
    assert_eq!(by_ref.body["id"], id.to_hex());
    assert_eq!(by_ref.body["holder"], "SHIPPER");
    assert_eq!(by_ref.body["kind"], "TO_ORDER_BL");
    get(&app, "/v1/ebls?carrier=CARRIER&reference=NOPE")
        .await
        .assert_problem(404, "UNKNOWN_DOCUMENT");
    get(&app, "/v1/ebls?carrier=CARRIER")
        .await
        .assert_problem(400, "INVALID_QUERY");
    get(&app, "/v1/ebls?carrier=bad%20id&reference=X")
        .await
        .assert_problem(400, "INVALID_FIELD");
    get(&app, &format!("/v1/ebls/{}", "00".repeat(32)))
        .await
        .assert_problem(404, "UNKNOWN_DOCUMENT");
    get(&app, "/v1/ebls/not-hex")
        .await
        .assert_problem(400, "INVALID_ID");
    get(&app, &format!("/v1/ebls/{}/receipts", "00".repeat(32)))
        .await
        .assert_problem(404, "UNKNOWN_DOCUMENT");
    get(&app, &format!("/v1/proofs/ebls/{}", "00".repeat(32)))
        .await
        .assert_problem(404, "UNKNOWN_DOCUMENT");
}

#[tokio::test]
async fn receipts_of_a_document_are_listed() {
    let (node, app) = app();
    issue_ebl(&node);
    let (id, _, _) = sample_document();
    let receipt = VerificationReceipt {
        subject: DocumentRef::Ebl { id },
        outcome: VerificationOutcome::Verified,
        purpose: "IMPORT_CLEARANCE".into(),
        detail: "holder checked".into(),
        cites: Vec::new(),
    };
    node.with(|n| n.submit("SGSW", Body::Verification(receipt)))
        .unwrap();
    let reply = get(&app, &format!("/v1/ebls/{id}/receipts")).await;
    assert_eq!(reply.status, 200);
    let list = reply.body["receipts"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["verifier"], "SGSW");
    assert_eq!(list[0]["outcome"], "VERIFIED");
    assert_eq!(list[0]["purpose"], "IMPORT_CLEARANCE");
}

#[tokio::test]
async fn certificates_have_a_status_at_a_time_and_are_listed_by_ship() {
    let (node, app) = app();
    issue_certificate(&node);
    let uri = format!("/v1/certificates/MSA/{UTN}");
    let now = get(&app, &uri).await;
    assert_eq!(now.status, 200, "{}", now.body);
    assert_eq!(now.body["status"], "VALID");
    assert_eq!(now.body["ship"]["imo_number"], IMO);
    assert_eq!(now.body["issued"]["actor"], "MSA");
    let before = get(&app, &format!("{uri}?at=2020-01-01T00:00:00Z")).await;
    assert_eq!(before.body["status"], "NOT_YET_VALID");
    let later = get(&app, &format!("{uri}?at=2040-01-01T00:00:00Z")).await;
    assert_eq!(later.body["status"], "EXPIRED");
    get(&app, &format!("{uri}?at=yesterday"))
        .await
        .assert_problem(400, "INVALID_QUERY");
    get(&app, "/v1/certificates/MSA/NOPE")
        .await
        .assert_problem(404, "UNKNOWN_CERTIFICATE");

    let ship = get(&app, &format!("/v1/ships/{IMO}/certificates")).await;
    assert_eq!(ship.status, 200);
    assert_eq!(ship.body["certificates"].as_array().unwrap().len(), 1);
    assert_eq!(ship.body["certificates"][0]["utn"], UTN);
    let empty = get(&app, "/v1/ships/9176187/certificates").await;
    assert_eq!(empty.body["certificates"], json!([]));
    get(&app, "/v1/ships/1234568/certificates")
        .await
        .assert_problem(400, "INVALID_IMO_NUMBER");

    let receipts = get(&app, &format!("{uri}/receipts")).await;
    assert_eq!(receipts.body, json!({"receipts": []}));
    get(&app, "/v1/certificates/MSA/NOPE/receipts")
        .await
        .assert_problem(404, "UNKNOWN_CERTIFICATE");
}

#[tokio::test]
async fn a_certificate_proof_bundle_verifies_offline() {
    let (node, app) = app();
    issue_certificate(&node);
    let bundle = get(&app, &format!("/v1/proofs/certificates/MSA/{UTN}")).await;
    assert_eq!(bundle.status, 200, "{}", bundle.body);
    let header: BlockHeader = serde_json::from_value(bundle.body["header"].clone()).unwrap();
    let proof: RecordProof = serde_json::from_value(bundle.body["record"].clone()).unwrap();
    proof.verify(&header.state_root).unwrap();
    let mut tampered = proof.clone();
    tampered.key.push(b'X');
    assert!(tampered.verify(&header.state_root).is_err());
    get(&app, "/v1/proofs/certificates/MSA/NOPE")
        .await
        .assert_problem(404, "UNKNOWN_CERTIFICATE");
}

#[tokio::test]
async fn organisations_show_their_certificate_facts() {
    let (_, app) = app();
    let list = get(&app, "/v1/organisations").await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["organisations"].as_array().unwrap().len(), 11);
    let carrier = get(&app, "/v1/organisations/CARRIER").await;
    assert_eq!(carrier.body["name"], "Ocean Line Shipping Co");
    assert_eq!(carrier.body["country"], "CN");
    assert_eq!(carrier.body["roles"], json!(["CARRIER"]));
    assert_eq!(carrier.body["revoked"], false);
    assert!(carrier.body["valid_until"].is_string());
    // R380: display names in both scripts and the local zone.
    assert_eq!(
        carrier.body["display_names"],
        json!({"en": "Ocean Line Shipping Co", "zh": "远洋航运有限公司"})
    );
    assert_eq!(
        carrier.body["zone"],
        json!({"utc_offset_minutes": 480, "time_zone": "Asia/Shanghai"})
    );
    get(&app, "/v1/organisations/NOBODY")
        .await
        .assert_problem(404, "UNKNOWN_ORGANISATION");
    get(&app, "/v1/organisations/bad%20id")
        .await
        .assert_problem(400, "INVALID_FIELD");
}

#[tokio::test]
async fn grants_and_sequences_are_readable() {
    let (node, app) = app();
    let entry = node.with(|n| {
        let terms = GrantTerms {
            grantee: Grantee::Organisation(n.org("CLASS")),
            actions: vec![ActionKind::CertEndorse],
            document_kinds: vec![DocumentKind::ShipCertificate],
            document: None,
            valid_from: n.time(),
            valid_until: Timestamp(n.time().0 + 86_400_000),
        };
        let entry = n.sign("MSA", Body::Grant(GrantAction::Create(terms)));
        n.submit_entry(entry.clone()).unwrap();
        entry
    });
    let grant_id = ebl_ledger::identity::grant::grant_id(&entry.id());
    let grant = get(&app, &format!("/v1/grants/{grant_id}")).await;
    assert_eq!(grant.status, 200, "{}", grant.body);
    assert_eq!(grant.body["grantor"], "MSA");
    assert_eq!(grant.body["actions"], json!(["CERT_ENDORSE"]));
    assert_eq!(grant.body["revoked"], false);
    get(&app, &format!("/v1/grants/{}", "11".repeat(32)))
        .await
        .assert_problem(404, "UNKNOWN_GRANT");
    get(&app, "/v1/grants/11")
        .await
        .assert_problem(400, "INVALID_ID");

    let key = entry.entry().signer.to_hex();
    let seq = get(&app, &format!("/v1/accounts/{key}/sequence")).await;
    assert_eq!(seq.body["next_sequence"], 1);
    let fresh = get(&app, &format!("/v1/accounts/{}/sequence", "22".repeat(32))).await;
    assert_eq!(fresh.body["next_sequence"], 0);
    get(&app, "/v1/accounts/xyz/sequence")
        .await
        .assert_problem(400, "INVALID_ID");
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems() {
    let (_, app) = app();
    get(&app, "/v1/nothing")
        .await
        .assert_problem(404, "NO_ROUTE");
    send(&app, Method::DELETE, "/v1/status", READ, None)
        .await
        .assert_problem(405, "METHOD_NOT_ALLOWED");
}
