//! The API key registry: the keys of the node's configuration (static) plus keys managed over
//! `/v1/admin/api-keys` (created, rotated, revoked at run time). Only SHA-256 hashes are held;
//! a secret is shown once, when it is made. Managed keys persist to one JSON file written
//! atomically (temporary file + rename, mode 0600), so a restart keeps them (ADR 0012).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::config::{ApiKey, Scope, hash_secret};

/// `format` of the managed key file.
pub const FILE_FORMAT: &str = "ebl-gateway-api-keys";
/// Most keys the registry holds (static and managed): bounds memory and the rate limiter.
pub const MAX_KEYS: usize = 4096;

/// Why a registry operation failed; each has a stable code.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// A key of that name exists.
    #[error("an API key named `{0}` exists")]
    NameTaken(String),
    /// No key of that name.
    #[error("no API key named `{0}`")]
    UnknownKey(String),
    /// Keys from the node's configuration change only by editing it.
    #[error("API key `{0}` comes from the node configuration; change it there")]
    StaticKey(String),
    /// A name that is empty, too long or not printable ASCII.
    #[error("API key name must be 1-64 of A-Z a-z 0-9 . _ -")]
    BadName,
    /// The registry is full.
    #[error("the gateway holds at most {MAX_KEYS} API keys")]
    Full,
    /// The key file cannot be read or written.
    #[error("API key file {}: {reason}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
}

impl RegistryError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            RegistryError::NameTaken(_) => "API_KEY_EXISTS",
            RegistryError::UnknownKey(_) => "UNKNOWN_API_KEY",
            RegistryError::StaticKey(_) => "STATIC_API_KEY",
            RegistryError::BadName => "INVALID_API_KEY_NAME",
            RegistryError::Full => "TOO_MANY_API_KEYS",
            RegistryError::File { .. } => "API_KEY_FILE",
        }
    }
}

/// One managed key as stored in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredKey {
    /// Who holds it.
    pub name: String,
    /// SHA-256 of the secret, hex.
    pub sha256: String,
    /// Scope names.
    pub scopes: Vec<String>,
    /// Custodial identity, if bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// Organisation of a key without custody, if bound (R146; absent in files written before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    format: String,
    version: u32,
    keys: Vec<StoredKey>,
}

#[derive(Debug, Default)]
struct Keys {
    by_hash: BTreeMap<[u8; 32], ApiKey>,
    managed: BTreeSet<String>,
}

/// The keys the gateway accepts, by SHA-256 of the secret.
#[derive(Debug)]
pub struct ApiKeyRegistry {
    keys: RwLock<Keys>,
    file: Option<PathBuf>,
}

/// Checks a key name (it appears in paths and logs).
pub fn check_name(name: &str) -> Result<(), RegistryError> {
    let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if name.is_empty() || name.len() > 64 || !name.chars().all(ok) {
        return Err(RegistryError::BadName);
    }
    Ok(())
}

fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("ebl_{}", hex::encode(bytes))
}

fn stored(key: &ApiKey) -> StoredKey {
    StoredKey {
        name: key.name.clone(),
        sha256: hex::encode(key.secret_sha256),
        scopes: key.scopes.iter().map(|s| s.name().to_string()).collect(),
        identity: key.identity.clone(),
        org: key.org.as_ref().map(ToString::to_string),
    }
}

fn parse_stored(path: &Path, k: &StoredKey) -> Result<ApiKey, RegistryError> {
    let bad = |reason: String| RegistryError::File {
        path: path.to_path_buf(),
        reason,
    };
    let mut hash = [0u8; 32];
    hex::decode_to_slice(&k.sha256, &mut hash)
        .map_err(|_| bad(format!("key `{}`: sha256 is not 64 hex digits", k.name)))?;
    let scopes = k
        .scopes
        .iter()
        .map(|s| Scope::from_name(s).ok_or_else(|| bad(format!("unknown scope `{s}`"))))
        .collect::<Result<Vec<_>, _>>()?;
    let org = k
        .org
        .as_deref()
        .map(|o| {
            ebl_ledger::ids::OrgId::new(o).map_err(|e| bad(format!("key `{}`: org: {e}", k.name)))
        })
        .transpose()?;
    Ok(ApiKey {
        name: k.name.clone(),
        secret_sha256: hash,
        scopes,
        identity: k.identity.clone(),
        org,
    })
}

impl ApiKeyRegistry {
    /// A registry of `keys` only, kept in memory (managed keys are lost on restart).
    pub fn in_memory(keys: impl IntoIterator<Item = ApiKey>) -> Self {
        ApiKeyRegistry {
            keys: RwLock::new(Keys {
                by_hash: keys.into_iter().map(|k| (k.secret_sha256, k)).collect(),
                managed: BTreeSet::new(),
            }),
            file: None,
        }
    }

    /// The static `keys` plus the managed keys of `file` (a missing file is an empty list);
    /// changes are written back to `file`.
    pub fn open(
        keys: impl IntoIterator<Item = ApiKey>,
        file: PathBuf,
    ) -> Result<Self, RegistryError> {
        let registry = ApiKeyRegistry::in_memory(keys);
        let stored: Vec<StoredKey> = match std::fs::read(&file) {
            Ok(bytes) => {
                let parsed: KeyFile =
                    serde_json::from_slice(&bytes).map_err(|e| RegistryError::File {
                        path: file.clone(),
                        reason: format!("not an API key file ({e})"),
                    })?;
                if parsed.format != FILE_FORMAT || parsed.version != 1 {
                    return Err(RegistryError::File {
                        path: file,
                        reason: format!("expected format {FILE_FORMAT} version 1"),
                    });
                }
                parsed.keys
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => {
                return Err(RegistryError::File {
                    path: file,
                    reason: e.to_string(),
                });
            }
        };
        {
            let mut keys = registry.write();
            for k in &stored {
                let key = parse_stored(&file, k)?;
                if keys.by_hash.values().any(|old| old.name == key.name) {
                    return Err(RegistryError::NameTaken(key.name));
                }
                keys.managed.insert(key.name.clone());
                keys.by_hash.insert(key.secret_sha256, key);
            }
        }
        Ok(ApiKeyRegistry {
            file: Some(file),
            ..registry
        })
    }

    fn read(&self) -> RwLockReadGuard<'_, Keys> {
        // A poisoned lock means a panic mid-request; the map itself is never left half-updated.
        self.keys
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Keys> {
        self.keys
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The key whose secret hashes to `hash`.
    pub fn lookup(&self, hash: &[u8; 32]) -> Option<ApiKey> {
        self.read().by_hash.get(hash).cloned()
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.read().by_hash.len()
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every key (hashes, never secrets), by name, with whether it is managed.
    pub fn list(&self) -> Vec<(ApiKey, bool)> {
        let keys = self.read();
        let mut out: Vec<(ApiKey, bool)> = keys
            .by_hash
            .values()
            .map(|k| (k.clone(), keys.managed.contains(&k.name)))
            .collect();
        out.sort_by(|a, b| a.0.name.cmp(&b.0.name));
        out
    }

    /// Creates a managed key, bound to a custodial `identity` or to an `org` without custody
    /// (or neither), and returns its secret (shown once).
    pub fn create(
        &self,
        name: &str,
        scopes: Vec<Scope>,
        identity: Option<String>,
        org: Option<ebl_ledger::ids::OrgId>,
    ) -> Result<String, RegistryError> {
        check_name(name)?;
        let mut keys = self.write();
        if keys.by_hash.values().any(|k| k.name == name) {
            return Err(RegistryError::NameTaken(name.into()));
        }
        if keys.by_hash.len() >= MAX_KEYS {
            return Err(RegistryError::Full);
        }
        let secret = new_secret();
        let key = ApiKey {
            name: name.into(),
            secret_sha256: hash_secret(&secret),
            scopes,
            identity,
            org,
        };
        let mut next = Keys {
            by_hash: keys.by_hash.clone(),
            managed: keys.managed.clone(),
        };
        next.managed.insert(name.into());
        next.by_hash.insert(key.secret_sha256, key);
        self.persist(&next)?;
        *keys = next;
        Ok(secret)
    }

    fn managed_hash(keys: &Keys, name: &str) -> Result<[u8; 32], RegistryError> {
        let hash = keys
            .by_hash
            .iter()
            .find(|(_, k)| k.name == name)
            .map(|(h, _)| *h)
            .ok_or_else(|| RegistryError::UnknownKey(name.into()))?;
        if !keys.managed.contains(name) {
            return Err(RegistryError::StaticKey(name.into()));
        }
        Ok(hash)
    }

    /// Revokes a managed key: its secret stops working at once.
    pub fn revoke(&self, name: &str) -> Result<(), RegistryError> {
        let mut keys = self.write();
        let hash = Self::managed_hash(&keys, name)?;
        let mut next = Keys {
            by_hash: keys.by_hash.clone(),
            managed: keys.managed.clone(),
        };
        next.by_hash.remove(&hash);
        next.managed.remove(name);
        self.persist(&next)?;
        *keys = next;
        Ok(())
    }

    /// Replaces a managed key's secret (same name, scopes and identity); the old secret stops
    /// working at once. Returns the new secret.
    pub fn rotate(&self, name: &str) -> Result<String, RegistryError> {
        let mut keys = self.write();
        let hash = Self::managed_hash(&keys, name)?;
        let mut next = Keys {
            by_hash: keys.by_hash.clone(),
            managed: keys.managed.clone(),
        };
        let Some(mut key) = next.by_hash.remove(&hash) else {
            return Err(RegistryError::UnknownKey(name.into()));
        };
        let secret = new_secret();
        key.secret_sha256 = hash_secret(&secret);
        next.by_hash.insert(key.secret_sha256, key);
        self.persist(&next)?;
        *keys = next;
        Ok(secret)
    }

    /// Writes the managed keys to the file (if any) before the change becomes visible, so
    /// what clients see never gets ahead of what a restart would load.
    fn persist(&self, keys: &Keys) -> Result<(), RegistryError> {
        let Some(path) = &self.file else {
            return Ok(());
        };
        let mut list: Vec<StoredKey> = keys
            .by_hash
            .values()
            .filter(|k| keys.managed.contains(&k.name))
            .map(stored)
            .collect();
        list.sort_by(|a, b| a.name.cmp(&b.name));
        let file = KeyFile {
            format: FILE_FORMAT.into(),
            version: 1,
            keys: list,
        };
        let err = |reason: String| RegistryError::File {
            path: path.clone(),
            reason,
        };
        let bytes = serde_json::to_vec_pretty(&file).map_err(|e| err(e.to_string()))?;
        write_atomically(path, &bytes).map_err(|e| err(e.to_string()))
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder, synced, then renamed.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, path)
}
