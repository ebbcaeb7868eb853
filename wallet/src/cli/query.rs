//! `show` and `show-cert`: state and history from the gateway.

use std::fmt::Write as _;

use clap::Args;
use ebl_ledger::hash::Hash32;
use serde_json::Value;

use super::Ctx;
use super::crate_api::{WalletError, parse};

/// `show` arguments.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  ebl-wallet show <DOC-ID>
  ebl-wallet --json show --carrier CARRIER --reference SHIP-REF-1")]
pub struct ShowArgs {
    /// Document id.
    #[arg(value_name = "DOC-ID", value_parser = parse::hash32,
          required_unless_present = "reference", conflicts_with = "reference")]
    id: Option<Hash32>,
    /// Issuing carrier (with --reference).
    #[arg(long, value_name = "ORG", requires = "reference")]
    carrier: Option<String>,
    /// transportDocumentReference (with --carrier).
    #[arg(long, value_name = "REF", requires = "carrier")]
    reference: Option<String>,
}

/// `show-cert` arguments.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  ebl-wallet show-cert MSA SG-2026-0001
  ebl-wallet show-cert MSA SG-2026-0001 --at 2027-01-01T00:00:00Z")]
pub struct ShowCertArgs {
    /// Issuing administration.
    administration: String,
    /// Unique tracking number.
    utn: String,
    /// Judge the status at this RFC 3339 time (default: the head block's time).
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
}

/// Minimal percent-encoding for path segments and query values.
pub(super) fn enc(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

pub(super) fn opt(v: &Value) -> String {
    v.as_str().unwrap_or("-").to_string()
}

pub(super) fn show(ctx: &Ctx, args: &ShowArgs) -> Result<(), WalletError> {
    let g = ctx.gateway()?;
    let view = match (&args.id, &args.carrier, &args.reference) {
        (Some(id), _, _) => g.get(&format!("/v1/ebls/{}", id.to_hex()))?,
        (None, Some(c), Some(r)) => {
            g.get(&format!("/v1/ebls?carrier={}&reference={}", enc(c), enc(r)))?
        }
        _ => {
            return Err(WalletError::InvalidArgument {
                field: "DOC-ID".into(),
                reason: "name a document id, or --carrier and --reference".into(),
            });
        }
    };
    let mut text = format!(
        "eBL          {}\nreference    {}\nkind         {}\ncarrier      {}\nstatus       {}\n\
         holder       {}\nendorsee     {}\nendorsement  {}\nissued       height {} at {}\nhistory:\n",
        opt(&view["id"]),
        opt(&view["reference"]),
        opt(&view["kind"]),
        opt(&view["carrier"]),
        opt(&view["status"]),
        opt(&view["holder"]),
        opt(&view["endorsee"]),
        opt(&view["endorsement"]),
        view["issued_height"],
        opt(&view["issued_at"]),
    );
    for h in view["history"].as_array().into_iter().flatten() {
        let _ = writeln!(
            text,
            "  {:>6}  {}  {:<16} by {:<10} {} -> {}{}",
            h["height"],
            opt(&h["time"]),
            opt(&h["action"]),
            opt(&h["actor"]),
            opt(&h["from"]),
            opt(&h["to"]),
            h["reason"]
                .as_str()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        );
    }
    ctx.print(&text, &view)
}

pub(super) fn show_cert(ctx: &Ctx, args: &ShowCertArgs) -> Result<(), WalletError> {
    let g = ctx.gateway()?;
    let mut path = format!(
        "/v1/certificates/{}/{}",
        enc(&args.administration),
        enc(&args.utn)
    );
    if let Some(at) = &args.at {
        path.push_str(&format!("?at={}", enc(at)));
    }
    let view = g.get(&path)?;
    let mut text = format!(
        "certificate  {}/{}\nkind         {}\nship         {} (IMO {})\nstatus       {} at {}\n\
         issued on    {}\nexpires on   {}\nhistory:\n",
        opt(&view["administration"]),
        opt(&view["utn"]),
        view["kind"],
        opt(&view["ship"]["name"]),
        opt(&view["ship"]["imo_number"]),
        opt(&view["status"]),
        opt(&view["status_at"]),
        opt(&view["issued_on"]),
        opt(&view["expires_on"]),
    );
    for h in view["history"].as_array().into_iter().flatten() {
        let r = &h["recorded"];
        let _ = writeln!(
            text,
            "  {:>6}  {}  {:<16} by {}",
            r["height"],
            opt(&r["time"]),
            opt(&h["action"]),
            opt(&r["actor"])
        );
    }
    ctx.print(&text, &view)
}
