//! R315–R316: the additional documents an envelope lists, and the check of one received.

use ebl_ledger::hash::Hash32;

use super::jws::truncate;
use super::model::{DocumentMetadata, EnvelopeManifest, ResponseCode};
use super::receive::{MAX_DOCUMENTS, Refusal, benv, hex_checksum, refuse};

/// R315: the visualisation and supporting documents, distinct by checksum.
pub(crate) fn required_documents(
    manifest: &EnvelopeManifest,
) -> Result<Vec<DocumentMetadata>, Refusal> {
    let listed: Vec<&DocumentMetadata> = manifest
        .ebl_visualisation_by_carrier
        .iter()
        .chain(&manifest.supporting_documents)
        .collect();
    if listed.len() > MAX_DOCUMENTS {
        return benv(format!("more than {MAX_DOCUMENTS} additional documents"));
    }
    let mut documents: Vec<DocumentMetadata> = Vec::new();
    for document in listed {
        hex_checksum(&document.document_checksum, "documentChecksum")?;
        if document.size == 0 {
            return benv("an additional document has size 0");
        }
        if !documents
            .iter()
            .any(|d| d.document_checksum == document.document_checksum)
        {
            documents.push(document.clone());
        }
    }
    Ok(documents)
}

/// R316: `bytes` are the additional document `expected` describes (SHA-256 and size).
pub fn check_additional_document(expected: &DocumentMetadata, bytes: &[u8]) -> Result<(), Refusal> {
    if u64::try_from(bytes.len()).ok() != Some(expected.size) {
        return refuse(
            ResponseCode::INCD,
            format!(
                "document {} has {} bytes, the manifest says {}",
                expected.document_checksum,
                bytes.len(),
                expected.size
            ),
        );
    }
    if Hash32::sha256(bytes).to_hex() != expected.document_checksum {
        return refuse(
            ResponseCode::INCD,
            format!(
                "document {} has another checksum",
                truncate(&expected.document_checksum, 64)
            ),
        );
    }
    Ok(())
}

#[cfg(test)]
#[path = "documents_tests.rs"]
mod tests;
