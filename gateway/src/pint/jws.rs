//! Compact JWS (RFC 7515) between eBL platforms (R317–R319, ADR 0036): parsing shared with the
//! carrier's issuance manifest ([`crate::dcsa::manifest`]), verification under configured keys
//! only, and signing with this platform's Ed25519 key.
//!
//! `EdDSA` is decided by the project's one signature rule, [`PublicKey::verify`] (ZIP-215, ADR
//! 0025); `RS256`, `PS256` and `ES256` (what other platforms use) by `jsonwebtoken` over `ring`.
//! Keys named in the header (`jwk`, `x5c`, `jku`, `x5u`) are never used; `kid` only selects among
//! the keys configured for the signer.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ebl_ledger::hash::Hash32;
use ed25519_dalek::Signer;
use serde_json::Value;

pub use super::keys::{KeyMaterial, PlatformSigningKey, TrustedKey};

/// Longest compact JWS read (R300).
pub const MAX_JWS_LEN: usize = 64 * 1024;

/// Why a JWS is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwsError {
    /// Longer than the bound given to [`parse`].
    #[error("JWS longer than {0} characters")]
    TooLong(usize),
    /// Not three base64url parts, or a header that is not a JSON object, or a payload that is
    /// not JSON.
    #[error("not a compact JWS with a base64url JSON header and payload")]
    Malformed,
    /// R319: `alg` missing or not one of EdDSA, RS256, PS256, ES256.
    #[error("JWS alg `{0}` is refused (allowed: EdDSA, RS256, PS256, ES256)")]
    Algorithm(String),
    /// R319: `crit` extensions are not understood.
    #[error("JWS header has critical extensions ({0}) this platform does not understand")]
    Critical(String),
    /// R319: no configured key of the signer fits the header's `kid` and `alg`.
    #[error("unknown key: {0}")]
    UnknownKey(String),
    /// The signature does not verify under any candidate key.
    #[error("the JWS signature does not verify under the configured keys of {0}")]
    BadSignature(String),
    /// A configured JWK this platform cannot use (R319).
    #[error("unusable JWK: {0}")]
    InvalidKey(String),
    /// The verified payload is not the expected object.
    #[error("JWS payload is not a valid {0}")]
    Payload(String),
}

impl JwsError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            JwsError::TooLong(_) => "JWS_TOO_LONG",
            JwsError::Malformed => "JWS_MALFORMED",
            JwsError::Algorithm(_) => "JWS_ALGORITHM",
            JwsError::Critical(_) => "JWS_CRITICAL",
            JwsError::UnknownKey(_) => "JWS_UNKNOWN_KEY",
            JwsError::BadSignature(_) => "JWS_BAD_SIGNATURE",
            JwsError::InvalidKey(_) => "JWS_INVALID_KEY",
            JwsError::Payload(_) => "JWS_PAYLOAD",
        }
    }
}

/// A compact JWS split into its parts, nothing verified.
#[derive(Debug, Clone)]
pub struct Compact<'a> {
    /// The signing input as sent (RFC 7515 §5.2: `header.payload`, encoded).
    pub signing_input: &'a str,
    /// The third part, base64url.
    pub signature: &'a str,
    /// The decoded header (a JSON object).
    pub header: Value,
    /// The decoded payload bytes.
    pub payload_bytes: Vec<u8>,
}

impl Compact<'_> {
    /// The payload as JSON.
    pub fn payload(&self) -> Result<Value, JwsError> {
        serde_json::from_slice(&self.payload_bytes).map_err(|_| JwsError::Malformed)
    }
}

/// Splits `jws` (at most `max_len` characters) into its parts.
pub fn parse(jws: &str, max_len: usize) -> Result<Compact<'_>, JwsError> {
    if jws.len() > max_len {
        return Err(JwsError::TooLong(max_len));
    }
    let (signing_input, signature) = jws.rsplit_once('.').ok_or(JwsError::Malformed)?;
    let (header_b64, payload_b64) = signing_input.split_once('.').ok_or(JwsError::Malformed)?;
    if payload_b64.contains('.') {
        return Err(JwsError::Malformed);
    }
    let decode = |part: &str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| JwsError::Malformed)
    };
    let header = serde_json::from_slice::<Value>(&decode(header_b64)?)
        .ok()
        .filter(Value::is_object)
        .ok_or(JwsError::Malformed)?;
    let payload_bytes = decode(payload_b64)?;
    Ok(Compact {
        signing_input,
        signature,
        header,
        payload_bytes,
    })
}

/// R319: the algorithms verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    /// Ed25519 (RFC 8037), under ZIP-215.
    EdDSA,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PSS with SHA-256.
    PS256,
    /// ECDSA P-256 with SHA-256.
    ES256,
}

/// R319: `alg` of `header` if allowed, and no `crit`.
pub fn header_alg(header: &Value) -> Result<Alg, JwsError> {
    let alg = match header.get("alg").and_then(Value::as_str) {
        Some("EdDSA") => Alg::EdDSA,
        Some("RS256") => Alg::RS256,
        Some("PS256") => Alg::PS256,
        Some("ES256") => Alg::ES256,
        Some(other) => return Err(JwsError::Algorithm(other.chars().take(20).collect())),
        None => return Err(JwsError::Algorithm("(missing)".into())),
    };
    if let Some(crit) = header.get("crit") {
        return Err(JwsError::Critical(
            crit.to_string().chars().take(60).collect(),
        ));
    }
    Ok(alg)
}

/// A JWS whose signature verified.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedJws {
    /// The protected header.
    pub header: Value,
    /// The payload as signed.
    pub payload_bytes: Vec<u8>,
    /// The payload as JSON.
    pub payload: Value,
}

/// R319: verifies `jws` (at most [`MAX_JWS_LEN`]) under `keys`, the configured keys of
/// `signer`. A `kid` in the header selects among them; nothing else in the header is used.
pub fn verify(jws: &str, keys: &[TrustedKey], signer: &str) -> Result<VerifiedJws, JwsError> {
    let compact = parse(jws, MAX_JWS_LEN)?;
    let payload = compact.payload()?;
    let alg = header_alg(&compact.header)?;
    let kid = match compact.header.get("kid") {
        None => None,
        Some(Value::String(kid)) => Some(kid.as_str()),
        Some(_) => return Err(JwsError::Malformed),
    };
    let candidates: Vec<&TrustedKey> = keys
        .iter()
        .filter(|k| k.fits(alg))
        .filter(|k| kid.is_none() || k.kid.as_deref() == kid)
        .collect();
    if candidates.is_empty() {
        let kid = kid.map_or(String::new(), |k| format!(" kid {}", truncate(k, 60)));
        return Err(JwsError::UnknownKey(format!(
            "{signer} has no configured {alg:?} key{kid}"
        )));
    }
    if !candidates
        .iter()
        .any(|k| k.verifies(alg, compact.signing_input, compact.signature))
    {
        return Err(JwsError::BadSignature(signer.into()));
    }
    Ok(VerifiedJws {
        header: compact.header,
        payload_bytes: compact.payload_bytes,
        payload,
    })
}

/// Signs `payload` (serialised compactly) with header `{"alg":"EdDSA","kid":…}`.
pub fn sign(payload: &Value, key: &PlatformSigningKey) -> String {
    let header = serde_json::json!({"alg": "EdDSA", "kid": key.kid});
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string())
    );
    let signature = URL_SAFE_NO_PAD.encode(key.key.sign(input.as_bytes()).to_bytes());
    format!("{input}.{signature}")
}

/// The DCSA checksum of a signed content: SHA-256 of the compact string's bytes.
pub fn checksum(signed_content: &str) -> Hash32 {
    Hash32::sha256(signed_content.as_bytes())
}

/// At most `max` characters of `text`.
pub fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

#[cfg(test)]
#[path = "jws_tests.rs"]
mod tests;
