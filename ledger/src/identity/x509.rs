//! X.509 admission: consortium root CAs and organisation certificates (Ed25519, RFC 8410),
//! parsed once with `x509-parser` (specs/protocol.md R20–R22, ADR 0004).

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};
use x509_parser::oid_registry::OID_SIG_ED25519;
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::crypto::{PublicKey, Signature};
use crate::error::RuleError;
use crate::hash::Hash32;
use crate::identity::Role;
use crate::ids::OrgId;
use crate::time::Timestamp;

/// Largest certificate accepted.
pub const MAX_CERTIFICATE_BYTES: usize = 8 * 1024;

/// R186: the reason recorded for bytes x509-parser does not take as a certificate.
pub const NOT_DER_X509: &str = "not a DER X.509 certificate";

/// A consortium root CA, as stored in state.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct RootCa {
    /// Raw DER of the subject name (matched against organisation certificates' issuer).
    pub subject_der: Vec<u8>,
    /// Root key.
    pub key: PublicKey,
    /// Validity start.
    pub not_before: Timestamp,
    /// Validity end.
    pub not_after: Timestamp,
    /// SHA-256 of the certificate DER.
    pub fingerprint: Hash32,
}

/// The facts of an organisation certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgCertificate {
    /// Subject CN.
    pub id: OrgId,
    /// Subject O.
    pub name: String,
    /// Subject C (ISO 3166-1 alpha-2).
    pub country: String,
    /// Subject OU values that name roles.
    pub roles: Vec<Role>,
    /// Subject key.
    pub key: PublicKey,
    /// Validity start.
    pub not_before: Timestamp,
    /// Validity end.
    pub not_after: Timestamp,
    /// SHA-256 of the DER.
    pub fingerprint: Hash32,
}

fn parse(der: &[u8]) -> Result<X509Certificate<'_>, RuleError> {
    if der.len() > MAX_CERTIFICATE_BYTES {
        return Err(RuleError::BadCertificate(
            "certificate larger than 8 KiB".into(),
        ));
    }
    // R186: x509-parser's error text stays out of results and state (library versions word it
    // differently); the code is BAD_CERTIFICATE either way.
    let (rest, cert) = X509Certificate::from_der(der)
        .map_err(|_| RuleError::BadCertificate(NOT_DER_X509.into()))?;
    if !rest.is_empty() {
        return Err(RuleError::BadCertificate(
            "trailing bytes after the certificate".into(),
        ));
    }
    if cert.signature_algorithm.algorithm != OID_SIG_ED25519 {
        return Err(RuleError::BadCertificate(
            "signature algorithm is not Ed25519".into(),
        ));
    }
    if cert.public_key().algorithm.algorithm != OID_SIG_ED25519 {
        return Err(RuleError::BadCertificate(
            "subject key is not Ed25519".into(),
        ));
    }
    Ok(cert)
}

fn subject_key(cert: &X509Certificate<'_>) -> Result<PublicKey, RuleError> {
    let bytes: [u8; 32] = cert
        .public_key()
        .subject_public_key
        .data
        .as_ref()
        .try_into()
        .map_err(|_| RuleError::BadCertificate("Ed25519 key is not 32 bytes".into()))?;
    let key = PublicKey(bytes);
    key.check_registrable()?;
    Ok(key)
}

fn validity(cert: &X509Certificate<'_>) -> (Timestamp, Timestamp) {
    let secs = |t: i64| Timestamp::from_unix_seconds(u64::try_from(t).unwrap_or(0));
    (
        secs(cert.validity().not_before.timestamp()),
        secs(cert.validity().not_after.timestamp()),
    )
}

fn check_signature(cert: &X509Certificate<'_>, issuer_key: &PublicKey) -> Result<(), RuleError> {
    let sig: [u8; 64] = cert
        .signature_value
        .data
        .as_ref()
        .try_into()
        .map_err(|_| RuleError::BadCertificate("signature is not 64 bytes".into()))?;
    issuer_key
        .verify(cert.tbs_certificate.as_ref(), &Signature(sig))
        .map_err(|_| RuleError::UntrustedIssuer)
}

/// R20: a root CA is a self-signed Ed25519 CA certificate.
pub fn parse_root(der: &[u8]) -> Result<RootCa, RuleError> {
    let cert = parse(der)?;
    let key = subject_key(&cert)?;
    let is_ca = cert
        .basic_constraints()
        .ok()
        .flatten()
        .is_some_and(|bc| bc.value.ca);
    if !is_ca {
        return Err(RuleError::BadCertificate(
            "root is not a CA certificate".into(),
        ));
    }
    if cert.subject().as_raw() != cert.issuer().as_raw() {
        return Err(RuleError::BadCertificate("root is not self-issued".into()));
    }
    check_signature(&cert, &key)
        .map_err(|_| RuleError::BadCertificate("root self-signature does not verify".into()))?;
    let (not_before, not_after) = validity(&cert);
    Ok(RootCa {
        subject_der: cert.subject().as_raw().to_vec(),
        key,
        not_before,
        not_after,
        fingerprint: Hash32::sha256(der),
    })
}

/// R21: an organisation certificate chains to one of `roots` (issuer name match and Ed25519
/// signature by the root key under R3), is valid at `time` together with its root, and
/// names the organisation (CN), its legal name (O), country (C) and roles (OU).
pub fn parse_organisation(
    der: &[u8],
    roots: &[RootCa],
    time: Timestamp,
) -> Result<OrgCertificate, RuleError> {
    let cert = parse(der)?;
    let root = roots
        .iter()
        .find(|r| r.subject_der == cert.issuer().as_raw())
        .ok_or(RuleError::UntrustedIssuer)?;
    check_signature(&cert, &root.key)?;
    let (not_before, not_after) = validity(&cert);
    let id = first(cert.subject().iter_common_name(), "CN")?;
    let id = OrgId(id);
    id.validate("certificate CN")?;
    if time < not_before || time < root.not_before {
        return Err(RuleError::CertNotYetValid(id.0));
    }
    if time > not_after || time > root.not_after {
        return Err(RuleError::CertExpired(id.0));
    }
    let name = first(cert.subject().iter_organization(), "O")?;
    let country = first(cert.subject().iter_country(), "C")?;
    if country.len() != 2 || !country.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(RuleError::BadCertificate(
            "country must be ISO 3166-1 alpha-2".into(),
        ));
    }
    let mut roles = Vec::new();
    for ou in cert.subject().iter_organizational_unit() {
        let text = ou
            .as_str()
            .map_err(|_| RuleError::BadCertificate("OU is not text".into()))?;
        let role = Role::from_code(text)
            .ok_or_else(|| RuleError::BadCertificate(format!("unknown role `{text}`")))?;
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    roles.sort();
    if roles.is_empty() {
        return Err(RuleError::BadCertificate(
            "certificate names no role (OU)".into(),
        ));
    }
    Ok(OrgCertificate {
        id,
        name,
        country,
        roles,
        key: subject_key(&cert)?,
        not_before,
        not_after,
        fingerprint: Hash32::sha256(der),
    })
}

fn first<'a, 'b: 'a>(
    mut values: impl Iterator<Item = &'a x509_parser::x509::AttributeTypeAndValue<'b>>,
    what: &str,
) -> Result<String, RuleError> {
    let value = values
        .next()
        .ok_or_else(|| RuleError::BadCertificate(format!("subject has no {what}")))?;
    let text = value
        .as_str()
        .map_err(|_| RuleError::BadCertificate(format!("subject {what} is not text")))?;
    crate::ids::check_text("certificate", text, 256)?;
    Ok(text.to_string())
}
