//! R324: the PINT_EXPORT a holder signs: the envelope transfer chain entry this platform adds
//! for the bill's time here, signed now with the platform key and fixed on the ledger, so every
//! send of the envelope (after a crash, from any member's gateway) carries the same bytes.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use ebl_ledger::ebl::pint::PintRecord;
use ebl_ledger::ebl::{EblAction, EblRecord, EblStatus, HistoryEntry};
use ebl_ledger::entry::{ActionKind, Body};
use ebl_ledger::hash::DocumentId;
use ebl_ledger::identity::Organisation;
use ebl_ledger::ids::OrgId;
use ebl_ledger::state::keys;
use ebl_ledger::time::Timestamp;

use super::Platform;
use super::directory::{foreign, member_party};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::pint::actions::{action_date_time, transactions_for};
use crate::pint::model::{Party, Transaction};
use crate::pint::send::chain_entry;
use crate::pint::trust::TrustConfig;
use crate::records;

fn refused(code: &str, detail: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail)
}

/// R324: the history this platform's new chain entry covers: everything since the bill last
/// arrived here (its PINT_IMPORT), or since its issuance.
fn segment(history: &[HistoryEntry]) -> &[HistoryEntry] {
    match history
        .iter()
        .rposition(|h| h.action == ActionKind::EblImport)
    {
        Some(import) => &history[import + 1..],
        None => history,
    }
}

/// The names on the ledger of every organisation `history` names, read once.
async fn names(
    state: &AppState,
    history: &[HistoryEntry],
    holder: &OrgId,
) -> ApiResult<BTreeMap<OrgId, Option<String>>> {
    let mut orgs = std::collections::BTreeSet::new();
    orgs.insert(holder.clone());
    for line in history {
        orgs.insert(line.actor.clone());
        orgs.extend(line.to.clone());
    }
    let mut names = BTreeMap::new();
    for org in orgs {
        let record = records::get::<Organisation>(state, keys::organisation(&org)).await?;
        names.insert(org, record.map(|o| o.name));
    }
    Ok(names)
}

/// R324: checks what the ledger cannot (the receiving platform is one this gateway trusts and
/// can reach; the chain can start) and builds the PINT_EXPORT of `document` to `to` with
/// `endorse`. The ledger then decides who may export (R291).
pub async fn export_body(
    state: &AppState,
    platform: &Platform,
    document: DocumentId,
    to: &Party,
    endorse: bool,
    now: Timestamp,
) -> ApiResult<Body> {
    let trust: std::sync::Arc<TrustConfig> = platform.trust();
    if to.ebl_platform == trust.platform_code {
        return Err(refused(
            "NOT_ANOTHER_PLATFORM",
            "the receiver is on this platform: transfer the bill instead",
        ));
    }
    let reachable = trust
        .platforms
        .get(&to.ebl_platform)
        .is_some_and(|p| p.envelopes_url.is_some());
    if !reachable {
        return Err(refused(
            "UNKNOWN_PLATFORM",
            format!(
                "platform `{}` is not a trusted platform with an envelopes URL here",
                to.ebl_platform
            ),
        ));
    }
    let record = records::get::<EblRecord>(state, keys::ebl(&document))
        .await?
        .ok_or_else(|| ApiError::not_found("UNKNOWN_DOCUMENT", "no eBL with this id"))?;
    if record.status != EblStatus::Active {
        return Err(refused(
            "WRONG_STATUS",
            format!("the eBL is {}", record.status.code()),
        ));
    }
    let pint = records::get::<PintRecord>(state, keys::pint(&document))
        .await?
        .unwrap_or_default();
    // R317: the first chain entry carries the carrier's issuance manifest (R320).
    let manifest = match pint.chain.last() {
        Some(_) => None,
        None => Some(pint.issuance_manifest.clone().ok_or_else(|| {
            refused(
                "NO_ISSUANCE_MANIFEST",
                "the carrier's signed issuance manifest is not on the ledger (issue through DCSA ISS)",
            )
        })?),
    };
    let history = segment(&record.history);
    let names = names(state, history, record.holder()).await?;
    let entry = entry_for(
        &state.config.dcsa,
        &trust,
        &record,
        &pint,
        &names,
        Move { to, endorse, now },
        manifest,
    );
    Ok(Body::Ebl(EblAction::Export {
        document,
        to: foreign(to),
        endorse,
        chain_entry: entry,
    }))
}

/// The move a PINT_EXPORT makes.
struct Move<'a> {
    to: &'a Party,
    endorse: bool,
    now: Timestamp,
}

/// R324: this platform's signed chain entry: its history since the bill came here, then the
/// move (ENDORSE_TO_ORDER when endorsing, and TRANSFER) to the receiver.
fn entry_for(
    dcsa: &crate::dcsa::DcsaConfig,
    trust: &TrustConfig,
    record: &EblRecord,
    pint: &PintRecord,
    names: &BTreeMap<OrgId, Option<String>>,
    Move { to, endorse, now }: Move<'_>,
    manifest: Option<String>,
) -> String {
    let history = segment(&record.history);
    let party = |org: &OrgId| member_party(dcsa, org, names.get(org).and_then(Option::as_deref));
    let mut transactions = transactions_for(history, &party);
    let holder = party(record.holder());
    let move_to = |code: &str| Transaction {
        action_code: code.into(),
        actor: holder.clone(),
        recipient: Some(to.clone()),
        action_date_time: action_date_time(now),
        reason_code: None,
        comments: None,
        audit_reference: None,
    };
    if endorse {
        transactions.push(move_to("ENDORSE_TO_ORDER"));
    }
    transactions.push(move_to("TRANSFER"));
    chain_entry(
        &trust.platform_code,
        &trust.signing_key,
        &record.id,
        pint.chain.last().map(String::as_str),
        manifest,
        transactions,
    )
}
