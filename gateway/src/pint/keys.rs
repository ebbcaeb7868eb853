//! The keys PINT signatures are checked with and made with (R319, ADR 0036): public keys as
//! configured (never taken from a JWS header), and this platform's Ed25519 signing key.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ebl_ledger::crypto::{PublicKey, Signature};
use ed25519_dalek::SigningKey;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::Value;

use super::jws::{Alg, JwsError};

/// A public key as configured, decoded once.
#[derive(Clone)]
pub enum KeyMaterial {
    /// OKP / Ed25519 (`EdDSA`).
    Ed25519(PublicKey),
    /// RSA (`RS256`, `PS256`).
    Rsa(DecodingKey),
    /// EC P-256 (`ES256`).
    P256(DecodingKey),
}

/// A key configured for a platform or a carrier (never one from a JWS header).
#[derive(Clone, Debug)]
pub struct TrustedKey {
    /// The JWK's `kid`, if any.
    pub kid: Option<String>,
    /// The key.
    pub key: KeyMaterial,
}

impl std::fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyMaterial::Ed25519(key) => write!(f, "Ed25519({})", key.to_hex()),
            KeyMaterial::Rsa(_) => f.write_str("RSA"),
            KeyMaterial::P256(_) => f.write_str("P-256"),
        }
    }
}

impl TrustedKey {
    /// An Ed25519 key (this platform's own, or a carrier's registered key).
    pub fn ed25519(kid: Option<String>, key: PublicKey) -> Self {
        TrustedKey {
            kid,
            key: KeyMaterial::Ed25519(key),
        }
    }

    /// R319: a public JWK: OKP/Ed25519 (`x` is the 32-byte key), RSA (`n`, `e`) or EC/P-256.
    /// Symmetric keys and other curves are refused.
    pub fn from_jwk(jwk: &Jwk) -> Result<Self, JwsError> {
        let invalid = |why: &str| JwsError::InvalidKey(why.into());
        let key = match &jwk.algorithm {
            AlgorithmParameters::OctetKeyPair(okp) if okp.curve == EllipticCurve::Ed25519 => {
                let bytes = URL_SAFE_NO_PAD
                    .decode(&okp.x)
                    .map_err(|_| invalid("OKP x is not base64url"))?;
                let bytes: [u8; 32] = bytes
                    .try_into()
                    .map_err(|_| invalid("OKP x is not 32 bytes"))?;
                let key = PublicKey(bytes);
                // R4's rule: a small-order key would let anybody forge under ZIP-215.
                key.check_registrable()
                    .map_err(|_| invalid("OKP x is not a usable Ed25519 key"))?;
                KeyMaterial::Ed25519(key)
            }
            AlgorithmParameters::RSA(rsa) => KeyMaterial::Rsa(
                DecodingKey::from_rsa_components(&rsa.n, &rsa.e)
                    .map_err(|_| invalid("RSA n or e is not base64url"))?,
            ),
            AlgorithmParameters::EllipticCurve(ec) if ec.curve == EllipticCurve::P256 => {
                KeyMaterial::P256(
                    DecodingKey::from_ec_components(&ec.x, &ec.y)
                        .map_err(|_| invalid("EC x or y is not base64url"))?,
                )
            }
            _ => return Err(invalid("only OKP/Ed25519, RSA and EC/P-256 public keys")),
        };
        Ok(TrustedKey {
            kid: jwk.common.key_id.clone(),
            key,
        })
    }

    pub(crate) fn fits(&self, alg: Alg) -> bool {
        matches!(
            (&self.key, alg),
            (KeyMaterial::Ed25519(_), Alg::EdDSA)
                | (KeyMaterial::Rsa(_), Alg::RS256 | Alg::PS256)
                | (KeyMaterial::P256(_), Alg::ES256)
        )
    }

    pub(crate) fn verifies(&self, alg: Alg, input: &str, signature: &str) -> bool {
        let other = |key: &DecodingKey, alg| {
            jsonwebtoken::crypto::verify(signature, input.as_bytes(), key, alg).unwrap_or(false)
        };
        match (&self.key, alg) {
            // R319 / ADR 0025: Ed25519 is decided by the one rule, never by another library.
            (KeyMaterial::Ed25519(key), Alg::EdDSA) => URL_SAFE_NO_PAD
                .decode(signature)
                .ok()
                .and_then(|bytes| <[u8; 64]>::try_from(bytes).ok())
                .is_some_and(|s| key.verify(input.as_bytes(), &Signature(s)).is_ok()),
            (KeyMaterial::Rsa(key), Alg::RS256) => other(key, Algorithm::RS256),
            (KeyMaterial::Rsa(key), Alg::PS256) => other(key, Algorithm::PS256),
            (KeyMaterial::P256(key), Alg::ES256) => other(key, Algorithm::ES256),
            _ => false,
        }
    }
}

/// This platform's signing key: Ed25519 and the `kid` other platforms know it by.
#[derive(Clone)]
pub struct PlatformSigningKey {
    /// The key id published with the public JWK.
    pub kid: String,
    /// The secret key.
    pub key: SigningKey,
}

impl std::fmt::Debug for PlatformSigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PlatformSigningKey(kid {})", self.kid)
    }
}

impl PlatformSigningKey {
    /// The public half, as other platforms configure it.
    pub fn trusted_key(&self) -> TrustedKey {
        TrustedKey::ed25519(Some(self.kid.clone()), self.key.verifying_key().into())
    }

    /// The public JWK (OKP/Ed25519) to hand to other platforms.
    pub fn public_jwk(&self) -> Value {
        let x = URL_SAFE_NO_PAD.encode(self.key.verifying_key().as_bytes());
        serde_json::json!({"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "kid": self.kid, "x": x})
    }
}
