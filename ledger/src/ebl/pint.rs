//! PINT_EXPORT, PINT_EXPORT_ANSWER and PINT_IMPORT: a bill leaving for and arriving from another
//! eBL platform by DCSA PINT 3.0 (specs/protocol.md §9s, R290–R299).
//!
//! The ledger cannot verify another platform's signatures (their keys are configuration of each
//! member's gateway, ADR 0036, and mostly RSA), so it decides what it can decide from replicated
//! state alone: who may send, that a bill is never both exported and active, and that a bill
//! coming back continues the exact chain this platform sent (by SHA-256 of each chain entry).
//! The envelope and the answers are kept on the ledger, so every member can re-check their
//! signatures.

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::ebl::record::{self, EblRecord, EblStatus, Endorsement, Position};
use crate::ebl::{Attachment, EblImport, EblType, ExportAnswerCode, ForeignParty};
use crate::entry::{ActionKind, DocumentRef};
use crate::error::{ExecResult, RuleError};
use crate::hash::{DocumentId, Hash32};
use crate::identity::org::active_organisation;
use crate::identity::{DocumentKind, authorize};
use crate::ids::OrgId;
use crate::state::{EntryContext, keys};

/// R294: longest envelope transfer chain kept (entries).
pub const MAX_CHAIN_ENTRIES: usize = 64;
/// R294: longest compact JWS kept (a chain entry or an answer), in bytes.
pub const MAX_JWS_BYTES: usize = 16 * 1024;
/// R296: prefix of the id a carrier of another platform is known by here.
pub const FOREIGN_CARRIER_PREFIX: &str = "PINT.";

/// An export waiting for the receiving platform's answer.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct PendingExport {
    /// The receiving party.
    pub to: ForeignParty,
    /// Whether the holder also endorsed the bill to the order of `to`.
    pub endorse: bool,
    /// The chain entry this platform signed for the move (sent, and kept once accepted).
    pub chain_entry: String,
    /// Height of the PINT_EXPORT.
    pub height: u64,
}

/// R294: a bill's travels between platforms, at `keys::pint(id)`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct PintRecord {
    /// The envelope transfer chain as far as this ledger knows it (received entries, then the
    /// entries this platform sent), oldest first.
    pub chain: Vec<String>,
    /// The export in progress.
    pub pending: Option<PendingExport>,
    /// Where control went by the last accepted export (while EXPORTED).
    pub exported_to: Option<ForeignParty>,
    /// Who sent the bill by the last import.
    pub imported_from: Option<ForeignParty>,
    /// R320: the carrier's signed issuance manifest (bills issued here).
    pub issuance_manifest: Option<String>,
    /// R322: the carrier's visualisation, which travels with every envelope.
    pub visualisation: Option<Attachment>,
}

impl PintRecord {
    /// SHA-256 of the last chain entry (PINT's `lastEnvelopeTransferChainEntrySignedContentChecksum`).
    pub fn last_checksum(&self) -> Option<Hash32> {
        self.chain
            .last()
            .map(|entry| Hash32::sha256(entry.as_bytes()))
    }
}

/// Reads the PINT record of a document (empty when it never travelled).
pub fn load(ctx: &EntryContext<'_>, id: &DocumentId) -> ExecResult<PintRecord> {
    Ok(ctx
        .state
        .get::<PintRecord>(&keys::pint(id))?
        .unwrap_or_default())
}

pub(crate) fn store(ctx: &mut EntryContext<'_>, id: &DocumentId, pint: &PintRecord) {
    ctx.state.put(keys::pint(id), pint);
}

/// R291: the holder sends an ACTIVE bill abroad. A sea waybill is no document of title and
/// never travels (NOT_TRANSFERABLE). A to-order bill whose holder is its to-order endorsee
/// must be endorsed to the receiver (`endorse`), or title would stay behind with no one here to
/// exercise it; `endorse` on any other bill is NOT_ENDORSEE.
pub fn export(
    ctx: &mut EntryContext<'_>,
    record: &mut EblRecord,
    actor: &OrgId,
    to: &ForeignParty,
    endorse: bool,
    chain_entry: &str,
) -> ExecResult<()> {
    record.check_active()?;
    if record.kind == EblType::SeaWaybill {
        return Err(RuleError::NotTransferable.into());
    }
    record.check_holder(actor)?;
    let endorsable = record.kind == EblType::ToOrderBl
        && record.position.endorsement == Endorsement::ToOrder
        && record.endorsee() == Some(actor);
    if endorse != endorsable {
        return Err(RuleError::NotEndorsee.into());
    }
    let mut pint = load(ctx, &record.id)?;
    if pint.chain.len() >= MAX_CHAIN_ENTRIES {
        return Err(RuleError::invalid("chain_entry", "transfer chain is full").into());
    }
    pint.pending = Some(PendingExport {
        to: to.clone(),
        endorse,
        chain_entry: chain_entry.to_string(),
        height: ctx.height,
    });
    store(ctx, &record.id, &pint);
    // R294: the index the sending gateways scan for work.
    ctx.state
        .put(keys::pint_outbox(&record.id), record.holder());
    record.status = EblStatus::ExportPending;
    record.pending_reject = None;
    let to_text = format!("{} on {}", to.party_name, to.ebl_platform);
    let holder = record.holder().clone();
    record.record(
        ctx,
        ActionKind::EblExport,
        actor,
        Some(holder),
        None,
        Some(to_text),
    );
    Ok(())
}

/// R292–R293: the exporting holder records the receiving platform's final answer. Accepted
/// (RECE, DUPE): EXPORTED, closed here; the entry this platform sent joins the chain. Refused
/// (BSIG, BENV): ACTIVE again with the same holder.
pub fn answer(
    ctx: &mut EntryContext<'_>,
    record: &mut EblRecord,
    actor: &OrgId,
    code: ExportAnswerCode,
) -> ExecResult<()> {
    if record.status != EblStatus::ExportPending {
        return Err(RuleError::WrongStatus(record.status.code()).into());
    }
    record.check_holder(actor)?;
    let mut pint = load(ctx, &record.id)?;
    let Some(pending) = pint.pending.take() else {
        return Err(RuleError::WrongStatus(record.status.code()).into());
    };
    ctx.state.delete(keys::pint_outbox(&record.id));
    if code.accepted() {
        pint.chain.push(pending.chain_entry);
        pint.exported_to = Some(pending.to);
        record.status = EblStatus::Exported;
    } else {
        record.status = EblStatus::Active;
    }
    store(ctx, &record.id, &pint);
    record.record(
        ctx,
        ActionKind::EblExportAnswer,
        actor,
        None,
        None,
        Some(code.code().to_string()),
    );
    Ok(())
}

/// R295–R298: a member accepts a bill from another platform and becomes its holder.
pub fn apply_import(ctx: &mut EntryContext<'_>, import: &EblImport) -> ExecResult<()> {
    let id = import.issue.document;
    let actor = authorize(
        ctx,
        ActionKind::EblImport,
        Some(DocumentKind::Ebl),
        Some(&DocumentRef::Ebl { id }),
    )?;
    // R295: the receiving member imports for itself (or an agent under its grant).
    if import.issue.issue_to != actor {
        return Err(RuleError::invalid("issue.issue_to", "must be the importing party").into());
    }
    if let Some(consignee) = &import.issue.consignee {
        active_organisation(ctx, consignee)?;
    }
    let endorsement = endorsement_of(import.issue.kind, import.issue.consignee.as_ref())?;
    let position = Position {
        holder: actor.clone(),
        endorsee: import.issue.consignee.clone(),
        endorsement,
        nominee: None,
    };
    let mut pint = load(ctx, &id)?;
    let mut record = match ctx.state.get::<EblRecord>(&keys::ebl(&id))? {
        Some(existing) => returning(existing, &pint, import)?,
        None => arriving(ctx, import)?,
    };
    record.position = position;
    record.status = EblStatus::Active;
    record.pending_reject = None;
    record.surrender = None;
    record.record(
        ctx,
        ActionKind::EblImport,
        &actor,
        None,
        Some(actor.clone()),
        Some(format!(
            "from {} on {}",
            import.from.party_name, import.from.ebl_platform
        )),
    );
    pint.chain = import.chain.clone();
    if let Some(visualisation) = &import.visualisation {
        ctx.state
            .put(keys::attachment(&visualisation.document_checksum), &id);
        pint.visualisation = Some(visualisation.clone());
    }
    pint.imported_from = Some(import.from.clone());
    pint.exported_to = None;
    pint.pending = None;
    store(ctx, &id, &pint);
    record::store(ctx, &record);
    Ok(())
}

/// R35 applied to an import: how the title party is named.
fn endorsement_of(kind: EblType, title: Option<&OrgId>) -> Result<Endorsement, RuleError> {
    match (kind, title) {
        (EblType::ToOrderBl, Some(_)) => Ok(Endorsement::ToOrder),
        (EblType::ToOrderBl, None) => Ok(Endorsement::Blank),
        (EblType::StraightBl, Some(_)) => Ok(Endorsement::Named),
        (EblType::StraightBl, None) => Err(RuleError::invalid(
            "consignee",
            "required for this document kind",
        )),
        // R291: a waybill never travels.
        (EblType::SeaWaybill, _) => Err(RuleError::NotTransferable),
    }
}

/// R297: a bill this ledger knows comes back. Only an EXPORTED bill may, and only with a chain
/// that starts with every entry this ledger holds and adds at least one: a live bill, or a
/// chain that forks from ours, is IMPORT_CONFLICT (PINT DISE) — the double-spend guard.
fn returning(
    record: EblRecord,
    pint: &PintRecord,
    import: &EblImport,
) -> Result<EblRecord, RuleError> {
    if record.status != EblStatus::Exported {
        return Err(RuleError::ImportConflict);
    }
    let extends = import.chain.len() > pint.chain.len()
        && pint.chain.iter().zip(&import.chain).all(|(ours, theirs)| {
            Hash32::sha256(ours.as_bytes()) == Hash32::sha256(theirs.as_bytes())
        });
    if !extends {
        return Err(RuleError::ImportConflict);
    }
    if record.reference != import.issue.reference || record.kind != import.issue.kind {
        return Err(RuleError::invalid(
            "issue",
            "reference and kind must be the document's as recorded here",
        ));
    }
    Ok(record)
}

/// R296: a bill new to this ledger. Its carrier is known here by a `PINT.` id that no member
/// holds, so no member can ever act as its issuer (SACC, AMEND, VOID): surrender goes back to
/// the carrier's platform by PINT.
fn arriving(ctx: &mut EntryContext<'_>, import: &EblImport) -> ExecResult<EblRecord> {
    let carrier = &import.carrier;
    if !carrier.as_str().starts_with(FOREIGN_CARRIER_PREFIX) {
        return Err(RuleError::invalid("carrier", "must be a PINT. id for a bill new here").into());
    }
    if ctx.state.get_raw(&keys::organisation(carrier))?.is_some() {
        return Err(RuleError::invalid("carrier", "names a member organisation").into());
    }
    let reference_key = keys::ebl_reference(carrier, &import.issue.reference);
    if ctx.state.get_raw(&reference_key)?.is_some() {
        return Err(RuleError::DuplicateDocument.into());
    }
    ctx.state.put(reference_key, &import.issue.document);
    Ok(EblRecord {
        id: import.issue.document,
        reference: import.issue.reference.clone(),
        kind: import.issue.kind,
        carrier: carrier.clone(),
        position: Position {
            holder: import.issue.issue_to.clone(),
            endorsee: None,
            endorsement: Endorsement::Blank,
            nominee: None,
        },
        status: EblStatus::Active,
        pending_reject: None,
        surrender: None,
        signatures: Vec::new(),
        replaces: Vec::new(),
        replaced_by: Vec::new(),
        issued_height: ctx.height,
        issued_time: ctx.time,
        history: Vec::new(),
    })
}
