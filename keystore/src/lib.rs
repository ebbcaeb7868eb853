//! Encrypted keystore of Ed25519 signing keys: a directory (mode 0700) with one encrypted key
//! file (mode 0600) per identity, `NAME.key.json` (ADR 0010).
//!
//! # Design
//!
//! - Each file seals the 32-byte seed with XChaCha20-Poly1305 under an argon2id key derived from
//!   the passphrase ([`file`]); the KDF parameters travel with the file.
//! - Shared by the wallet CLI and the node's custodian (ADR 0012), so the node never depends on
//!   the wallet. Errors are typed ([`KeystoreError`]) with stable codes.

pub mod file;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use serde::Serialize;

use ebl_ledger::crypto::PublicKey;

pub use file::{KdfParams, KeyFile, OpenError};

/// Everything that can go wrong with a keystore.
#[derive(Debug, thiserror::Error)]
pub enum KeystoreError {
    /// The passphrase does not open the key file (or the file was altered: AEAD cannot tell).
    #[error("wrong passphrase for identity `{0}` (or its key file was altered)")]
    WrongPassphrase(String),
    /// The key file is not a keystore file this version can read.
    #[error("key file {} is corrupted: {reason}", path.display())]
    CorruptKeyFile {
        /// File.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// No key file for this identity.
    #[error("no identity `{name}` in keystore {}", dir.display())]
    UnknownIdentity {
        /// Identity name.
        name: String,
        /// Keystore directory.
        dir: PathBuf,
    },
    /// Creating an identity that exists.
    #[error("identity `{name}` already exists in keystore {}", dir.display())]
    IdentityExists {
        /// Identity name.
        name: String,
        /// Keystore directory.
        dir: PathBuf,
    },
    /// Identity names are file names: keep them simple.
    #[error("identity name `{0}` is not 1-64 of A-Z a-z 0-9 . _ - (not starting with `.`)")]
    BadIdentityName(String),
    /// A key file others can read.
    #[error("key file {} has mode {mode:o}; it must be readable by its owner only", path.display())]
    InsecurePermissions {
        /// File.
        path: PathBuf,
        /// Its mode bits.
        mode: u32,
    },
    /// A passphrase that is empty or too weak to store.
    #[error("passphrase rejected: {0}")]
    BadPassphrase(String),
    /// The keystore directory cannot be used.
    #[error("keystore {}: {source}", path.display())]
    KeystoreIo {
        /// File or directory.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// Sealing a new key file failed (KDF or encoding).
    #[error("cannot seal key file: {0}")]
    Seal(String),
}

impl KeystoreError {
    /// Stable code of the error.
    pub fn code(&self) -> &'static str {
        use KeystoreError::*;
        match self {
            WrongPassphrase(_) => "WRONG_PASSPHRASE",
            CorruptKeyFile { .. } => "CORRUPT_KEY_FILE",
            UnknownIdentity { .. } => "UNKNOWN_IDENTITY",
            IdentityExists { .. } => "IDENTITY_EXISTS",
            BadIdentityName(_) => "BAD_IDENTITY_NAME",
            InsecurePermissions { .. } => "INSECURE_PERMISSIONS",
            BadPassphrase(_) => "BAD_PASSPHRASE",
            KeystoreIo { .. } => "KEYSTORE_IO",
            Seal(_) => "KEYSTORE_SEAL",
        }
    }
}

const SUFFIX: &str = ".key.json";
/// Shortest passphrase accepted for a new key file.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// An identity as listed, without opening it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdentityInfo {
    /// Name.
    pub name: String,
    /// Public key.
    pub public_key: PublicKey,
    /// Key file.
    pub path: PathBuf,
}

/// A keystore directory.
#[derive(Debug, Clone)]
pub struct Keystore {
    dir: PathBuf,
}

/// Checks an identity name: it becomes a file name.
pub fn check_name(name: &str) -> Result<(), KeystoreError> {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if name.is_empty() || name.len() > 64 || name.starts_with('.') || !name.chars().all(ok_char) {
        return Err(KeystoreError::BadIdentityName(name.to_string()));
    }
    Ok(())
}

impl Keystore {
    /// A keystore in `dir` (nothing is touched until used).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Keystore { dir: dir.into() }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The key file of `name`.
    pub fn path_of(&self, name: &str) -> Result<PathBuf, KeystoreError> {
        check_name(name)?;
        Ok(self.dir.join(format!("{name}{SUFFIX}")))
    }

    fn io(&self, path: &Path, source: std::io::Error) -> KeystoreError {
        KeystoreError::KeystoreIo {
            path: path.to_path_buf(),
            source,
        }
    }

    fn ensure_dir(&self) -> Result<(), KeystoreError> {
        if self.dir.is_dir() {
            return Ok(());
        }
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&self.dir).map_err(|e| self.io(&self.dir, e))
    }

    /// Seals `key` under `passphrase` as identity `name`; refuses to replace an identity.
    pub fn create(
        &self,
        name: &str,
        key: &SigningKey,
        passphrase: &[u8],
        params: KdfParams,
    ) -> Result<PathBuf, KeystoreError> {
        let path = self.path_of(name)?;
        if String::from_utf8_lossy(passphrase).chars().count() < MIN_PASSPHRASE_CHARS {
            return Err(KeystoreError::BadPassphrase(format!(
                "shorter than {MIN_PASSPHRASE_CHARS} characters"
            )));
        }
        if path.exists() {
            return Err(KeystoreError::IdentityExists {
                name: name.into(),
                dir: self.dir.clone(),
            });
        }
        self.ensure_dir()?;
        let created_at = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let file = KeyFile::seal(name, key, passphrase, params, created_at)
            .map_err(KeystoreError::Seal)?;
        let json = serde_json::to_vec_pretty(&file)
            .map_err(|e| KeystoreError::Seal(format!("cannot encode key file: {e}")))?;
        write_private_no_clobber(&path, &json).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => KeystoreError::IdentityExists {
                name: name.into(),
                dir: self.dir.clone(),
            },
            _ => self.io(&path, e),
        })?;
        Ok(path)
    }

    fn read(&self, name: &str) -> Result<(PathBuf, KeyFile), KeystoreError> {
        let path = self.path_of(name)?;
        let bytes = fs::read(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => KeystoreError::UnknownIdentity {
                name: name.into(),
                dir: self.dir.clone(),
            },
            _ => self.io(&path, e),
        })?;
        check_private(&path)?;
        let file: KeyFile =
            serde_json::from_slice(&bytes).map_err(|e| KeystoreError::CorruptKeyFile {
                path: path.clone(),
                reason: format!("not a key file ({e})"),
            })?;
        Ok((path, file))
    }

    /// Opens identity `name` with `passphrase`.
    pub fn open(&self, name: &str, passphrase: &[u8]) -> Result<SigningKey, KeystoreError> {
        let (path, file) = self.read(name)?;
        file.open(passphrase).map_err(|e| match e {
            OpenError::WrongPassphrase => KeystoreError::WrongPassphrase(name.into()),
            OpenError::Corrupt(reason) => KeystoreError::CorruptKeyFile { path, reason },
        })
    }

    /// The public key of `name`, read without the passphrase.
    pub fn public_key(&self, name: &str) -> Result<PublicKey, KeystoreError> {
        let (path, file) = self.read(name)?;
        PublicKey::from_hex(&file.public_key).ok_or_else(|| KeystoreError::CorruptKeyFile {
            path,
            reason: "public_key is not 64 hex digits".into(),
        })
    }

    /// Every identity, sorted by name. A missing directory is an empty keystore.
    pub fn list(&self) -> Result<Vec<IdentityInfo>, KeystoreError> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(self.io(&self.dir, e)),
        };
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| self.io(&self.dir, e))?;
            let file_name = entry.file_name().to_string_lossy().into_owned();
            let Some(name) = file_name.strip_suffix(SUFFIX) else {
                continue;
            };
            if check_name(name).is_err() {
                continue;
            }
            out.push(IdentityInfo {
                name: name.to_string(),
                public_key: self.public_key(name)?,
                path: entry.path(),
            });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }
}

/// Writes `bytes` to a new file readable by its owner only; fails if `path` exists.
pub fn write_private_no_clobber(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    if written.is_err() {
        // Leave no half-written key behind.
        let _ = fs::remove_file(path);
    }
    written
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), KeystoreError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path)
        .map_err(|source| KeystoreError::KeystoreIo {
            path: path.to_path_buf(),
            source,
        })?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(KeystoreError::InsecurePermissions {
            path: path.to_path_buf(),
            mode: mode & 0o777,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<(), KeystoreError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Keystore) {
        let dir = tempfile::tempdir().unwrap();
        let ks = Keystore::new(dir.path().join("ks"));
        (dir, ks)
    }

    #[test]
    fn created_identity_opens_and_lists() {
        let (_d, ks) = store();
        let key = SigningKey::generate(&mut rand::rngs::OsRng);
        ks.create("ops", &key, b"passphrase1", KdfParams::INSECURE_FAST)
            .unwrap();
        assert_eq!(
            ks.open("ops", b"passphrase1").unwrap().to_bytes(),
            key.to_bytes()
        );
        let list = ks.list().unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].public_key, PublicKey::from(key.verifying_key()));
    }

    #[test]
    fn a_wrong_passphrase_is_a_typed_error() {
        let (_d, ks) = store();
        let key = SigningKey::generate(&mut rand::rngs::OsRng);
        ks.create("ops", &key, b"passphrase1", KdfParams::INSECURE_FAST)
            .unwrap();
        let err = ks.open("ops", b"passphrase2").unwrap_err();
        assert!(matches!(err, KeystoreError::WrongPassphrase(ref n) if n == "ops"));
        assert_eq!(err.code(), "WRONG_PASSPHRASE");
        let unknown = ks.open("nobody", b"passphrase1").unwrap_err();
        assert_eq!(unknown.code(), "UNKNOWN_IDENTITY");
    }

    #[test]
    fn an_identity_is_never_overwritten() {
        let (_d, ks) = store();
        let key = SigningKey::generate(&mut rand::rngs::OsRng);
        ks.create("ops", &key, b"passphrase1", KdfParams::INSECURE_FAST)
            .unwrap();
        let err = ks
            .create("ops", &key, b"passphrase1", KdfParams::INSECURE_FAST)
            .unwrap_err();
        assert!(matches!(err, KeystoreError::IdentityExists { .. }));
    }

    #[test]
    fn names_that_escape_the_directory_are_refused() {
        for bad in ["../x", "a/b", ".hidden", "", "sp ace"] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn short_passphrases_are_refused() {
        let (_d, ks) = store();
        let err = ks
            .create(
                "ops",
                &SigningKey::generate(&mut rand::rngs::OsRng),
                b"short",
                KdfParams::INSECURE_FAST,
            )
            .unwrap_err();
        assert!(matches!(err, KeystoreError::BadPassphrase(_)));
    }

    #[test]
    fn a_missing_directory_lists_as_empty() {
        let (_d, ks) = store();
        assert!(ks.list().unwrap().is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn files_are_0600_and_the_directory_0700() {
        use std::os::unix::fs::PermissionsExt;
        let (_d, ks) = store();
        let path = ks
            .create(
                "ops",
                &SigningKey::generate(&mut rand::rngs::OsRng),
                b"passphrase1",
                KdfParams::INSECURE_FAST,
            )
            .unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(ks.dir()), 0o700);
    }

    #[cfg(unix)]
    #[test]
    fn a_group_readable_key_file_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let (_d, ks) = store();
        let path = ks
            .create(
                "ops",
                &SigningKey::generate(&mut rand::rngs::OsRng),
                b"passphrase1",
                KdfParams::INSECURE_FAST,
            )
            .unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let err = ks.open("ops", b"passphrase1").unwrap_err();
        assert!(matches!(err, KeystoreError::InsecurePermissions { .. }));
    }
}
