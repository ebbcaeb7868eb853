//! R319: the trust file, its bounds, and reloading it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};

use super::*;
use crate::pint::fixtures::{carrier_code, party, platform_key, tx};

fn file() -> Value {
    json!({
        "platformCode": "EBLA",
        "signingKey": {"kid": "EBLA-1", "seedHex": "07".repeat(32)},
        "platforms": [{"code": "EBLB", "keys": [platform_key("EBLB").public_jwk()], "envelopesUrl": "https://eblb.example/v3"}],
        "carriers": [{"partyCodes": [carrier_code()], "keys": [platform_key("carrier").public_jwk()]}]
    })
}

fn parse(file: &Value) -> Result<TrustConfig, TrustError> {
    TrustConfig::parse(&file.to_string(), Path::new("."))
}

#[test]
fn a_valid_file_gives_the_platform_code_key_platforms_and_carriers() {
    let config = parse(&file()).unwrap();
    assert_eq!(config.platform_code, "EBLA");
    assert_eq!(config.signing_key.kid, "EBLA-1");
    assert_eq!(config.signing_key.key.to_bytes(), [7; 32]);
    let eblb = &config.platforms["EBLB"];
    assert_eq!(
        eblb.envelopes_url.as_ref().unwrap().as_str(),
        "https://eblb.example/v3"
    );
    assert_eq!(eblb.keys[0].kid.as_deref(), Some("EBLB-1"));
    assert_eq!(config.carriers.len(), 1);
}

#[test]
fn our_own_code_yields_our_own_public_key_and_an_unknown_code_none() {
    let config = parse(&file()).unwrap();
    let own = config.platform_keys("EBLA").unwrap();
    assert_eq!(
        format!("{:?}", own[0].key),
        format!("{:?}", config.signing_key.trusted_key().key)
    );
    assert!(config.platform_keys("EBLB").is_some());
    assert!(config.platform_keys("BOLE").is_none());
}

#[test]
fn carrier_keys_are_found_by_the_issue_actors_identifying_code() {
    let config = parse(&file()).unwrap();
    let mut carrier = party("Carrier", "EBLA");
    let stranger = tx("ISSUE", &carrier, None);
    assert!(config.carrier_keys(&stranger).is_empty());
    carrier.identifying_codes.push(carrier_code());
    assert_eq!(config.carrier_keys(&tx("ISSUE", &carrier, None)).len(), 1);
}

#[test]
fn a_pkcs8_pem_signing_key_is_read_next_to_the_file() {
    let dir = tempfile::tempdir().unwrap();
    // RFC 8410 §10.3's example key.
    let pem = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n-----END PRIVATE KEY-----\n";
    std::fs::write(dir.path().join("key.pem"), pem).unwrap();
    let mut file = file();
    file["signingKey"] = json!({"kid": "k", "pkcs8PemFile": "key.pem"});
    let config = TrustConfig::parse(&file.to_string(), dir.path()).unwrap();
    assert_eq!(
        hex::encode(config.signing_key.key.to_bytes()),
        "d4ee72dbf913584ad5b6d8f1f769f8ad3afe7c28cbf1d4fbe097a88f44755842"
    );
}

#[test]
fn bad_platform_codes_are_refused() {
    for code in ["", "ABCDE", "A B", "EBLA"] {
        let mut file = file();
        file["platforms"][0]["code"] = json!(code);
        assert_eq!(
            parse(&file).unwrap_err().code(),
            "PINT_TRUST_REFUSED",
            "{code:?}"
        );
    }
    let mut file = file();
    file["platformCode"] = json!("TOOLONG");
    assert_eq!(parse(&file).unwrap_err().code(), "PINT_TRUST_REFUSED");
}

#[test]
fn a_platform_listed_twice_is_refused() {
    let mut file = file();
    let again = file["platforms"][0].clone();
    file["platforms"].as_array_mut().unwrap().push(again);
    assert_eq!(parse(&file).unwrap_err().code(), "PINT_TRUST_REFUSED");
}

#[test]
fn keys_are_bounded_and_must_be_usable() {
    for keys in [
        json!([]),
        json!(vec![platform_key("k").public_jwk(); MAX_KEYS + 1]),
        json!([{"kty": "oct", "k": "c2VjcmV0"}]),
    ] {
        let mut file = file();
        file["platforms"][0]["keys"] = keys;
        assert_eq!(parse(&file).unwrap_err().code(), "PINT_TRUST_REFUSED");
    }
}

#[test]
fn platforms_are_bounded() {
    let mut file = file();
    let platforms: Vec<Value> = (0..=MAX_PARTIES)
        .map(|i| json!({"code": format!("P{i}"), "keys": [platform_key("k").public_jwk()]}))
        .collect();
    file["platforms"] = json!(platforms);
    assert_eq!(parse(&file).unwrap_err().code(), "PINT_TRUST_REFUSED");
}

#[test]
fn an_envelopes_url_must_be_a_plain_http_base() {
    for url in [
        "ftp://x/v3",
        "https://user:pw@x/v3",
        "https://x/v3?q=1",
        "not a url",
    ] {
        let mut file = file();
        file["platforms"][0]["envelopesUrl"] = json!(url);
        assert_eq!(
            parse(&file).unwrap_err().code(),
            "PINT_TRUST_REFUSED",
            "{url}"
        );
    }
}

#[test]
fn the_signing_key_needs_exactly_one_form_and_a_kid() {
    for key in [
        json!({"kid": "k"}),
        json!({"kid": "k", "seedHex": "07", }),
        json!({"kid": "", "seedHex": "07".repeat(32)}),
        json!({"kid": "k", "seedHex": "07".repeat(32), "pkcs8PemFile": "x"}),
    ] {
        let mut file = file();
        file["signingKey"] = key.clone();
        assert_eq!(
            parse(&file).unwrap_err().code(),
            "PINT_TRUST_REFUSED",
            "{key}"
        );
    }
}

#[test]
fn unknown_fields_and_non_json_are_invalid() {
    let mut file = file();
    file["platfroms"] = json!([]);
    assert_eq!(parse(&file).unwrap_err().code(), "PINT_TRUST_INVALID");
    assert_eq!(
        TrustConfig::parse("{", Path::new(".")).unwrap_err().code(),
        "PINT_TRUST_INVALID"
    );
}

#[test]
fn the_store_reloads_a_changed_file_and_keeps_the_old_config_when_the_new_one_is_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trust.json");
    std::fs::write(&path, file().to_string()).unwrap();
    let store = TrustStore::load(&path).unwrap();
    assert_eq!(store.reload_if_changed(), Ok(false));
    let mut rotated = file();
    rotated["signingKey"]["kid"] = json!("EBLA-2-rotated");
    std::fs::write(&path, rotated.to_string()).unwrap();
    assert_eq!(store.reload_if_changed(), Ok(true));
    assert_eq!(store.current().signing_key.kid, "EBLA-2-rotated");
    std::fs::write(&path, "{ not json").unwrap();
    let error = store.reload_if_changed().unwrap_err();
    assert_eq!(error.code(), "PINT_TRUST_INVALID");
    assert!(error.to_string().contains("previous keys kept"), "{error}");
    assert_eq!(store.current().signing_key.kid, "EBLA-2-rotated");
}

#[test]
fn a_file_larger_than_the_bound_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trust.json");
    std::fs::write(
        &path,
        " ".repeat(usize::try_from(MAX_FILE_LEN).unwrap() + 1),
    )
    .unwrap();
    assert_eq!(
        TrustStore::load(&path).unwrap_err().code(),
        "PINT_TRUST_FILE"
    );
}

#[test]
fn a_key_held_by_the_keystore_replaces_the_files_and_there_is_exactly_one() {
    let held = platform_key("EBLA");
    let mut without = file();
    without.as_object_mut().unwrap().remove("signingKey");
    let config =
        TrustConfig::parse_with(&without.to_string(), Path::new("."), Some(&held)).unwrap();
    assert_eq!(config.signing_key.key.to_bytes(), held.key.to_bytes());
    // Both, or neither, is refused.
    let both = TrustConfig::parse_with(&file().to_string(), Path::new("."), Some(&held));
    assert!(matches!(both, Err(TrustError::Refused(_))), "{both:?}");
    let neither = TrustConfig::parse_with(&without.to_string(), Path::new("."), None);
    assert!(
        matches!(neither, Err(TrustError::Refused(_))),
        "{neither:?}"
    );
}
