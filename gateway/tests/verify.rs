//! `POST /v1/verify`: failing and warning checks, wrappers, certificates.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use ebl_ledger::cert::{CertAction, CertificateIssue, CertificateKind, Ship};
use ebl_ledger::entry::Body;
use serde_json::json;
use support::*;

fn issue_ebl(node: &LocalNode) {
    let body = issue_body(node);
    node.with(|n| n.submit("CARRIER", body)).unwrap();
}

#[tokio::test]
async fn an_altered_document_fails_integrity() {
    let (node, app) = app();
    issue_ebl(&node);
    let (_, _, mut document) = sample_document();
    document["shippedOnBoardDate"] = json!("2031-01-01");
    let reply = post(&app, "/v1/verify", &document).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["outcome"], "FAILED");
    assert_eq!(reply.body["checks"][0]["check"], "INTEGRITY");
    assert_eq!(reply.body["checks"][0]["result"], "FAIL");
    assert_eq!(reply.body["checks"][0]["code"], "UNKNOWN_DOCUMENT");
}

#[tokio::test]
async fn bare_documents_and_pint_envelopes_verify_like_issuance_requests() {
    let (node, app) = app();
    issue_ebl(&node);
    let (id, _, document) = sample_document();
    for body in [
        document.clone(),
        json!({"transportDocument": document, "envelopeManifestSignedContent": "x"}),
    ] {
        let reply = post(&app, "/v1/verify", &body).await;
        assert_eq!(reply.body["subject"]["id"], id.to_hex());
        assert_eq!(reply.body["outcome"], "VERIFIED", "{}", reply.body);
    }
}

#[tokio::test]
async fn a_presenter_who_is_not_the_holder_fails_the_holder_check() {
    let (node, app) = app();
    issue_ebl(&node);
    // The regulator's key sees the full HOLDER check (R238).
    let body = serde_json::to_vec(&dcsa_issuance_request()).unwrap();
    let reply = send(
        &app,
        axum::http::Method::POST,
        "/v1/verify?holder=BANK",
        READ,
        Some(body),
    )
    .await;
    assert_eq!(reply.body["outcome"], "FAILED");
    assert_eq!(reply.body["checks"][3]["check"], "HOLDER");
    assert_eq!(reply.body["checks"][3]["code"], "HOLDER_MISMATCH");
}

#[tokio::test]
async fn a_pending_surrender_is_a_status_warning() {
    let (node, app) = app();
    issue_ebl(&node);
    let (id, _, _) = sample_document();
    node.with(|n| {
        n.submit(
            "SHIPPER",
            Body::Ebl(ebl_ledger::ebl::EblAction::SurrenderForDelivery {
                document: id,
                request_reference: None,
            }),
        )
    })
    .unwrap();
    let reply = post(&app, "/v1/verify", &dcsa_issuance_request()).await;
    assert_eq!(reply.body["outcome"], "INCONCLUSIVE", "{}", reply.body);
    assert_eq!(reply.body["checks"][1]["result"], "WARNING");
    assert_eq!(
        reply.body["checks"][1]["code"],
        "SURRENDER_FOR_DELIVERY_PENDING"
    );
}

#[tokio::test]
async fn certificates_are_verified_by_reference_at_a_time() {
    let (node, app) = app();
    node.with(|n| {
        let issued_on = n.time().date();
        let issue = CertificateIssue {
            utn: "UTN-1".into(),
            kind: CertificateKind::Registry,
            ship: Ship {
                imo_number: "9074729".into(),
                name: "PILOT STAR".into(),
                flag: "CN".into(),
                call_sign: "BPXA".into(),
                gross_tonnage: 41_000,
            },
            issued_on,
            expires_on: issued_on.add_months(12),
            document: None,
            place: "Guangzhou".into(),
        };
        n.submit("MSA", Body::Certificate(CertAction::Issue(issue)))
            .unwrap();
    });
    let reference = json!({"administration": "MSA", "utn": "UTN-1"});
    let now = post(&app, "/v1/verify", &json!({"certificate": reference})).await;
    assert_eq!(now.body["outcome"], "VERIFIED", "{}", now.body);
    assert_eq!(now.body["checks"][2]["code"], "ISSUER_OK");
    let later = post(
        &app,
        "/v1/verify",
        &json!({"certificate": reference, "at": "2040-01-01T00:00:00Z"}),
    )
    .await;
    assert_eq!(later.body["outcome"], "FAILED");
    assert_eq!(later.body["checks"][1]["code"], "EXPIRED");
    let unknown = post(
        &app,
        "/v1/verify",
        &json!({"certificate": {"administration": "MSA", "utn": "NO"}}),
    )
    .await;
    assert_eq!(unknown.body["checks"][0]["code"], "UNKNOWN_CERTIFICATE");
    post(
        &app,
        "/v1/verify",
        &json!({"certificate": {"administration": "MSA", "utn": 5}}),
    )
    .await
    .assert_problem(422, "INVALID_REQUEST");
}

#[tokio::test]
async fn a_body_that_is_not_an_object_is_422() {
    let (_, app) = app();
    post(&app, "/v1/verify", &json!("text"))
        .await
        .assert_problem(422, "INVALID_REQUEST");
}
