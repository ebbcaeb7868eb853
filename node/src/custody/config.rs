//! `[api.custody]` of `config.toml`: where the custodial keystore is, where its passphrase
//! comes from, and which organisation each identity signs for (ADR 0012).
//!
//! ```toml
//! [api.custody]
//! keystore_dir = "custody"                       # relative to the config file
//! passphrase_env = "EBL_NODE_KEYSTORE_PASSPHRASE" # or passphrase_file = "custody.pass"
//! identities = [{ name = "carrier-ops", org = "CARRIER" }]
//! ```
//!
//! The passphrase is read once, used to open every key and dropped; it is never logged.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use ebl_keystore::Keystore;
use ebl_ledger::ids::OrgId;
use serde::{Deserialize, Serialize};

use super::HeldKey;

/// The variable read when neither `passphrase_env` nor `passphrase_file` is set.
pub const DEFAULT_PASSPHRASE_ENV: &str = "EBL_NODE_KEYSTORE_PASSPHRASE";

/// `[api.custody]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustodySection {
    /// Keystore directory (`ebl-keystore` format), relative to the config file.
    pub keystore_dir: PathBuf,
    /// Environment variable holding the passphrase (default [`DEFAULT_PASSPHRASE_ENV`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passphrase_env: Option<String>,
    /// File holding the passphrase (first line), relative to the config file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passphrase_file: Option<PathBuf>,
    /// The identities to unlock, each with its organisation.
    #[serde(default)]
    pub identities: Vec<IdentityEntry>,
}

/// One custodial identity: a keystore name and the organisation it signs for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityEntry {
    /// Keystore name (what API keys are bound to).
    pub name: String,
    /// Organisation id.
    pub org: String,
}

impl CustodySection {
    /// The keystore, resolved against `base` (the config file's folder).
    pub fn keystore(&self, base: &Path) -> Keystore {
        Keystore::new(base.join(&self.keystore_dir))
    }

    /// The passphrase from the file or the variable; never logged.
    pub fn passphrase(&self, base: &Path) -> anyhow::Result<String> {
        if let Some(file) = &self.passphrase_file {
            let path = base.join(file);
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("read the keystore passphrase file {}", path.display()))?;
            return Ok(text.lines().next().unwrap_or_default().to_string());
        }
        let var = self
            .passphrase_env
            .as_deref()
            .unwrap_or(DEFAULT_PASSPHRASE_ENV);
        std::env::var(var)
            .with_context(|| format!("the keystore passphrase variable {var} is not set"))
    }
}

/// Opens every identity of `section` (paths relative to `base`): a wrong passphrase, a missing
/// key or a bad organisation id stops the node at start rather than at the first request.
pub fn unlock(section: &CustodySection, base: &Path) -> anyhow::Result<Vec<HeldKey>> {
    let keystore = section.keystore(base);
    let passphrase = section.passphrase(base)?;
    let keys = section
        .identities
        .iter()
        .map(|entry| {
            let org = OrgId::new(entry.org.as_str())
                .with_context(|| format!("custodial identity `{}`: org", entry.name))?;
            let key = keystore
                .open(&entry.name, passphrase.as_bytes())
                .with_context(|| format!("unlock custodial identity `{}`", entry.name))?;
            Ok(HeldKey {
                name: entry.name.clone(),
                org,
                key,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    tracing::info!(identities = keys.len(), "custodial keystore unlocked");
    Ok(keys)
}
