//! R319 on compact JWS: parsing, algorithm and key selection, each verification path.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::json;

use super::*;
use crate::pint::fixtures::platform_key;

fn payload() -> Value {
    json!({"responseCode": "RECE"})
}

/// A JWS with `header` over [`payload`], signed by `key` (EdDSA).
fn with_header(header: &Value, key: &PlatformSigningKey) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload().to_string())
    );
    let signature = URL_SAFE_NO_PAD.encode(key.key.sign(input.as_bytes()).to_bytes());
    format!("{input}.{signature}")
}

/// A JWS signed by another library: `alg` over [`payload`] with `kid`.
fn signed_by(alg: Algorithm, name: &str, key: &EncodingKey, kid: &str) -> String {
    let header = json!({"alg": name, "kid": kid});
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload().to_string())
    );
    let signature = jsonwebtoken::crypto::sign(input.as_bytes(), key, alg).unwrap();
    format!("{input}.{signature}")
}

fn rsa_private() -> EncodingKey {
    EncodingKey::from_rsa_der(include_bytes!("testdata/rsa2048-pkcs1.der"))
}

fn rsa_public() -> TrustedKey {
    let jwk: Jwk = serde_json::from_str(include_str!("testdata/rsa2048-public.jwk.json")).unwrap();
    TrustedKey::from_jwk(&jwk).unwrap()
}

fn p256_private() -> EncodingKey {
    EncodingKey::from_ec_der(include_bytes!("testdata/p256-pkcs8.der"))
}

fn p256_public() -> TrustedKey {
    let jwk: Jwk = serde_json::from_str(include_str!("testdata/p256-public.jwk.json")).unwrap();
    TrustedKey::from_jwk(&jwk).unwrap()
}

#[test]
fn an_eddsa_jws_signed_by_the_platform_key_verifies_and_yields_header_and_payload() {
    let key = platform_key("EBLA");
    let verified = verify(&sign(&payload(), &key), &[key.trusted_key()], "EBLA").unwrap();
    assert_eq!(verified.payload, payload());
    assert_eq!(verified.header, json!({"alg": "EdDSA", "kid": "EBLA-1"}));
    assert_eq!(verified.payload_bytes, payload().to_string().into_bytes());
}

#[test]
fn an_eddsa_jws_signed_by_another_key_is_a_bad_signature() {
    let jws = sign(
        &payload(),
        &PlatformSigningKey {
            kid: "EBLA-1".into(),
            ..platform_key("X")
        },
    );
    let error = verify(&jws, &[platform_key("EBLA").trusted_key()], "EBLA").unwrap_err();
    assert_eq!(error.code(), "JWS_BAD_SIGNATURE");
}

#[test]
fn a_changed_payload_is_a_bad_signature() {
    let key = platform_key("EBLA");
    let jws = sign(&payload(), &key);
    let parts: Vec<&str> = jws.split('.').collect();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(r#"{"responseCode":"BENV"}"#),
        parts[2]
    );
    assert_eq!(
        verify(&forged, &[key.trusted_key()], "EBLA")
            .unwrap_err()
            .code(),
        "JWS_BAD_SIGNATURE"
    );
}

#[test]
fn an_rs256_jws_verifies_under_the_configured_rsa_jwk() {
    let jws = signed_by(Algorithm::RS256, "RS256", &rsa_private(), "rsa-test-1");
    assert_eq!(
        verify(&jws, &[rsa_public()], "BOLE").unwrap().payload,
        payload()
    );
}

#[test]
fn a_ps256_jws_verifies_under_the_configured_rsa_jwk() {
    let jws = signed_by(Algorithm::PS256, "PS256", &rsa_private(), "rsa-test-1");
    assert_eq!(
        verify(&jws, &[rsa_public()], "BOLE").unwrap().payload,
        payload()
    );
}

#[test]
fn an_es256_jws_verifies_under_the_configured_p256_jwk() {
    let jws = signed_by(Algorithm::ES256, "ES256", &p256_private(), "ec-test-1");
    assert_eq!(
        verify(&jws, &[p256_public()], "WAVE").unwrap().payload,
        payload()
    );
}

#[test]
fn an_rs256_jws_with_a_changed_payload_is_a_bad_signature() {
    let jws = signed_by(Algorithm::RS256, "RS256", &rsa_private(), "rsa-test-1");
    let parts: Vec<&str> = jws.split('.').collect();
    let forged = format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode("{}"), parts[2]);
    assert_eq!(
        verify(&forged, &[rsa_public()], "BOLE").unwrap_err().code(),
        "JWS_BAD_SIGNATURE"
    );
}

#[test]
fn an_algorithm_whose_key_type_is_not_configured_is_an_unknown_key_not_a_panic() {
    // ES256 header, only an RSA key configured (jsonwebtoken would panic on the mismatch).
    let jws = signed_by(Algorithm::ES256, "ES256", &p256_private(), "rsa-test-1");
    assert_eq!(
        verify(&jws, &[rsa_public()], "BOLE").unwrap_err().code(),
        "JWS_UNKNOWN_KEY"
    );
}

#[test]
fn a_kid_no_configured_key_has_is_an_unknown_key_even_if_another_key_would_verify() {
    let key = platform_key("EBLA");
    let jws = with_header(&json!({"alg": "EdDSA", "kid": "rotated-away"}), &key);
    assert_eq!(
        verify(&jws, &[key.trusted_key()], "EBLA")
            .unwrap_err()
            .code(),
        "JWS_UNKNOWN_KEY"
    );
}

#[test]
fn a_kid_selects_among_the_configured_keys() {
    let old = PlatformSigningKey {
        kid: "old".into(),
        ..platform_key("old")
    };
    let new = PlatformSigningKey {
        kid: "new".into(),
        ..platform_key("new")
    };
    let keys = [old.trusted_key(), new.trusted_key()];
    assert!(verify(&sign(&payload(), &new), &keys, "EBLA").is_ok());
    assert!(verify(&sign(&payload(), &old), &keys, "EBLA").is_ok());
}

#[test]
fn without_a_kid_every_configured_key_of_the_algorithm_is_tried() {
    let key = platform_key("EBLA");
    let jws = with_header(&json!({"alg": "EdDSA"}), &key);
    let keys = [platform_key("other").trusted_key(), key.trusted_key()];
    assert!(verify(&jws, &keys, "EBLA").is_ok());
}

#[test]
fn a_key_in_the_header_is_never_used() {
    let attacker = platform_key("attacker");
    let jwk = attacker.public_jwk();
    let jws = with_header(
        &json!({"alg": "EdDSA", "jwk": jwk, "x5u": "https://evil/"}),
        &attacker,
    );
    let error = verify(&jws, &[platform_key("EBLA").trusted_key()], "EBLA").unwrap_err();
    assert_eq!(error.code(), "JWS_BAD_SIGNATURE");
}

#[test]
fn alg_none_hs256_and_a_missing_alg_are_refused() {
    let key = platform_key("EBLA");
    for header in [
        json!({"alg": "none"}),
        json!({"alg": "HS256"}),
        json!({"kid": "EBLA-1"}),
    ] {
        let error = verify(&with_header(&header, &key), &[key.trusted_key()], "EBLA").unwrap_err();
        assert_eq!(error.code(), "JWS_ALGORITHM", "{header}");
    }
}

#[test]
fn a_critical_header_is_refused() {
    let key = platform_key("EBLA");
    let jws = with_header(
        &json!({"alg": "EdDSA", "crit": ["b64"], "b64": false}),
        &key,
    );
    assert_eq!(
        verify(&jws, &[key.trusted_key()], "EBLA")
            .unwrap_err()
            .code(),
        "JWS_CRITICAL"
    );
}

#[test]
fn malformed_compact_forms_are_refused() {
    let key = platform_key("EBLA");
    let good = sign(&payload(), &key);
    let header = URL_SAFE_NO_PAD.encode("[1]");
    let not_json = URL_SAFE_NO_PAD.encode("not json");
    for jws in [
        "a.b".to_owned(),
        format!("{good}.extra"),
        format!("{header}.{not_json}.sig"),
        format!(
            "{}.{not_json}.sig",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"EdDSA"}"#)
        ),
        "!!.??.**".to_owned(),
    ] {
        assert_eq!(
            verify(&jws, &[key.trusted_key()], "EBLA")
                .unwrap_err()
                .code(),
            "JWS_MALFORMED",
            "{jws}"
        );
    }
}

#[test]
fn a_jws_longer_than_the_bound_is_refused_before_decoding() {
    let key = platform_key("EBLA");
    let jws = sign(&json!({"pad": "x".repeat(MAX_JWS_LEN)}), &key);
    assert_eq!(
        verify(&jws, &[key.trusted_key()], "EBLA").unwrap_err(),
        JwsError::TooLong(MAX_JWS_LEN)
    );
}

#[test]
fn a_signature_of_the_wrong_length_is_a_bad_signature() {
    let key = platform_key("EBLA");
    let jws = sign(&payload(), &key);
    let truncated = &jws[..jws.len() - 4];
    assert_eq!(
        verify(truncated, &[key.trusted_key()], "EBLA")
            .unwrap_err()
            .code(),
        "JWS_BAD_SIGNATURE"
    );
}

#[test]
fn symmetric_and_other_curve_jwks_are_refused() {
    let oct: Jwk = serde_json::from_value(json!({"kty": "oct", "k": "c2VjcmV0"})).unwrap();
    let p384: Jwk =
        serde_json::from_value(json!({"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"})).unwrap();
    for jwk in [oct, p384] {
        assert_eq!(
            TrustedKey::from_jwk(&jwk).unwrap_err().code(),
            "JWS_INVALID_KEY"
        );
    }
}

#[test]
fn an_okp_jwk_yields_the_32_byte_key_and_a_small_order_key_is_refused() {
    let key = platform_key("EBLA");
    let jwk: Jwk = serde_json::from_value(key.public_jwk()).unwrap();
    let trusted = TrustedKey::from_jwk(&jwk).unwrap();
    assert_eq!(trusted.kid.as_deref(), Some("EBLA-1"));
    assert!(verify(&sign(&payload(), &key), &[trusted], "EBLA").is_ok());
    // The identity point (small order): under ZIP-215 anybody could sign for it.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let weak = json!({"kty": "OKP", "crv": "Ed25519", "x": URL_SAFE_NO_PAD.encode(identity)});
    let short = json!({"kty": "OKP", "crv": "Ed25519", "x": URL_SAFE_NO_PAD.encode([7u8; 31])});
    for jwk in [weak, short] {
        let jwk: Jwk = serde_json::from_value(jwk).unwrap();
        assert_eq!(
            TrustedKey::from_jwk(&jwk).unwrap_err().code(),
            "JWS_INVALID_KEY"
        );
    }
}

#[test]
fn the_checksum_is_the_sha256_of_the_compact_string() {
    assert_eq!(
        checksum("abc").to_hex(),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn signing_serialises_the_payload_compactly_with_alg_and_kid() {
    let jws = sign(&json!({"a": 1, "b": [true]}), &platform_key("EBLA"));
    let compact = parse(&jws, MAX_JWS_LEN).unwrap();
    assert_eq!(compact.payload_bytes, br#"{"a":1,"b":[true]}"#);
    assert_eq!(compact.header, json!({"alg": "EdDSA", "kid": "EBLA-1"}));
}

#[test]
fn a_kid_that_is_not_a_string_is_malformed() {
    let key = platform_key("EBLA");
    let jws = with_header(&json!({"alg": "EdDSA", "kid": 1}), &key);
    assert_eq!(
        verify(&jws, &[key.trusted_key()], "EBLA")
            .unwrap_err()
            .code(),
        "JWS_MALFORMED"
    );
}
