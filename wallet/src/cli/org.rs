//! `ebl-wallet org …`, `doc-id` and `entry check`: the commands that read files and need no
//! chain context.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde_json::json;

use ebl_ledger::entry::ChainRef;
use ebl_ledger::hash::Hash32;
use ebl_ledger::identity::Role;

use super::Ctx;
use super::context::{to_json, write_private};
use super::crate_api::build::{self, SignedView};
use super::crate_api::csr::{self, CsrSubject};
use super::crate_api::inspect::{Inspected, SubjectFacts, inspect};
use super::crate_api::{WalletError, document, error::bad_input, error::read_input, parse};

/// Onboarding commands.
#[derive(Debug, Subcommand)]
#[command(
    after_help = "Examples:\n  ebl-wallet org csr --identity carrier-ops --org-id CARRIER --name \"Ocean Carrier\" --country SG --role CARRIER\n  ebl-wallet org inspect carrier.crt.pem"
)]
pub enum OrgCmd {
    /// Write a PKCS#10 request for the consortium CA, signed with the --identity key.
    #[command(
        after_help = "The subject is CN = org id, O = legal name, C = country and one OU per role,
the fields the ledger admits an organisation by.

Examples:
  ebl-wallet org csr --identity carrier-ops --org-id CARRIER --name \"Ocean Carrier Pte Ltd\" \\
      --country SG --role CARRIER --out carrier.csr.pem
  ebl-wallet org csr --identity msa --org-id MSA --name \"Maritime Authority\" --country SG \\
      --role MARITIME_ADMINISTRATION --role VALIDATOR_OPERATOR"
    )]
    Csr(CsrArgs),
    /// Print the subject, roles, key and validity of a certificate or request (PEM or DER).
    #[command(after_help = "Examples:
  ebl-wallet org inspect carrier.csr.pem
  ebl-wallet --json org inspect carrier.crt.pem")]
    Inspect {
        /// Certificate or request file.
        file: PathBuf,
    },
}

/// `org csr` arguments.
#[derive(Debug, Args)]
pub struct CsrArgs {
    /// Organisation id (certificate CN).
    #[arg(long, value_name = "ID")]
    org_id: String,
    /// Legal name (certificate O).
    #[arg(long)]
    name: String,
    /// ISO 3166-1 alpha-2 country (certificate C), e.g. SG.
    #[arg(long, value_name = "CC")]
    country: String,
    /// Role (repeat for several): CARRIER, BANK, TRADE_PARTY, PORT_OR_SINGLE_WINDOW,
    /// MARITIME_ADMINISTRATION, RECOGNIZED_ORGANIZATION, VALIDATOR_OPERATOR, CERTIFYING_BODY.
    #[arg(long = "role", value_name = "ROLE", required = true, value_parser = parse::role)]
    roles: Vec<Role>,
    /// Write the PEM request to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Replace FILE if it exists.
    #[arg(long)]
    force: bool,
}

/// `doc-id` arguments.
#[derive(Debug, Args)]
pub struct DocIdArgs {
    /// TransportDocument JSON, DCSA issuance request or PINT envelope.
    file: PathBuf,
}

/// Entry commands.
#[derive(Debug, Subcommand)]
#[command(after_help = "Examples:\n  ebl-wallet entry check <HEX>")]
pub enum EntryCmd {
    /// Decode hex of a signed entry, check it as a node would (R1–R8) and print it.
    #[command(
        after_help = "Without --chain-id/--genesis-hash the entry is checked against the chain it names.

Examples:
  ebl-wallet entry check 0a65626c2d...
  ebl-wallet entry check --file entry.hex --chain-id ebl-pilot-1 --genesis-hash <HEX>"
    )]
    Check {
        /// Hex of the canonical SignedEntry bytes.
        #[arg(required_unless_present = "file")]
        hex: Option<String>,
        /// Read the hex from FILE.
        #[arg(long, value_name = "FILE", conflicts_with = "hex")]
        file: Option<PathBuf>,
        /// Expected chain id.
        #[arg(long, requires = "genesis_hash")]
        chain_id: Option<String>,
        /// Expected genesis hash.
        #[arg(long, requires = "chain_id", value_parser = parse::hash32)]
        genesis_hash: Option<Hash32>,
    },
}

pub(super) fn run(ctx: &Ctx, cmd: OrgCmd) -> Result<(), WalletError> {
    match cmd {
        OrgCmd::Csr(args) => csr_cmd(ctx, &args),
        OrgCmd::Inspect { file } => {
            let bytes = read_input(&file)?;
            let found = inspect(&bytes).map_err(|reason| bad_input(&file, reason))?;
            ctx.print(&describe(&found), &to_json(&found)?)
        }
    }
}

fn csr_cmd(ctx: &Ctx, args: &CsrArgs) -> Result<(), WalletError> {
    let subject = CsrSubject::new(&args.org_id, &args.name, &args.country, &args.roles)?;
    let key = ctx.signing_key()?;
    let pem = csr::request_pem(&subject, &key);
    let roles: Vec<_> = subject.roles.iter().map(|r| r.code()).collect();
    let mut report = json!({
        "org_id": subject.org_id, "name": subject.name, "country": subject.country,
        "roles": roles, "public_key": ebl_wallet::keys::public_key(&key.verifying_key()),
    });
    match &args.out {
        Some(path) => {
            write_private(path, pem.as_bytes(), args.force)?;
            report["path"] = json!(path);
            ctx.print(
                &format!(
                    "wrote certificate request for `{}` ({}) to {}; send it to the consortium CA",
                    subject.org_id,
                    roles.join(", "),
                    path.display()
                ),
                &report,
            )
        }
        None => {
            report["csr_pem"] = json!(pem);
            ctx.print(&pem, &report)
        }
    }
}

fn subject_lines(s: &SubjectFacts) -> String {
    let or = |v: &Option<String>| v.clone().unwrap_or_else(|| "(missing)".into());
    let mut out = format!(
        "subject      {}\norg id (CN)  {}\nname (O)     {}\ncountry (C)  {}\nroles (OU)   {}\n",
        s.text,
        or(&s.org_id),
        or(&s.name),
        or(&s.country),
        s.roles.join(", ")
    );
    if !s.unknown_units.is_empty() {
        out.push_str(&format!(
            "WARNING      OUs that are not roles (the ledger refuses them): {}\n",
            s.unknown_units.join(", ")
        ));
    }
    out
}

fn describe(found: &Inspected) -> String {
    let key = |alg: &str, k: &Option<ebl_ledger::crypto::PublicKey>| match k {
        Some(k) => format!("{alg} {k}"),
        None => format!("{alg} (the ledger needs Ed25519)"),
    };
    match found {
        Inspected::Request(r) => format!(
            "type         certificate request (PKCS#10)\n{}key          {}\nsignature    {}\n",
            subject_lines(&r.subject),
            key(&r.key_algorithm, &r.public_key),
            if r.signature_valid {
                "valid"
            } else {
                "INVALID"
            }
        ),
        Inspected::Certificate(c) => format!(
            "type         certificate{}\n{}issuer       {}\nserial       {}\nkey          {}\n\
             not before   {}\nnot after    {}\nfingerprint  {}\n",
            if c.is_ca { " (CA)" } else { "" },
            subject_lines(&c.subject),
            c.issuer,
            c.serial,
            key(&c.key_algorithm, &c.public_key),
            c.not_before,
            c.not_after,
            c.fingerprint
        ),
    }
}

pub(super) fn doc_id(ctx: &Ctx, args: &DocIdArgs) -> Result<(), WalletError> {
    let text = read_input(&args.file)?;
    let doc =
        document::read_transport_document(&text).map_err(|reason| bad_input(&args.file, reason))?;
    if doc.source != document::DocumentSource::TransportDocument {
        ctx.note(doc.source.describe());
    }
    ctx.print(
        &doc.id.to_hex(),
        &json!({
            "document_id": doc.id,
            "source": doc.source,
            "transport_document_reference": doc.reference(),
            "kind": doc.kind().ok(),
        }),
    )
}

pub(super) fn entry(ctx: &Ctx, cmd: EntryCmd) -> Result<(), WalletError> {
    let EntryCmd::Check {
        hex,
        file,
        chain_id,
        genesis_hash,
    } = cmd;
    let text = match (hex, file) {
        (Some(hex), _) => hex,
        (None, Some(path)) => String::from_utf8_lossy(&read_input(&path)?).into_owned(),
        (None, None) => String::new(),
    };
    let chain = match (chain_id, genesis_hash) {
        (Some(chain_id), Some(genesis_hash)) => Some(ChainRef {
            chain_id,
            genesis_hash,
        }),
        _ => None,
    };
    let signed = build::decode_hex(&text, chain.as_ref())?;
    super::sign::print_signed(
        ctx,
        &SignedView::of(&signed),
        "entry is well-formed and signed",
    )
}
