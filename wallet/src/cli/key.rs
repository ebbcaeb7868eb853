//! `ebl-wallet key …`: generate, import, export, public, list.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use ed25519_dalek::VerifyingKey;
use serde_json::json;

use super::Ctx;
use super::context::{to_json, write_private};
use super::crate_api::keystore::KdfParams;
use super::crate_api::{WalletError, error::read_input, keys};

/// Key commands.
#[derive(Debug, Subcommand)]
#[command(
    after_help = "Examples:\n  ebl-wallet key generate carrier-ops\n  ebl-wallet key import carrier-ops --pem key.pem\n  ebl-wallet key list"
)]
pub enum KeyCmd {
    /// Generate a new Ed25519 key and store it encrypted as identity NAME.
    #[command(after_help = "Examples:
  ebl-wallet key generate carrier-ops
  EBL_WALLET_PASSPHRASE=... ebl-wallet --keystore ./ks key generate bank-tf1")]
    Generate {
        /// Identity name (1-64 of A-Z a-z 0-9 . _ -).
        name: String,
    },
    /// Import an Ed25519 PKCS#8 PEM private key (e.g. from `openssl genpkey -algorithm ed25519`).
    #[command(after_help = "Examples:
  openssl genpkey -algorithm ed25519 -out key.pem
  ebl-wallet key import carrier-ops --pem key.pem && shred -u key.pem")]
    Import {
        /// Identity name.
        name: String,
        /// PEM file (`-----BEGIN PRIVATE KEY-----`).
        #[arg(long, value_name = "FILE")]
        pem: PathBuf,
    },
    /// Export identity NAME as an unencrypted PKCS#8 PEM file (mode 0600) that OpenSSL reads.
    #[command(after_help = "Examples:
  ebl-wallet key export carrier-ops --out carrier-ops.pem
  openssl pkey -in carrier-ops.pem -pubout")]
    Export {
        /// Identity name.
        name: String,
        /// Output file.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace FILE if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Print the public key of identity NAME (no passphrase needed).
    #[command(after_help = "Examples:
  ebl-wallet key public carrier-ops
  ebl-wallet key public carrier-ops --format hex")]
    Public {
        /// Identity name.
        name: String,
        /// SPKI PEM (as `openssl pkey -pubout`) or 64 hex digits (as the ledger shows keys).
        #[arg(long, value_enum, default_value_t = KeyFormat::Pem)]
        format: KeyFormat,
    },
    /// List the identities of the keystore with their public keys.
    #[command(after_help = "Examples:
  ebl-wallet key list
  ebl-wallet --json --keystore ./ks key list")]
    List,
}

/// Public key output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeyFormat {
    /// SPKI `PUBLIC KEY` PEM.
    Pem,
    /// Lowercase hex of the 32 key bytes.
    Hex,
}

pub(super) fn run(ctx: &Ctx, cmd: KeyCmd) -> Result<(), WalletError> {
    match cmd {
        KeyCmd::Generate { name } => store(ctx, &name, &keys::generate(), "generated"),
        KeyCmd::Import { name, pem } => {
            let text = read_input(&pem)?;
            let key = keys::from_pkcs8_pem(&String::from_utf8_lossy(&text), &pem)?;
            store(ctx, &name, &key, "imported")
        }
        KeyCmd::Export { name, out, force } => {
            ctx.keystore.public_key(&name)?;
            let passphrase = ctx.passphrase(&name, false)?;
            let key = ctx.keystore.open(&name, passphrase.as_bytes())?;
            let pem = keys::to_pkcs8_pem(&key)?;
            write_private(&out, pem.as_bytes(), force)?;
            ctx.note("the exported file holds the private key unencrypted: keep it safe");
            ctx.print(
                &format!("exported `{name}` to {}", out.display()),
                &json!({ "name": name, "path": out }),
            )
        }
        KeyCmd::Public { name, format } => {
            let public = ctx.keystore.public_key(&name)?;
            let key =
                VerifyingKey::from_bytes(&public.0).map_err(|_| WalletError::CorruptKeyFile {
                    path: ctx.keystore.path_of(&name).unwrap_or_default(),
                    reason: "public key is not a curve point".into(),
                })?;
            let pem = keys::public_pem(&key)?;
            let human = match format {
                KeyFormat::Pem => pem.clone(),
                KeyFormat::Hex => public.to_hex(),
            };
            ctx.print(
                &human,
                &json!({ "name": name, "public_key": public, "public_key_pem": pem }),
            )
        }
        KeyCmd::List => {
            let list = ctx.keystore.list()?;
            let human = if list.is_empty() {
                format!(
                    "no identities in {} (create one with `ebl-wallet key generate NAME`)",
                    ctx.keystore.dir().display()
                )
            } else {
                list.iter()
                    .map(|i| format!("{:<24} {}", i.name, i.public_key))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            ctx.print(&human, &json!({ "identities": to_json(&list)? }))
        }
    }
}

fn store(
    ctx: &Ctx,
    name: &str,
    key: &ed25519_dalek::SigningKey,
    verb: &str,
) -> Result<(), WalletError> {
    // Check the name and that it is free before asking for a passphrase.
    let path = ctx.keystore.path_of(name)?;
    if path.exists() {
        return Err(WalletError::IdentityExists {
            name: name.into(),
            dir: ctx.keystore.dir().to_path_buf(),
        });
    }
    let passphrase = ctx.passphrase(name, true)?;
    let path = ctx
        .keystore
        .create(name, key, passphrase.as_bytes(), KdfParams::for_new_files())?;
    let public = keys::public_key(&key.verifying_key());
    ctx.print(
        &format!(
            "{verb} identity `{name}`\npublic key {public}\nkey file   {}",
            path.display()
        ),
        &json!({ "name": name, "public_key": public, "path": path }),
    )
}
