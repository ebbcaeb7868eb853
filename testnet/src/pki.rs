//! The consortium's PKI for a testnet: a root CA and one certificate per organisation, made with
//! rcgen from fresh random Ed25519 keys (unlike the ledger's testkit, whose keys derive from
//! labels: a testnet a partner runs must not share keys with every other copy of it).

use ebl_ledger::identity::Role;
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::EncodePrivateKey;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, PKCS_ED25519, SerialNumber,
};
use time::{Duration, OffsetDateTime};

use crate::error::{Result, TestnetError};

/// The consortium root CA.
pub struct RootCa {
    params: CertificateParams,
    key: KeyPair,
    /// DER of the self-signed root certificate.
    pub root_der: Vec<u8>,
    /// PEM of the root certificate (written to the testnet folder for people to inspect).
    pub root_pem: String,
    next_serial: u64,
}

impl std::fmt::Debug for RootCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key.
        f.debug_struct("RootCa").finish_non_exhaustive()
    }
}

/// A fresh random Ed25519 key.
pub fn fresh_key() -> SigningKey {
    SigningKey::generate(&mut rand::rngs::OsRng)
}

fn rcgen_key(key: &SigningKey) -> Result<KeyPair> {
    let der = key
        .to_pkcs8_der()
        .map_err(TestnetError::setup("pkcs8 encoding"))?;
    KeyPair::from_pkcs8_der_and_sign_algo(&der.as_bytes().into(), &PKCS_ED25519)
        .map_err(TestnetError::setup("rcgen key"))
}

/// Validity from yesterday (so that a genesis made now lies inside it, whatever the clocks'
/// rounding) for `years` years.
fn set_validity(params: &mut CertificateParams, now: OffsetDateTime, years: i64) {
    params.not_before = now - Duration::days(1);
    params.not_after = now + Duration::days(365 * years);
}

impl RootCa {
    /// A new root named `name` with a fresh key, valid for ten years from `now`.
    pub fn new(name: &str, now: OffsetDateTime) -> Result<Self> {
        let key = rcgen_key(&fresh_key())?;
        let mut params = CertificateParams::new(Vec::<String>::new())
            .map_err(TestnetError::setup("root CA params"))?;
        params.distinguished_name.push(DnType::CommonName, name);
        params
            .distinguished_name
            .push(DnType::OrganizationName, format!("{name} consortium"));
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.serial_number = Some(SerialNumber::from(1u64));
        set_validity(&mut params, now, 10);
        let cert = params
            .self_signed(&key)
            .map_err(TestnetError::setup("self-signed root"))?;
        Ok(RootCa {
            root_der: cert.der().to_vec(),
            root_pem: cert.pem(),
            params,
            key,
            next_serial: 100,
        })
    }

    /// An organisation certificate: CN = `id`, O = `name`, C = `country`, one OU per role (at
    /// most two, as rcgen keeps one value per attribute type and the second OU goes in under
    /// the same OID spelled as a custom type), valid for five years from `now`.
    pub fn issue(
        &mut self,
        org: &OrgSpec,
        key: &SigningKey,
        now: OffsetDateTime,
    ) -> Result<(Vec<u8>, String)> {
        if org.roles.len() > 2 {
            return Err(TestnetError::Setup(format!(
                "{}: at most two roles fit in a certificate here",
                org.id
            )));
        }
        let mut params = CertificateParams::new(Vec::<String>::new())
            .map_err(TestnetError::setup("certificate params"))?;
        params.distinguished_name.push(DnType::CommonName, &org.id);
        params
            .distinguished_name
            .push(DnType::OrganizationName, &org.name);
        params
            .distinguished_name
            .push(DnType::CountryName, &org.country);
        for (i, role) in org.roles.iter().enumerate() {
            let ou = if i == 0 {
                DnType::OrganizationalUnitName
            } else {
                DnType::CustomDnType(vec![2, 5, 4, 11])
            };
            params.distinguished_name.push(ou, role.code());
        }
        self.next_serial += 1;
        params.serial_number = Some(SerialNumber::from(self.next_serial));
        set_validity(&mut params, now, 5);
        let issuer = Issuer::from_params(&self.params, &self.key);
        let cert = params
            .signed_by(&rcgen_key(key)?, &issuer)
            .map_err(TestnetError::setup("sign certificate"))?;
        Ok((cert.der().to_vec(), cert.pem()))
    }
}

/// An organisation of the testnet before its keys exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgSpec {
    /// Organisation id (CN).
    pub id: String,
    /// Legal name (O).
    pub name: String,
    /// Country (C).
    pub country: String,
    /// Roles (OU).
    pub roles: Vec<Role>,
}
