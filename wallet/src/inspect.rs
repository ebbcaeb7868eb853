//! Reads an X.509 certificate or a PKCS#10 request (PEM or DER) and reports the facts the ledger
//! admits an organisation by (R21): CN, O, C, role OUs, key and validity.

use serde::Serialize;
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::oid_registry::OID_SIG_ED25519;
use x509_parser::prelude::{FromDer, X509Certificate, X509Name};

use ebl_ledger::crypto::{PublicKey, Signature};
use ebl_ledger::hash::Hash32;
use ebl_ledger::identity::Role;
use ebl_ledger::time::Timestamp;

/// The subject fields that matter to the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubjectFacts {
    /// The whole subject, as text.
    pub text: String,
    /// CN: the organisation id.
    pub org_id: Option<String>,
    /// O: legal name.
    pub name: Option<String>,
    /// C: country.
    pub country: Option<String>,
    /// OUs that are role codes.
    pub roles: Vec<String>,
    /// OUs that are not role codes (the ledger refuses these).
    pub unknown_units: Vec<String>,
}

/// A certification request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestSummary {
    /// Subject.
    pub subject: SubjectFacts,
    /// `Ed25519` or the key algorithm OID.
    pub key_algorithm: String,
    /// Subject key, when Ed25519.
    pub public_key: Option<PublicKey>,
    /// Whether the self-signature verifies (Ed25519, R171; informative only, R173).
    pub signature_valid: bool,
}

/// A certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateSummary {
    /// Subject.
    pub subject: SubjectFacts,
    /// Issuer, as text.
    pub issuer: String,
    /// Serial number, hex.
    pub serial: String,
    /// `Ed25519` or the key algorithm OID.
    pub key_algorithm: String,
    /// Subject key, when Ed25519.
    pub public_key: Option<PublicKey>,
    /// Validity start, RFC 3339.
    pub not_before: String,
    /// Validity end, RFC 3339.
    pub not_after: String,
    /// Whether it is a CA certificate.
    pub is_ca: bool,
    /// SHA-256 of the DER (the ledger stores it as the fingerprint).
    pub fingerprint: Hash32,
}

/// What a file turned out to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Inspected {
    /// An X.509 certificate.
    Certificate(CertificateSummary),
    /// A PKCS#10 request.
    Request(RequestSummary),
}

fn strings(values: Vec<Result<&str, x509_parser::error::X509Error>>) -> Vec<String> {
    values
        .into_iter()
        .map(|v| {
            v.map(str::to_string)
                .unwrap_or_else(|_| "<not text>".into())
        })
        .collect()
}

fn subject_facts(name: &X509Name<'_>) -> SubjectFacts {
    let first = |v: Vec<String>| v.into_iter().next();
    let mut roles = Vec::new();
    let mut unknown_units = Vec::new();
    for unit in strings(
        name.iter_organizational_unit()
            .map(|a| a.as_str())
            .collect(),
    ) {
        match Role::from_code(&unit) {
            Some(role) => roles.push(role.code().to_string()),
            None => unknown_units.push(unit),
        }
    }
    SubjectFacts {
        text: name.to_string(),
        org_id: first(strings(
            name.iter_common_name().map(|a| a.as_str()).collect(),
        )),
        name: first(strings(
            name.iter_organization().map(|a| a.as_str()).collect(),
        )),
        country: first(strings(name.iter_country().map(|a| a.as_str()).collect())),
        roles,
        unknown_units,
    }
}

fn key_facts(spki: &x509_parser::x509::SubjectPublicKeyInfo<'_>) -> (String, Option<PublicKey>) {
    if spki.algorithm.algorithm != OID_SIG_ED25519 {
        return (spki.algorithm.algorithm.to_id_string(), None);
    }
    let key = <[u8; 32]>::try_from(spki.subject_public_key.data.as_ref())
        .ok()
        .map(PublicKey);
    ("Ed25519".into(), key)
}

fn rfc3339(seconds: i64) -> String {
    Timestamp::from_unix_seconds(u64::try_from(seconds).unwrap_or(0)).to_rfc3339()
}

fn certificate(der: &[u8], cert: &X509Certificate<'_>) -> CertificateSummary {
    let (key_algorithm, public_key) = key_facts(cert.public_key());
    CertificateSummary {
        subject: subject_facts(cert.subject()),
        issuer: cert.issuer().to_string(),
        serial: cert.raw_serial_as_string(),
        key_algorithm,
        public_key,
        not_before: rfc3339(cert.validity().not_before.timestamp()),
        not_after: rfc3339(cert.validity().not_after.timestamp()),
        is_ca: cert.is_ca(),
        fingerprint: Hash32::sha256(der),
    }
}

fn request(req: &X509CertificationRequest<'_>) -> RequestSummary {
    let info = &req.certification_request_info;
    let (key_algorithm, public_key) = key_facts(&info.subject_pki);
    let signature_valid = match (
        public_key,
        req.signature_algorithm.algorithm == OID_SIG_ED25519,
    ) {
        (Some(key), true) => <[u8; 64]>::try_from(req.signature_value.data.as_ref())
            .is_ok_and(|sig| key.verify(info.raw, &Signature(sig)).is_ok()),
        _ => false,
    };
    RequestSummary {
        subject: subject_facts(&info.subject),
        key_algorithm,
        public_key,
        signature_valid,
    }
}

/// Reads `bytes` (PEM `CERTIFICATE` / `CERTIFICATE REQUEST`, or DER of either).
pub fn inspect(bytes: &[u8]) -> Result<Inspected, String> {
    let trimmed = bytes.trim_ascii_start();
    let (label, der) = if trimmed.starts_with(b"-----BEGIN") {
        let (_, pem) = x509_parser::pem::parse_x509_pem(trimmed)
            .map_err(|e| format!("not a PEM file ({e})"))?;
        (Some(pem.label), pem.contents)
    } else {
        (None, bytes.to_vec())
    };
    let as_certificate = || {
        X509Certificate::from_der(&der)
            .map(|(_, cert)| Inspected::Certificate(certificate(&der, &cert)))
            .map_err(|e| format!("not an X.509 certificate ({e})"))
    };
    let as_request = || {
        X509CertificationRequest::from_der(&der)
            .map(|(_, req)| Inspected::Request(request(&req)))
            .map_err(|e| format!("not a PKCS#10 request ({e})"))
    };
    match label.as_deref() {
        Some("CERTIFICATE") => as_certificate(),
        Some("CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST") => as_request(),
        Some(other) => Err(format!(
            "PEM label `{other}` is neither CERTIFICATE nor CERTIFICATE REQUEST"
        )),
        None => as_certificate().or_else(|_| {
            as_request().map_err(|_| "neither a certificate nor a request (PEM or DER)".into())
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_neither_kind() {
        assert!(inspect(b"hello").is_err());
        assert!(
            inspect(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n").is_err()
        );
    }

    #[test]
    fn a_der_request_is_recognised_without_a_label() {
        let subject = crate::csr::CsrSubject::new("BANK", "Bank", "SG", &[Role::Bank]).unwrap();
        let der = crate::csr::request_der(&subject, &crate::keys::generate());
        assert!(matches!(inspect(&der), Ok(Inspected::Request(_))));
    }
}
