//! What every command shares: output mode, keystore, identity and passphrase sources.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use ed25519_dalek::SigningKey;
use zeroize::Zeroizing;

use super::Cli;
use super::crate_api::WalletError;
use super::crate_api::client::Gateway;
use super::crate_api::keystore::Keystore;

/// The environment variable holding a passphrase.
pub const PASSPHRASE_ENV: &str = "EBL_WALLET_PASSPHRASE";

/// Shared context of a command.
#[derive(Debug)]
pub struct Ctx {
    /// `--json`.
    pub json: bool,
    identity: Option<String>,
    passphrase_file: Option<PathBuf>,
    /// The keystore.
    pub keystore: Keystore,
    gateway: Option<String>,
    api_key: Option<String>,
}

impl Ctx {
    /// The context of `cli`.
    pub fn new(cli: &Cli) -> Result<Self, WalletError> {
        let dir = match &cli.keystore {
            Some(dir) => dir.clone(),
            None => match std::env::var_os("HOME") {
                Some(home) => PathBuf::from(home).join(".ebl-wallet"),
                None => {
                    return Err(WalletError::KeystoreIo {
                        path: PathBuf::from("~/.ebl-wallet"),
                        source: std::io::Error::other(
                            "HOME is not set; pass --keystore DIR or set EBL_WALLET_DIR",
                        ),
                    });
                }
            },
        };
        Ok(Ctx {
            json: cli.json,
            identity: cli.identity.clone(),
            passphrase_file: cli.passphrase_file.clone(),
            keystore: Keystore::new(dir),
            gateway: cli.gateway.clone().filter(|g| !g.is_empty()),
            api_key: cli.api_key.clone().filter(|k| !k.is_empty()),
        })
    }

    /// The gateway client, if `--gateway` / `EBL_GATEWAY` is set.
    pub fn gateway_opt(&self) -> Option<Gateway> {
        self.gateway
            .as_deref()
            .map(|url| Gateway::new(url, self.api_key.clone()))
    }

    /// The gateway client, required by the command.
    pub fn gateway(&self) -> Result<Gateway, WalletError> {
        self.gateway_opt().ok_or_else(|| {
            WalletError::NoGateway("no --gateway URL and EBL_GATEWAY is not set".into())
        })
    }

    /// `--identity`, required by the command.
    pub fn identity(&self) -> Result<&str, WalletError> {
        self.identity
            .as_deref()
            .ok_or_else(|| WalletError::InvalidArgument {
                field: "--identity".into(),
                reason: "this command signs: pass --identity NAME (see `ebl-wallet key list`)"
                    .into(),
            })
    }

    /// The passphrase for `name`: file, environment, or prompt (twice when `confirm`).
    pub fn passphrase(&self, name: &str, confirm: bool) -> Result<Zeroizing<String>, WalletError> {
        if let Some(path) = &self.passphrase_file {
            let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
                WalletError::BadPassphrase(format!(
                    "cannot read passphrase file {}: {e}",
                    path.display()
                ))
            })?);
            let line = text.lines().next().unwrap_or_default();
            return non_empty(Zeroizing::new(line.to_string()));
        }
        if let Ok(value) = std::env::var(PASSPHRASE_ENV) {
            return non_empty(Zeroizing::new(value));
        }
        if !std::io::stdin().is_terminal() {
            return Err(WalletError::NoPassphrase);
        }
        let prompt = |text: &str| {
            rpassword::prompt_password(text)
                .map(Zeroizing::new)
                .map_err(|e| WalletError::BadPassphrase(format!("cannot read the prompt: {e}")))
        };
        let first = prompt(&format!("Passphrase for `{name}`: "))?;
        if confirm {
            let again = prompt("Repeat the passphrase: ")?;
            if *again != *first {
                return Err(WalletError::BadPassphrase("the two entries differ".into()));
            }
        }
        non_empty(first)
    }

    /// Opens the `--identity` key.
    pub fn signing_key(&self) -> Result<SigningKey, WalletError> {
        let name = self.identity()?;
        // Fail on an unknown identity before asking for a passphrase.
        self.keystore.public_key(name)?;
        let passphrase = self.passphrase(name, false)?;
        self.keystore.open(name, passphrase.as_bytes())
    }

    /// Prints `human` (text mode) or `json` (JSON mode) on stdout.
    pub fn print(&self, human: &str, json: &serde_json::Value) -> Result<(), WalletError> {
        let text = if self.json {
            serde_json::to_string_pretty(json).unwrap_or_default()
        } else {
            human.trim_end().to_string()
        };
        writeln!(std::io::stdout().lock(), "{text}")
            .map_err(|e| WalletError::Failed(format!("cannot write to stdout: {e}")))
    }

    /// A note for humans on stderr (never mixed into stdout, which scripts read).
    pub fn note(&self, text: &str) {
        if !self.json {
            let _ = writeln!(std::io::stderr().lock(), "note: {text}");
        }
    }
}

fn non_empty(passphrase: Zeroizing<String>) -> Result<Zeroizing<String>, WalletError> {
    if passphrase.is_empty() {
        return Err(WalletError::BadPassphrase("it is empty".into()));
    }
    Ok(passphrase)
}

/// Serialises `value` to JSON (a failure here is a bug, reported as a failed operation).
pub fn to_json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, WalletError> {
    serde_json::to_value(value).map_err(|e| WalletError::Failed(format!("cannot encode JSON: {e}")))
}

/// Writes `bytes` to `path` with mode 0600, replacing an existing file only when `force`.
pub fn write_private(path: &std::path::Path, bytes: &[u8], force: bool) -> Result<(), WalletError> {
    let fail = |reason: String| WalletError::WriteOutput {
        path: path.to_path_buf(),
        reason,
    };
    if path.exists() {
        if !force {
            return Err(fail("the file exists (pass --force to replace it)".into()));
        }
        std::fs::remove_file(path).map_err(|e| fail(e.to_string()))?;
    }
    super::crate_api::keystore::write_private_no_clobber(path, bytes)
        .map_err(|e| fail(e.to_string()))
}
