//! eBL actions as they appear in signed entries (specs/protocol.md §eBL, R30–R49).

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::ebl::trade_links::TradeLink;
use crate::entry::ActionKind;
use crate::hash::{DocumentId, Hash32};
use crate::ids::OrgId;

/// The kind of transport document (DCSA `transportDocumentTypeCode` + `isToOrder`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EblType {
    /// BOL with `isToOrder = false`: deliverable only to the named consignee; never endorsed.
    StraightBl,
    /// BOL with `isToOrder = true`: negotiable by endorsement.
    ToOrderBl,
    /// SWB: a receipt and evidence of contract, not a document of title; never transferred.
    SeaWaybill,
}

/// Why a document is surrendered for amendment (DCSA surrender reason codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
pub enum AmendmentReason {
    /// Switch to paper.
    #[serde(rename = "SWTP")]
    SwitchToPaper,
    /// Change of destination.
    #[serde(rename = "COD")]
    ChangeOfDestination,
    /// Switch BL (new BL replacing the old one, e.g. with other parties).
    #[serde(rename = "SWI")]
    SwitchBl,
    /// Any other amendment, e.g. the correction of a clerical error: DCSA SUR lets an AREQ
    /// carry its reason in `comments` "in case no valid reasonCode exists"; the ledger keeps
    /// that text in the entry's remark (R49). Not a DCSA code: the END and SUR messages carry
    /// no `reasonCode` for it.
    #[serde(rename = "OTHR")]
    Other,
}

/// What an issuing carrier writes into the ledger when it issues an eBL.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct EblIssue {
    /// `transportDocumentChecksum`: SHA-256 of the RFC 8785 canonical DCSA TransportDocument.
    pub document: DocumentId,
    /// DCSA `transportDocumentReference` (unique per carrier, ≤ 20 characters).
    pub reference: String,
    /// Document kind.
    pub kind: EblType,
    /// First holder (usually the shipper).
    pub issue_to: OrgId,
    /// Straight BL / sea waybill: the consignee. To-order BL: the first endorsee ("to the order of"),
    /// or `None` for a blank-endorsed (bearer) bill.
    pub consignee: Option<OrgId>,
}

/// One of a foreign party's `identifyingCodes` (DCSA PINT `IdentifyingCode`).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartyCode {
    /// `codeListProvider`, e.g. `GLEIF` or a platform code.
    pub code_list_provider: String,
    /// `partyCode`.
    pub party_code: String,
    /// `codeListName`, e.g. `LEI`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_list_name: Option<String>,
}

/// R290: a party on another eBL platform, as DCSA PINT names it (`RecipientParty`/`ActorParty`
/// without tax references): the ledger cannot know it as an organisation, only by these facts.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ForeignParty {
    /// `eblPlatform`: the PINT platform code (1–4 non-space characters).
    pub ebl_platform: String,
    /// `partyName` (1–70 characters).
    pub party_name: String,
    /// `identifyingCodes` (1–8).
    pub identifying_codes: Vec<PartyCode>,
}

/// R292: the answer code of a receiving platform that ends an export (PINT `responseCode`).
/// INCD and MDOC do not end a transfer; DISE (the receiver's chain disagrees) is never recorded
/// either: returning a bill the receiver may already hold would risk a double spend, so the
/// export stays pending until the dispute is settled out of band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
pub enum ExportAnswerCode {
    /// Accepted.
    #[serde(rename = "RECE")]
    Received,
    /// Accepted earlier (a retry of an accepted envelope).
    #[serde(rename = "DUPE")]
    Duplicate,
    /// Refused: a signature problem.
    #[serde(rename = "BSIG")]
    BadSignature,
    /// Refused: the envelope is not acceptable.
    #[serde(rename = "BENV")]
    BadEnvelope,
}

impl ExportAnswerCode {
    /// Whether control passed to the receiving platform (RECE, DUPE).
    pub fn accepted(self) -> bool {
        matches!(
            self,
            ExportAnswerCode::Received | ExportAnswerCode::Duplicate
        )
    }

    /// The PINT code.
    pub fn code(self) -> &'static str {
        match self {
            ExportAnswerCode::Received => "RECE",
            ExportAnswerCode::Duplicate => "DUPE",
            ExportAnswerCode::BadSignature => "BSIG",
            ExportAnswerCode::BadEnvelope => "BENV",
        }
    }
}

/// R322: an additional document of a bill, as PINT describes it (`DocumentMetadata`): the
/// carrier's visualisation travels with every envelope; its bytes stay off the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    /// `name` (1–255 characters).
    pub name: String,
    /// `size` of the decoded bytes.
    pub size: u64,
    /// `mediaType` (1–100 characters).
    pub media_type: String,
    /// `documentChecksum`: SHA-256 of the decoded bytes.
    pub document_checksum: Hash32,
}

/// R295: what a member writes when it accepts a bill from another platform (PINT import).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct EblImport {
    /// The document's title facts as read from the envelope's transport document; `issue_to` is
    /// the receiving member (the new holder), `consignee` the title party here, if any.
    pub issue: EblIssue,
    /// For a bill new to this ledger: the issuing carrier's id here, `PINT.<platform>.<code>`
    /// (R296); ignored when the bill comes back to the ledger it left.
    pub carrier: OrgId,
    /// The sending party on the other platform.
    pub from: ForeignParty,
    /// The envelope transfer chain as received (compact JWS, oldest first).
    pub chain: Vec<String>,
    /// The carrier's visualisation, when the envelope carried one (R322).
    pub visualisation: Option<Attachment>,
}

/// An action on an eBL (DCSA action codes where DCSA names one).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EblAction {
    /// ISSUE: the carrier creates the one original.
    Issue(EblIssue),
    /// TRANSFER: the holder passes possession.
    Transfer {
        /// Document.
        document: DocumentId,
        /// New holder.
        to: OrgId,
    },
    /// ENDORSE: the holder-endorsee names a new endorsee (special endorsement).
    Endorse {
        /// Document.
        document: DocumentId,
        /// New endorsee.
        endorsee: OrgId,
    },
    /// ENDORSE_TO_ORDER: the holder-endorsee endorses "to the order of" a new endorsee.
    EndorseToOrder {
        /// Document.
        document: DocumentId,
        /// New endorsee.
        endorsee: OrgId,
    },
    /// BLANK_ENDORSE: the holder-endorsee endorses in blank; the bill becomes bearer.
    BlankEndorse {
        /// Document.
        document: DocumentId,
    },
    /// NOMINATE: the endorsee (not holding) proposes a new endorsee; the holder executes it.
    Nominate {
        /// Document.
        document: DocumentId,
        /// Proposed endorsee.
        nominee: OrgId,
    },
    /// REJECT: the receiving party's first action only; undoes the last transfer or endorsement.
    Reject {
        /// Document.
        document: DocumentId,
        /// Why, for the sender.
        reason: String,
    },
    /// SIGN: a party records its signature on the document (e.g. the shipper).
    Sign {
        /// Document.
        document: DocumentId,
    },
    /// SURRENDER_FOR_DELIVERY: the title holder returns the eBL to the carrier to take delivery.
    SurrenderForDelivery {
        /// Document.
        document: DocumentId,
        /// R240: DCSA `surrenderRequestReference`; `None`: the ledger uses the entry id in hex.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_reference: Option<String>,
    },
    /// SURRENDER_FOR_AMENDMENT: the title holder returns the eBL for amendment.
    SurrenderForAmendment {
        /// Document.
        document: DocumentId,
        /// SWTP, COD or SWI.
        reason: AmendmentReason,
        /// R240: DCSA `surrenderRequestReference`; `None`: the ledger uses the entry id in hex.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_reference: Option<String>,
    },
    /// SACC: the issuing carrier accepts a pending surrender.
    AcceptSurrender {
        /// Document.
        document: DocumentId,
    },
    /// SREJ: the issuing carrier rejects a pending surrender; possession returns.
    RejectSurrender {
        /// Document.
        document: DocumentId,
        /// Why.
        reason: String,
    },
    /// AMEND: the carrier issues a replacement for a document surrendered for amendment.
    Amend {
        /// The surrendered document.
        document: DocumentId,
        /// The replacement.
        replacement: EblIssue,
    },
    /// SPLIT: the carrier replaces one surrendered document by several.
    Split {
        /// The surrendered document.
        document: DocumentId,
        /// The replacements (2 to 32).
        replacements: Vec<EblIssue>,
    },
    /// COMBINE: the carrier replaces several surrendered documents by one.
    Combine {
        /// The surrendered documents (2 to 32).
        documents: Vec<DocumentId>,
        /// The replacement.
        replacement: EblIssue,
    },
    /// VOID: the issuing carrier cancels a document that no one else has rights in.
    Void {
        /// Document.
        document: DocumentId,
        /// Why.
        reason: String,
    },
    /// PINT_EXPORT (R291): the holder sends the bill to a party on another platform; the bill
    /// waits for the receiving platform's answer and nothing else applies meanwhile.
    Export {
        /// Document.
        document: DocumentId,
        /// The receiving party.
        to: ForeignParty,
        /// Whether the holder-endorsee also endorses the bill to the order of `to`.
        endorse: bool,
        /// The envelope transfer chain entry this platform signed for the move (compact JWS):
        /// fixed here, so every retry and every member's gateway sends the same bytes.
        chain_entry: String,
    },
    /// PINT_EXPORT_ANSWER (R292): the receiving platform's signed answer ends the export.
    ExportAnswer {
        /// Document.
        document: DocumentId,
        /// The answer code.
        code: ExportAnswerCode,
        /// The signed `EnvelopeTransferFinishedResponse` (compact JWS), kept as evidence.
        response: String,
    },
    /// PINT_IMPORT (R295): a bill arrives from another platform.
    Import(EblImport),
    /// ISSUANCE_MANIFEST (R320): the issuing carrier records its signed DCSA issuance manifest,
    /// which the first envelope of every PINT transfer must carry.
    IssuanceManifest {
        /// Document.
        document: DocumentId,
        /// `issuanceManifestSignedContent`: compact JWS (EdDSA) by the carrier's registered key.
        manifest: String,
        /// The carrier's visualisation the manifest's checksum names, if any.
        visualisation: Option<Attachment>,
    },
    /// LINK_EVIDENCE (R400–R404): a party links the trade's order, goods and funds documents
    /// to the bill, by kind, reference and hash only.
    LinkEvidence {
        /// Document.
        document: DocumentId,
        /// The links (1 to 8).
        links: Vec<TradeLink>,
    },
    /// WITHDRAW_EVIDENCE (R405): the linker withdraws one of its links; it stays in the set.
    WithdrawEvidence {
        /// Document.
        document: DocumentId,
        /// The link's number on the bill.
        link: u32,
        /// Why.
        reason: String,
    },
}

impl EblAction {
    /// The document the action is about (the first one for COMBINE; the new one for ISSUE).
    pub fn document(&self) -> DocumentId {
        use EblAction::*;
        match self {
            Issue(issue) => issue.document,
            Transfer { document, .. }
            | Endorse { document, .. }
            | EndorseToOrder { document, .. }
            | BlankEndorse { document }
            | Nominate { document, .. }
            | Reject { document, .. }
            | Sign { document }
            | SurrenderForDelivery { document, .. }
            | SurrenderForAmendment { document, .. }
            | AcceptSurrender { document }
            | RejectSurrender { document, .. }
            | Amend { document, .. }
            | Split { document, .. }
            | Void { document, .. }
            | Export { document, .. }
            | ExportAnswer { document, .. }
            | IssuanceManifest { document, .. }
            | LinkEvidence { document, .. }
            | WithdrawEvidence { document, .. } => *document,
            Import(import) => import.issue.document,
            Combine { documents, .. } => documents.first().copied().unwrap_or_default(),
        }
    }

    /// The action kind, for authorization and history (same as `Body::action_kind`).
    pub fn action_kind(&self) -> ActionKind {
        use ActionKind as K;
        match self {
            EblAction::Issue(_) => K::EblIssue,
            EblAction::Transfer { .. } => K::EblTransfer,
            EblAction::Endorse { .. } => K::EblEndorse,
            EblAction::EndorseToOrder { .. } => K::EblEndorseToOrder,
            EblAction::BlankEndorse { .. } => K::EblBlankEndorse,
            EblAction::Nominate { .. } => K::EblNominate,
            EblAction::Reject { .. } => K::EblReject,
            EblAction::Sign { .. } => K::EblSign,
            EblAction::SurrenderForDelivery { .. } => K::EblSurrenderForDelivery,
            EblAction::SurrenderForAmendment { .. } => K::EblSurrenderForAmendment,
            EblAction::AcceptSurrender { .. } => K::EblAcceptSurrender,
            EblAction::RejectSurrender { .. } => K::EblRejectSurrender,
            EblAction::Amend { .. } => K::EblAmend,
            EblAction::Split { .. } => K::EblSplit,
            EblAction::Combine { .. } => K::EblCombine,
            EblAction::Void { .. } => K::EblVoid,
            EblAction::Export { .. } => K::EblExport,
            EblAction::ExportAnswer { .. } => K::EblExportAnswer,
            EblAction::Import(_) => K::EblImport,
            EblAction::IssuanceManifest { .. } => K::EblIssuanceManifest,
            EblAction::LinkEvidence { .. } => K::EblLinkEvidence,
            EblAction::WithdrawEvidence { .. } => K::EblWithdrawEvidence,
        }
    }
}
