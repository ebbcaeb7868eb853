//! The key file format (version 1, ADR 0010): JSON with the KDF parameters, salt and nonce in
//! clear, and the 32-byte Ed25519 seed sealed with XChaCha20-Poly1305 under an argon2id key.

use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use ed25519_dalek::SigningKey;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// The `format` field of every key file.
pub const FORMAT: &str = "ebl-wallet-keystore";
/// The only version this wallet writes and reads.
pub const VERSION: u32 = 1;
const SALT_LEN: usize = 16;
const NONCE_LEN: usize = 24;
const SEED_LEN: usize = 32;

/// argon2id cost parameters, stored in each file so that they can be raised later without
/// breaking old files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_cost_kib: u32,
    /// Passes.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
}

impl KdfParams {
    /// 64 MiB, 3 passes, 1 lane: about half a second on a laptop core, and beyond what GPU
    /// cracking rigs can run cheaply in parallel.
    pub const DEFAULT: KdfParams = KdfParams {
        m_cost_kib: 64 * 1024,
        t_cost: 3,
        p_cost: 1,
    };
    /// Minimal costs for tests only (selected by `EBL_WALLET_INSECURE_FAST_KDF=1`).
    pub const INSECURE_FAST: KdfParams = KdfParams {
        m_cost_kib: 64,
        t_cost: 1,
        p_cost: 1,
    };
    /// The environment variable that selects [`KdfParams::INSECURE_FAST`] for new files.
    pub const FAST_ENV: &'static str = "EBL_WALLET_INSECURE_FAST_KDF";

    /// The parameters for new files: the default unless the hidden test variable is set.
    pub fn for_new_files() -> KdfParams {
        match std::env::var(Self::FAST_ENV) {
            Ok(v) if v == "1" => Self::INSECURE_FAST,
            _ => Self::DEFAULT,
        }
    }

    /// Bounds on what a file may ask for, so that a crafted file cannot make the wallet
    /// allocate gigabytes or spin for minutes.
    fn check(&self) -> Result<(), String> {
        let ok = (8..=4 * 1024 * 1024).contains(&self.m_cost_kib)
            && (1..=64).contains(&self.t_cost)
            && (1..=16).contains(&self.p_cost)
            && self.m_cost_kib >= 8 * self.p_cost;
        if ok {
            Ok(())
        } else {
            Err(format!("KDF parameters out of range: {self:?}"))
        }
    }
}

/// The KDF section of a key file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KdfSection {
    /// Always `argon2id`.
    pub algorithm: String,
    /// Argon2 version (19 = 0x13).
    pub version: u32,
    /// Costs.
    #[serde(flatten)]
    pub params: KdfParams,
    /// Random salt, base64.
    pub salt: String,
}

/// The cipher section of a key file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CipherSection {
    /// Always `xchacha20poly1305`.
    pub algorithm: String,
    /// Random 24-byte nonce, base64.
    pub nonce: String,
}

/// A key file as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyFile {
    /// [`FORMAT`].
    pub format: String,
    /// [`VERSION`].
    pub version: u32,
    /// Identity name at creation.
    pub name: String,
    /// Ed25519 public key, hex (readable without the passphrase).
    pub public_key: String,
    /// RFC 3339 creation time (informative).
    pub created_at: String,
    /// Key derivation.
    pub kdf: KdfSection,
    /// Encryption.
    pub cipher: CipherSection,
    /// Sealed seed (32 bytes + 16-byte tag), base64.
    pub ciphertext: String,
}

/// Why a key file does not open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenError {
    /// The AEAD tag does not verify: wrong passphrase or altered file.
    WrongPassphrase,
    /// The file is not a readable version-1 key file.
    Corrupt(String),
}

impl KeyFile {
    /// The associated data: every clear field that matters, so none can be swapped.
    fn aad(&self) -> Vec<u8> {
        let p = &self.kdf.params;
        format!(
            "{FORMAT}/v{}\0{}\0{}\0argon2id/{}/{}/{}/{}/{}\0{}",
            self.version,
            self.name,
            self.public_key,
            self.kdf.version,
            p.m_cost_kib,
            p.t_cost,
            p.p_cost,
            self.kdf.salt,
            self.cipher.nonce
        )
        .into_bytes()
    }

    /// Seals `key` under `passphrase`.
    pub fn seal(
        name: &str,
        key: &SigningKey,
        passphrase: &[u8],
        params: KdfParams,
        created_at: String,
    ) -> Result<KeyFile, String> {
        let mut salt = [0u8; SALT_LEN];
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let mut file = KeyFile {
            format: FORMAT.into(),
            version: VERSION,
            name: name.into(),
            public_key: hex::encode(key.verifying_key().to_bytes()),
            created_at,
            kdf: KdfSection {
                algorithm: "argon2id".into(),
                version: 0x13,
                params,
                salt: B64.encode(salt),
            },
            cipher: CipherSection {
                algorithm: "xchacha20poly1305".into(),
                nonce: B64.encode(nonce),
            },
            ciphertext: String::new(),
        };
        let cipher = cipher_for(passphrase, &salt, params)?;
        let seed = Zeroizing::new(key.to_bytes());
        let aad = file.aad();
        let sealed = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: seed.as_slice(),
                    aad: &aad,
                },
            )
            .map_err(|_| "encryption failed".to_string())?;
        file.ciphertext = B64.encode(sealed);
        Ok(file)
    }

    /// Opens the file with `passphrase`.
    pub fn open(&self, passphrase: &[u8]) -> Result<SigningKey, OpenError> {
        let corrupt = |s: &str| OpenError::Corrupt(s.to_string());
        if self.format != FORMAT {
            return Err(corrupt("not an ebl-wallet key file"));
        }
        if self.version != VERSION {
            return Err(OpenError::Corrupt(format!(
                "key file version {} is not supported by this wallet (it reads version {VERSION}); \
                 upgrade the wallet",
                self.version
            )));
        }
        if self.kdf.algorithm != "argon2id" || self.kdf.version != 0x13 {
            return Err(corrupt("unsupported KDF (expected argon2id v19)"));
        }
        if self.cipher.algorithm != "xchacha20poly1305" {
            return Err(corrupt("unsupported cipher (expected xchacha20poly1305)"));
        }
        self.kdf.params.check().map_err(OpenError::Corrupt)?;
        let salt = decode_fixed::<SALT_LEN>(&self.kdf.salt, "salt")?;
        let nonce = decode_fixed::<NONCE_LEN>(&self.cipher.nonce, "nonce")?;
        let sealed = decode_fixed::<{ SEED_LEN + 16 }>(&self.ciphertext, "ciphertext")?;
        let public = decode_hex_fixed::<32>(&self.public_key, "public_key")?;
        let cipher = cipher_for(passphrase, &salt, self.kdf.params).map_err(OpenError::Corrupt)?;
        let aad = self.aad();
        let seed = Zeroizing::new(
            cipher
                .decrypt(
                    XNonce::from_slice(&nonce),
                    Payload {
                        msg: &sealed,
                        aad: &aad,
                    },
                )
                .map_err(|_| OpenError::WrongPassphrase)?,
        );
        let seed: &[u8; SEED_LEN] = seed
            .as_slice()
            .try_into()
            .map_err(|_| corrupt("sealed seed is not 32 bytes"))?;
        let key = SigningKey::from_bytes(seed);
        if key.verifying_key().to_bytes() != public {
            return Err(corrupt("public key does not match the sealed private key"));
        }
        Ok(key)
    }
}

fn cipher_for(
    passphrase: &[u8],
    salt: &[u8],
    params: KdfParams,
) -> Result<XChaCha20Poly1305, String> {
    let argon_params = Params::new(
        params.m_cost_kib,
        params.t_cost,
        params.p_cost,
        Some(SEED_LEN),
    )
    .map_err(|e| format!("bad argon2 parameters: {e}"))?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, argon_params);
    let mut key = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(passphrase, salt, key.as_mut_slice())
        .map_err(|e| format!("key derivation failed: {e}"))?;
    Ok(XChaCha20Poly1305::new(key.as_slice().into()))
}

fn decode_fixed<const N: usize>(text: &str, field: &str) -> Result<[u8; N], OpenError> {
    let bytes = B64
        .decode(text)
        .map_err(|_| OpenError::Corrupt(format!("{field} is not base64")))?;
    bytes
        .try_into()
        .map_err(|_| OpenError::Corrupt(format!("{field} is not {N} bytes")))
}

fn decode_hex_fixed<const N: usize>(text: &str, field: &str) -> Result<[u8; N], OpenError> {
    let mut out = [0u8; N];
    hex::decode_to_slice(text, &mut out)
        .map_err(|_| OpenError::Corrupt(format!("{field} is not {} hex digits", N * 2)))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealed() -> (SigningKey, KeyFile) {
        let key = SigningKey::generate(&mut rand::rngs::OsRng);
        let file = KeyFile::seal(
            "ops",
            &key,
            b"correct horse",
            KdfParams::INSECURE_FAST,
            "now".into(),
        )
        .unwrap();
        (key, file)
    }

    #[test]
    fn the_right_passphrase_opens_the_file() {
        let (key, file) = sealed();
        assert_eq!(
            file.open(b"correct horse").unwrap().to_bytes(),
            key.to_bytes()
        );
    }

    #[test]
    fn the_default_costs_seal_and_open() {
        let key = SigningKey::generate(&mut rand::rngs::OsRng);
        let file =
            KeyFile::seal("ops", &key, b"pass phrase", KdfParams::DEFAULT, "t".into()).unwrap();
        assert_eq!(file.kdf.params.m_cost_kib, 64 * 1024);
        assert_eq!(
            file.open(b"pass phrase").unwrap().to_bytes(),
            key.to_bytes()
        );
    }

    #[test]
    fn a_wrong_passphrase_is_a_typed_error() {
        let (_, file) = sealed();
        assert_eq!(file.open(b"wrong horse"), Err(OpenError::WrongPassphrase));
    }

    #[test]
    fn a_swapped_public_key_or_raised_cost_breaks_the_seal() {
        let (_, mut file) = sealed();
        file.name = "other".into();
        assert_eq!(file.open(b"correct horse"), Err(OpenError::WrongPassphrase));
    }

    #[test]
    fn salt_and_nonce_are_fresh_per_file() {
        let (_, a) = sealed();
        let (_, b) = sealed();
        assert_ne!(a.kdf.salt, b.kdf.salt);
        assert_ne!(a.cipher.nonce, b.cipher.nonce);
    }

    #[test]
    fn absurd_kdf_costs_are_refused_before_deriving() {
        let (_, mut file) = sealed();
        file.kdf.params.m_cost_kib = u32::MAX;
        assert!(matches!(
            file.open(b"correct horse"),
            Err(OpenError::Corrupt(_))
        ));
    }

    #[test]
    fn a_truncated_ciphertext_is_corrupt() {
        let (_, mut file) = sealed();
        file.ciphertext.truncate(10);
        assert!(matches!(
            file.open(b"correct horse"),
            Err(OpenError::Corrupt(_))
        ));
    }

    #[test]
    fn a_future_version_asks_for_an_upgrade() {
        let (_, mut file) = sealed();
        file.version = 2;
        let Err(OpenError::Corrupt(reason)) = file.open(b"correct horse") else {
            panic!("expected a corrupt-file error");
        };
        assert!(reason.contains("upgrade"));
    }
}
