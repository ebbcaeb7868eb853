//! Document ids: SHA-256 of the RFC 8785 (JCS) canonical JSON of a document, which for a DCSA
//! TransportDocument is exactly DCSA's `transportDocumentChecksum` (specs/protocol.md R30).

use crate::hash::{DocumentId, Hash32};

/// Why a document cannot be hashed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocIdError {
    /// Not JSON.
    #[error("document is not valid JSON: {0}")]
    NotJson(String),
    /// JSON that RFC 8785 cannot canonicalize (e.g. numbers outside IEEE 754 range).
    #[error("document cannot be canonicalized: {0}")]
    NotCanonicalizable(String),
}

/// RFC 8785 canonical bytes of a JSON value.
pub fn canonical_json(value: &serde_json::Value) -> Result<Vec<u8>, DocIdError> {
    serde_json_canonicalizer::to_vec(value)
        .map_err(|e| DocIdError::NotCanonicalizable(e.to_string()))
}

/// The document id of a JSON value.
pub fn document_id(value: &serde_json::Value) -> Result<DocumentId, DocIdError> {
    Ok(Hash32::sha256(&canonical_json(value)?))
}

/// The document id of JSON text.
pub fn document_id_of_json(text: &[u8]) -> Result<DocumentId, DocIdError> {
    let value: serde_json::Value =
        serde_json::from_slice(text).map_err(|e| DocIdError::NotJson(e.to_string()))?;
    document_id(&value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_order_and_whitespace_do_not_change_the_id() {
        let a = document_id_of_json(br#"{"b": 1, "a": [true, null]}"#).unwrap();
        let b = document_id_of_json(br#"{"a":[true,null],"b":1}"#).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn a_changed_value_changes_the_id() {
        let a = document_id_of_json(br#"{"a":1}"#).unwrap();
        let b = document_id_of_json(br#"{"a":2}"#).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn invalid_json_is_a_typed_error() {
        assert!(matches!(
            document_id_of_json(b"{not json"),
            Err(DocIdError::NotJson(_))
        ));
    }
}
