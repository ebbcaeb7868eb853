//! Building what this platform sends (R317): its signed chain entry, the signed envelope
//! manifest, its signed answer to a transfer, and the check of the receiver's signed answer.

use ebl_ledger::docid::{self, DocIdError};
use ebl_ledger::hash::Hash32;
use serde_json::Value;

use super::jws::{self, JwsError, PlatformSigningKey, checksum, truncate};
use super::model::{
    DocumentMetadata, EblEnvelope, EnvelopeManifest, EnvelopeTransferChainEntry,
    EnvelopeTransferFinishedResponse, ResponseCode, Transaction,
};
use super::trust::TrustConfig;

/// Why an envelope cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// An envelope needs at least one chain entry.
    #[error("an envelope needs at least one chain entry")]
    EmptyChain,
    /// The transport document has no RFC 8785 form.
    #[error(transparent)]
    Document(#[from] DocIdError),
}

impl SendError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            SendError::EmptyChain => "PINT_EMPTY_CHAIN",
            SendError::Document(_) => "INVALID_DOCUMENT",
        }
    }
}

fn signed<T: serde::Serialize>(payload: &T, key: &PlatformSigningKey) -> String {
    // Serialising these plain structs cannot fail; Null would only ever sign "null".
    jws::sign(&serde_json::to_value(payload).unwrap_or(Value::Null), key)
}

/// R317: this platform's chain entry for `transactions` on the document `document_checksum`,
/// linked to `previous` (the previous entry's compact JWS; `None` for the first entry, which
/// carries the carrier's `issuance_manifest`).
pub fn chain_entry(
    platform_code: &str,
    key: &PlatformSigningKey,
    document_checksum: &Hash32,
    previous: Option<&str>,
    issuance_manifest: Option<String>,
    transactions: Vec<Transaction>,
) -> String {
    let entry = EnvelopeTransferChainEntry {
        ebl_platform: platform_code.to_owned(),
        transport_document_checksum: document_checksum.to_hex(),
        previous_envelope_transfer_chain_entry_signed_content_checksum: previous
            .map(|p| checksum(p).to_hex()),
        issuance_manifest_signed_content: issuance_manifest,
        control_tracking_registry: None,
        transactions,
    };
    signed(&entry, key)
}

/// R317: the envelope of `transport_document` with `chain` (oldest first, ending with this
/// platform's entry) and a manifest signed by `key` naming the document, the last entry and
/// the additional documents.
pub fn envelope(
    transport_document: Value,
    chain: Vec<String>,
    visualisation: Option<DocumentMetadata>,
    supporting: Vec<DocumentMetadata>,
    key: &PlatformSigningKey,
) -> Result<EblEnvelope, SendError> {
    let last = chain.last().ok_or(SendError::EmptyChain)?;
    let manifest = EnvelopeManifest {
        transport_document_checksum: docid::document_id(&transport_document)?.to_hex(),
        last_envelope_transfer_chain_entry_signed_content_checksum: checksum(last).to_hex(),
        ebl_visualisation_by_carrier: visualisation,
        supporting_documents: supporting,
    };
    Ok(EblEnvelope {
        transport_document,
        envelope_manifest_signed_content: signed(&manifest, key),
        envelope_transfer_chain: chain,
    })
}

/// The parts of a finished response besides its code and checksum.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseDetails {
    /// Why (omitted for RECE); cut to 255 characters.
    pub reason: Option<String>,
    /// For MDOC.
    pub missing: Vec<Hash32>,
    /// For RECE and DUPE.
    pub received: Vec<Hash32>,
    /// For DUPE: the last chain entry accepted before.
    pub duplicate_of: Option<String>,
}

/// R317: this platform's signed `EnvelopeTransferFinishedResponse`.
pub fn finished_response(
    code: ResponseCode,
    last_checksum: &Hash32,
    details: ResponseDetails,
    key: &PlatformSigningKey,
) -> String {
    let hexes =
        |list: Vec<Hash32>| (!list.is_empty()).then(|| list.iter().map(Hash32::to_hex).collect());
    let response = EnvelopeTransferFinishedResponse {
        last_envelope_transfer_chain_entry_signed_content_checksum: last_checksum.to_hex(),
        response_code: code,
        duplicate_of_accepted_envelope_transfer_chain_entry_signed_content: details.duplicate_of,
        reason: details.reason.map(|r| truncate(&r, 255)),
        missing_additional_document_checksums: hexes(details.missing),
        received_additional_document_checksums: hexes(details.received),
    };
    signed(&response, key)
}

/// R317: the receiver `from_platform`'s signed answer, verified under its configured keys.
pub fn verify_finished_response(
    jws: &str,
    trust: &TrustConfig,
    from_platform: &str,
) -> Result<EnvelopeTransferFinishedResponse, JwsError> {
    let keys = trust.platform_keys(from_platform).ok_or_else(|| {
        JwsError::UnknownKey(format!(
            "platform {} is not trusted",
            truncate(from_platform, 4)
        ))
    })?;
    let verified = jws::verify(jws, &keys, from_platform)?;
    serde_json::from_value(verified.payload)
        .map_err(|_| JwsError::Payload("EnvelopeTransferFinishedResponse".into()))
}

#[cfg(test)]
#[path = "send_tests.rs"]
mod tests;
