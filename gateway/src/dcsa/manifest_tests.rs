//! R224–R225 on compact JWS built here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn key(label: &str) -> SigningKey {
    SigningKey::from_bytes(&Hash32::sha256(label.as_bytes()).0)
}

fn public(key: &SigningKey) -> PublicKey {
    key.verifying_key().into()
}

fn manifest() -> Value {
    json!({"documentChecksum": "00".repeat(32), "issueToChecksum": "11".repeat(32)})
}

/// A JWS with header `header` and the payload of [`manifest`], signed by `key` as sent.
fn with_header(header: &Value, key: &SigningKey) -> String {
    let header = URL_SAFE_NO_PAD.encode(header.to_string());
    let payload = URL_SAFE_NO_PAD.encode(manifest().to_string());
    let input = format!("{header}.{payload}");
    let signature = URL_SAFE_NO_PAD.encode(key.sign(input.as_bytes()).to_bytes());
    format!("{input}.{signature}")
}

#[test]
fn a_manifest_signed_by_the_registered_key_verifies_and_yields_its_payload() {
    let carrier = key("carrier");
    let jws = sign(&manifest(), &carrier);
    assert_eq!(verify(&jws, &public(&carrier), "CARRIER"), Ok(manifest()));
}

#[test]
fn a_manifest_signed_by_another_key_is_refused() {
    let jws = sign(&manifest(), &key("carrier2"));
    let error = verify(&jws, &public(&key("carrier")), "CARRIER").unwrap_err();
    assert_eq!(error.code(), "INVALID_SIGNATURE");
}

#[test]
fn a_payload_changed_after_signing_is_refused() {
    let carrier = key("carrier");
    let jws = sign(&manifest(), &carrier);
    let parts: Vec<&str> = jws.split('.').collect();
    let mut changed = manifest();
    changed["documentChecksum"] = json!("22".repeat(32));
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(changed.to_string()),
        parts[2]
    );
    let error = verify(&forged, &public(&carrier), "CARRIER").unwrap_err();
    assert_eq!(error, ManifestError::BadSignature("CARRIER".into()));
}

#[test]
fn alg_none_and_other_algorithms_are_refused_whatever_the_signature() {
    let carrier = key("carrier");
    for alg in ["none", "RS256", "HS256", "ES256"] {
        let jws = with_header(&json!({"alg": alg}), &carrier);
        let error = verify(&jws, &public(&carrier), "CARRIER").unwrap_err();
        assert_eq!(error, ManifestError::Algorithm(alg.into()), "{alg}");
        assert_eq!(error.code(), "UNSUPPORTED_ALGORITHM");
    }
    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#),
        URL_SAFE_NO_PAD.encode(manifest().to_string())
    );
    assert!(verify(&unsigned, &public(&carrier), "CARRIER").is_err());
    let no_alg = with_header(&json!({"typ": "JWT"}), &carrier);
    assert!(matches!(
        verify(&no_alg, &public(&carrier), "CARRIER"),
        Err(ManifestError::Algorithm(_))
    ));
}

#[test]
fn critical_extensions_are_refused() {
    let carrier = key("carrier");
    let jws = with_header(
        &json!({"alg": "EdDSA", "b64": false, "crit": ["b64"]}),
        &carrier,
    );
    let error = verify(&jws, &public(&carrier), "CARRIER").unwrap_err();
    assert!(matches!(error, ManifestError::Critical(_)));
}

#[test]
fn a_key_offered_in_the_header_is_not_trusted() {
    let attacker = key("attacker");
    let jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": URL_SAFE_NO_PAD.encode(attacker.verifying_key().as_bytes())});
    let jws = with_header(&json!({"alg": "EdDSA", "jwk": jwk}), &attacker);
    assert!(verify(&jws, &public(&key("carrier")), "CARRIER").is_err());
}

#[test]
fn malformed_and_oversized_content_is_refused() {
    let carrier = public(&key("carrier"));
    for jws in [
        "",
        "a.b",
        "a.b.c.d",
        "!!.!!.!!",
        &"a".repeat(MAX_JWS_LEN + 1),
    ] {
        assert_eq!(
            verify(jws, &carrier, "CARRIER"),
            Err(ManifestError::Malformed),
            "{}",
            jws.len()
        );
    }
    assert_eq!(payload(&"a".repeat(MAX_JWS_LEN + 1)), None);
}

#[test]
fn a_signed_request_carries_the_checksums_of_its_own_content() {
    let request = json!({"document": {"a": 1}, "issueTo": {"partyName": "S"},
        "eBLVisualisationByCarrier": {"name": "x.pdf", "content": STANDARD.encode(b"pdf")}});
    let carrier = key("carrier");
    let signed = signed_request(request.clone(), &carrier);
    let jws = signed["issuanceManifestSignedContent"].as_str().unwrap();
    let manifest = verify(jws, &public(&carrier), "CARRIER").unwrap();
    assert_eq!(manifest, expected_manifest(&request));
    assert_eq!(
        manifest["eBLVisualisationByCarrierChecksum"],
        Hash32::sha256(b"pdf").to_hex()
    );
}
