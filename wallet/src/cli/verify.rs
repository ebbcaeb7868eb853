//! `verify` (online through the gateway, or offline against a proof bundle) and
//! `proof export`.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use ebl_ledger::hash::Hash32;
use serde_json::{Value, json};

use super::Ctx;
use super::context::{to_json, write_private};
use super::crate_api::finality::ValidatorFile;
use super::crate_api::{WalletError, document, error::bad_input, error::read_input, parse, proof};
use super::query::{enc, opt};

/// `verify` arguments.
#[derive(Debug, Args)]
#[command(
    after_help = "Online (default) asks the gateway's POST /v1/verify and prints each check;
exit 1 when the outcome is FAILED. With --proof BUNDLE nothing goes over the network: the document
id is recomputed from FILE, matched with the bundle's record, and the Merkle proof is checked
against the bundle's header state root. With --validators FILE (a trusted set saved by
`ebl-wallet validators export`) the bundle's commit certificate must carry precommits of more than
2/3 of that set's power for the header, on the same chain (genesis hash); without it finality is
not checked (the output says so; --require-finality makes that an error). Any failed check exits
1 with its code (e.g. PROOF_INVALID, CERT_INSUFFICIENT_POWER, VALIDATORS_WRONG_CHAIN); an
unreadable or malformed validator file exits 3.

Examples:
  ebl-wallet verify td.json --holder BANK
  ebl-wallet verify td.json --proof bundle.json --validators validators.json"
)]
pub struct VerifyArgs {
    /// The TransportDocument JSON (or issuance request / PINT envelope).
    file: PathBuf,
    /// Online: the organisation presenting the document (HOLDER fails if it is not the holder).
    #[arg(long, value_name = "ORG", conflicts_with = "proof")]
    holder: Option<String>,
    /// Offline: a proof bundle saved by `ebl-wallet proof export`.
    #[arg(long, value_name = "BUNDLE")]
    proof: Option<PathBuf>,
    /// Offline: the trusted validator set (JSON from `validators export`) to check the commit
    /// certificate against.
    #[arg(long, value_name = "FILE", requires = "proof")]
    validators: Option<PathBuf>,
    /// Offline: fail unless finality signatures were checked.
    #[arg(long, requires = "proof")]
    require_finality: bool,
}

fn read_json(path: &std::path::Path) -> Result<Value, WalletError> {
    serde_json::from_slice(&read_input(path)?)
        .map_err(|e| bad_input(path, format!("not valid JSON ({e})")))
}

pub(super) fn verify(ctx: &Ctx, args: &VerifyArgs) -> Result<(), WalletError> {
    if let Some(bundle_path) = &args.proof {
        return verify_offline(ctx, args, bundle_path);
    }
    let g = ctx.gateway()?;
    let body = read_json(&args.file)?;
    let path = match &args.holder {
        Some(h) => format!("/v1/verify?holder={}", enc(h)),
        None => "/v1/verify".into(),
    };
    let (_, report) = g.post(&path, &body)?;
    let outcome = report["outcome"].as_str().unwrap_or("UNKNOWN").to_string();
    let mut text = format!(
        "subject      {} {}\noutcome      {outcome}\n",
        opt(&report["subject"]["type"]),
        opt(&report["subject"]["id"])
    );
    for c in report["checks"].as_array().into_iter().flatten() {
        let _ = writeln!(
            text,
            "  {:<7} {:<9} {:<18} {}",
            opt(&c["result"]),
            opt(&c["check"]),
            opt(&c["code"]),
            opt(&c["message"])
        );
    }
    ctx.print(&text, &report)?;
    if outcome == "FAILED" {
        return Err(WalletError::Reported {
            code: "VERIFICATION_FAILED",
            message: "the document failed verification (see the checks above)".into(),
        });
    }
    Ok(())
}

fn verify_offline(
    ctx: &Ctx,
    args: &VerifyArgs,
    bundle_path: &std::path::Path,
) -> Result<(), WalletError> {
    let doc = document::read_transport_document(&read_input(&args.file)?)
        .map_err(|e| bad_input(&args.file, e))?;
    let bundle = read_json(bundle_path)?;
    let validators = args
        .validators
        .as_deref()
        .map(ValidatorFile::load)
        .transpose()?;
    let report = proof::verify_ebl_bundle(&doc, &bundle, validators.as_ref())?;
    let text = format!(
        "document id  {} (matches the bundle's record)\nreference    {}\nstatus       {}\n\
         holder       {}\ncarrier      {}\nproof        Merkle proof OK against state root {} \
         of block {} ({}, chain {})\nfinality     {}",
        report.document_id,
        report.reference,
        report.status,
        report.holder,
        report.carrier,
        report.state_root,
        report.height,
        report.header_hash,
        report.chain_id,
        report.finality_note
    );
    ctx.print(&text, &to_json(&report)?)?;
    if args.require_finality && !report.finality_checked {
        return Err(WalletError::Reported {
            code: "FINALITY_NOT_CHECKED",
            message: format!("--require-finality: {}", report.finality_note),
        });
    }
    Ok(())
}

/// `proof` subcommands.
#[derive(Debug, Subcommand)]
#[command(after_help = "Examples:
  ebl-wallet proof export <DOC-ID> --out bundle.json")]
pub enum ProofCmd {
    /// Save the proof bundle of an eBL (GET /v1/proofs/ebls/{id}) for offline verification.
    #[command(after_help = "Examples:
  ebl-wallet proof export <DOC-ID> --out bundle.json
  ebl-wallet verify td.json --proof bundle.json")]
    Export {
        /// Document id.
        #[arg(value_name = "DOC-ID", value_parser = parse::hash32)]
        id: Hash32,
        /// Where to write the bundle JSON.
        #[arg(long, value_name = "BUNDLE")]
        out: PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
}

pub(super) fn proof(ctx: &Ctx, cmd: ProofCmd) -> Result<(), WalletError> {
    let ProofCmd::Export { id, out, force } = cmd;
    let g = ctx.gateway()?;
    let bundle = g.get(&format!("/v1/proofs/ebls/{}", id.to_hex()))?;
    let text = serde_json::to_vec_pretty(&bundle).unwrap_or_default();
    write_private(&out, &text, force)?;
    let height = bundle["header"]["height"].clone();
    ctx.print(
        &format!(
            "saved the proof bundle of {id} (block {height}) to {}",
            out.display()
        ),
        &json!({"document_id": id.to_hex(), "out": out, "height": height}),
    )
}
