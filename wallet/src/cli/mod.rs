//! The command line: argument definitions (clap derive), the shared context (keystore,
//! passphrase, output mode) and dispatch to the library.

mod context;
mod import;
mod import_report;
mod key;
mod org;
mod query;
mod sign;
mod sign_admin;
mod sign_cert;
mod sign_ebl;
mod submit;
mod validators;
mod verify;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

pub use context::Ctx;

use crate_api::WalletError;

/// Re-export of the library under a short name for the submodules.
pub(crate) use ebl_wallet as crate_api;

const ABOUT: &str = "Wallet for eBL ledger members: keys, encrypted keystore, onboarding CSRs, \
document ids and signed entries.";

const AFTER_HELP: &str = "\
Exit codes:
  0  success
  1  the operation failed (e.g. the ledger's stateless checks reject the entry)
  2  usage error (unknown flag, bad value such as a bad role or bad hex, no --gateway to submit to)
  3  an input file is missing, unreadable or not what the command expects
  4  keystore or passphrase error (wrong passphrase, corrupted key file, unknown identity)
  5  the gateway is unreachable or unavailable (check --gateway / EBL_GATEWAY, retry later)
  6  the gateway refused the API key (401) or its scope (403) (check --api-key / EBL_API_KEY)
A ledger rejection (e.g. NOT_HOLDER) exits 1 and prints the ledger's code.

Passphrases come from --passphrase-file FILE, else EBL_WALLET_PASSPHRASE, else a prompt when
stdin is a terminal. The keystore is --keystore DIR, else EBL_WALLET_DIR, else ~/.ebl-wallet.

Examples:
  ebl-wallet key generate carrier-ops
  ebl-wallet org csr --identity carrier-ops --org-id CARRIER --name \"Ocean Carrier Pte Ltd\" \\
      --country SG --role CARRIER --out carrier.csr.pem
  ebl-wallet doc-id transport-document.json
  ebl-wallet sign --identity carrier-ops --chain-id ebl-pilot-1 --genesis-hash <HEX> \\
      --sequence 0 --dry-run ebl issue transport-document.json --issue-to SHIPPER
  export EBL_GATEWAY=https://gateway.example EBL_API_KEY=<KEY>
  ebl-wallet sign --identity carrier-ops --wait ebl issue td.json --issue-to SHIPPER
  ebl-wallet show <DOC-ID>";

/// `ebl-wallet`.
#[derive(Debug, Parser)]
#[command(name = "ebl-wallet", version, about = ABOUT, after_help = AFTER_HELP)]
pub struct Cli {
    /// Print machine-readable JSON on stdout (errors too, with their code and exit code).
    #[arg(long, global = true, help_heading = "Global options")]
    pub json: bool,
    /// Identity (key) to use from the keystore.
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "NAME",
        env = "EBL_WALLET_IDENTITY"
    )]
    pub identity: Option<String>,
    /// Keystore directory [default: ~/.ebl-wallet].
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "DIR",
        env = "EBL_WALLET_DIR"
    )]
    pub keystore: Option<PathBuf>,
    /// Read the passphrase from the first line of FILE.
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "FILE"
    )]
    pub passphrase_file: Option<PathBuf>,
    /// Base URL of the ebl-gateway, e.g. https://gateway.example:8443.
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "URL",
        env = "EBL_GATEWAY"
    )]
    pub gateway: Option<String>,
    /// API key for the gateway (sent as `Authorization: Bearer`).
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "KEY",
        env = "EBL_API_KEY",
        hide_env_values = true
    )]
    pub api_key: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create, import, export and list keys.
    #[command(subcommand)]
    Key(key::KeyCmd),
    /// Onboarding: certificate requests and certificate inspection.
    #[command(subcommand)]
    Org(org::OrgCmd),
    /// Print the document id of a DCSA TransportDocument (SHA-256 of its RFC 8785 JSON).
    #[command(after_help = "\
Issuance requests ({\"document\": {...}}) and PINT envelopes ({\"transportDocument\": {...}}) are
unwrapped: the id is that of the TransportDocument they carry, and the output says so.

Examples:
  ebl-wallet doc-id transport-document.json
  ebl-wallet --json doc-id issuance-request.json")]
    DocId(org::DocIdArgs),
    /// Build, sign and submit an entry to the gateway (or print it with --dry-run).
    Sign(sign::SignCmd),
    /// Show an eBL's state and history, by document id or by carrier and reference.
    Show(query::ShowArgs),
    /// Show a ship certificate's state and history.
    ShowCert(query::ShowCertArgs),
    /// Verify a TransportDocument online (gateway) or offline against a proof bundle.
    Verify(verify::VerifyArgs),
    /// Proof bundles for offline verification.
    #[command(subcommand)]
    Proof(verify::ProofCmd),
    /// Issue every DCSA TransportDocument / issuance request in a folder (resumable).
    Import(import::ImportArgs),
    /// Decode and check a signed entry given as hex.
    #[command(subcommand)]
    Entry(org::EntryCmd),
    /// The validator set, saved as the trusted set for offline finality checks.
    #[command(subcommand)]
    Validators(validators::ValidatorsCmd),
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<(), WalletError> {
    let ctx = Ctx::new(&cli)?;
    match cli.command {
        Command::Key(cmd) => key::run(&ctx, cmd),
        Command::Org(cmd) => org::run(&ctx, cmd),
        Command::DocId(args) => org::doc_id(&ctx, &args),
        Command::Sign(cmd) => sign::run(&ctx, cmd),
        Command::Entry(cmd) => org::entry(&ctx, cmd),
        Command::Show(args) => query::show(&ctx, &args),
        Command::ShowCert(args) => query::show_cert(&ctx, &args),
        Command::Verify(args) => verify::verify(&ctx, &args),
        Command::Proof(cmd) => verify::proof(&ctx, cmd),
        Command::Import(args) => import::run(&ctx, &args),
        Command::Validators(cmd) => validators::run(&ctx, cmd),
    }
}
