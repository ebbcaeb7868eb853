//! What PINT needs from an issuance, kept at issuance (R320–R322): after the ISSUE, the DCSA
//! ISS route records the carrier's signed `issuanceManifestSignedContent` and the metadata of
//! its `eBLVisualisationByCarrier` on the ledger (ISSUANCE_MANIFEST, signed by the same
//! custodial identity), and stores the visualisation's bytes as a document body under their
//! checksum, readable by the document's parties.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ebl_ledger::ebl::{Attachment, EblAction};
use ebl_ledger::entry::Body;
use ebl_ledger::hash::{DocumentId, Hash32};
use serde_json::Value;

use super::act::Acting;
use crate::AppState;
use crate::bodies::{self, DocumentBody, MAX_DOCUMENT_BODY};

/// The carrier's visualisation in an ISS request: its PINT metadata and decoded bytes.
fn visualisation(request: &Value) -> Option<(Attachment, Vec<u8>)> {
    let v = request.get("eBLVisualisationByCarrier")?;
    let bytes = STANDARD.decode(v.get("content")?.as_str()?).ok()?;
    if bytes.is_empty() || bytes.len() > MAX_DOCUMENT_BODY {
        return None;
    }
    let attachment = Attachment {
        name: v.get("name")?.as_str()?.chars().take(255).collect(),
        size: bytes.len() as u64,
        media_type: v.get("contentType")?.as_str()?.chars().take(100).collect(),
        document_checksum: Hash32::sha256(&bytes),
    };
    Some((attachment, bytes))
}

/// R320: the ISSUANCE_MANIFEST entry body for an issued `document`, and the visualisation body
/// to store, from a request whose manifest the ISS route has already verified.
pub fn material(request: &Value, document: DocumentId) -> Option<(Body, Option<DocumentBody>)> {
    let manifest = request
        .get("issuanceManifestSignedContent")?
        .as_str()?
        .to_string();
    let (attachment, bytes) = match visualisation(request) {
        Some((attachment, bytes)) => (Some(attachment), Some(bytes)),
        None => (None, None),
    };
    let body = attachment
        .as_ref()
        .zip(bytes)
        .map(|(a, bytes)| DocumentBody {
            id: a.document_checksum,
            bytes,
        });
    let action = EblAction::IssuanceManifest {
        document,
        manifest,
        visualisation: attachment,
    };
    Some((Body::Ebl(action), body))
}

/// Records the material of an issued document (its ISSUE final or pending): the entry follows
/// the ISSUE in the carrier's sequence. A failure is logged, not returned: the issuance itself
/// stands, and only a later PINT export of this bill needs the manifest.
pub async fn record(state: &AppState, acting: &Acting, request: &Value, document: DocumentId) {
    let Some((body, visualisation)) = material(request, document) else {
        return;
    };
    match acting.sign_and_submit(body).await {
        Ok(entry) => {
            if let Some(visualisation) = visualisation {
                bodies::store_when_final(state, entry, visualisation);
            }
        }
        Err(e) => {
            tracing::warn!(%document, code = %e.code, error = %e.detail, "issuance manifest not recorded");
        }
    }
}
