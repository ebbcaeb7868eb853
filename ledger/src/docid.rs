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
///
/// Written straight from the parsed value: object members sorted by their keys' UTF-16 code
/// units, strings escaped as `JSON.stringify` does (which is serde_json's escaping), numbers
/// as ECMAScript formats an IEEE 754 double. The output is byte-for-byte that of the
/// `serde_json_canonicalizer` crate (tested against it); that crate buffers every member's
/// bytes and re-parses every key to sort, which made canonicalisation the verify route's
/// largest cost.
pub fn canonical_json(value: &serde_json::Value) -> Result<Vec<u8>, DocIdError> {
    let mut out = Vec::with_capacity(4_096);
    write_canonical(value, &mut out)?;
    Ok(out)
}

fn write_canonical(value: &serde_json::Value, out: &mut Vec<u8>) -> Result<(), DocIdError> {
    use serde_json::Value;
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => write_number(n, out)?,
        Value::String(s) => write_string(s, out)?,
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out)?;
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| utf16_order(a.0, b.0));
            out.push(b'{');
            for (i, (key, item)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(key, out)?;
                out.push(b':');
                write_canonical(item, out)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

/// Integers below 2^53 are exact doubles, which ECMAScript prints as their digits; any other
/// number is formatted as the double it is, by the reference canonicaliser.
fn write_number(n: &serde_json::Number, out: &mut Vec<u8>) -> Result<(), DocIdError> {
    use std::io::Write as _;
    const EXACT: u64 = 1 << 53;
    let written = if let Some(u) = n.as_u64().filter(|u| *u < EXACT) {
        write!(out, "{u}")
    } else if let Some(i) = n.as_i64().filter(|i| i.unsigned_abs() < EXACT) {
        write!(out, "{i}")
    } else {
        let double = n
            .as_f64()
            .ok_or_else(|| DocIdError::NotCanonicalizable(format!("number {n}")))?;
        let text = serde_json_canonicalizer::to_vec(&double)
            .map_err(|e| DocIdError::NotCanonicalizable(e.to_string()))?;
        out.extend_from_slice(&text);
        Ok(())
    };
    written.map_err(|e| DocIdError::NotCanonicalizable(e.to_string()))
}

fn write_string(s: &str, out: &mut Vec<u8>) -> Result<(), DocIdError> {
    serde_json::to_writer(out, s).map_err(|e| DocIdError::NotCanonicalizable(e.to_string()))
}

/// RFC 8785 §3.2.3: keys compare as UTF-16 code units. UTF-8 byte order is code point order,
/// which differs from UTF-16 order only between a character above U+FFFF and one in
/// U+E000..=U+FFFF, both of which start with a byte of 0xEE or more.
fn utf16_order(a: &str, b: &str) -> std::cmp::Ordering {
    if a.bytes().chain(b.bytes()).all(|x| x < 0xEE) {
        a.as_bytes().cmp(b.as_bytes())
    } else {
        a.encode_utf16().cmp(b.encode_utf16())
    }
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
#[path = "docid_tests.rs"]
mod reference_tests;

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
