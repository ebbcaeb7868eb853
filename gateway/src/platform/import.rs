//! R326–R327: what an accepted envelope becomes on the ledger: a PINT_IMPORT signed by the
//! receiving member's custodial identity, with the title facts read from the transport document
//! and the chain.

use ebl_ledger::docfacts::{PartyLookup, lookup_party};
use ebl_ledger::ebl::{Attachment, EblImport, EblIssue, EblType};
use ebl_ledger::hash::Hash32;
use ebl_ledger::ids::OrgId;

use super::directory::{foreign, foreign_carrier, member_of};
use crate::dcsa::DcsaConfig;
use crate::dcsa::parties::org_of_code;
use crate::pint::model::Party;
use crate::pint::receive::CheckedEnvelope;

/// Where title stands after the chain's transactions.
enum Title {
    /// As the transport document names it.
    Document,
    /// Endorsed to this party.
    Party(Party),
    /// Endorsed in blank.
    Blank,
}

/// R326: the title party here. A straight BL's consignee comes from the document; a to-order
/// BL's endorsee from its last ENDORSE / ENDORSE_TO_ORDER (or BLANK_ENDORSE) in the chain,
/// else from the document. The party must be a member here: this ledger cannot record a
/// title party it does not know (`Err` with the reason, answered BENV).
pub fn title_party(
    config: &DcsaConfig,
    envelope: &CheckedEnvelope,
    kind: EblType,
) -> Result<Option<OrgId>, String> {
    let directory = |provider: &str, code: &str| org_of_code(config, provider, code);
    let document_party = |path: &str| match envelope.transport_document.pointer(path) {
        None => Ok(None),
        Some(party) => match lookup_party(party, &directory) {
            PartyLookup::Named(org) => Ok(Some(org)),
            _ => Err(format!(
                "the title party at {path} is not a party on this platform"
            )),
        },
    };
    if kind != EblType::ToOrderBl {
        return match document_party("/documentParties/consignee")? {
            Some(org) => Ok(Some(org)),
            None => Err("the consignee is not a party on this platform".into()),
        };
    }
    let mut title = Title::Document;
    for transaction in envelope.entries.iter().flat_map(|e| &e.transactions) {
        match (transaction.action_code.as_str(), &transaction.recipient) {
            ("ENDORSE" | "ENDORSE_TO_ORDER", Some(to)) => title = Title::Party(to.clone()),
            ("BLANK_ENDORSE", _) => title = Title::Blank,
            _ => {}
        }
    }
    match title {
        Title::Document => document_party("/documentParties/endorsee"),
        Title::Blank => Ok(None),
        Title::Party(party) => member_of(config, &party.identifying_codes)
            .map(Some)
            .ok_or_else(|| "the endorsee is not a party on this platform".into()),
    }
}

/// R322: the carrier's visualisation among the envelope's documents, as the ledger keeps it.
fn visualisation(envelope: &CheckedEnvelope) -> Option<Attachment> {
    let named = envelope
        .issuance_manifest
        .ebl_visualisation_by_carrier_checksum
        .as_deref()?;
    let meta = envelope
        .required_documents
        .iter()
        .find(|d| d.document_checksum == named)?;
    Some(Attachment {
        name: meta.name.chars().take(255).collect(),
        size: meta.size,
        media_type: meta.media_type.chars().take(100).collect(),
        document_checksum: Hash32::from_hex(&meta.document_checksum)?,
    })
}

/// R327: the PINT_IMPORT of `envelope` for `member`. `known_carrier` is the carrier this ledger
/// already records for the bill (a bill coming back); a bill new here gets its `PINT.` id.
pub fn import_of(
    envelope: &CheckedEnvelope,
    kind: EblType,
    member: &OrgId,
    title: Option<OrgId>,
    known_carrier: Option<OrgId>,
) -> Result<EblImport, String> {
    let carrier = match known_carrier {
        Some(carrier) => carrier,
        None => foreign_carrier(&envelope.issue.actor)
            .ok_or("the ISSUE actor has no identifying code")?,
    };
    Ok(EblImport {
        issue: EblIssue {
            document: envelope.document_checksum,
            reference: envelope.reference.clone(),
            kind,
            issue_to: member.clone(),
            consignee: title,
        },
        carrier,
        from: foreign(&envelope.sender),
        chain: envelope.chain.clone(),
        visualisation: visualisation(envelope),
    })
}
