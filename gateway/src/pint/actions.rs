//! R318: this ledger's history of a bill as PINT transactions (the table in
//! specs/protocol.md §9r), for the chain entry this platform signs when it exports a bill.

use ebl_ledger::ebl::HistoryEntry;
use ebl_ledger::entry::ActionKind;
use ebl_ledger::ids::OrgId;
use ebl_ledger::time::Timestamp;

use super::jws::truncate;
use super::model::{ActorParty, Transaction};

/// R318: `Transaction.actionDateTime`: RFC 3339, UTC, milliseconds (`2024-04-17T07:11:19.531Z`).
pub fn action_date_time(time: Timestamp) -> String {
    let seconds = Timestamp::from_unix_seconds(time.unix_seconds()).to_rfc3339();
    let seconds = seconds.strip_suffix('Z').unwrap_or(&seconds);
    format!("{seconds}.{:03}Z", time.0 % 1000)
}

/// R318: the PINT action code of `kind` and whether its recipient is `to`; `None` for what
/// has no PINT transaction.
fn pint_code(kind: ActionKind) -> Option<&'static str> {
    use ActionKind as K;
    match kind {
        K::EblIssue
        | K::EblTransfer
        | K::EblEndorse
        | K::EblEndorseToOrder
        | K::EblBlankEndorse
        | K::EblSign
        | K::EblSurrenderForDelivery
        | K::EblSurrenderForAmendment
        | K::EblAcceptSurrender
        | K::EblRejectSurrender => Some(kind.code()),
        // A rejected transfer or endorsement returns possession: a TRANSFER back.
        K::EblReject => Some("TRANSFER"),
        // NOMINATE is a proposal; AMEND, SPLIT, COMBINE, VOID close the bill (never exported);
        // everything else is not an eBL title action.
        _ => None,
    }
}

/// R318: the PINT transactions for `history` (oldest first); `party` describes an
/// organisation as a PINT party.
pub fn transactions_for(
    history: &[HistoryEntry],
    party: &dyn Fn(&OrgId) -> ActorParty,
) -> Vec<Transaction> {
    history
        .iter()
        .filter_map(|entry| {
            let code = pint_code(entry.action)?;
            let comments = match (entry.action, &entry.reason) {
                (ActionKind::EblReject, Some(reason)) => {
                    // The spec's pattern `^\S(?:.*\S)?$`: one line, no outer spaces.
                    let reason = reason.split_whitespace().collect::<Vec<_>>().join(" ");
                    Some(
                        truncate(&format!("REJECT: {reason}"), 255)
                            .trim_end()
                            .to_owned(),
                    )
                }
                (ActionKind::EblReject, None) => Some("REJECT".to_owned()),
                _ => None,
            };
            Some(Transaction {
                action_code: code.to_owned(),
                actor: party(&entry.actor),
                recipient: entry.to.as_ref().map(party),
                action_date_time: action_date_time(entry.time),
                reason_code: None,
                comments,
                audit_reference: Some(entry.entry.to_hex()),
            })
        })
        .collect()
}

#[cfg(test)]
#[path = "actions_tests.rs"]
mod tests;
