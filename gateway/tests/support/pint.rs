//! Two independent platforms for DCSA PINT tests: two ledgers (LocalNode), two gateways with
//! their own platform codes (EBLA, EBLB), signing keys and trust files naming each other, each
//! served on 127.0.0.1 so that one's sender calls the other's `/v3/envelopes`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ebl_gateway::dcsa::DcsaConfig;
use ebl_gateway::platform::PintSettings;
use ebl_gateway::testkit::pilot_key;
use ebl_gateway::{ApiKey, GatewayConfig, Scope};
use serde_json::{Value, json};

use crate::dcsa::{dcsa_app_over, dcsa_config};
use crate::support::LocalNode;

/// The partner platforms' API key on each gateway (scope `pint`).
pub const PINT_KEY: &str = "partner-platform-secret";
/// BUYER2's own system: it signs its own entries (no custodial identity), key bound to BUYER2.
pub const BUYER2_KEY: &str = "buyer2-self-signing-secret";

/// One platform of the pair.
pub struct Side {
    /// Its platform code.
    pub code: &'static str,
    /// Its ledger.
    pub node: Arc<LocalNode>,
    /// Its gateway.
    pub app: Router,
    /// Its base URL on 127.0.0.1.
    pub url: String,
    /// Its platform signing key seed.
    pub seed: [u8; 32],
}

/// This platform's signing key (seeded per platform code).
pub fn platform_seed(code: &str) -> [u8; 32] {
    let mut seed = [7u8; 32];
    seed[..code.len()].copy_from_slice(code.as_bytes());
    seed
}

/// The public JWK of platform `code`'s signing key.
pub fn platform_jwk(code: &str) -> Value {
    let key = ed25519_dalek::SigningKey::from_bytes(&platform_seed(code));
    json!({"kty": "OKP", "crv": "Ed25519", "kid": format!("{code}-1"),
           "x": URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes())})
}

/// The pilot carrier's key as a JWK (the other platform trusts it for issuance manifests).
pub fn carrier_jwk() -> Value {
    let key = pilot_key("CARRIER");
    json!({"kty": "OKP", "crv": "Ed25519", "x": URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes())})
}

/// Writes the trust file of `code`, trusting `other` at `other_url`.
pub fn write_trust(dir: &Path, code: &str, other: &str, other_url: &str) -> std::path::PathBuf {
    let trust = json!({
        "platformCode": code,
        "signingKey": {"kid": format!("{code}-1"), "seedHex": hex::encode(platform_seed(code))},
        "platforms": [{"code": other, "keys": [platform_jwk(other)], "envelopesUrl": other_url}],
        "carriers": [{"partyCodes": [{"codeListProvider": other, "partyCode": "CARRIER"}],
                      "keys": [carrier_jwk()]}],
    });
    let path = dir.join(format!("trust-{code}.json"));
    std::fs::write(&path, serde_json::to_vec_pretty(&trust).unwrap()).unwrap();
    path
}

fn config(code: &str, trust_file: std::path::PathBuf, other: &str) -> GatewayConfig {
    let mut config = dcsa_config();
    let partner = ApiKey::from_secret("partner-platform", PINT_KEY, &[Scope::Pint]);
    config.api_keys.insert(partner.secret_sha256, partner);
    let buyer2 = ApiKey::from_secret("buyer2-system", BUYER2_KEY, &[Scope::Read, Scope::Submit])
        .with_org(ebl_ledger::ids::OrgId::new("BUYER2").unwrap());
    config.api_keys.insert(buyer2.secret_sha256, buyer2);
    config.dcsa = DcsaConfig {
        platform: code.into(),
        ..config.dcsa
    };
    config.pint = Some(PintSettings {
        trust_file,
        api_keys: [(other.to_string(), PINT_KEY.to_string())].into(),
        signing_key: None,
    });
    config
}

async fn listener() -> (tokio::net::TcpListener, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    (listener, url)
}

fn serve(listener: tokio::net::TcpListener, app: Router) {
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
}

/// Platforms EBLA and EBLB, each trusting the other; `dir` keeps their trust files.
pub async fn two_platforms(dir: &Path) -> (Side, Side) {
    let (listen_a, url_a) = listener().await;
    let (listen_b, url_b) = listener().await;
    let trust_a = write_trust(dir, "EBLA", "EBLB", &url_b);
    let trust_b = write_trust(dir, "EBLB", "EBLA", &url_a);
    let node_a = LocalNode::pilot();
    let node_b = LocalNode::pilot();
    let app_a = dcsa_app_over(node_a.clone(), config("EBLA", trust_a, "EBLB"));
    let app_b = dcsa_app_over(node_b.clone(), config("EBLB", trust_b, "EBLA"));
    serve(listen_a, app_a.clone());
    serve(listen_b, app_b.clone());
    let a = Side {
        code: "EBLA",
        node: node_a,
        app: app_a,
        url: url_a,
        seed: platform_seed("EBLA"),
    };
    let b = Side {
        code: "EBLB",
        node: node_b,
        app: app_b,
        url: url_b,
        seed: platform_seed("EBLB"),
    };
    (a, b)
}

/// A party of platform `code` named by its organisation id there.
pub fn party(name: &str, code: &str, org: &str) -> Value {
    json!({"partyName": name, "eblPlatform": code,
           "identifyingCodes": [{"codeListProvider": code, "partyCode": org}]})
}

/// Waits (bounded) until `check` holds on `node`.
pub async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..200 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

/// Issues the DCSA sample (blank, to SHIPPER) on `side` by DCSA ISS; the request and its id.
pub async fn issue_sample(side: &Side) -> (Value, ebl_ledger::hash::DocumentId) {
    let request = crate::dcsa::with_manifest(crate::dcsa::issuance_sample_as_published());
    let uri = "/v3/ebl-issuance-requests?responseMode=sync";
    let key = crate::dcsa::CARRIER_KEY;
    let reply =
        crate::dcsa::send_json(&side.app, axum::http::Method::PUT, uri, key, &request).await;
    assert_eq!(reply.body["issuanceResponseCode"], "ISSU", "{}", reply.body);
    let id = ebl_ledger::docid::document_id(&request["document"]).unwrap();
    (request, id)
}

/// `POST /v1/verify` of `document` on `side` (as the regulator reader); the check `name`.
pub async fn verify_check(side: &Side, document: &Value, name: &str) -> Value {
    let reply = crate::dcsa::send_json(
        &side.app,
        axum::http::Method::POST,
        "/v1/verify",
        crate::dcsa::READ_KEY,
        document,
    )
    .await;
    check_in(&reply.body, name)
}

/// The check `name` of a `/v1/verify` answer.
pub fn check_in(answer: &Value, name: &str) -> Value {
    answer["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["check"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("no {name} check: {answer}"))
}
