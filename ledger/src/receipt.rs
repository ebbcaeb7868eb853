//! Verification receipts: a verifier's signed, replicated trace that it checked a document
//! (specs/protocol.md R80–R84).

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::entry::DocumentRef;

/// What the verifier concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum VerificationOutcome {
    /// Every check passed.
    Verified,
    /// At least one check failed.
    Failed,
    /// Checks passed with warnings, or could not all be made.
    Inconclusive,
}

/// A verification receipt entry body.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct VerificationReceipt {
    /// The document verified.
    pub subject: DocumentRef,
    /// Outcome.
    pub outcome: VerificationOutcome,
    /// Why it was verified, e.g. `LC_PAYMENT`, `PORT_STATE_CONTROL`, `CUSTOMS_CLEARANCE`.
    pub purpose: String,
    /// Free text (≤ 256 bytes), e.g. the checks made.
    pub detail: String,
    /// R407: numbers of the subject bill's evidence links the verifier matched (at most 16;
    /// empty for a certificate).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cites: Vec<u32>,
}

/// A stored receipt.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct ReceiptRecord {
    /// The receipt as signed.
    pub receipt: VerificationReceipt,
    /// The verifying organisation.
    pub verifier: crate::ids::OrgId,
    /// The signing key.
    pub signer: crate::crypto::PublicKey,
    /// Block height.
    pub height: u64,
    /// Block time.
    pub time: crate::time::Timestamp,
    /// Entry id.
    pub entry: crate::hash::EntryId,
}

/// R80: purpose is a 1–64 character code, detail at most 256 bytes of text; R407: at most 16
/// distinct cited links, on an eBL only.
pub fn check_stateless(receipt: &VerificationReceipt) -> Result<(), crate::RuleError> {
    crate::ids::check_code("purpose", &receipt.purpose, 64)?;
    crate::ids::check_text("detail", &receipt.detail, 256)?;
    if let DocumentRef::Certificate(c) = &receipt.subject {
        c.administration.validate("subject.administration")?;
        crate::ids::check_code("subject.utn", &c.utn, 64)?;
    }
    if !receipt.cites.is_empty() && !matches!(receipt.subject, DocumentRef::Ebl { .. }) {
        return Err(crate::RuleError::invalid(
            "cites",
            "only a receipt about an eBL cites evidence links",
        ));
    }
    if let DocumentRef::Attested(a) = &receipt.subject {
        crate::attest::stateless::check_reference(a)?;
    }
    crate::ebl::trade_links::check_cites(&receipt.cites)
}

/// R81–R82: any active member may record a receipt about a document that exists on the ledger;
/// it is stored under the document and changes nothing else.
pub fn apply(
    ctx: &mut crate::state::EntryContext<'_>,
    receipt: &VerificationReceipt,
) -> crate::error::ExecResult<()> {
    use crate::state::keys;
    let kind = receipt.subject.kind();
    let verifier = crate::identity::authorize(
        ctx,
        crate::entry::ActionKind::RecordVerification,
        Some(kind),
        Some(&receipt.subject),
    )?;
    let exists = match &receipt.subject {
        DocumentRef::Ebl { id } => ctx.state.get_raw(&keys::ebl(id))?.is_some(),
        DocumentRef::Certificate(c) => ctx.state.get_raw(&keys::certificate(c))?.is_some(),
        DocumentRef::Attested(a) => ctx.state.get_raw(&keys::attested(a))?.is_some(),
    };
    if !exists {
        return Err(match receipt.subject {
            DocumentRef::Ebl { .. } => crate::RuleError::UnknownDocument,
            DocumentRef::Certificate(_) => crate::RuleError::UnknownCertificate,
            DocumentRef::Attested(_) => crate::RuleError::UnknownTradeCertificate,
        }
        .into());
    }
    if let DocumentRef::Ebl { id } = &receipt.subject {
        crate::ebl::trade_link_rules::check_cited(ctx, id, &verifier, &receipt.cites)?;
    }
    let record = ReceiptRecord {
        receipt: receipt.clone(),
        verifier,
        signer: ctx.signer,
        height: ctx.height,
        time: ctx.time,
        entry: ctx.entry_id,
    };
    ctx.state
        .put(keys::receipt(&receipt.subject, &ctx.entry_id), &record);
    Ok(())
}
