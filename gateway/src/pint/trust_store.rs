//! R319: the trust file re-read when it changes, so keys rotate without a restart.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use super::jws::PlatformSigningKey;
use super::trust::{TrustConfig, TrustError, read_bounded};

/// What identifies a version of the file without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
}

fn stamp(path: &Path) -> Result<Stamp, TrustError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| TrustError::File(format!("{}: {e}", path.display())))?;
    Ok(Stamp {
        modified: meta.modified().ok(),
        len: meta.len(),
    })
}

/// The current configuration, re-read from its file when the file changes.
#[derive(Debug)]
pub struct TrustStore {
    path: PathBuf,
    held: Option<PlatformSigningKey>,
    current: RwLock<(Arc<TrustConfig>, Stamp)>,
}

impl TrustStore {
    /// Reads `path` (it must be valid now).
    pub fn load(path: &Path) -> Result<Self, TrustError> {
        Self::load_with(path, None)
    }

    /// [`TrustStore::load`] with the platform key `held` by the node's keystore (kept across
    /// reloads of the file).
    pub fn load_with(path: &Path, held: Option<PlatformSigningKey>) -> Result<Self, TrustError> {
        let stamp = stamp(path)?;
        let config = Self::read(path, held.as_ref())?;
        Ok(TrustStore {
            path: path.to_path_buf(),
            held,
            current: RwLock::new((Arc::new(config), stamp)),
        })
    }

    fn read(path: &Path, held: Option<&PlatformSigningKey>) -> Result<TrustConfig, TrustError> {
        let dir = path.parent().unwrap_or(Path::new("."));
        TrustConfig::parse_with(&read_bounded(path)?, dir, held)
    }

    /// The configuration in use.
    pub fn current(&self) -> Arc<TrustConfig> {
        match self.current.read() {
            Ok(guard) => guard.0.clone(),
            Err(poisoned) => poisoned.into_inner().0.clone(),
        }
    }

    /// Re-reads the file if its modification time or length changed; `Ok(true)` if a new
    /// configuration is in use. On an invalid file the previous configuration stays in use
    /// and the error says why (the caller logs it).
    pub fn reload_if_changed(&self) -> Result<bool, TrustError> {
        let now = stamp(&self.path)?;
        let seen = match self.current.read() {
            Ok(guard) => guard.1,
            Err(poisoned) => poisoned.into_inner().1,
        };
        if now == seen {
            return Ok(false);
        }
        let config = Self::read(&self.path, self.held.as_ref()).map_err(|e| match e {
            TrustError::File(why) => TrustError::File(format!("{why}; previous keys kept")),
            TrustError::Invalid(why) => TrustError::Invalid(format!("{why}; previous keys kept")),
            TrustError::Refused(why) => TrustError::Refused(format!("{why}; previous keys kept")),
        })?;
        let mut guard = match self.current.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = (Arc::new(config), now);
        Ok(true)
    }
}
