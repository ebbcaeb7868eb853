//! Electronic bills of lading: records and the rules of every action (specs/protocol.md R30–R59,
//! written out in specs/protocol.md).
//!
//! # Design
//!
//! One [`EblRecord`] per document at `keys::ebl(id)` holds possession (the holder), title (the
//! endorsee and how it is named), the pending nomination, the status, the right to reject of the
//! last receiving party and the full history. Every action is authorized first (the actor is the
//! organisation [`authorize`] returns, so agents acting under grants are handled in one place),
//! then checked against the record as changed by earlier entries of the same block, then applied
//! to a copy that is stored only when every check passed.
//!
//! - [`issue`]: ISSUE and the issuance of replacements.
//! - [`transfer`]: TRANSFER, REJECT and the right to reject.
//! - [`endorse`]: ENDORSE, ENDORSE_TO_ORDER, BLANK_ENDORSE, NOMINATE, SIGN.
//! - [`surrender`]: SURRENDER_FOR_DELIVERY / _FOR_AMENDMENT, SACC, SREJ.
//! - [`replace`]: AMEND, SPLIT, COMBINE, VOID.
//! - [`pint`]: PINT_EXPORT, PINT_EXPORT_ANSWER, PINT_IMPORT (DCSA PINT between platforms).
//! - [`trade_links`], [`trade_link_rules`]: LINK_EVIDENCE, WITHDRAW_EVIDENCE (offshore-trade
//!   evidence, R400–R407).

mod action;
pub mod endorse;
pub mod issue;
pub mod pint;
mod pint_bounds;
pub mod pint_manifest;
pub mod record;
pub mod replace;
mod stateless;
pub mod surrender;
pub mod trade_link_rules;
pub mod trade_links;
pub mod transfer;

pub use action::*;
pub use record::{
    EblRecord, EblSignature, EblStatus, Endorsement, HistoryEntry, PendingReject, Position,
    Surrender, SurrenderKind,
};
pub use stateless::{
    MAX_REASON_BYTES, MAX_REFERENCE_LEN, MAX_REPLACEMENTS, MAX_SURRENDER_REFERENCE_LEN,
    MIN_REPLACEMENTS, check_stateless, check_surrender_reference,
};

use crate::entry::{ActionKind, DocumentRef};
use crate::error::ExecResult;
use crate::identity::{DocumentKind, authorize};
use crate::state::EntryContext;

/// Checks and applies an eBL action (R30–R59). On error nothing is written (the caller discards
/// the entry's overlay).
pub fn apply(ctx: &mut EntryContext<'_>, action: &EblAction) -> ExecResult<()> {
    use EblAction::*;
    match action {
        Issue(issue) => return issue::apply_issue(ctx, issue),
        Import(import) => return pint::apply_import(ctx, import),
        Combine {
            documents,
            replacement,
        } => return replace::apply_combine(ctx, documents, replacement),
        _ => {}
    }
    let id = action.document();
    // R37: the actor is whoever authorization says the signer acts for.
    let actor = authorize(
        ctx,
        action.action_kind(),
        Some(DocumentKind::Ebl),
        Some(&DocumentRef::Ebl { id }),
    )?;
    let mut record = record::load(ctx, &id)?;
    // R32: nothing follows a closed status.
    record.check_open()?;
    if !matches!(
        action,
        Reject { .. } | LinkEvidence { .. } | WithdrawEvidence { .. }
    ) {
        // R47: any other action by the receiving party ends its right to reject; linking
        // evidence does not (R404): a bank checks the links before it decides to keep a bill.
        transfer::clear_reject_right_of(&mut record, &actor);
    }
    let record = &mut record;
    let actor = &actor;
    match action {
        Transfer { to, .. } => transfer::transfer(ctx, record, actor, to)?,
        Reject { reason, .. } => transfer::reject(ctx, record, actor, reason)?,
        Endorse { endorsee, .. } => {
            endorse::endorse(ctx, record, actor, Endorsement::Named, Some(endorsee))?;
        }
        EndorseToOrder { endorsee, .. } => {
            endorse::endorse(ctx, record, actor, Endorsement::ToOrder, Some(endorsee))?;
        }
        BlankEndorse { .. } => endorse::endorse(ctx, record, actor, Endorsement::Blank, None)?,
        Nominate { nominee, .. } => endorse::nominate(ctx, record, actor, nominee)?,
        Sign { .. } => endorse::sign(ctx, record, actor)?,
        SurrenderForDelivery {
            request_reference, ..
        } => {
            let kind = SurrenderKind::Delivery;
            surrender::surrender(ctx, record, actor, kind, request_reference.as_deref())?;
        }
        SurrenderForAmendment {
            reason,
            request_reference,
            ..
        } => {
            let kind = SurrenderKind::Amendment(*reason);
            surrender::surrender(ctx, record, actor, kind, request_reference.as_deref())?;
        }
        AcceptSurrender { .. } => surrender::accept(ctx, record, actor)?,
        RejectSurrender { reason, .. } => surrender::reject(ctx, record, actor, reason)?,
        Amend { replacement, .. } => {
            let replacements = std::slice::from_ref(replacement);
            replace::replace(ctx, record, actor, ActionKind::EblAmend, replacements)?;
        }
        Split { replacements, .. } => {
            replace::replace(ctx, record, actor, ActionKind::EblSplit, replacements)?;
        }
        Void { reason, .. } => replace::void(ctx, record, actor, reason)?,
        Export {
            to,
            endorse,
            chain_entry,
            ..
        } => pint::export(ctx, record, actor, to, *endorse, chain_entry)?,
        IssuanceManifest {
            manifest,
            visualisation,
            ..
        } => pint_manifest::record(ctx, record, actor, manifest, visualisation.as_ref())?,
        ExportAnswer { code, .. } => pint::answer(ctx, record, actor, *code)?,
        LinkEvidence { links, .. } => trade_link_rules::link(ctx, record, actor, links)?,
        WithdrawEvidence { link, reason, .. } => {
            trade_link_rules::withdraw(ctx, record, actor, *link, reason)?;
        }
        Issue(_) | Combine { .. } | Import(_) => {}
    }
    record::store(ctx, record);
    Ok(())
}
