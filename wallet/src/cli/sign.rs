//! `ebl-wallet sign …`: the envelope flags shared by every entry, dispatch to the builders, and
//! the printing of a signed entry.

use std::time::Duration;

use clap::{Args, Subcommand};

use ebl_ledger::cert::CertificateRef;
use ebl_ledger::entry::{Body, ChainRef, DocumentRef};
use ebl_ledger::hash::Hash32;
use ebl_ledger::ids::OrgId;
use ebl_ledger::receipt::{VerificationOutcome, VerificationReceipt};

use super::Ctx;
use super::context::to_json;
use super::crate_api::build::{self, Envelope, SignedView};
use super::crate_api::{WalletError, parse};
use super::{sign_admin, sign_cert, sign_ebl, submit};

/// `sign` and its envelope flags (accepted before or after the action).
#[derive(Debug, Args)]
#[command(
    after_help = "Every entry needs --identity. With --gateway URL (or EBL_GATEWAY) the entry is
submitted: the chain id and genesis hash come from the gateway's /v1/status and the sequence from
/v1/accounts/{key}/sequence unless given; the entry id is printed, and with --wait the final
height (or the ledger's rejection code, exit 1). --dry-run only builds, signs and prints (then
--chain-id, --genesis-hash and --sequence are needed unless a gateway supplies them).

Examples:
  ebl-wallet --gateway http://127.0.0.1:8080 --api-key <KEY> sign --identity carrier-ops \\
      --wait ebl issue td.json --issue-to SHIPPER --consignee CONSIGNEE
  ebl-wallet sign --identity carrier-ops --chain-id ebl-pilot-1 --genesis-hash <HEX> \\
      --sequence 0 --dry-run ebl issue td.json --issue-to SHIPPER --consignee CONSIGNEE
  ebl-wallet sign --identity shipper --chain-id ebl-pilot-1 --genesis-hash <HEX> \\
      --sequence 3 --dry-run ebl transfer --document <DOC-ID> --to BANK"
)]
pub struct SignCmd {
    /// Chain id of the network (R7).
    #[arg(
        long,
        global = true,
        help_heading = "Entry options",
        env = "EBL_CHAIN_ID",
        value_name = "ID"
    )]
    chain_id: Option<String>,
    /// Genesis hash of the network, 64 hex digits (R7).
    #[arg(long, global = true, help_heading = "Entry options", env = "EBL_GENESIS_HASH", value_name = "HEX",
          value_parser = parse::hash32)]
    genesis_hash: Option<Hash32>,
    /// The signer's next sequence number (R9).
    #[arg(long, global = true, help_heading = "Entry options", value_name = "N")]
    sequence: Option<u64>,
    /// Act for this organisation under a grant (R26).
    #[arg(long, global = true, help_heading = "Entry options", value_name = "ORG", value_parser = parse::org_id)]
    act_for: Option<OrgId>,
    /// A remark of at most 1 KiB carried with the entry.
    #[arg(
        long,
        global = true,
        help_heading = "Entry options",
        value_name = "TEXT"
    )]
    remark: Option<String>,
    /// Build, sign and print without submitting.
    #[arg(long, global = true, help_heading = "Entry options")]
    dry_run: bool,
    /// Wait for finality and print the height (or the ledger's rejection code, exit 1).
    #[arg(
        long,
        global = true,
        help_heading = "Entry options",
        conflicts_with = "dry_run"
    )]
    wait: bool,
    /// How long --wait waits, in seconds (the gateway caps it).
    #[arg(
        long,
        global = true,
        help_heading = "Entry options",
        value_name = "SECS",
        default_value_t = 30
    )]
    timeout: u64,
    /// The entry to sign.
    #[command(subcommand)]
    what: SignWhat,
}

/// Entry families.
#[derive(Debug, Subcommand)]
pub enum SignWhat {
    /// eBL actions.
    #[command(subcommand)]
    Ebl(sign_ebl::EblCmd),
    /// Ship certificate actions.
    #[command(subcommand)]
    Cert(sign_cert::CertCmd),
    /// Grants of authority.
    #[command(subcommand)]
    Grant(sign_admin::GrantCmd),
    /// Governance proposals and votes.
    #[command(subcommand)]
    Governance(sign_admin::GovernanceCmd),
    /// Record that you verified a document (bank, customs, port state control).
    #[command(after_help = "Examples:
  ebl-wallet sign ... --dry-run verify-receipt --ebl <DOC-ID> --outcome VERIFIED --purpose LC_PAYMENT
  ebl-wallet sign ... --dry-run verify-receipt --certificate MSA:SG-2026-0001 \\
      --outcome FAILED --purpose PORT_STATE_CONTROL --detail \"expired\"")]
    VerifyReceipt(ReceiptArgs),
}

/// `verify-receipt` arguments.
#[derive(Debug, Args)]
pub struct ReceiptArgs {
    /// The eBL verified, by document id.
    #[arg(long, value_name = "DOC-ID", value_parser = parse::hash32,
          required_unless_present = "certificate", conflicts_with = "certificate")]
    ebl: Option<Hash32>,
    /// The certificate verified, as ADMINISTRATION:UTN.
    #[arg(long, value_name = "ADMIN:UTN", value_parser = certificate_ref)]
    certificate: Option<CertificateRef>,
    /// VERIFIED, FAILED or INCONCLUSIVE.
    #[arg(long, value_parser = outcome)]
    outcome: VerificationOutcome,
    /// Why it was verified, e.g. LC_PAYMENT, PORT_STATE_CONTROL, CUSTOMS_CLEARANCE.
    #[arg(long)]
    purpose: String,
    /// What was checked (≤ 256 bytes).
    #[arg(long, default_value = "")]
    detail: String,
    /// R407: an evidence link of the eBL that was matched, by its number on the bill (repeat
    /// for several, at most 16; `POST /v1/ebls/{id}/evidence/check` answers them as `cites`).
    #[arg(long = "cite", value_name = "N", requires = "ebl")]
    cites: Vec<u32>,
}

fn outcome(text: &str) -> Result<VerificationOutcome, String> {
    parse::ledger_enum(text, "outcome", "VERIFIED, FAILED, INCONCLUSIVE")
}

/// Parses `ADMINISTRATION:UTN`.
pub fn certificate_ref(text: &str) -> Result<CertificateRef, String> {
    let (admin, utn) = text
        .split_once(':')
        .ok_or_else(|| format!("`{text}` is not ADMINISTRATION:UTN, e.g. MSA:SG-2026-0001"))?;
    Ok(CertificateRef {
        administration: parse::org_id(admin)?,
        utn: utn.to_string(),
    })
}

pub(super) fn run(ctx: &Ctx, cmd: SignCmd) -> Result<(), WalletError> {
    let missing = |flag: &str, why: &str| WalletError::InvalidArgument {
        field: flag.into(),
        reason: why.into(),
    };
    let gateway = ctx.gateway_opt();
    if !cmd.dry_run && gateway.is_none() {
        return Err(WalletError::NoGateway(
            "submitting needs --gateway URL (or EBL_GATEWAY); add --dry-run to only build, \
             sign and print the entry"
                .into(),
        ));
    }
    let body = match cmd.what {
        SignWhat::Ebl(c) => Body::Ebl(sign_ebl::body(c)?),
        SignWhat::Cert(c) => Body::Certificate(sign_cert::body(c)?),
        SignWhat::Grant(c) => Body::Grant(sign_admin::grant(c)?),
        SignWhat::Governance(c) => Body::Governance(sign_admin::governance(c)?),
        SignWhat::VerifyReceipt(r) => Body::Verification(VerificationReceipt {
            subject: match (r.ebl, r.certificate) {
                (Some(id), _) => DocumentRef::Ebl { id },
                (None, Some(c)) => DocumentRef::Certificate(c),
                (None, None) => return Err(missing("--ebl", "name --ebl or --certificate")),
            },
            outcome: r.outcome,
            purpose: r.purpose,
            detail: r.detail,
            cites: r.cites,
        }),
    };
    let chain = match (cmd.chain_id, cmd.genesis_hash, &gateway) {
        (Some(chain_id), Some(genesis_hash), _) => ChainRef {
            chain_id,
            genesis_hash,
        },
        (chain_id, genesis_hash, Some(g)) => {
            // Whatever was not given comes from the gateway's /v1/status.
            let from = g.chain()?;
            ChainRef {
                chain_id: chain_id.unwrap_or(from.chain_id),
                genesis_hash: genesis_hash.unwrap_or(from.genesis_hash),
            }
        }
        (None, _, None) => return Err(missing("--chain-id", "required (or set EBL_CHAIN_ID)")),
        (_, None, None) => {
            return Err(missing(
                "--genesis-hash",
                "required (or set EBL_GENESIS_HASH)",
            ));
        }
    };
    let sequence = match (cmd.sequence, &gateway) {
        (Some(n), _) => n,
        (None, Some(g)) => g.next_sequence(&ctx.keystore.public_key(ctx.identity()?)?)?,
        (None, None) => {
            return Err(missing(
                "--sequence",
                "required: the signer's next sequence number (0 for a new key)",
            ));
        }
    };
    let envelope = Envelope {
        chain,
        sequence,
        act_for: cmd.act_for,
        remark: cmd.remark.map(String::into_bytes),
    };
    let key = ctx.signing_key()?;
    let signed = build::sign(&envelope, body, &key)?;
    match gateway {
        Some(g) if !cmd.dry_run => {
            let wait = cmd.wait.then(|| Duration::from_secs(cmd.timeout));
            let report = submit::submit(&g, &signed, wait)?;
            submit::print(ctx, &report)
        }
        _ => print_signed(
            ctx,
            &SignedView::of(&signed),
            "dry run: signed, not submitted",
        ),
    }
}

/// Prints a signed entry: a summary, the hex to submit, and the JSON view.
pub(super) fn print_signed(ctx: &Ctx, view: &SignedView, note: &str) -> Result<(), WalletError> {
    let json = to_json(view)?;
    let entry_json = serde_json::to_string_pretty(&json["signed_entry"]).unwrap_or_default();
    ctx.note(note);
    ctx.print(
        &format!(
            "entry id     {}\naction       {}\nsigner       {}\nsequence     {}\nsize         {} bytes\n\
             signed entry (hex of the canonical bytes):\n{}\nentry (JSON):\n{entry_json}",
            view.entry_id, view.action, view.signer, view.sequence, view.size, view.signed_entry_hex
        ),
        &json,
    )
}
