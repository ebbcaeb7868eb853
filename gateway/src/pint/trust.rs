//! The PINT trust configuration (R319, ADR 0036): this platform's code and signing key, the
//! public keys of the platforms it exchanges bills with, and of the carriers whose issuance
//! manifests it accepts for bills issued elsewhere. Read from a JSON file; [`TrustStore`]
//! re-reads it when it changes so keys rotate without a restart.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::DecodePrivateKey;
use jsonwebtoken::jwk::Jwk;
use serde::Deserialize;

use super::jws::{PlatformSigningKey, TrustedKey};
use super::model::{IdentifyingCode, Transaction};

pub use super::trust_store::TrustStore;

/// Largest trust file read.
pub const MAX_FILE_LEN: u64 = 256 * 1024;
/// Most platforms or carriers configured.
pub const MAX_PARTIES: usize = 256;
/// Most keys per platform or carrier (rotation overlaps a few).
pub const MAX_KEYS: usize = 8;

/// Why a trust file is not used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrustError {
    /// Unreadable or larger than [`MAX_FILE_LEN`].
    #[error("trust file {0}")]
    File(String),
    /// Not the expected JSON.
    #[error("trust file is invalid: {0}")]
    Invalid(String),
    /// R319: a rule of the configuration broken (code, bounds, keys).
    #[error("trust file refused: {0}")]
    Refused(String),
}

impl TrustError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            TrustError::File(_) => "PINT_TRUST_FILE",
            TrustError::Invalid(_) => "PINT_TRUST_INVALID",
            TrustError::Refused(_) => "PINT_TRUST_REFUSED",
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TrustFile {
    platform_code: String,
    /// Absent when the node's keystore holds the platform key (`[api.pint] signing_identity`).
    #[serde(default)]
    signing_key: Option<SigningKeyFile>,
    #[serde(default)]
    platforms: Vec<PlatformFile>,
    #[serde(default)]
    carriers: Vec<CarrierFile>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SigningKeyFile {
    kid: String,
    /// The 32-byte Ed25519 seed, hex.
    #[serde(default)]
    seed_hex: Option<String>,
    /// A PKCS#8 PEM file (`openssl genpkey -algorithm ed25519`), relative to the trust file.
    #[serde(default)]
    pkcs8_pem_file: Option<PathBuf>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PlatformFile {
    code: String,
    keys: Vec<Jwk>,
    #[serde(default)]
    envelopes_url: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CarrierFile {
    party_codes: Vec<IdentifyingCode>,
    keys: Vec<Jwk>,
}

/// Another platform this one exchanges bills with.
#[derive(Debug, Clone)]
pub struct TrustedPlatform {
    /// Its public keys.
    pub keys: Vec<TrustedKey>,
    /// The base URL of its `/v3` API, if this platform sends to it.
    pub envelopes_url: Option<url::Url>,
}

/// A carrier whose issuance manifests are accepted for bills issued on other platforms.
#[derive(Debug, Clone)]
pub struct TrustedCarrier {
    /// The codes that name it in an ISSUE transaction's actor (`codeListProvider`, `partyCode`).
    pub party_codes: Vec<IdentifyingCode>,
    /// Its public keys.
    pub keys: Vec<TrustedKey>,
}

/// The configuration as read.
#[derive(Debug, Clone)]
pub struct TrustConfig {
    /// This platform's code (1–4 non-space characters).
    pub platform_code: String,
    /// This platform's signing key.
    pub signing_key: PlatformSigningKey,
    /// Other platforms by code.
    pub platforms: BTreeMap<String, TrustedPlatform>,
    /// Carriers.
    pub carriers: Vec<TrustedCarrier>,
}

/// R319: 1–4 characters, none of them white space (the spec's `^\S+$`, `maxLength: 4`).
pub fn is_platform_code(code: &str) -> bool {
    (1..=4).contains(&code.chars().count()) && !code.chars().any(char::is_whitespace)
}

fn keys(jwks: &[Jwk], owner: &str) -> Result<Vec<TrustedKey>, TrustError> {
    if jwks.is_empty() || jwks.len() > MAX_KEYS {
        return Err(TrustError::Refused(format!(
            "{owner} must have 1 to {MAX_KEYS} keys"
        )));
    }
    jwks.iter()
        .map(|jwk| {
            TrustedKey::from_jwk(jwk).map_err(|e| TrustError::Refused(format!("{owner}: {e}")))
        })
        .collect()
}

impl TrustConfig {
    /// Parses a trust file's `text`; a relative `pkcs8PemFile` is read next to `dir`.
    pub fn parse(text: &str, dir: &Path) -> Result<Self, TrustError> {
        Self::parse_with(text, dir, None)
    }

    /// [`TrustConfig::parse`] with the platform key `held` by the node's encrypted keystore:
    /// the file then names none (naming one as well is refused, so there is one key).
    pub fn parse_with(
        text: &str,
        dir: &Path,
        held: Option<&PlatformSigningKey>,
    ) -> Result<Self, TrustError> {
        let file: TrustFile =
            serde_json::from_str(text).map_err(|e| TrustError::Invalid(e.to_string()))?;
        let refused = |why: String| Err(TrustError::Refused(why));
        if !is_platform_code(&file.platform_code) {
            return refused("platformCode must be 1 to 4 non-space characters".into());
        }
        if file.platforms.len() > MAX_PARTIES || file.carriers.len() > MAX_PARTIES {
            return refused(format!("at most {MAX_PARTIES} platforms and carriers"));
        }
        let signing_key = match (&file.signing_key, held) {
            (Some(from_file), None) => signing_key(from_file, dir)?,
            (None, Some(held)) => held.clone(),
            (Some(_), Some(_)) => {
                return refused(
                    "signingKey is held by the node's keystore (signing_identity); remove it from the file"
                        .into(),
                );
            }
            (None, None) => return refused("signingKey is missing".into()),
        };
        let mut platforms = BTreeMap::new();
        for platform in &file.platforms {
            if !is_platform_code(&platform.code) || platform.code == file.platform_code {
                return refused(format!(
                    "platform code {:?} is invalid or ours",
                    platform.code
                ));
            }
            let envelopes_url = match &platform.envelopes_url {
                None => None,
                Some(text) => Some(base_url(text, &platform.code)?),
            };
            let entry = TrustedPlatform {
                keys: keys(&platform.keys, &platform.code)?,
                envelopes_url,
            };
            if platforms.insert(platform.code.clone(), entry).is_some() {
                return refused(format!("platform {} listed twice", platform.code));
            }
        }
        let mut carriers = Vec::new();
        for carrier in &file.carriers {
            if carrier.party_codes.is_empty() || carrier.party_codes.len() > MAX_KEYS {
                return refused(format!("a carrier needs 1 to {MAX_KEYS} party codes"));
            }
            carriers.push(TrustedCarrier {
                party_codes: carrier.party_codes.clone(),
                keys: keys(&carrier.keys, "carrier")?,
            });
        }
        Ok(TrustConfig {
            platform_code: file.platform_code,
            signing_key,
            platforms,
            carriers,
        })
    }

    /// R302: the keys of platform `code`; this platform's own public key for its own code.
    pub fn platform_keys(&self, code: &str) -> Option<Vec<TrustedKey>> {
        if code == self.platform_code {
            return Some(vec![self.signing_key.trusted_key()]);
        }
        self.platforms.get(code).map(|p| p.keys.clone())
    }

    /// R309: the keys of the configured carriers named by the actor of `issue` (any of its
    /// identifying codes matching one of theirs by `codeListProvider` and `partyCode`).
    pub fn carrier_keys(&self, issue: &Transaction) -> Vec<TrustedKey> {
        let named = |code: &IdentifyingCode| {
            issue.actor.identifying_codes.iter().any(|c| {
                c.code_list_provider == code.code_list_provider && c.party_code == code.party_code
            })
        };
        self.carriers
            .iter()
            .filter(|c| c.party_codes.iter().any(named))
            .flat_map(|c| c.keys.iter().cloned())
            .collect()
    }
}

/// An `envelopesUrl`: absolute http(s), no credentials, query or fragment.
fn base_url(text: &str, code: &str) -> Result<url::Url, TrustError> {
    let refused = || {
        TrustError::Refused(format!(
            "platform {code}: envelopesUrl must be an http(s) base URL"
        ))
    };
    let url = url::Url::parse(text).map_err(|_| refused())?;
    let plain = url.username().is_empty()
        && url.password().is_none()
        && url.query().is_none()
        && url.fragment().is_none();
    if !matches!(url.scheme(), "http" | "https") || !plain || url.host().is_none() {
        return Err(refused());
    }
    Ok(url)
}

fn signing_key(file: &SigningKeyFile, dir: &Path) -> Result<PlatformSigningKey, TrustError> {
    let refused = |why: &str| TrustError::Refused(format!("signingKey: {why}"));
    if file.kid.is_empty() || file.kid.len() > 100 {
        return Err(refused("kid must be 1 to 100 characters"));
    }
    let key = match (&file.seed_hex, &file.pkcs8_pem_file) {
        (Some(seed), None) => {
            let bytes: [u8; 32] = hex::decode(seed)
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| refused("seedHex must be 64 hex digits"))?;
            SigningKey::from_bytes(&bytes)
        }
        (None, Some(pem)) => {
            let text = read_bounded(&dir.join(pem))?;
            SigningKey::from_pkcs8_pem(&text)
                .map_err(|_| refused("pkcs8PemFile is not an Ed25519 PKCS#8 PEM key"))?
        }
        _ => return Err(refused("exactly one of seedHex and pkcs8PemFile")),
    };
    Ok(PlatformSigningKey {
        kid: file.kid.clone(),
        key,
    })
}

pub(crate) fn read_bounded(path: &Path) -> Result<String, TrustError> {
    let failed = |e: std::io::Error| TrustError::File(format!("{}: {e}", path.display()));
    let len = std::fs::metadata(path).map_err(failed)?.len();
    if len > MAX_FILE_LEN {
        return Err(TrustError::File(format!(
            "{} is larger than {MAX_FILE_LEN} bytes",
            path.display()
        )));
    }
    std::fs::read_to_string(path).map_err(failed)
}

#[cfg(test)]
#[path = "trust_tests.rs"]
mod tests;
