//! Persistence of webhook subscriptions and their cursors in the gateway's state folder:
//! `subscriptions.json` (mode 0600: it holds the HMAC secrets) and `cursors/<id>`, each written
//! to a temporary file and renamed, so a crash leaves the old or the new version, never half.
//! Without a folder everything lives in memory (and is lost on restart).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::events::Filter;

/// A webhook subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    /// `wh_<hex>` for managed ones, `config-<hex>` for configured ones.
    pub id: String,
    /// Receiver URL.
    pub url: String,
    /// HMAC key shared with the receiver (never listed by the API).
    pub secret: String,
    /// Which events to send.
    pub filter: Filter,
    /// Created through the API (deletable) rather than configured.
    pub managed: bool,
    /// R236: who receives these events: the reader that created the subscription (or the
    /// configured one). A subscription saved before R236 has none and reads as anonymous.
    #[serde(default)]
    pub reader: crate::privacy::Reader,
}

/// Where subscriptions and cursors are kept.
#[derive(Debug, Clone)]
pub(super) struct Store {
    dir: Option<PathBuf>,
}

const SUBSCRIPTIONS: &str = "subscriptions.json";

impl Store {
    /// A store in `dir` (created if missing), or in memory.
    pub(super) fn open(dir: Option<PathBuf>) -> std::io::Result<Self> {
        if let Some(dir) = &dir {
            std::fs::create_dir_all(dir.join("cursors"))?;
        }
        Ok(Store { dir })
    }

    /// The managed subscriptions saved last.
    pub(super) fn load(&self) -> std::io::Result<Vec<Subscription>> {
        let Some(dir) = &self.dir else {
            return Ok(Vec::new());
        };
        match std::fs::read(dir.join(SUBSCRIPTIONS)) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(std::io::Error::other),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    /// Saves the managed subscriptions.
    pub(super) fn save(&self, subscriptions: &[Subscription]) -> std::io::Result<()> {
        let Some(dir) = &self.dir else {
            return Ok(());
        };
        let bytes = serde_json::to_vec_pretty(subscriptions).map_err(std::io::Error::other)?;
        write_atomically(&dir.join(SUBSCRIPTIONS), &bytes, true)
    }

    /// The id of the last event subscription `id` finished, if recorded.
    pub(super) fn cursor(&self, id: &str) -> Option<(u64, u64)> {
        let bytes = std::fs::read(self.cursor_path(id)?).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Records that subscription `id` finished event `cursor`.
    pub(super) fn save_cursor(&self, id: &str, cursor: (u64, u64)) -> std::io::Result<()> {
        let Some(path) = self.cursor_path(id) else {
            return Ok(());
        };
        let bytes = serde_json::to_vec(&cursor).map_err(std::io::Error::other)?;
        write_atomically(&path, &bytes, false)
    }

    /// Forgets the cursor of a deleted subscription.
    pub(super) fn remove_cursor(&self, id: &str) {
        if let Some(path) = self.cursor_path(id) {
            // Absent already is fine: nothing to forget.
            let _ = std::fs::remove_file(path);
        }
    }

    fn cursor_path(&self, id: &str) -> Option<PathBuf> {
        // Ids are generated here (hex and dashes); anything else never becomes a path.
        let safe = id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        let dir = self.dir.as_ref()?;
        safe.then(|| dir.join("cursors").join(id))
    }
}

fn write_atomically(path: &Path, bytes: &[u8], private: bool) -> std::io::Result<()> {
    use std::io::Write as _;
    let tmp = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options.open(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}
