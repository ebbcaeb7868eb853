//! The stored eBL record and its history (specs/protocol.md R30, R32, R59).

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::crypto::PublicKey;
use crate::ebl::{AmendmentReason, EblType};
use crate::entry::ActionKind;
use crate::error::{ExecResult, RuleError};
use crate::hash::{DocumentId, EntryId};
use crate::ids::OrgId;
use crate::state::{EntryContext, keys};
use crate::time::Timestamp;

/// Where an eBL stands (specs/protocol.md, state machine).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EblStatus {
    /// Issued and in circulation.
    Active,
    /// Surrendered for delivery; the issuing carrier holds it until SACC or SREJ.
    SurrenderForDeliveryPending,
    /// Surrendered for amendment; the issuing carrier holds it until SACC or SREJ.
    SurrenderForAmendmentPending,
    /// Surrender for amendment (COD, SWI) accepted; waiting for AMEND, SPLIT or COMBINE (or VOID).
    SurrenderedForAmendment,
    /// Closed: surrender for delivery accepted, the goods are delivered against it.
    Accomplished,
    /// Closed: switched to a paper bill.
    SwitchedToPaper,
    /// Closed: replaced by the documents in `replaced_by`.
    Replaced,
    /// Closed: cancelled by the issuing carrier.
    Void,
    /// R291: sent to another platform; waiting for its answer (only PINT_EXPORT_ANSWER applies).
    ExportPending,
    /// R293: control passed to another platform; closed here until it comes back (PINT_IMPORT).
    Exported,
}

impl EblStatus {
    /// Stable code, as in APIs and error messages.
    pub fn code(self) -> &'static str {
        match self {
            EblStatus::Active => "ACTIVE",
            EblStatus::SurrenderForDeliveryPending => "SURRENDER_FOR_DELIVERY_PENDING",
            EblStatus::SurrenderForAmendmentPending => "SURRENDER_FOR_AMENDMENT_PENDING",
            EblStatus::SurrenderedForAmendment => "SURRENDERED_FOR_AMENDMENT",
            EblStatus::Accomplished => "ACCOMPLISHED",
            EblStatus::SwitchedToPaper => "SWITCHED_TO_PAPER",
            EblStatus::Replaced => "REPLACED",
            EblStatus::Void => "VOID",
            EblStatus::ExportPending => "EXPORT_PENDING",
            EblStatus::Exported => "EXPORTED",
        }
    }

    /// R32: a closed document accepts no further action.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            EblStatus::Accomplished
                | EblStatus::SwitchedToPaper
                | EblStatus::Replaced
                | EblStatus::Void
                | EblStatus::Exported
        )
    }
}

/// How the title party is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Endorsement {
    /// "To the order of" the endorsee: negotiable by further endorsement.
    ToOrder,
    /// Named (special, not to order) endorsee, or the consignee of a straight BL / sea waybill:
    /// not negotiable by further endorsement.
    Named,
    /// Blank (bearer): whoever holds it has title.
    Blank,
}

/// Holder, title party and nomination: what REJECT restores.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct Position {
    /// Party in possession.
    pub holder: OrgId,
    /// Title party; `None` when blank-endorsed.
    pub endorsee: Option<OrgId>,
    /// How the title party is named.
    pub endorsement: Endorsement,
    /// Pending nominee proposed by a non-holding endorsee.
    pub nominee: Option<OrgId>,
}

/// R47: the receiving party's right to reject, until it acts otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct PendingReject {
    /// The party that received possession or title and may reject it.
    pub receiver: OrgId,
    /// The action that gave the right (TRANSFER, ENDORSE, ENDORSE_TO_ORDER).
    pub action: ActionKind,
    /// The position before that action (before the first of them, when several went to the
    /// same receiver before it acted).
    pub before: Position,
}

/// What was surrendered, by whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub enum SurrenderKind {
    /// SURRENDER_FOR_DELIVERY.
    Delivery,
    /// SURRENDER_FOR_AMENDMENT with its reason.
    Amendment(AmendmentReason),
}

/// The last surrender of the document (kept after SACC: replacements are issued to `by`).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct Surrender {
    /// Delivery or amendment.
    pub kind: SurrenderKind,
    /// The surrendering party (the requester), to whom SREJ returns possession (R244).
    pub by: OrgId,
    /// R240: the DCSA surrenderRequestReference (the entry id in hex when none was given).
    pub reference: String,
    /// Height of the surrender.
    pub height: u64,
}

/// A signature recorded by SIGN.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct EblSignature {
    /// Signing party.
    pub org: OrgId,
    /// Key that signed the entry.
    pub key: PublicKey,
    /// Height.
    pub height: u64,
    /// Block time.
    pub time: Timestamp,
}

/// One applied action on the document.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// Block height.
    pub height: u64,
    /// Block time.
    pub time: Timestamp,
    /// The entry that applied it.
    pub entry: EntryId,
    /// The action (its `code()` is the DCSA-style name).
    pub action: ActionKind,
    /// The party on whose behalf it was done (the org returned by authorization).
    pub actor: OrgId,
    /// The key that signed it (the actor's own, or an agent's under a grant).
    pub signer: PublicKey,
    /// Party giving up possession, title or the answer (see the table in 30-ebl.md).
    pub from: Option<OrgId>,
    /// Party receiving it.
    pub to: Option<OrgId>,
    /// Reason text, for REJECT, SREJ and VOID.
    pub reason: Option<String>,
}

/// An eBL as stored at `keys::ebl(id)` (R30).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct EblRecord {
    /// Document id (transportDocumentChecksum).
    pub id: DocumentId,
    /// transportDocumentReference.
    pub reference: String,
    /// Straight BL, to-order BL or sea waybill.
    pub kind: EblType,
    /// The issuing carrier.
    pub carrier: OrgId,
    /// Holder, endorsee, endorsement style, nominee.
    pub position: Position,
    /// Status.
    pub status: EblStatus,
    /// Right to reject of the last receiving party, if it has not acted since.
    pub pending_reject: Option<PendingReject>,
    /// The last surrender, if any (pending while the status says so).
    pub surrender: Option<Surrender>,
    /// Signatures recorded by SIGN.
    pub signatures: Vec<EblSignature>,
    /// Documents this one replaces (AMEND, SPLIT, COMBINE).
    pub replaces: Vec<DocumentId>,
    /// Documents that replace this one.
    pub replaced_by: Vec<DocumentId>,
    /// Height of issuance.
    pub issued_height: u64,
    /// Block time of issuance.
    pub issued_time: Timestamp,
    /// Every applied action, oldest first.
    pub history: Vec<HistoryEntry>,
}

impl EblRecord {
    /// Party in possession.
    pub fn holder(&self) -> &OrgId {
        &self.position.holder
    }

    /// Title party, `None` when blank.
    pub fn endorsee(&self) -> Option<&OrgId> {
        self.position.endorsee.as_ref()
    }

    /// R140: the parties of the document, who may read its body: the issuing carrier, the
    /// current holder, endorsee and nominee, and every party an applied action named (as actor,
    /// giver or receiver), so a former holder keeps access to the document it once held.
    pub fn parties(&self) -> std::collections::BTreeSet<OrgId> {
        let mut parties = std::collections::BTreeSet::new();
        parties.insert(self.carrier.clone());
        parties.insert(self.position.holder.clone());
        parties.extend(self.position.endorsee.iter().cloned());
        parties.extend(self.position.nominee.iter().cloned());
        for item in &self.history {
            parties.insert(item.actor.clone());
            parties.extend(item.from.iter().cloned());
            parties.extend(item.to.iter().cloned());
        }
        parties
    }

    /// R140: whether `org` is a party of the document.
    pub fn is_party(&self, org: &OrgId) -> bool {
        self.parties().contains(org)
    }

    /// R32: fails with DOCUMENT_CLOSED when the status is closed.
    pub fn check_open(&self) -> Result<(), RuleError> {
        if self.status.is_closed() {
            return Err(RuleError::DocumentClosed(self.status.code()));
        }
        Ok(())
    }

    /// R32, R41: open and ACTIVE (a pending surrender answers WRONG_STATUS).
    pub fn check_active(&self) -> Result<(), RuleError> {
        self.check_open()?;
        if self.status != EblStatus::Active {
            return Err(RuleError::WrongStatus(self.status.code()));
        }
        Ok(())
    }

    /// R38: `actor` must hold the document.
    pub fn check_holder(&self, actor: &OrgId) -> Result<(), RuleError> {
        if self.holder() != actor {
            return Err(RuleError::NotHolder);
        }
        Ok(())
    }

    /// R52, R55, R58: `actor` must be the issuing carrier.
    pub fn check_issuer(&self, actor: &OrgId) -> Result<(), RuleError> {
        if &self.carrier != actor {
            return Err(RuleError::NotIssuer);
        }
        Ok(())
    }

    /// Whether the holder has title: the endorsee of a to-order or named bill, or any holder of
    /// a blank one (R43, R49).
    pub fn holder_has_title(&self) -> bool {
        self.position.endorsement == Endorsement::Blank
            || self.position.endorsee.as_ref() == Some(&self.position.holder)
    }

    /// R59: appends a history entry for the current entry.
    pub fn record(
        &mut self,
        ctx: &EntryContext<'_>,
        action: ActionKind,
        actor: &OrgId,
        from: Option<OrgId>,
        to: Option<OrgId>,
        reason: Option<String>,
    ) {
        self.history.push(HistoryEntry {
            height: ctx.height,
            time: ctx.time,
            entry: ctx.entry_id,
            action,
            actor: actor.clone(),
            signer: ctx.signer,
            from,
            to,
            reason,
        });
    }
}

/// Reads a record, or UNKNOWN_DOCUMENT.
pub fn load(ctx: &EntryContext<'_>, id: &DocumentId) -> ExecResult<EblRecord> {
    ctx.state
        .get::<EblRecord>(&keys::ebl(id))?
        .ok_or_else(|| RuleError::UnknownDocument.into())
}

/// Stages a record write.
pub fn store(ctx: &mut EntryContext<'_>, record: &EblRecord) {
    ctx.state.put(keys::ebl(&record.id), record);
}
