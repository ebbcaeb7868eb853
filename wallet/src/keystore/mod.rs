//! The wallet's view of the shared keystore crate (`ebl-keystore`, ADR 0010 and 0012): the same
//! directory and files, with errors mapped to [`WalletError`] so the CLI keeps its exit codes.

use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;

use ebl_keystore::KeystoreError;
use ebl_ledger::crypto::PublicKey;

pub use ebl_keystore::file;
pub use ebl_keystore::{
    IdentityInfo, KdfParams, KeyFile, MIN_PASSPHRASE_CHARS, OpenError, write_private_no_clobber,
};

use crate::error::WalletError;

/// Checks an identity name: it becomes a file name.
pub fn check_name(name: &str) -> Result<(), WalletError> {
    ebl_keystore::check_name(name).map_err(WalletError::from)
}

/// A keystore directory.
#[derive(Debug, Clone)]
pub struct Keystore {
    inner: ebl_keystore::Keystore,
}

impl Keystore {
    /// A keystore in `dir` (nothing is touched until used).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Keystore {
            inner: ebl_keystore::Keystore::new(dir),
        }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        self.inner.dir()
    }

    /// The key file of `name`.
    pub fn path_of(&self, name: &str) -> Result<PathBuf, WalletError> {
        Ok(self.inner.path_of(name)?)
    }

    /// Seals `key` under `passphrase` as identity `name`; refuses to replace an identity.
    pub fn create(
        &self,
        name: &str,
        key: &SigningKey,
        passphrase: &[u8],
        params: KdfParams,
    ) -> Result<PathBuf, WalletError> {
        Ok(self.inner.create(name, key, passphrase, params)?)
    }

    /// Opens identity `name` with `passphrase`.
    pub fn open(&self, name: &str, passphrase: &[u8]) -> Result<SigningKey, WalletError> {
        Ok(self.inner.open(name, passphrase)?)
    }

    /// The public key of `name`, read without the passphrase.
    pub fn public_key(&self, name: &str) -> Result<PublicKey, WalletError> {
        Ok(self.inner.public_key(name)?)
    }

    /// Every identity, sorted by name. A missing directory is an empty keystore.
    pub fn list(&self) -> Result<Vec<IdentityInfo>, WalletError> {
        Ok(self.inner.list()?)
    }
}

impl From<KeystoreError> for WalletError {
    fn from(e: KeystoreError) -> Self {
        match e {
            KeystoreError::WrongPassphrase(name) => WalletError::WrongPassphrase(name),
            KeystoreError::CorruptKeyFile { path, reason } => {
                WalletError::CorruptKeyFile { path, reason }
            }
            KeystoreError::UnknownIdentity { name, dir } => {
                WalletError::UnknownIdentity { name, dir }
            }
            KeystoreError::IdentityExists { name, dir } => {
                WalletError::IdentityExists { name, dir }
            }
            KeystoreError::BadIdentityName(name) => WalletError::BadIdentityName(name),
            KeystoreError::InsecurePermissions { path, mode } => {
                WalletError::InsecurePermissions { path, mode }
            }
            KeystoreError::BadPassphrase(reason) => WalletError::BadPassphrase(reason),
            KeystoreError::KeystoreIo { path, source } => WalletError::KeystoreIo { path, source },
            KeystoreError::Seal(reason) => WalletError::Failed(reason),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keystore_errors_keep_the_wallets_variants_and_exit_codes() {
        let dir = tempfile::tempdir().unwrap();
        let ks = Keystore::new(dir.path().join("ks"));
        let key = crate::keys::generate();
        ks.create("ops", &key, b"passphrase1", KdfParams::INSECURE_FAST)
            .unwrap();
        let err = ks.open("ops", b"wrong-passphrase").unwrap_err();
        assert!(matches!(err, WalletError::WrongPassphrase(_)));
        assert_eq!(err.exit_code(), crate::ExitCode::Keystore);
        assert!(matches!(
            check_name("../x"),
            Err(WalletError::BadIdentityName(_))
        ));
    }
}
