//! Submitting a signed entry to the gateway and printing what became of it.

use std::time::Duration;

use ebl_ledger::entry::SignedEntry;
use serde_json::{Value, json};

use super::Ctx;
use super::crate_api::WalletError;
use super::crate_api::client::{Gateway, Submitted};

/// Submits `signed` (waiting for finality when `wait` is given) and returns the report to print.
pub(super) fn submit(
    gateway: &Gateway,
    signed: &SignedEntry,
    wait: Option<Duration>,
) -> Result<Value, WalletError> {
    let outcome = gateway.submit(signed, wait)?;
    let mut report = json!({
        "entry_id": signed.id().to_hex(),
        "action": signed.entry().body.action_kind().code(),
        "signer": signed.entry().signer.to_hex(),
        "sequence": signed.entry().sequence,
        "gateway": gateway.url(),
    });
    match outcome {
        Submitted::Final(_, height) => {
            report["status"] = json!("final");
            report["height"] = json!(height);
        }
        Submitted::Pending(_) => {
            report["status"] = json!("pending");
            report["waited"] = json!(wait.is_some());
        }
    }
    Ok(report)
}

/// Prints a submission report.
pub(super) fn print(ctx: &Ctx, report: &Value) -> Result<(), WalletError> {
    let id = report["entry_id"].as_str().unwrap_or_default();
    let status = match (report["status"].as_str(), report["height"].as_u64()) {
        (Some("final"), Some(h)) => format!("final at height {h}"),
        _ if report["waited"] == json!(true) => {
            "pending: not final within --timeout; check later with the entry id".into()
        }
        _ => "submitted (pending); add --wait to wait for finality".into(),
    };
    ctx.print(
        &format!(
            "entry id     {id}\naction       {}\nsequence     {}\nstatus       {status}",
            report["action"].as_str().unwrap_or_default(),
            report["sequence"]
        ),
        report,
    )
}
