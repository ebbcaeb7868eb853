//! R224–R226: the carrier's signature over the DCSA issuance manifest is verified against its
//! key registered on the ledger; every failure is a BREQ naming it and writes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/dcsa.rs"]
mod dcsa;
mod support;

use axum::http::Method;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use dcsa::*;
use ebl_gateway::dcsa::manifest::{expected_manifest, sign, signed_request};
use ebl_gateway::dcsa::schema::Payload;
use ebl_gateway::testkit::pilot_key;
use serde_json::{Value, json};
use support::{LocalNode, Reply};

const SYNC_URI: &str = "/v3/ebl-issuance-requests?responseMode=sync";

async fn put(app: &axum::Router, body: &Value) -> Reply {
    send_json(app, Method::PUT, SYNC_URI, CARRIER_KEY, body).await
}

/// The sample for `reference`, its manifest not yet signed.
fn unsigned(reference: &str) -> Value {
    let mut request = issuance_sample_as_published();
    request["document"]["transportDocumentReference"] = reference.into();
    request
}

fn error_codes(reply: &Reply) -> Vec<String> {
    reply.body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["errorCode"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Asserts a BREQ listing `code`, valid against the DCSA schema, and an unchanged ledger.
fn assert_breq(reply: &Reply, code: &str, node: &LocalNode, before: u64) {
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["issuanceResponseCode"], "BREQ", "{}", reply.body);
    assert!(
        error_codes(reply).iter().any(|c| c == code),
        "{code} missing: {}",
        reply.body
    );
    assert_dcsa(Payload::IssuanceResponse, &reply.body);
    assert_eq!(height(node), before, "a BREQ must not touch the ledger");
}

#[tokio::test]
async fn a_manifest_signed_with_the_carriers_registered_key_is_issued() {
    let (_node, app) = dcsa_app();
    let request = signed_request(unsigned("SIG-OK"), &pilot_key("CARRIER"));
    let reply = put(&app, &request).await;
    assert_eq!(reply.body["issuanceResponseCode"], "ISSU", "{}", reply.body);
}

#[tokio::test]
async fn a_manifest_signed_by_a_key_not_on_the_ledger_is_refused() {
    let (node, app) = dcsa_app();
    let before = height(&node);
    let forger = ebl_ledger::testkit::key_from_label("forger");
    let reply = put(&app, &signed_request(unsigned("SIG-FORGED"), &forger)).await;
    assert_breq(&reply, "INVALID_SIGNATURE", &node, before);
}

#[tokio::test]
async fn a_manifest_signed_by_another_carrier_is_refused() {
    let (node, app) = dcsa_app();
    let before = height(&node);
    let request = signed_request(unsigned("SIG-OTHER"), &pilot_key("CARRIER2"));
    let reply = put(&app, &request).await;
    assert_breq(&reply, "INVALID_SIGNATURE", &node, before);
}

#[tokio::test]
async fn a_tampered_checksum_is_refused_even_when_the_carrier_signed_it() {
    let (node, app) = dcsa_app();
    let before = height(&node);
    let mut request = unsigned("SIG-SUM");
    let mut manifest = expected_manifest(&request);
    manifest["documentChecksum"] = json!("ab".repeat(32));
    request["issuanceManifestSignedContent"] = sign(&manifest, &pilot_key("CARRIER")).into();
    let reply = put(&app, &request).await;
    assert_breq(&reply, "CHECKSUM_MISMATCH", &node, before);
}

#[tokio::test]
async fn a_document_changed_after_signing_is_refused() {
    let (node, app) = dcsa_app();
    let before = height(&node);
    let mut request = signed_request(unsigned("SIG-AFTER"), &pilot_key("CARRIER"));
    request["document"]["transportDocumentReference"] = "SIG-AFTER-2".into();
    let reply = put(&app, &request).await;
    assert_breq(&reply, "CHECKSUM_MISMATCH", &node, before);
}

#[tokio::test]
async fn alg_none_is_refused() {
    let (node, app) = dcsa_app();
    let before = height(&node);
    let mut request = unsigned("SIG-NONE");
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#);
    let payload = URL_SAFE_NO_PAD.encode(expected_manifest(&request).to_string());
    // The DCSA pattern needs a non-empty third part.
    request["issuanceManifestSignedContent"] = format!("{header}.{payload}.AAAA").into();
    let reply = put(&app, &request).await;
    assert_breq(&reply, "UNSUPPORTED_ALGORITHM", &node, before);
}

#[tokio::test]
async fn the_published_rs256_sample_signature_is_refused() {
    let (node, app) = dcsa_app();
    let before = height(&node);
    let reply = put(&app, &issuance_sample_as_published()).await;
    assert_breq(&reply, "UNSUPPORTED_ALGORITHM", &node, before);
}

#[tokio::test]
async fn a_payload_that_is_not_json_is_one_invalid_manifest() {
    let (node, app) = dcsa_app();
    let before = height(&node);
    let mut request = unsigned("SIG-JUNK");
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"EdDSA"}"#);
    let junk = URL_SAFE_NO_PAD.encode(b"not json");
    request["issuanceManifestSignedContent"] = format!("{header}.{junk}.AAAA").into();
    let reply = put(&app, &request).await;
    assert_breq(&reply, "INVALID_MANIFEST", &node, before);
    assert_eq!(error_codes(&reply), ["INVALID_MANIFEST"], "{}", reply.body);
}
