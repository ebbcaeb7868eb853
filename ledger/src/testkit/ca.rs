//! Test certificate authorities: a consortium root and the organisation certificates it signs,
//! made with rcgen from deterministic keys so that genesis hashes are reproducible.

use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::EncodePrivateKey;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, PKCS_ED25519, SerialNumber,
};

use crate::hash::Hash32;
use crate::identity::Role;

/// A deterministic signing key derived from a label.
pub fn key_from_label(label: &str) -> SigningKey {
    SigningKey::from_bytes(&Hash32::sha256(label.as_bytes()).0)
}

fn rcgen_key(key: &SigningKey) -> KeyPair {
    let der = key
        .to_pkcs8_der()
        .expect("pkcs8 encoding of an ed25519 key");
    KeyPair::from_pkcs8_der_and_sign_algo(&der.as_bytes().into(), &PKCS_ED25519)
        .expect("rcgen accepts an ed25519 pkcs8 key")
}

/// Validity of a test certificate, as (year, month, day) pairs.
#[derive(Debug, Clone, Copy)]
pub struct Validity {
    /// First day.
    pub not_before: (i32, u8, u8),
    /// Last day.
    pub not_after: (i32, u8, u8),
}

impl Default for Validity {
    fn default() -> Self {
        Validity {
            not_before: (2025, 1, 1),
            not_after: (2030, 1, 1),
        }
    }
}

/// A certificate authority for tests.
#[derive(Debug)]
pub struct TestCa {
    params: CertificateParams,
    key: KeyPair,
    /// DER of the self-signed root certificate.
    pub root_der: Vec<u8>,
    serial: std::cell::Cell<u64>,
}

impl TestCa {
    /// A root CA named `name`, with a key derived from the name.
    pub fn new(name: &str) -> Self {
        Self::with_validity(
            name,
            Validity {
                not_before: (2024, 1, 1),
                not_after: (2040, 1, 1),
            },
        )
    }

    /// A root CA with the given validity.
    pub fn with_validity(name: &str, validity: Validity) -> Self {
        let key = rcgen_key(&key_from_label(&format!("root-ca:{name}")));
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("empty SAN list");
        params.distinguished_name.push(DnType::CommonName, name);
        params
            .distinguished_name
            .push(DnType::OrganizationName, format!("{name} consortium"));
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.serial_number = Some(SerialNumber::from(1u64));
        set_validity(&mut params, validity);
        let root_der = params
            .self_signed(&key)
            .expect("self-signed root")
            .der()
            .to_vec();
        TestCa {
            params,
            key,
            root_der,
            serial: std::cell::Cell::new(100),
        }
    }

    /// Issues an organisation certificate: CN = `id`, O = `name`, C = `country`, one OU per role.
    pub fn issue(
        &self,
        id: &str,
        name: &str,
        country: &str,
        roles: &[Role],
        key: &SigningKey,
        validity: Validity,
    ) -> Vec<u8> {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("empty SAN list");
        params.distinguished_name.push(DnType::CommonName, id);
        params
            .distinguished_name
            .push(DnType::OrganizationName, name);
        params.distinguished_name.push(DnType::CountryName, country);
        // rcgen keeps one value per attribute type, so a second OU goes in under the same OID
        // (2.5.4.11) spelled as a custom type; x509-parser reads both as OU.
        assert!(
            roles.len() <= 2,
            "the test CA writes at most two roles (OU)"
        );
        for (i, role) in roles.iter().enumerate() {
            let ou = if i == 0 {
                DnType::OrganizationalUnitName
            } else {
                DnType::CustomDnType(vec![2, 5, 4, 11])
            };
            params.distinguished_name.push(ou, role.code());
        }
        let serial = self.serial.get() + 1;
        self.serial.set(serial);
        params.serial_number = Some(SerialNumber::from(serial));
        set_validity(&mut params, validity);
        let issuer = Issuer::from_params(&self.params, &self.key);
        params
            .signed_by(&rcgen_key(key), &issuer)
            .expect("signed certificate")
            .der()
            .to_vec()
    }
}

fn set_validity(params: &mut CertificateParams, validity: Validity) {
    let (y, m, d) = validity.not_before;
    params.not_before = rcgen::date_time_ymd(y, m, d);
    let (y, m, d) = validity.not_after;
    params.not_after = rcgen::date_time_ymd(y, m, d);
}
