//! Ed25519 keys in the formats OpenSSL speaks: PKCS#8 `PRIVATE KEY` PEM (RFC 8410, as written by
//! `openssl genpkey -algorithm ed25519`) and SPKI `PUBLIC KEY` PEM.

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, KeypairBytes};
use ed25519_dalek::{SigningKey, VerifyingKey};
use zeroize::Zeroizing;

use ebl_ledger::crypto::PublicKey;

use crate::error::WalletError;

/// A fresh key from the operating system's random number generator.
pub fn generate() -> SigningKey {
    SigningKey::generate(&mut rand::rngs::OsRng)
}

/// Reads a PKCS#8 PEM private key (v1 as OpenSSL writes it, or v2 with the public key, which
/// must then match). `what` names the source in errors.
pub fn from_pkcs8_pem(text: &str, what: &std::path::Path) -> Result<SigningKey, WalletError> {
    if text.contains("ENCRYPTED PRIVATE KEY") {
        return Err(crate::error::bad_input(
            what,
            "the PEM key is encrypted; decrypt it first with \
             `openssl pkey -in FILE -out PLAIN.pem` and import PLAIN.pem",
        ));
    }
    SigningKey::from_pkcs8_pem(text).map_err(|e| {
        crate::error::bad_input(
            what,
            format!(
                "not an Ed25519 PKCS#8 PEM private key ({e}); create one with \
                 `openssl genpkey -algorithm ed25519 -out key.pem`"
            ),
        )
    })
}

/// PKCS#8 v1 PEM (private key only), the form `openssl genpkey` writes and every OpenSSL reads.
pub fn to_pkcs8_pem(key: &SigningKey) -> Result<Zeroizing<String>, WalletError> {
    let bytes = KeypairBytes {
        secret_key: key.to_bytes(),
        public_key: None,
    };
    bytes
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| WalletError::Failed(format!("cannot encode the key as PKCS#8: {e}")))
}

/// SPKI `PUBLIC KEY` PEM, as `openssl pkey -pubout` prints it.
pub fn public_pem(key: &VerifyingKey) -> Result<String, WalletError> {
    key.to_public_key_pem(LineEnding::LF)
        .map_err(|e| WalletError::Failed(format!("cannot encode the public key: {e}")))
}

/// The ledger's view of the public key.
pub fn public_key(key: &VerifyingKey) -> PublicKey {
    PublicKey::from(*key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn pkcs8_pem_round_trips() {
        let key = generate();
        let pem = to_pkcs8_pem(&key).unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        let back = from_pkcs8_pem(&pem, Path::new("k.pem")).unwrap();
        assert_eq!(back.to_bytes(), key.to_bytes());
    }

    #[test]
    fn garbage_is_a_bad_input_error() {
        let err = from_pkcs8_pem("not a key", Path::new("k.pem")).unwrap_err();
        assert_eq!(err.exit_code(), crate::ExitCode::BadInput);
    }

    #[test]
    fn encrypted_pem_is_refused_with_a_hint() {
        let text =
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n";
        let err = from_pkcs8_pem(text, Path::new("k.pem")).unwrap_err();
        assert!(err.to_string().contains("openssl pkey"));
    }

    #[test]
    fn public_pem_is_spki() {
        let key = generate();
        let pem = public_pem(&key.verifying_key()).unwrap();
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"));
    }
}
