//! The PKCS#10 certificate signing request (RFC 2986) an organisation sends to the consortium CA
//! to be admitted: subject CN = organisation id, O = legal name, C = country, one OU per role
//! (the fields R21 reads from the issued certificate), Ed25519 key, self-signed.

use ed25519_dalek::{Signer, SigningKey};

use ebl_ledger::identity::Role;
use ebl_ledger::ids::OrgId;

use crate::der::{self, oid};
use crate::error::WalletError;

/// What the request asks the CA to certify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsrSubject {
    /// Organisation id (CN).
    pub org_id: OrgId,
    /// Legal name (O).
    pub name: String,
    /// ISO 3166-1 alpha-2 country (C).
    pub country: String,
    /// Roles (one OU each, in code order, no duplicates).
    pub roles: Vec<Role>,
}

fn invalid(field: &str, reason: &str) -> WalletError {
    WalletError::InvalidArgument {
        field: field.into(),
        reason: reason.into(),
    }
}

impl CsrSubject {
    /// Checks the fields as the ledger will when it admits the certificate (R20–R21).
    pub fn new(
        org_id: &str,
        name: &str,
        country: &str,
        roles: &[Role],
    ) -> Result<Self, WalletError> {
        let org_id = OrgId::new(org_id)
            .map_err(|_| invalid("--org-id", "must be 1-64 of A-Z a-z 0-9 . _ -"))?;
        let name = name.trim();
        // X.520 upper bound for organizationName.
        if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
            return Err(invalid(
                "--name",
                "must be 1-64 characters without control characters",
            ));
        }
        if country.len() != 2 || !country.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(invalid(
                "--country",
                "must be an ISO 3166-1 alpha-2 code in capitals, e.g. SG",
            ));
        }
        let mut roles = roles.to_vec();
        roles.sort();
        roles.dedup();
        if roles.is_empty() {
            return Err(invalid("--role", "name at least one role"));
        }
        Ok(CsrSubject {
            org_id,
            name: name.to_string(),
            country: country.to_string(),
            roles,
        })
    }

    /// DER of the subject Name: C, O, one OU per role, CN.
    pub fn name_der(&self) -> Vec<u8> {
        let mut rdns = vec![
            der::rdn(oid::COUNTRY, der::PRINTABLE_STRING, &self.country),
            der::rdn(oid::ORGANIZATION, der::UTF8_STRING, &self.name),
        ];
        for role in &self.roles {
            rdns.push(der::rdn(
                oid::ORGANIZATIONAL_UNIT,
                der::UTF8_STRING,
                role.code(),
            ));
        }
        rdns.push(der::rdn(
            oid::COMMON_NAME,
            der::UTF8_STRING,
            self.org_id.as_str(),
        ));
        der::sequence(&rdns)
    }
}

/// DER of the signed request.
pub fn request_der(subject: &CsrSubject, key: &SigningKey) -> Vec<u8> {
    let spki = der::sequence(&[
        der::ed25519_algorithm(),
        der::bit_string(&key.verifying_key().to_bytes()),
    ]);
    let info = der::sequence(&[
        der::tlv(der::INTEGER, &[0]),
        subject.name_der(),
        spki,
        // attributes [0] IMPLICIT SET OF Attribute: empty.
        der::tlv(der::CONTEXT_0, &[]),
    ]);
    // Pure Ed25519 signs the DER of CertificationRequestInfo itself.
    let signature = key.sign(&info);
    der::sequence(&[
        info,
        der::ed25519_algorithm(),
        der::bit_string(&signature.to_bytes()),
    ])
}

/// PEM (`CERTIFICATE REQUEST`) of the signed request.
pub fn request_pem(subject: &CsrSubject, key: &SigningKey) -> String {
    der::pem("CERTIFICATE REQUEST", &request_der(subject, key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::{Inspected, inspect};

    fn subject() -> CsrSubject {
        CsrSubject::new(
            "CARRIER",
            "Ocean Carrier Pte Ltd",
            "SG",
            &[Role::TradeParty, Role::Carrier, Role::Carrier],
        )
        .unwrap()
    }

    #[test]
    fn the_request_carries_every_role_and_a_valid_self_signature() {
        let key = crate::keys::generate();
        let pem = request_pem(&subject(), &key);
        let Inspected::Request(summary) = inspect(pem.as_bytes()).unwrap() else {
            panic!("expected a request");
        };
        assert_eq!(summary.subject.org_id.as_deref(), Some("CARRIER"));
        assert_eq!(
            summary.subject.name.as_deref(),
            Some("Ocean Carrier Pte Ltd")
        );
        assert_eq!(summary.subject.country.as_deref(), Some("SG"));
        assert_eq!(summary.subject.roles, vec!["CARRIER", "TRADE_PARTY"]);
        assert_eq!(
            summary.public_key,
            Some(ebl_ledger::crypto::PublicKey::from(key.verifying_key()))
        );
        assert!(summary.signature_valid);
    }

    #[test]
    fn bad_fields_are_refused_before_signing() {
        assert!(CsrSubject::new("bad id!", "X", "SG", &[Role::Bank]).is_err());
        assert!(CsrSubject::new("BANK", "", "SG", &[Role::Bank]).is_err());
        assert!(CsrSubject::new("BANK", "X", "sg", &[Role::Bank]).is_err());
        assert!(CsrSubject::new("BANK", "X", "SG", &[]).is_err());
    }
}
