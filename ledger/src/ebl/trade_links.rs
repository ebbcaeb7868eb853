//! Offshore-trade evidence linked to an eBL (specs/protocol.md §9aa, R400–R409): what a link
//! is, how it is stored, and the bounds checked before any state is read.
//!
//! A bank checking an entrepôt trade (goods that never touch its country) matches three flows:
//! the order (purchase order, contract, invoice), the goods (the bill itself, packing list,
//! customs declaration) and the funds (letter of credit, payment). A link names one such
//! document by its kind, its reference and the SHA-256 of its bytes; the document itself never
//! comes to the ledger (R400).

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::crypto::PublicKey;
use crate::error::{ExecResult, RuleError};
use crate::hash::{DocumentId, EntryId, Hash32};
use crate::ids::{OrgId, check_code, check_text};
use crate::state::{EntryContext, keys};
use crate::time::Timestamp;

/// R400: most links in one LINK_EVIDENCE entry.
pub const MAX_LINKS_PER_ENTRY: usize = 8;
/// R403: most links one organisation may make on one bill, withdrawn ones included.
pub const MAX_LINKS_PER_LINKER: usize = 16;
/// R403: most links on one bill, withdrawn ones included (so the record stays bounded).
pub const MAX_LINKS_PER_BILL: usize = 64;
/// R400: longest reference (characters).
pub const MAX_LINK_REFERENCE_LEN: usize = 64;
/// R400: longest issuer or scheme code.
pub const MAX_LINK_ISSUER_LEN: usize = 64;
/// R407: most links one verification receipt cites.
pub const MAX_CITES: usize = 16;
/// R405: longest withdrawal reason.
pub const MAX_WITHDRAW_REASON_BYTES: usize = 256;

/// R400: the kind of trade document a link names, by the flow it evidences.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TradeDocumentKind {
    /// Order flow: the buyer's purchase order.
    PurchaseOrder,
    /// Order flow: the sales contract between seller and buyer.
    SalesContract,
    /// Order flow: the seller's commercial invoice.
    CommercialInvoice,
    /// Goods flow: the packing list.
    PackingList,
    /// Goods flow: an export or import customs declaration.
    CustomsDeclaration,
    /// Goods flow: the insurance policy or certificate covering the shipment.
    InsuranceDocument,
    /// Funds flow: the documentary credit (UCP 600) the shipment is paid under.
    LetterOfCredit,
    /// Funds flow: a payment (e.g. a SWIFT MT103 / pacs.008 reference).
    Payment,
}

impl TradeDocumentKind {
    /// Stable code, as in APIs.
    pub fn code(self) -> &'static str {
        use TradeDocumentKind::*;
        match self {
            PurchaseOrder => "PURCHASE_ORDER",
            SalesContract => "SALES_CONTRACT",
            CommercialInvoice => "COMMERCIAL_INVOICE",
            PackingList => "PACKING_LIST",
            CustomsDeclaration => "CUSTOMS_DECLARATION",
            InsuranceDocument => "INSURANCE_DOCUMENT",
            LetterOfCredit => "LETTER_OF_CREDIT",
            Payment => "PAYMENT",
        }
    }
}

/// R400: one link as signed in LINK_EVIDENCE: references and a hash, never content.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct TradeLink {
    /// What the referenced document is.
    pub kind: TradeDocumentKind,
    /// Its reference as its issuer numbers it: the LC number, the customs declaration number,
    /// the order number (1–64 characters, no control characters, no outer spaces).
    pub reference: String,
    /// Who issued it or the scheme its reference belongs to, e.g. a bank's BIC or `CN-CUSTOMS`
    /// (1–64 printable ASCII characters without spaces), when the reference alone is ambiguous.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// SHA-256 of the referenced document's bytes, as the linker holds them.
    pub hash: Hash32,
}

/// R405: a link's withdrawal, kept with the link.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct LinkWithdrawal {
    /// Block height.
    pub height: u64,
    /// Block time.
    pub time: Timestamp,
    /// The WITHDRAW_EVIDENCE entry.
    pub entry: EntryId,
    /// Why.
    pub reason: String,
}

/// R404: a link as stored, numbered in the order links were made on the bill.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct TradeLinkRecord {
    /// 1-based, never reused: what receipts cite.
    pub number: u32,
    /// The link as signed.
    pub link: TradeLink,
    /// The organisation that made it (the actor, R37).
    pub linker: OrgId,
    /// The key that signed it.
    pub signer: PublicKey,
    /// Block height.
    pub height: u64,
    /// Block time.
    pub time: Timestamp,
    /// The LINK_EVIDENCE entry.
    pub entry: EntryId,
    /// Set once withdrawn; a withdrawn link stays in the set.
    pub withdrawn: Option<LinkWithdrawal>,
}

impl TradeLinkRecord {
    /// Whether the link still counts (not withdrawn).
    pub fn is_live(&self) -> bool {
        self.withdrawn.is_none()
    }
}

/// R404: every link of one bill, at `keys::ebl_links(id)`, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct TradeLinks {
    /// The bill.
    pub document: DocumentId,
    /// The links, numbered 1, 2, … in this order.
    pub links: Vec<TradeLinkRecord>,
}

impl TradeLinks {
    /// Link `number`, if made.
    pub fn get(&self, number: u32) -> Option<&TradeLinkRecord> {
        let index = usize::try_from(number).ok()?.checked_sub(1)?;
        self.links.get(index)
    }

    /// The live link of `kind` with `reference`, if any (R402: at most one).
    pub fn live(&self, kind: TradeDocumentKind, reference: &str) -> Option<&TradeLinkRecord> {
        self.links
            .iter()
            .find(|l| l.is_live() && l.link.kind == kind && l.link.reference == reference)
    }
}

/// R400: a reference as the issuing systems write them: 1–64 characters, no control
/// characters, no space at either end.
pub fn check_reference(reference: &str) -> Result<(), RuleError> {
    let count = reference.chars().count();
    if count == 0 || count > MAX_LINK_REFERENCE_LEN || reference.trim() != reference {
        return Err(RuleError::invalid(
            "links.reference",
            format!("must be 1-{MAX_LINK_REFERENCE_LEN} characters without surrounding spaces"),
        ));
    }
    if reference.chars().any(char::is_control) {
        return Err(RuleError::invalid(
            "links.reference",
            "contains control characters",
        ));
    }
    Ok(())
}

/// R400: 1–8 links, each well formed, no two with the same kind and reference.
pub fn check_links(links: &[TradeLink]) -> Result<(), RuleError> {
    if links.is_empty() || links.len() > MAX_LINKS_PER_ENTRY {
        return Err(RuleError::invalid(
            "links",
            format!("must hold 1-{MAX_LINKS_PER_ENTRY} links"),
        ));
    }
    for (i, link) in links.iter().enumerate() {
        check_reference(&link.reference)?;
        if let Some(issuer) = &link.issuer {
            check_code("links.issuer", issuer, MAX_LINK_ISSUER_LEN)?;
        }
        if link.hash == Hash32::ZERO {
            return Err(RuleError::invalid(
                "links.hash",
                "the all-zero hash names no document",
            ));
        }
        let same = |l: &&TradeLink| l.kind == link.kind && l.reference == link.reference;
        if links[..i].iter().any(|l| same(&l)) {
            return Err(RuleError::invalid(
                "links",
                "two links with the same kind and reference",
            ));
        }
    }
    Ok(())
}

/// R405: a link number names a link (numbers start at 1); the reason is bounded text.
pub fn check_withdraw(link: u32, reason: &str) -> Result<(), RuleError> {
    if link == 0 {
        return Err(RuleError::invalid("link", "link numbers start at 1"));
    }
    check_text("reason", reason, MAX_WITHDRAW_REASON_BYTES)
}

/// R407: at most 16 distinct link numbers, each at least 1.
pub fn check_cites(cites: &[u32]) -> Result<(), RuleError> {
    if cites.len() > MAX_CITES {
        return Err(RuleError::invalid(
            "cites",
            format!("at most {MAX_CITES} links"),
        ));
    }
    for (i, number) in cites.iter().enumerate() {
        if *number == 0 {
            return Err(RuleError::invalid("cites", "link numbers start at 1"));
        }
        if cites[..i].contains(number) {
            return Err(RuleError::invalid("cites", "a link is cited twice"));
        }
    }
    Ok(())
}

/// The links of bill `id` (an empty set when none was made).
pub fn load(ctx: &EntryContext<'_>, id: &DocumentId) -> ExecResult<TradeLinks> {
    Ok(ctx
        .state
        .get::<TradeLinks>(&keys::ebl_links(id))?
        .unwrap_or(TradeLinks {
            document: *id,
            links: Vec::new(),
        }))
}

/// Stages the write of a bill's links.
pub fn store(ctx: &mut EntryContext<'_>, links: &TradeLinks) {
    ctx.state.put(keys::ebl_links(&links.document), links);
}
