//! Checking a received envelope (R300–R316): signatures first, then the chain, then what the
//! chain says. Pure: the caller supplies the trust configuration and the carrier's keys, and
//! decides what to record.

use ebl_ledger::docfacts;
use ebl_ledger::docid;
use ebl_ledger::ebl::EblType;
use ebl_ledger::hash::Hash32;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::jws::{self, MAX_JWS_LEN, TrustedKey, checksum, truncate};
use super::model::{
    ActorParty, DocumentMetadata, EblEnvelope, EnvelopeManifest, EnvelopeTransferChainEntry,
    IssuanceManifest, RecipientParty, ResponseCode, Transaction,
};
use super::trust::TrustConfig;

use super::chain_rules::{check_addressed, check_transactions};
pub use super::documents::check_additional_document;
use super::documents::required_documents;

/// R300: most chain entries in an envelope.
pub const MAX_CHAIN: usize = 64;
/// R300: most transactions in one chain entry.
pub const MAX_TRANSACTIONS: usize = 64;
/// R300: most additional documents (visualisation and supporting documents).
pub const MAX_DOCUMENTS: usize = 16;

/// Why an envelope (or an additional document) is refused: the signed answer's code and reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code:?}: {reason}")]
pub struct Refusal {
    /// BSIG or BENV (INCD for an additional document).
    pub code: ResponseCode,
    /// At most 255 characters (the spec's `reason`).
    pub reason: String,
}

pub(crate) fn refuse<T>(code: ResponseCode, reason: impl AsRef<str>) -> Result<T, Refusal> {
    Err(Refusal {
        code,
        reason: truncate(reason.as_ref(), 255),
    })
}

pub(crate) fn benv<T>(reason: impl AsRef<str>) -> Result<T, Refusal> {
    refuse(ResponseCode::BENV, reason)
}

/// An envelope that passed R300–R315.
#[derive(Debug, Clone)]
pub struct CheckedEnvelope {
    /// SHA-256 of the RFC 8785 form of the transport document (the ledger's document id).
    pub document_checksum: Hash32,
    /// `transportDocumentReference`.
    pub reference: String,
    /// The transport document.
    pub transport_document: Value,
    /// The document's kind (R220), if it declares one this ledger knows.
    pub kind: Option<EblType>,
    /// The chain as received, oldest first.
    pub chain: Vec<String>,
    /// The chain entries' payloads, oldest first.
    pub entries: Vec<EnvelopeTransferChainEntry>,
    /// The checksum of each chain entry.
    pub chain_checksums: Vec<Hash32>,
    /// The last chain entry's checksum (what the answer names).
    pub last_checksum: Hash32,
    /// The platform that sent the envelope (the last entry's `eblPlatform`).
    pub sending_platform: String,
    /// The transaction that hands the bill to this platform.
    pub last_transaction: Transaction,
    /// Its recipient, a party on this platform.
    pub recipient: RecipientParty,
    /// Its actor, on the sending platform.
    pub sender: ActorParty,
    /// The ISSUE transaction.
    pub issue: Transaction,
    /// The carrier's issuance manifest.
    pub issuance_manifest: IssuanceManifest,
    /// R315: the additional documents to receive, distinct by checksum.
    pub required_documents: Vec<DocumentMetadata>,
}

pub(crate) fn hex_checksum(text: &str, what: &str) -> Result<Hash32, Refusal> {
    let valid = text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    match Hash32::from_hex(text).filter(|_| valid) {
        Some(hash) => Ok(hash),
        None => benv(format!("{what} is not a lowercase hex SHA-256")),
    }
}

pub(crate) fn verified<T: DeserializeOwned>(
    signed: &str,
    keys: Option<Vec<TrustedKey>>,
    signer: &str,
    what: &str,
) -> Result<T, Refusal> {
    let Some(keys) = keys else {
        return refuse(
            ResponseCode::BSIG,
            format!("{what}: unknown key: platform {signer} is not trusted"),
        );
    };
    let payload = match jws::verify(signed, &keys, signer) {
        Ok(verified) => verified.payload,
        Err(e @ (jws::JwsError::TooLong(_) | jws::JwsError::Malformed)) => {
            return benv(format!("{what}: {e}"));
        }
        Err(e) => return refuse(ResponseCode::BSIG, format!("{what}: {e}")),
    };
    serde_json::from_value(payload).or_else(|e| benv(format!("{what} payload: {e}")))
}

/// The `eblPlatform` a chain entry claims, read before its signature is checked (to know
/// whose keys check it).
fn claimed_platform(signed: &str, index: usize) -> Result<String, Refusal> {
    let payload = jws::parse(signed, MAX_JWS_LEN)
        .and_then(|c| c.payload())
        .or_else(|e| benv(format!("chain entry {index}: {e}")))?;
    match payload.get("eblPlatform").and_then(Value::as_str) {
        Some(code) if super::trust::is_platform_code(code) => Ok(code.to_owned()),
        _ => benv(format!("chain entry {index} has no valid eblPlatform")),
    }
}

/// R300–R315: checks `envelope` at this platform. `carrier_keys` gives the keys of the
/// carrier that acted in the ISSUE transaction (the ledger's registered key for bills issued
/// here, [`TrustConfig::carrier_keys`] for others).
pub fn check_envelope(
    envelope: &EblEnvelope,
    trust: &TrustConfig,
    carrier_keys: &dyn Fn(&Transaction) -> Vec<TrustedKey>,
) -> Result<CheckedEnvelope, Refusal> {
    let chain = &envelope.envelope_transfer_chain;
    // R300: bounds before any work.
    if chain.is_empty() || chain.len() > MAX_CHAIN {
        return benv(format!("the chain must have 1 to {MAX_CHAIN} entries"));
    }
    if chain.iter().any(|s| s.len() > MAX_JWS_LEN)
        || envelope.envelope_manifest_signed_content.len() > MAX_JWS_LEN
    {
        return benv(format!(
            "a signed content is longer than {MAX_JWS_LEN} characters"
        ));
    }
    // R301: the sender is the platform of the last entry; its key signs the manifest.
    let platforms: Vec<String> = chain
        .iter()
        .enumerate()
        .map(|(i, s)| claimed_platform(s, i))
        .collect::<Result<_, _>>()?;
    let sender = platforms.last().cloned().unwrap_or_default();
    let manifest: EnvelopeManifest = verified(
        &envelope.envelope_manifest_signed_content,
        trust.platform_keys(&sender),
        &sender,
        "envelope manifest",
    )?;
    // R302: every entry is signed by the platform it names (ours included).
    let mut entries = Vec::with_capacity(chain.len());
    for (i, (signed, platform)) in chain.iter().zip(&platforms).enumerate() {
        let what = format!("chain entry {i}");
        let entry: EnvelopeTransferChainEntry =
            verified(signed, trust.platform_keys(platform), platform, &what)?;
        entries.push(entry);
    }
    // R303: the document is the one the manifest and every entry name.
    let document_checksum = docid::document_id(&envelope.transport_document)
        .or_else(|e| benv(format!("transportDocument: {e}")))?;
    if hex_checksum(
        &manifest.transport_document_checksum,
        "manifest transportDocumentChecksum",
    )? != document_checksum
    {
        return benv(
            "transportDocumentChecksum of the manifest does not match the transport document",
        );
    }
    for (i, entry) in entries.iter().enumerate() {
        if hex_checksum(
            &entry.transport_document_checksum,
            "transportDocumentChecksum",
        )? != document_checksum
        {
            return benv(format!("chain entry {i} names another transport document"));
        }
    }
    // R304–R305: the manifest names the last entry; each entry names the one before it.
    let chain_checksums: Vec<Hash32> = chain.iter().map(|s| checksum(s)).collect();
    let last_checksum = chain_checksums.last().copied().unwrap_or_default();
    let named_last = hex_checksum(
        &manifest.last_envelope_transfer_chain_entry_signed_content_checksum,
        "lastEnvelopeTransferChainEntrySignedContentChecksum",
    )?;
    if named_last != last_checksum {
        return benv("the manifest does not name the last chain entry");
    }
    for (i, entry) in entries.iter().enumerate() {
        let previous = match &entry.previous_envelope_transfer_chain_entry_signed_content_checksum {
            Some(text) => Some(hex_checksum(
                text,
                "previousEnvelopeTransferChainEntrySignedContentChecksum",
            )?),
            None => None,
        };
        let expected = i.checked_sub(1).map(|p| chain_checksums[p]);
        if previous != expected {
            return benv(format!("reordered or incomplete chain at entry {i}"));
        }
    }
    let (issue, issuance_manifest) = check_transactions(&entries, document_checksum, carrier_keys)?;
    let (last_transaction, recipient) = check_addressed(&entries, trust)?;
    let required_documents = required_documents(&manifest)?;
    // R313: the reference the bill is known by.
    let reference = match envelope
        .transport_document
        .get("transportDocumentReference")
        .and_then(Value::as_str)
    {
        Some(reference) => reference.to_owned(),
        None => return benv("transportDocument has no transportDocumentReference"),
    };
    Ok(CheckedEnvelope {
        document_checksum,
        reference,
        kind: docfacts::kind_of(&envelope.transport_document).ok(),
        transport_document: envelope.transport_document.clone(),
        chain: chain.clone(),
        entries,
        chain_checksums,
        last_checksum,
        sending_platform: sender,
        sender: last_transaction.actor.clone(),
        last_transaction,
        recipient,
        issue,
        issuance_manifest,
        required_documents,
    })
}

#[cfg(test)]
#[path = "receive_tests.rs"]
mod tests;
