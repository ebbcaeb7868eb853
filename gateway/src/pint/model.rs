//! DCSA PINT 3.0 payloads (`EBL_PINT_v3.0.0.yaml`), field names exactly as the spec's. Unknown
//! fields are tolerated (other platforms may send more); checksums stay hex text here and are
//! checked in [`super::receive`].

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `EblEnvelope`: what `POST /v3/envelopes` carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EblEnvelope {
    /// The DCSA TransportDocument, as JSON.
    pub transport_document: Value,
    /// Compact JWS over an [`EnvelopeManifest`], signed by the sending platform.
    pub envelope_manifest_signed_content: String,
    /// Compact JWS over each [`EnvelopeTransferChainEntry`], oldest first.
    pub envelope_transfer_chain: Vec<String>,
}

/// `DocumentMetadata`: an additional document (visualisation or supporting document).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentMetadata {
    /// File name.
    pub name: String,
    /// Decoded size in bytes (the spec types it `number`, minimum 1).
    pub size: u64,
    /// MIME type.
    pub media_type: String,
    /// SHA-256 of the decoded bytes, lowercase hex.
    pub document_checksum: String,
}

/// `EnvelopeManifest`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvelopeManifest {
    /// SHA-256 of the RFC 8785 form of the transport document.
    pub transport_document_checksum: String,
    /// SHA-256 of the last chain entry's compact JWS.
    pub last_envelope_transfer_chain_entry_signed_content_checksum: String,
    /// The carrier's visualisation of the document, if any.
    #[serde(
        rename = "eBLVisualisationByCarrier",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub ebl_visualisation_by_carrier: Option<DocumentMetadata>,
    /// Supporting documents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supporting_documents: Vec<DocumentMetadata>,
}

/// `IssuanceManifest`: signed by the carrier at issuance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IssuanceManifest {
    /// SHA-256 of the RFC 8785 form of the transport document.
    pub document_checksum: String,
    /// SHA-256 of the visualisation's decoded content.
    #[serde(
        rename = "eBLVisualisationByCarrierChecksum",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub ebl_visualisation_by_carrier_checksum: Option<String>,
    /// SHA-256 of the RFC 8785 form of `issueTo`.
    pub issue_to_checksum: String,
}

/// `EnvelopeTransferChainEntry`: what one platform did with the bill, signed by it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvelopeTransferChainEntry {
    /// The platform that signed this entry.
    pub ebl_platform: String,
    /// SHA-256 of the RFC 8785 form of the transport document.
    pub transport_document_checksum: String,
    /// SHA-256 of the previous entry's compact JWS; absent in the first entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_envelope_transfer_chain_entry_signed_content_checksum: Option<String>,
    /// The carrier's signed [`IssuanceManifest`]; first entry only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuance_manifest_signed_content: Option<String>,
    /// The Control Tracking Registry's base URI; first entry only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_tracking_registry: Option<String>,
    /// The transactions, oldest first (at least one).
    pub transactions: Vec<Transaction>,
}

/// `Transaction`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transaction {
    /// ISSUE, TRANSFER, ENDORSE, … (see [`ACTION_CODES`]).
    pub action_code: String,
    /// Who acted.
    pub actor: Party,
    /// To whom, if the action has a recipient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<Party>,
    /// RFC 3339 UTC with milliseconds.
    pub action_date_time: String,
    /// SWTP, COD or SWI for SURRENDER_FOR_AMENDMENT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    /// Free text, at most 255 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comments: Option<String>,
    /// The platform's audit identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_reference: Option<String>,
}

/// The action codes of `Transaction.actionCode` (R312).
pub const ACTION_CODES: &[&str] = &[
    "ISSUE",
    "TRANSFER",
    "ENDORSE",
    "ENDORSE_TO_ORDER",
    "BLANK_ENDORSE",
    "SURRENDER_FOR_DELIVERY",
    "SURRENDER_FOR_AMENDMENT",
    "SACC",
    "SREJ",
    "SIGN",
];

/// `ActorParty` and `RecipientParty` (the same shape in the spec).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Party {
    /// Name.
    pub party_name: String,
    /// The platform the party uses (1–4 non-space characters).
    pub ebl_platform: String,
    /// At least one code identifying the party.
    pub identifying_codes: Vec<IdentifyingCode>,
    /// Tax and legal references, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_legal_references: Option<Vec<Value>>,
    /// The party on whose behalf the action was done or directed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub represented_party: Option<RepresentedParty>,
}

/// `ActorParty`.
pub type ActorParty = Party;
/// `RecipientParty`.
pub type RecipientParty = Party;

/// `RepresentedActorParty` / `RepresentedRecipientParty`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RepresentedParty {
    /// Name.
    pub party_name: String,
    /// Codes identifying it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifying_codes: Vec<IdentifyingCode>,
}

/// `IdentifyingCode`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentifyingCode {
    /// Who assigns the code (a platform code, GLEIF, DID, …).
    pub code_list_provider: String,
    /// The code.
    pub party_code: String,
    /// The code list (LEI, DID, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_list_name: Option<String>,
}

/// `EnvelopeTransferStartedResponse`: the receiver's answer to a started transfer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvelopeTransferStartedResponse {
    /// The receiver's id of the transfer (at most 100 characters).
    pub envelope_reference: String,
    /// The document's checksum.
    pub transport_document_checksum: String,
    /// The last chain entry's checksum.
    pub last_envelope_transfer_chain_entry_signed_content_checksum: String,
    /// Additional documents the receiver still needs.
    pub missing_additional_document_checksums: Vec<String>,
}

/// `EnvelopeTransferFinishedResponse`: signed by the receiver.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvelopeTransferFinishedResponse {
    /// The last chain entry's checksum.
    pub last_envelope_transfer_chain_entry_signed_content_checksum: String,
    /// The verdict.
    pub response_code: ResponseCode,
    /// For DUPE: the last chain entry of the transfer accepted earlier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of_accepted_envelope_transfer_chain_entry_signed_content: Option<String>,
    /// Why (omitted for RECE), at most 255 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For MDOC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing_additional_document_checksums: Option<Vec<String>>,
    /// For RECE and DUPE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_additional_document_checksums: Option<Vec<String>>,
}

/// `EnvelopeTransferFinishedResponse.responseCode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ResponseCode {
    /// Received: the transfer is accepted.
    RECE,
    /// Duplicate: accepted earlier.
    DUPE,
    /// Bad signature.
    BSIG,
    /// Bad envelope.
    BENV,
    /// Inconclusive document (checksum or size of an additional document wrong).
    INCD,
    /// Missing document.
    MDOC,
    /// Disputed envelope (contradicts what the receiver knows: possible double spending).
    DISE,
}

impl ResponseCode {
    /// The HTTP status the spec gives each code.
    pub fn http_status(self) -> u16 {
        match self {
            ResponseCode::RECE | ResponseCode::DUPE => 200,
            ResponseCode::BSIG | ResponseCode::BENV => 422,
            ResponseCode::INCD | ResponseCode::MDOC | ResponseCode::DISE => 409,
        }
    }

    /// RECE and DUPE: the receiver holds the bill; the sender must give it up.
    pub fn is_final_acceptance(self) -> bool {
        matches!(self, ResponseCode::RECE | ResponseCode::DUPE)
    }

    /// BSIG, BENV and DISE reject the transfer; INCD and MDOC leave it open.
    pub fn is_rejection(self) -> bool {
        matches!(
            self,
            ResponseCode::BSIG | ResponseCode::BENV | ResponseCode::DISE
        )
    }
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
