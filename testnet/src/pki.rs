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
    /// The root's Ed25519 secret, kept so that a later CA ceremony (a partner joining, R442)
    /// can sign with the same root.
    secret: [u8; 32],
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
        Self::with_key(name, &fresh_key(), now, 100)
    }

    /// The root named `name` whose secret is `secret`, re-made to sign again (the testnet's CA
    /// ceremony for a joining partner, R442): same name and key, so what it issues chains to
    /// the root in genesis (R21 checks the issuer name and the signature). Serials start at
    /// `first_serial`, above those `up` gave.
    pub fn restore(name: &str, secret: &[u8; 32], first_serial: u64) -> Result<Self> {
        let key = SigningKey::from_bytes(secret);
        Self::with_key(name, &key, OffsetDateTime::now_utc(), first_serial)
    }

    fn with_key(
        name: &str,
        signing: &SigningKey,
        now: OffsetDateTime,
        first_serial: u64,
    ) -> Result<Self> {
        let key = rcgen_key(signing)?;
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
            secret: signing.to_bytes(),
            next_serial: first_serial,
        })
    }

    /// The root's secret key (written to `DIR/pki/root-ca.key`, 0600).
    pub fn secret(&self) -> [u8; 32] {
        self.secret
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
        self.issue_for(org, &SubjectKey(key.verifying_key().to_bytes()), now)
    }

    /// [`RootCa::issue`] for a subject of whom the CA knows only the public key (a CSR).
    pub fn issue_for(
        &mut self,
        org: &OrgSpec,
        key: &SubjectKey,
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
            .signed_by(key, &issuer)
            .map_err(TestnetError::setup("sign certificate"))?;
        Ok((cert.der().to_vec(), cert.pem()))
    }
}

/// A subject's Ed25519 public key, as rcgen puts it in a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubjectKey(pub [u8; 32]);

impl rcgen::PublicKeyData for SubjectKey {
    fn der_bytes(&self) -> &[u8] {
        &self.0
    }

    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &PKCS_ED25519
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
