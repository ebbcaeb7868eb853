//! Step (b) of a join: the consortium CA's ceremony (R442). The CA reads the partner's request,
//! checks its self-signature (the requester holds the key it names), and issues a certificate
//! binding exactly that key to exactly the requested subject under the root in genesis.
//!
//! A real consortium CA does this offline with its own tooling (`openssl x509 -req -CA …`, see
//! OPERATIONS.md "A partner joins"); the testnet keeps its root's key in `DIR/pki/root-ca.key`
//! and plays that part.

use std::path::Path;

use ebl_ledger::identity::Role;
use ebl_wallet::inspect::{Inspected, inspect};
use time::OffsetDateTime;

use crate::error::{Result, TestnetError};
use crate::genesis::ROOT_CA_NAME;
use crate::pki::{OrgSpec, RootCa, SubjectKey};

/// Serials of certificates issued to joining partners start here (`up` uses 101 onwards).
const JOIN_SERIAL_BASE: u64 = 10_000;

/// Why the CA refuses a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestRefused {
    /// Not a PKCS#10 request at all.
    #[error("not a certificate request: {0}")]
    NotARequest(String),
    /// The self-signature does not verify, or the key is not Ed25519.
    #[error("the request's self-signature does not verify with an Ed25519 key")]
    BadSignature,
    /// A subject field is missing or not what the ledger admits.
    #[error("the request's subject lacks {0}")]
    Subject(&'static str),
}

/// What the CA takes from a valid request: the subject and its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VettedRequest {
    /// Subject (CN, O, C, OU roles).
    pub subject: OrgSpec,
    /// The key to certify.
    pub key: SubjectKey,
}

/// R442: reads and checks a PEM or DER request.
pub fn vet(request: &[u8]) -> std::result::Result<VettedRequest, RequestRefused> {
    let summary = match inspect(request) {
        Ok(Inspected::Request(summary)) => summary,
        Ok(Inspected::Certificate(_)) => {
            return Err(RequestRefused::NotARequest("a certificate".into()));
        }
        Err(e) => return Err(RequestRefused::NotARequest(e)),
    };
    let key = match (summary.public_key, summary.signature_valid) {
        (Some(key), true) => SubjectKey(key.0),
        _ => return Err(RequestRefused::BadSignature),
    };
    let facts = summary.subject;
    let roles: Vec<Role> = facts
        .roles
        .iter()
        .filter_map(|r| Role::from_code(r))
        .collect();
    if roles.is_empty() || !facts.unknown_units.is_empty() {
        return Err(RequestRefused::Subject("known role units (OU)"));
    }
    Ok(VettedRequest {
        subject: OrgSpec {
            id: facts.org_id.ok_or(RequestRefused::Subject("CN"))?,
            name: facts.name.ok_or(RequestRefused::Subject("O"))?,
            country: facts.country.ok_or(RequestRefused::Subject("C"))?,
            roles,
        },
        key,
    })
}

/// The testnet's CA ceremony: vets `request` and issues its certificate under the root kept in
/// `root/pki`; writes it to `root/pki/<ORG>.pem` and returns (DER, the vetted request).
pub fn certify(root: &Path, request: &[u8]) -> Result<(Vec<u8>, VettedRequest)> {
    let vetted = vet(request).map_err(|e| TestnetError::Setup(format!("CA: {e}")))?;
    let key_file = root.join("pki").join("root-ca.key");
    let text = std::fs::read_to_string(&key_file)
        .map_err(TestnetError::io(format!("read {}", key_file.display())))?;
    let mut secret = [0u8; 32];
    hex::decode_to_slice(text.trim(), &mut secret)
        .map_err(|e| TestnetError::Setup(format!("{}: {e}", key_file.display())))?;
    let mut ca = RootCa::restore(ROOT_CA_NAME, &secret, JOIN_SERIAL_BASE)?;
    let (der, pem) = ca.issue_for(&vetted.subject, &vetted.key, OffsetDateTime::now_utc())?;
    let out = root.join("pki").join(format!("{}.pem", vetted.subject.id));
    std::fs::write(&out, pem).map_err(TestnetError::io(format!("write {}", out.display())))?;
    Ok((der, vetted))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::fresh_key;
    use ebl_wallet::csr::{CsrSubject, request_pem};

    fn sgsw_request() -> (String, ed25519_dalek::SigningKey) {
        let key = fresh_key();
        let subject = CsrSubject::new(
            "SGSW",
            "Singapore Single Window",
            "SG",
            &[Role::PortOrSingleWindow, Role::ValidatorOperator],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        (request_pem(&subject, &key), key)
    }

    #[test]
    fn a_signed_request_is_vetted_with_its_subject_and_key() {
        let (pem, key) = sgsw_request();
        let vetted = vet(pem.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(vetted.subject.id, "SGSW");
        assert_eq!(vetted.subject.country, "SG");
        assert_eq!(vetted.subject.roles.len(), 2);
        assert_eq!(vetted.key, SubjectKey(key.verifying_key().to_bytes()));
    }

    fn pem_body(pem: &str) -> Vec<u8> {
        use base64::Engine as _;
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_request_whose_signature_was_tampered_with_is_refused() {
        let (pem, _) = sgsw_request();
        let mut der = pem_body(&pem);
        let last = der.len() - 1;
        der[last] ^= 1;
        assert_eq!(vet(&der), Err(RequestRefused::BadSignature));
        assert!(matches!(vet(b"junk"), Err(RequestRefused::NotARequest(_))));
    }

    #[test]
    fn the_certificate_the_restored_root_issues_chains_to_the_genesis_root() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let plan =
            crate::orgs::Plan::without(1, &["SGSW".into()]).unwrap_or_else(|e| panic!("{e}"));
        let c = crate::genesis::build(&plan, OffsetDateTime::now_utc())
            .unwrap_or_else(|e| panic!("{e}"));
        crate::home::write_consortium(dir.path(), &c).unwrap_or_else(|e| panic!("{e}"));
        let (pem, _) = sgsw_request();
        let (der, _) = certify(dir.path(), pem.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        // The ledger admits by the same rules as genesis (R21): check against a genesis
        // holding this root and the new certificate.
        let mut genesis = c.genesis.clone();
        genesis.organisations.push(der);
        assert!(
            genesis.execute().is_ok(),
            "the certificate chains to the root"
        );
        // A certificate from another root does not (R443).
        let mut other = crate::pki::RootCa::new("Other Root", OffsetDateTime::now_utc())
            .unwrap_or_else(|e| panic!("{e}"));
        let spec = crate::orgs::pilot_org("SGSW").unwrap_or_else(|| panic!("no SGSW"));
        let (foreign, _) = other
            .issue(&spec, &fresh_key(), OffsetDateTime::now_utc())
            .unwrap_or_else(|e| panic!("{e}"));
        let mut genesis = c.genesis;
        genesis.organisations.push(foreign);
        assert!(genesis.execute().is_err(), "a foreign root is untrusted");
    }
}
