//! Document bodies at the gateway (R146–R149, ADR 0018): the canonical bytes of a DCSA
//! TransportDocument, and storing the body of a document the gateway itself issued once its
//! ISSUE is final, so that a carrier never uploads it separately.
//!
//! The bodies stay off the ledger; the node keeps them ([`crate::NodeApi::put_document_body`])
//! and serves them to the parties of the document only (R140–R143).

use std::time::Duration;

use ebl_ledger::hash::{DocumentId, EntryId};
use serde_json::Value;

use crate::AppState;
use crate::node::EntryStatus;

/// R147: the largest document body the gateway stores or accepts, in canonical bytes. A DCSA
/// TransportDocument is tens of KiB; the router's own body limit (256 KiB by default) usually
/// refuses a larger upload first.
pub const MAX_DOCUMENT_BODY: usize = 1024 * 1024;

/// Most bodies waiting for their ISSUE to become final at once (each holds the body in
/// memory); beyond it the gateway does not store automatically and the carrier uploads it.
pub const MAX_PENDING_STORES: usize = 256;

/// How long a body waits for its ISSUE to become final before the gateway gives up on storing
/// it (finality takes about a second; this covers a few slow rounds).
const FINALITY_WAIT: Duration = Duration::from_secs(120);

/// A document body in hand: its id and RFC 8785 canonical bytes (whose SHA-256 is the id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentBody {
    /// SHA-256 of `bytes` (R30).
    pub id: DocumentId,
    /// RFC 8785 (JCS) canonical JSON.
    pub bytes: Vec<u8>,
}

/// Why a JSON value is not a body the gateway stores.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// RFC 8785 cannot put it in canonical form.
    #[error("{0}")]
    NotCanonical(String),
    /// Over [`MAX_DOCUMENT_BODY`].
    #[error("the document is {0} bytes in canonical form; at most {MAX_DOCUMENT_BODY} are stored")]
    TooLarge(usize),
}

impl DocumentBody {
    /// The canonical body of `document` (R147).
    pub fn of(document: &Value) -> Result<Self, BodyError> {
        let bytes = ebl_ledger::docid::canonical_json(document)
            .map_err(|e| BodyError::NotCanonical(e.to_string()))?;
        if bytes.len() > MAX_DOCUMENT_BODY {
            return Err(BodyError::TooLarge(bytes.len()));
        }
        Ok(DocumentBody {
            id: ebl_ledger::hash::Hash32::sha256(&bytes),
            bytes,
        })
    }
}

/// What became of the body of a document the gateway issued (reported by the custodial routes
/// as `document_body`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFate {
    /// The ISSUE is final and the node stored the body.
    Stored,
    /// The gateway will store it when the ISSUE becomes final.
    OnFinality,
    /// Not stored (the node failed, or too many stores were waiting); upload it with
    /// `PUT /v1/ebls/{id}/document`.
    NotStored,
}

impl BodyFate {
    /// Its name in responses.
    pub fn name(self) -> &'static str {
        match self {
            BodyFate::Stored => "stored",
            BodyFate::OnFinality => "on_finality",
            BodyFate::NotStored => "not_stored",
        }
    }
}

/// R148: stores `body` now (its ISSUE is final). A node failure is logged, not returned: the
/// issuance itself succeeded and the carrier can still upload the body.
pub(crate) async fn store(state: &AppState, body: &DocumentBody) -> BodyFate {
    match state
        .node
        .put_document_body(body.id, body.bytes.clone())
        .await
    {
        Ok(()) => BodyFate::Stored,
        Err(e) => {
            tracing::warn!(document = %body.id, error = %e, "document body not stored");
            BodyFate::NotStored
        }
    }
}

/// R148: stores `body` once `entry` (its ISSUE) is final, in a task bounded in number
/// ([`MAX_PENDING_STORES`]) and in time; nothing is stored if the entry fails or is rejected.
pub(crate) fn store_when_final(state: &AppState, entry: EntryId, body: DocumentBody) -> BodyFate {
    let Ok(permit) = state.body_stores.clone().try_acquire_owned() else {
        tracing::warn!(document = %body.id, "too many document bodies waiting; not stored");
        return BodyFate::NotStored;
    };
    let node = state.node.clone();
    tokio::spawn(async move {
        let _permit = permit;
        match node.wait_final(entry, FINALITY_WAIT).await {
            Ok(EntryStatus::Final { .. }) => {
                if let Err(e) = node.put_document_body(body.id, body.bytes).await {
                    tracing::warn!(document = %body.id, error = %e, "document body not stored");
                }
            }
            Ok(status) => {
                tracing::info!(document = %body.id, ?status, "issuance not applied; body not stored");
            }
            Err(e) => tracing::warn!(document = %body.id, error = %e, "document body not stored"),
        }
    });
    BodyFate::OnFinality
}

/// R148: stores `body` now if `status` is final, later if it is still pending, never if the
/// entry failed.
pub(crate) async fn store_for(
    state: &AppState,
    entry: EntryId,
    status: &EntryStatus,
    body: DocumentBody,
) -> Option<BodyFate> {
    match status {
        EntryStatus::Final { .. } => Some(store(state, &body).await),
        EntryStatus::Pending | EntryStatus::Unknown => Some(store_when_final(state, entry, body)),
        EntryStatus::Failed { .. } | EntryStatus::Rejected { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_is_the_canonical_form_and_its_id_the_document_id() {
        let document = serde_json::json!({"b": [1, 2], "a": "x"});
        let body = DocumentBody::of(&document).unwrap();
        assert_eq!(body.bytes, br#"{"a":"x","b":[1,2]}"#);
        assert_eq!(body.id, ebl_ledger::docid::document_id(&document).unwrap());
    }

    #[test]
    fn a_body_over_one_mib_is_refused() {
        let document = serde_json::json!({ "padding": "x".repeat(MAX_DOCUMENT_BODY) });
        assert!(matches!(
            DocumentBody::of(&document),
            Err(BodyError::TooLarge(n)) if n > MAX_DOCUMENT_BODY
        ));
        let fits = serde_json::json!({ "p": "x".repeat(MAX_DOCUMENT_BODY - 16) });
        assert!(DocumentBody::of(&fits).is_ok());
    }
}
