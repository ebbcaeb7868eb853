//! Document ids of DCSA transport documents (R30): SHA-256 of the RFC 8785 canonical JSON of the
//! TransportDocument, computed by `ebl_ledger::docid`. Issuance requests (`{"document": …}`) and
//! PINT envelopes (`{"transportDocument": …}`) are unwrapped first, since the id is that of the
//! document they carry.

use serde::Serialize;
use serde_json::Value;

use ebl_ledger::ebl::EblType;
use ebl_ledger::hash::DocumentId;

/// Where the hashed TransportDocument was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DocumentSource {
    /// The file is the TransportDocument.
    TransportDocument,
    /// The `document` of a DCSA eBL issuance request.
    IssuanceRequest,
    /// The `transportDocument` of a DCSA PINT envelope.
    PintEnvelope,
}

impl DocumentSource {
    /// A phrase for humans.
    pub fn describe(self) -> &'static str {
        match self {
            DocumentSource::TransportDocument => "the file is the TransportDocument",
            DocumentSource::IssuanceRequest => "hashed the `document` of a DCSA issuance request",
            DocumentSource::PintEnvelope => {
                "hashed the `transportDocument` of a DCSA PINT envelope"
            }
        }
    }
}

/// A transport document and its id.
#[derive(Debug, Clone, PartialEq)]
pub struct TransportDocument {
    /// The document id.
    pub id: DocumentId,
    /// Where it was found.
    pub source: DocumentSource,
    /// The TransportDocument JSON.
    pub value: Value,
}

impl TransportDocument {
    /// `transportDocumentReference`, if present.
    pub fn reference(&self) -> Option<&str> {
        self.value
            .get("transportDocumentReference")
            .and_then(Value::as_str)
    }

    /// The kind from `transportDocumentTypeCode` (BOL/SWB) and `isToOrder`, read as every
    /// issuance path reads it (R220, `ebl_ledger::docfacts`).
    pub fn kind(&self) -> Result<EblType, String> {
        ebl_ledger::docfacts::kind_of(&self.value).map_err(|e| e.to_string())
    }
}

/// Parses JSON text and finds the TransportDocument in it.
pub fn read_transport_document(text: &[u8]) -> Result<TransportDocument, String> {
    let value: Value = serde_json::from_slice(text).map_err(|e| format!("not valid JSON ({e})"))?;
    let (source, value) = match value {
        Value::Object(mut map) => {
            if matches!(map.get("document"), Some(Value::Object(_))) {
                let inner = map.remove("document").unwrap_or_default();
                (DocumentSource::IssuanceRequest, inner)
            } else if matches!(map.get("transportDocument"), Some(Value::Object(_))) {
                let inner = map.remove("transportDocument").unwrap_or_default();
                (DocumentSource::PintEnvelope, inner)
            } else {
                (DocumentSource::TransportDocument, Value::Object(map))
            }
        }
        other => (DocumentSource::TransportDocument, other),
    };
    let id = ebl_ledger::docid::document_id(&value).map_err(|e| e.to_string())?;
    Ok(TransportDocument { id, source, value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_document_hashes_like_the_ledger() {
        let text = br#"{"transportDocumentTypeCode":"BOL","isToOrder":true}"#;
        let doc = read_transport_document(text).unwrap();
        assert_eq!(
            doc.id,
            ebl_ledger::docid::document_id_of_json(text).unwrap()
        );
        assert_eq!(doc.source, DocumentSource::TransportDocument);
        assert_eq!(doc.kind(), Ok(EblType::ToOrderBl));
    }

    #[test]
    fn wrappers_hash_the_inner_document() {
        let inner = br#"{"transportDocumentReference":"R1","transportDocumentTypeCode":"SWB"}"#;
        let issuance = format!(
            r#"{{"document":{},"issueTo":{{}}}}"#,
            String::from_utf8_lossy(inner)
        );
        let pint = format!(
            r#"{{"transportDocument":{}}}"#,
            String::from_utf8_lossy(inner)
        );
        let want = ebl_ledger::docid::document_id_of_json(inner).unwrap();
        let a = read_transport_document(issuance.as_bytes()).unwrap();
        let b = read_transport_document(pint.as_bytes()).unwrap();
        assert_eq!((a.id, a.source), (want, DocumentSource::IssuanceRequest));
        assert_eq!((b.id, b.source), (want, DocumentSource::PintEnvelope));
        assert_eq!(a.reference(), Some("R1"));
        assert_eq!(a.kind(), Ok(EblType::SeaWaybill));
    }

    #[test]
    fn straight_bl_and_unknown_codes() {
        let straight =
            read_transport_document(br#"{"transportDocumentTypeCode":"BOL","isToOrder":false}"#)
                .unwrap();
        assert_eq!(straight.kind(), Ok(EblType::StraightBl));
        let odd = read_transport_document(br#"{"transportDocumentTypeCode":"XYZ"}"#).unwrap();
        assert!(odd.kind().is_err());
    }

    #[test]
    fn non_json_is_an_error() {
        assert!(read_transport_document(b"{oops").is_err());
    }
}
