//! Compact JWS (RFC 7515) signed with EdDSA (RFC 8037) under the one signature rule (R3,
//! ADR 0025): how a carrier signs its DCSA issuance manifest, so that every node can check it
//! against the carrier's registered key (R321). Only `EdDSA` verifies against an Ed25519 key;
//! keys named in the header are never used, and critical extensions are not understood.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use crate::crypto::{PublicKey, Signature};

/// Longest compact JWS read.
pub const MAX_JWS_LEN: usize = 16 * 1024;

/// Why a compact JWS is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwsError {
    /// Not three base64url parts with a JSON object header and payload, or too long.
    #[error("not a compact JWS of at most {MAX_JWS_LEN} characters with JSON header and payload")]
    Malformed,
    /// `alg` other than EdDSA, or missing.
    #[error("JWS alg `{0}` is refused: only EdDSA verifies against an Ed25519 key")]
    Algorithm(String),
    /// `crit` extensions are present.
    #[error("JWS header has critical extensions this ledger does not understand")]
    Critical,
    /// The signature does not verify.
    #[error("the JWS signature does not verify")]
    BadSignature,
}

fn decode_object(part: &str) -> Option<Value> {
    let bytes = URL_SAFE_NO_PAD.decode(part).ok()?;
    serde_json::from_slice::<Value>(&bytes)
        .ok()
        .filter(Value::is_object)
}

/// The header and payload of `jws`, parsed but not verified.
pub fn parts(jws: &str) -> Result<(Value, Value), JwsError> {
    if jws.len() > MAX_JWS_LEN {
        return Err(JwsError::Malformed);
    }
    let mut split = jws.split('.');
    let (Some(header), Some(payload), Some(_), None) =
        (split.next(), split.next(), split.next(), split.next())
    else {
        return Err(JwsError::Malformed);
    };
    let header = decode_object(header).ok_or(JwsError::Malformed)?;
    let payload = decode_object(payload).ok_or(JwsError::Malformed)?;
    Ok((header, payload))
}

/// Verifies `jws` (EdDSA) under `key` and returns its payload.
pub fn verify_eddsa(jws: &str, key: &PublicKey) -> Result<Value, JwsError> {
    let (header, payload) = parts(jws)?;
    match header.get("alg").and_then(Value::as_str) {
        Some("EdDSA") => {}
        Some(other) => return Err(JwsError::Algorithm(other.chars().take(20).collect())),
        None => return Err(JwsError::Algorithm("(missing)".into())),
    }
    if header.get("crit").is_some() {
        return Err(JwsError::Critical);
    }
    let Some((input, signature_b64)) = jws.rsplit_once('.') else {
        return Err(JwsError::Malformed);
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(signature_b64)
        .map_err(|_| JwsError::Malformed)?;
    let signature: [u8; 64] = bytes.try_into().map_err(|_| JwsError::BadSignature)?;
    // RFC 7515 §5.2: the signing input is the two encoded parts as sent, joined by a dot.
    key.verify(input.as_bytes(), &Signature(signature))
        .map_err(|_| JwsError::BadSignature)?;
    Ok(payload)
}
