//! The summary of `ebl-wallet import`: what was issued, skipped, pending and failed (with the
//! reason), and exit 1 when anything is left to do.

use serde_json::{Value, json};

use super::Ctx;
use super::crate_api::WalletError;
use super::crate_api::import::STATE_FILE;

/// What became of the files of one run.
#[derive(Debug, Default)]
pub(super) struct Summary {
    /// `{"file", "document_id", "entry_id", "height"}` of each file issued now.
    pub issued: Vec<Value>,
    /// Files finished before (or re-checked final, or already on the ledger).
    pub skipped: Vec<String>,
    /// Files submitted but not final yet.
    pub pending: Vec<String>,
    /// Files that failed, with the reason.
    pub failed: Vec<(String, String)>,
}

pub(super) fn report(ctx: &Ctx, s: &Summary, total: usize) -> Result<(), WalletError> {
    let mut text = format!(
        "{total} files: {} issued, {} already done, {} pending, {} failed (state in {STATE_FILE})",
        s.issued.len(),
        s.skipped.len(),
        s.pending.len(),
        s.failed.len()
    );
    for i in &s.issued {
        text.push_str(&format!(
            "\n  issued   {} -> {} at height {}",
            i["file"].as_str().unwrap_or_default(),
            i["document_id"].as_str().unwrap_or_default(),
            i["height"]
        ));
    }
    for p in &s.pending {
        text.push_str(&format!(
            "\n  pending  {p} (not final yet; rerun to re-check)"
        ));
    }
    for (f, why) in &s.failed {
        text.push_str(&format!("\n  FAILED   {f}: {why}"));
    }
    let failed: Vec<Value> = s
        .failed
        .iter()
        .map(|(f, why)| json!({"file": f, "reason": why}))
        .collect();
    ctx.print(
        &text,
        &json!({"total": total, "issued": s.issued, "skipped": s.skipped,
                "pending": s.pending, "failed": failed}),
    )?;
    if !s.failed.is_empty() || !s.pending.is_empty() {
        return Err(WalletError::Reported {
            code: "IMPORT_INCOMPLETE",
            message: format!(
                "{} of {total} files failed and {} are pending",
                s.failed.len(),
                s.pending.len()
            ),
        });
    }
    Ok(())
}
