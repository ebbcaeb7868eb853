//! The carrier's issuance manifest, DCSA ISS `issuanceManifestSignedContent` (R224–R227): a
//! compact JWS (RFC 7515) over the checksums of the document, of `issueTo` and of the carrier's
//! visualisation. The signature is verified against the carrier's key registered on the ledger
//! (its organisation record, Ed25519), so only `EdDSA` can verify; keys named in the header
//! (`jwk`, `x5c`, `kid`) are never trusted. The checksums are then compared with the request.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ebl_ledger::crypto::{PublicKey, Signature};
use ebl_ledger::docid;
use ebl_ledger::hash::Hash32;
use ed25519_dalek::{Signer, SigningKey};
use serde_json::{Value, json};

use crate::pint::jws::{Compact, parse};

/// Longest `issuanceManifestSignedContent` read (a manifest is about 400 characters).
pub const MAX_JWS_LEN: usize = 8 * 1024;

/// The one algorithm a registered key (Ed25519) verifies (RFC 8037).
pub const ALGORITHM: &str = "EdDSA";

/// Why a manifest's signature is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    /// Not three base64url parts, too long, or a part that does not decode.
    #[error(
        "issuanceManifestSignedContent is not a compact JWS of at most {MAX_JWS_LEN} characters with base64url JSON header and payload"
    )]
    Malformed,
    /// R225: `alg` other than EdDSA (`none`, RS256, HS256, …) or missing.
    #[error(
        "JWS alg `{0}` is refused: only EdDSA verifies against the carrier's registered Ed25519 key"
    )]
    Algorithm(String),
    /// R225: `crit` extensions (e.g. unencoded payloads) are not understood.
    #[error("JWS header has critical extensions ({0}) this platform does not understand")]
    Critical(String),
    /// R224: the signature does not verify under the carrier's registered key.
    #[error("the JWS signature does not verify under the registered key of {0}")]
    BadSignature(String),
}

impl ManifestError {
    /// Stable code (an `IssuanceError.errorCode`).
    pub fn code(&self) -> &'static str {
        match self {
            ManifestError::Malformed => "INVALID_MANIFEST",
            ManifestError::Algorithm(_) | ManifestError::Critical(_) => "UNSUPPORTED_ALGORITHM",
            ManifestError::BadSignature(_) => "INVALID_SIGNATURE",
        }
    }
}

/// The compact parts of `jws` with a JSON-object payload (R224: the parsing PINT shares,
/// [`crate::pint::jws::parse`]).
fn split(jws: &str) -> Result<(Compact<'_>, Value), ManifestError> {
    let compact = parse(jws, MAX_JWS_LEN).map_err(|_| ManifestError::Malformed)?;
    let payload = compact
        .payload()
        .ok()
        .filter(Value::is_object)
        .ok_or(ManifestError::Malformed)?;
    Ok((compact, payload))
}

/// The payload of `jws` without checking anything else (for listing checksum problems even
/// when the signature fails).
pub fn payload(jws: &str) -> Option<Value> {
    split(jws).ok().map(|(_, payload)| payload)
}

/// R224–R225: verifies compact JWS `jws` against `key` (the registered key of `carrier`) and
/// returns its payload.
pub fn verify(jws: &str, key: &PublicKey, carrier: &str) -> Result<Value, ManifestError> {
    let (compact, payload) = split(jws)?;
    match compact.header.get("alg").and_then(Value::as_str) {
        Some(ALGORITHM) => {}
        Some(other) => return Err(ManifestError::Algorithm(other.chars().take(20).collect())),
        None => return Err(ManifestError::Algorithm("(missing)".into())),
    }
    if let Some(crit) = compact.header.get("crit") {
        return Err(ManifestError::Critical(
            crit.to_string().chars().take(60).collect(),
        ));
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(compact.signature)
        .map_err(|_| ManifestError::Malformed)?;
    let signature: [u8; 64] = bytes
        .try_into()
        .map_err(|_| ManifestError::BadSignature(carrier.into()))?;
    // RFC 7515 §5.2: the signing input is the two encoded parts as sent, joined by a dot.
    key.verify(compact.signing_input.as_bytes(), &Signature(signature))
        .map_err(|_| ManifestError::BadSignature(carrier.into()))?;
    Ok(payload)
}

/// The manifest `request` must carry: the checksums of its own `document`, `issueTo` and
/// `eBLVisualisationByCarrier.content` (when present).
pub fn expected_manifest(request: &Value) -> Value {
    let hash = |v: Option<&Value>| v.and_then(|v| docid::document_id(v).ok());
    let mut manifest = json!({});
    if let Some(document) = hash(request.get("document")) {
        manifest["documentChecksum"] = json!(document.to_hex());
    }
    if let Some(issue_to) = hash(request.get("issueTo")) {
        manifest["issueToChecksum"] = json!(issue_to.to_hex());
    }
    let visualisation = request
        .pointer("/eBLVisualisationByCarrier/content")
        .and_then(Value::as_str)
        .and_then(|c| STANDARD.decode(c).ok())
        .map(|bytes| Hash32::sha256(&bytes));
    if let Some(visualisation) = visualisation {
        manifest["eBLVisualisationByCarrierChecksum"] = json!(visualisation.to_hex());
    }
    manifest
}

/// Signs `manifest` as a compact JWS with `key` (EdDSA): what a carrier's system does before
/// `PUT /v3/ebl-issuance-requests`.
pub fn sign(manifest: &Value, key: &SigningKey) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"EdDSA"}"#);
    let payload = URL_SAFE_NO_PAD.encode(manifest.to_string());
    let input = format!("{header}.{payload}");
    let signature = URL_SAFE_NO_PAD.encode(key.sign(input.as_bytes()).to_bytes());
    format!("{input}.{signature}")
}

/// `request` with `issuanceManifestSignedContent` computed from its own content and signed
/// with `key` (the carrier's registered key).
pub fn signed_request(mut request: Value, key: &SigningKey) -> Value {
    let jws = sign(&expected_manifest(&request), key);
    request["issuanceManifestSignedContent"] = json!(jws);
    request
}

#[cfg(test)]
#[path = "manifest_tests.rs"]
mod tests;
