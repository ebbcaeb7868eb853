//! Trade certificates at the gateway (R398–R399): a single window's system issues, amends and
//! revokes through custodial calls; members read everything, the public reads status,
//! validity and the document hash, verifies a document by its hash, and gets the QR code and
//! the printable page in both languages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod custodial_kit;
mod support;

use std::sync::Arc;

use axum::Router;
use axum::http::Method;
use base64::Engine as _;
use custodial_kit::{act, assert_final, secret_of};
use ebl_gateway::testkit_custody::LocalCustodian;
use ebl_gateway::{ApiKey, GatewayConfig, Scope};
use serde_json::{Value, json};
use support::*;

const IDENTITIES: &[(&str, &str)] = &[("gdsw-sw", "GDSW"), ("msa-db", "MSA")];
const DOC: &str = "1111111111111111111111111111111111111111111111111111111111111111";

fn trade_app() -> (Arc<LocalNode>, Router) {
    let node = LocalNode::pilot();
    let custodian = LocalCustodian::over_pilot(node.clone(), IDENTITIES);
    let keys: Vec<ApiKey> = IDENTITIES
        .iter()
        .map(|(name, _)| {
            ApiKey::from_secret(name, &secret_of(name), &[Scope::Read, Scope::Custodial])
                .with_identity(name)
        })
        .collect();
    let config = GatewayConfig::with_keys(keys);
    let router = ebl_gateway::router_with_custodian(node.clone(), Some(custodian), config);
    (node, router)
}

fn facts(node: &LocalNode, document: &str) -> Value {
    let today = node.with(|n| n.time().date());
    json!({
        "subject": {
            "exporter": "Guangzhou Soy Exporters", "importer": "Singapore Foods Pte",
            "goods": "2,000 t soybean meal, HS 2304.00", "origin_country": "CN",
            "destination_country": "SG", "ebl": null,
        },
        "document": document,
        "valid_from": today.to_string(),
        "valid_until": today.add_months(6).to_string(),
        "place": "Guangzhou",
    })
}

async fn issue(app: &Router, node: &LocalNode, identity: &str, number: &str) -> support::Reply {
    let body = json!({"certificate": {
        "number": number, "kind": "APPROVAL_CERTIFICATE", "facts": facts(node, DOC),
    }});
    act(
        app,
        identity,
        "/v1/custodial/trade-certificates?wait=final",
        body,
    )
    .await
}

async fn public(app: &Router, uri: &str) -> support::Reply {
    send(app, Method::GET, uri, "", None).await
}

async fn public_verify(app: &Router, body: &Value) -> support::Reply {
    let bytes = serde_json::to_vec(body).unwrap();
    send(app, Method::POST, "/public/v1/verify", "", Some(bytes)).await
}

#[tokio::test]
async fn an_approval_certificate_is_issued_and_read_by_members_and_the_public() {
    let (node, app) = trade_app();
    assert_final(&issue(&app, &node, "gdsw-sw", "AP-1").await);
    let member = send(
        &app,
        Method::GET,
        "/v1/trade-certificates/GDSW/AP-1",
        &secret_of("msa-db"),
        None,
    )
    .await;
    assert_eq!(member.status, 200, "{}", member.body);
    assert_eq!(member.body["status"], "VALID");
    assert_eq!(member.body["subject"]["importer"], "Singapore Foods Pte");
    assert_eq!(member.body["seal"]["actor"], "GDSW");
    assert_eq!(member.body["history"][0]["action"], "ATTEST_ISSUE");

    // R398: the public learns status, validity and the hash, not the parties or goods.
    let open = public(&app, "/public/v1/trade-certificates/GDSW/AP-1").await;
    assert_eq!(open.status, 200, "{}", open.body);
    assert_eq!(open.body["kind"], "APPROVAL_CERTIFICATE");
    assert_eq!(open.body["document"], DOC);
    assert_eq!(open.body["origin_country"], "CN");
    let text = open.body.to_string();
    for private in [
        "Guangzhou Soy",
        "Singapore Foods",
        "soybean",
        "subject",
        "history",
    ] {
        assert!(!text.contains(private), "{private} in {text}");
    }
    public(&app, "/public/v1/trade-certificates/GDSW/AP-404")
        .await
        .assert_problem(404, "UNKNOWN_TRADE_CERTIFICATE");
    public(&app, "/public/v1/trade-certificates/bad%20id/AP-1")
        .await
        .assert_problem(400, "INVALID_FIELD");
}

#[tokio::test]
async fn the_public_verifies_a_presented_document_by_its_hash() {
    let (node, app) = trade_app();
    assert_final(&issue(&app, &node, "gdsw-sw", "AP-1").await);
    let reference = json!({"authority": "GDSW", "number": "AP-1"});
    let ok = public_verify(
        &app,
        &json!({"trade_certificate": reference, "document_hash": DOC}),
    )
    .await;
    assert_eq!(ok.body["outcome"], "VERIFIED", "{}", ok.body);
    assert_eq!(ok.body["checks"][0]["code"], "DOCUMENT_MATCH");
    assert_eq!(ok.body["checks"][2]["code"], "ISSUER_OK");
    let other = "2".repeat(64);
    let bad = public_verify(
        &app,
        &json!({"trade_certificate": reference, "document_hash": other}),
    )
    .await;
    assert_eq!(bad.body["outcome"], "FAILED", "{}", bad.body);
    assert_eq!(bad.body["checks"][0]["code"], "DOCUMENT_MISMATCH");
    let malformed = public_verify(
        &app,
        &json!({"trade_certificate": reference, "document_hash": "xyz"}),
    )
    .await;
    malformed.assert_problem(422, "INVALID_REQUEST");
    let unknown = json!({"trade_certificate": {"authority": "GDSW", "number": "AP-9"}});
    let missing = public_verify(&app, &unknown).await;
    assert_eq!(
        missing.body["checks"][0]["code"],
        "UNKNOWN_TRADE_CERTIFICATE"
    );
}

#[tokio::test]
async fn amend_and_revoke_show_in_the_history_and_the_status() {
    let (node, app) = trade_app();
    assert_final(&issue(&app, &node, "gdsw-sw", "AP-1").await);
    let new_doc = "3".repeat(64);
    let amend = json!({"facts": facts(&node, &new_doc), "reason": "quantity corrected"});
    let path = "/v1/custodial/trade-certificates/GDSW/AP-1";
    assert_final(&act(&app, "gdsw-sw", &format!("{path}/amend?wait=final"), amend).await);
    // The old document no longer verifies; the amended one does.
    let reference = json!({"authority": "GDSW", "number": "AP-1"});
    let old = public_verify(
        &app,
        &json!({"trade_certificate": reference, "document_hash": DOC}),
    )
    .await;
    assert!(
        old.body["checks"][0]["message"]
            .as_str()
            .unwrap()
            .contains("amended")
    );
    let revoke = json!({"reason": "approval withdrawn"});
    assert_final(
        &act(
            &app,
            "gdsw-sw",
            &format!("{path}/revoke?wait=final"),
            revoke,
        )
        .await,
    );
    let open = public(&app, "/public/v1/trade-certificates/GDSW/AP-1").await;
    assert_eq!(open.body["status"], "REVOKED");
    assert_eq!(open.body["document"], new_doc);
    assert_eq!(open.body["amended"], 1);
    // Closed for good: the ledger's code, 422.
    let again = act(
        &app,
        "gdsw-sw",
        &format!("{path}/revoke?wait=final"),
        json!({"reason": "x"}),
    )
    .await;
    again.assert_problem(422, "DOCUMENT_CLOSED");
    act(&app, "gdsw-sw", &format!("{path}/endorse"), json!({}))
        .await
        .assert_problem(404, "UNKNOWN_ACTION");
    act(
        &app,
        "gdsw-sw",
        &format!("{path}/amend"),
        json!({"reason": "r"}),
    )
    .await
    .assert_problem(422, "MISSING_FIELD");
}

#[tokio::test]
async fn a_maritime_administration_may_not_issue_an_approval_certificate() {
    let (node, app) = trade_app();
    issue(&app, &node, "msa-db", "AP-1")
        .await
        .assert_problem(422, "MISSING_ROLE");
}

#[tokio::test]
async fn the_qr_code_and_the_printout_verify_against_the_ledger_in_both_languages() {
    let (node, app) = trade_app();
    assert_final(&issue(&app, &node, "gdsw-sw", "AP-1").await);
    let (content_type, png) =
        fetch_bytes(&app, "/public/v1/qr/trade-certificates/GDSW/AP-1.png").await;
    assert_eq!(content_type, "image/png");
    let url = "http://127.0.0.1:8080/?attest=GDSW/AP-1";
    assert_eq!(decode_qr_png(&png), url);
    for (lang, title, label, kind) in [
        (
            "en",
            "Trade certificate: verification record",
            "Valid",
            "Approval certificate",
        ),
        ("zh", "贸易证书核验记录", "有效", "审批证书"),
    ] {
        let uri = format!("/public/v1/print/trade-certificates/GDSW/AP-1?lang={lang}");
        let reply = fetch_raw(&app, &uri, None).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        let html = reply.text();
        assert!(html.contains(&format!("<h1>{title}</h1>")), "{html}");
        assert!(
            html.contains(r#"<span class="code">VALID</span>"#),
            "{html}"
        );
        assert!(html.contains(label) && html.contains(kind), "{html}");
        assert!(
            html.contains(DOC) && !html.contains("Singapore Foods"),
            "{html}"
        );
        assert!(!html.contains("<script"), "{html}");
        let start = html.find("data:image/png;base64,").unwrap() + 22;
        let end = start + html[start..].find('"').unwrap();
        let png = base64::engine::general_purpose::STANDARD
            .decode(&html[start..end])
            .unwrap();
        assert_eq!(decode_qr_png(&png), url);
    }
    fetch_raw(&app, "/public/v1/print/trade-certificates/GDSW/NOPE", None)
        .await
        .status
        .as_u16()
        .eq(&404)
        .then_some(())
        .expect("unknown certificate: 404");
}

#[tokio::test]
async fn a_receipt_on_a_trade_certificate_is_listed_for_members() {
    let (node, app) = trade_app();
    assert_final(&issue(&app, &node, "gdsw-sw", "AP-1").await);
    node.with(|n| {
        let receipt = ebl_ledger::receipt::VerificationReceipt {
            subject: ebl_ledger::entry::DocumentRef::Attested(ebl_ledger::attest::AttestRef {
                authority: n.org("GDSW"),
                number: "AP-1".into(),
            }),
            outcome: ebl_ledger::receipt::VerificationOutcome::Verified,
            purpose: "IMPORT_CLEARANCE".into(),
            detail: "document hash matches".into(),
            cites: Vec::new(),
        };
        n.submit("SGSW", ebl_ledger::entry::Body::Verification(receipt))
            .unwrap();
    });
    let uri = "/v1/trade-certificates/GDSW/AP-1/receipts";
    let reply = send(&app, Method::GET, uri, &secret_of("msa-db"), None).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["receipts"][0]["verifier"], "SGSW");
    let unknown = send(
        &app,
        Method::GET,
        "/v1/trade-certificates/GDSW/AP-2/receipts",
        &secret_of("msa-db"),
        None,
    )
    .await;
    unknown.assert_problem(404, "UNKNOWN_TRADE_CERTIFICATE");
}
