//! R335: the PLATFORM check. The ledger cannot verify other platforms' signatures (ADR 0037),
//! so a member that signs its own entries could record a refusal no platform gave, or import a
//! chain no platform signed. Verification re-checks them against this gateway's trust file:
//! every PINT_EXPORT_ANSWER's signed response must verify under the keys of the platform the
//! export went to and name the export's own chain entry and code, and every PINT_IMPORT's chain
//! entries must verify under the keys of the platforms that signed them. A bill that never
//! travelled gets no PLATFORM check.

use ebl_ledger::ebl::{EblAction, EblRecord, ExportAnswerCode};
use ebl_ledger::entry::{ActionKind, Body};

use super::checks::{Check, Verdict, check};
use crate::AppState;
use crate::error::ApiResult;
use crate::pint::jws::{self, checksum};
use crate::pint::send::verify_finished_response;
use crate::pint::trust::TrustConfig;
use crate::records;

/// The action of the entry behind a history line, if the block is at hand.
async fn action(
    state: &AppState,
    line: &ebl_ledger::ebl::HistoryEntry,
) -> ApiResult<Option<EblAction>> {
    Ok(records::history_entry(state, line)
        .await?
        .and_then(|signed| match signed.into_entry().body {
            Body::Ebl(action) => Some(action),
            _ => None,
        }))
}

/// Why one recorded move does not verify, if it does not.
fn answer_problem(
    trust: &TrustConfig,
    platform: &str,
    chain_entry: &str,
    code: ExportAnswerCode,
    response: &str,
) -> Option<String> {
    let answer = match verify_finished_response(response, trust, platform) {
        Ok(answer) => answer,
        Err(e) => return Some(format!("the answer is not signed by {platform}: {e}")),
    };
    if answer.last_envelope_transfer_chain_entry_signed_content_checksum
        != checksum(chain_entry).to_hex()
    {
        return Some("the answer is about another chain entry".into());
    }
    if format!("{:?}", answer.response_code) != code.code() {
        return Some(format!(
            "{platform} answered {:?}, the ledger records {}",
            answer.response_code,
            code.code()
        ));
    }
    None
}

fn chain_problem(trust: &TrustConfig, chain: &[String]) -> Option<String> {
    for (i, entry) in chain.iter().enumerate() {
        let platform = jws::parse(entry, jws::MAX_JWS_LEN)
            .and_then(|c| c.payload())
            .ok()
            .and_then(|p| {
                p.get("eblPlatform")
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            });
        let Some(platform) = platform else {
            return Some(format!("chain entry {i} names no platform"));
        };
        let Some(keys) = trust.platform_keys(&platform) else {
            return Some(format!(
                "chain entry {i} is by {platform}, which this gateway does not trust"
            ));
        };
        if let Err(e) = jws::verify(entry, &keys, &platform) {
            return Some(format!("chain entry {i} by {platform}: {e}"));
        }
    }
    None
}

/// R335: the PLATFORM check of `record`, or `None` when it never travelled.
pub(crate) async fn platform_check(
    state: &AppState,
    record: &EblRecord,
) -> ApiResult<Option<Check>> {
    let travelled = record.history.iter().any(|h| {
        matches!(
            h.action,
            ActionKind::EblExportAnswer | ActionKind::EblImport
        )
    });
    if !travelled {
        return Ok(None);
    }
    let Some(edge) = state.pint.as_ref() else {
        return Ok(Some(check(
            "PLATFORM",
            Verdict::Warning,
            "PINT_NOT_CONFIGURED",
            "The eBL moved between platforms; this gateway has no PINT trust file to check those moves.".into(),
        )));
    };
    let trust = edge.trust();
    let mut last_export: Option<(String, String)> = None;
    // Only the PINT moves are read back from their blocks (one block read each).
    let moves = record.history.iter().filter(|h| {
        matches!(
            h.action,
            ActionKind::EblExport | ActionKind::EblExportAnswer | ActionKind::EblImport
        )
    });
    for line in moves {
        let problem = match action(state, line).await? {
            Some(EblAction::Export {
                to, chain_entry, ..
            }) => {
                last_export = Some((to.ebl_platform, chain_entry));
                None
            }
            Some(EblAction::ExportAnswer { code, response, .. }) => match &last_export {
                Some((platform, entry)) => answer_problem(&trust, platform, entry, code, &response),
                None => Some("an answer without an export".into()),
            },
            Some(EblAction::Import(import)) => chain_problem(&trust, &import.chain),
            _ => None,
        };
        if let Some(problem) = problem {
            return Ok(Some(check(
                "PLATFORM",
                Verdict::Fail,
                "PINT_UNVERIFIED",
                format!(
                    "The {} at height {} does not verify: {problem}.",
                    line.action.code(),
                    line.height
                ),
            )));
        }
    }
    Ok(Some(check(
        "PLATFORM",
        Verdict::Pass,
        "PINT_VERIFIED",
        "Every move between platforms verifies under the platforms' keys.".into(),
    )))
}
