//! The DCSA JSON schemas, taken from the DCSA OpenAPI files embedded from `assets/dcsa/`
//! (dcsaorg/DCSA-OpenAPI, Apache-2.0; see `assets/dcsa/NOTICE.md`), compiled once per process.
//!
//! OpenAPI 3.0 schemas are JSON Schema draft 4 with extra annotation keywords (`example`,
//! `format: byte`), which draft 4 validators ignore. Each validator's root is
//! `{"$ref": "#/components/schemas/<Name>", "components": <the file's components>}`, so every
//! `$ref` of the file resolves inside the embedded document and nothing is fetched.

use std::sync::OnceLock;

use jsonschema::Validator;
use serde_json::{Value, json};

/// The issuance API (`IssuanceRequest`, `IssuanceResponse`, `TransportDocument`).
const ISS_YAML: &str = include_str!("../../assets/dcsa/EBL_ISS_v3.0.4.yaml");
/// The surrender API (`SurrenderRequestDetails`, `SurrenderRequestAnswer`).
const SUR_YAML: &str = include_str!("../../assets/dcsa/EBL_SUR_v3.0.4.yaml");
/// The endorsement chain API (`EndorsementChain`).
const END_YAML: &str = include_str!("../../assets/dcsa/EBL_END_v3.0.4.yaml");

/// Most schema violations reported for one payload (DCSA caps `errors` at 255).
pub const MAX_VIOLATIONS: usize = 100;

/// A DCSA payload kind with a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload {
    /// `PUT /v3/ebl-issuance-requests` body.
    IssuanceRequest,
    /// The issuance response (callback body and our synchronous answer).
    IssuanceResponse,
    /// `POST /v3/ebl-surrender-requests` body.
    SurrenderRequest,
    /// `POST /v3/ebl-surrender-responses` body.
    SurrenderAnswer,
    /// One element of the `GET /endorsement-chains/{ref}` answer.
    EndorsementChain,
    /// The DCSA error body (same definition in the three files; taken from ISS).
    ErrorResponse,
}

impl Payload {
    fn source(self) -> (&'static str, &'static str) {
        match self {
            Payload::IssuanceRequest => (ISS_YAML, "IssuanceRequest"),
            Payload::IssuanceResponse => (ISS_YAML, "IssuanceResponse"),
            Payload::ErrorResponse => (ISS_YAML, "ErrorResponse"),
            Payload::SurrenderRequest => (SUR_YAML, "SurrenderRequestDetails"),
            Payload::SurrenderAnswer => (SUR_YAML, "SurrenderRequestAnswer"),
            Payload::EndorsementChain => (END_YAML, "EndorsementChain"),
        }
    }

    fn slot(self) -> &'static OnceLock<Result<Validator, String>> {
        static SLOTS: [OnceLock<Result<Validator, String>>; 6] = [
            OnceLock::new(),
            OnceLock::new(),
            OnceLock::new(),
            OnceLock::new(),
            OnceLock::new(),
            OnceLock::new(),
        ];
        &SLOTS[self as usize]
    }
}

/// One way a payload breaks its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSONPath of the offending value, e.g. `$.document.transportDocumentTypeCode`.
    pub json_path: String,
    /// What is wrong, without echoing the value (bounded, one line).
    pub message: String,
}

/// Why the embedded schemas could not be used (a build defect, tested; never client input).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("DCSA schema unavailable: {0}")]
pub struct SchemaError(pub String);

fn compile(payload: Payload) -> Result<Validator, String> {
    let (yaml, name) = payload.source();
    let spec: Value = serde_yaml::from_str(yaml).map_err(|e| e.to_string())?;
    let components = spec
        .get("components")
        .cloned()
        .ok_or_else(|| format!("no components in the spec of {name}"))?;
    let root = json!({
        "$ref": format!("#/components/schemas/{name}"),
        "components": components,
    });
    jsonschema::draft4::options()
        .build(&root)
        .map_err(|e| format!("{name}: {e}"))
}

fn validator(payload: Payload) -> Result<&'static Validator, SchemaError> {
    payload
        .slot()
        .get_or_init(|| compile(payload))
        .as_ref()
        .map_err(|e| SchemaError(e.clone()))
}

/// JSON Pointer (`/a/0/b`) to JSONPath (`$.a[0].b`).
pub fn json_path(pointer: &str) -> String {
    let mut path = String::from("$");
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            path.push_str(&format!("[{segment}]"));
        } else {
            path.push('.');
            path.push_str(&segment);
        }
    }
    path
}

/// One line, at most `max` characters, no leading or trailing space (DCSA `reason` pattern).
pub fn one_line(text: &str, max: usize) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let trimmed = flat.trim();
    let mut out: String = trimmed.chars().take(max).collect();
    out.truncate(out.trim_end().len());
    out
}

/// Every violation of `payload`'s schema by `value` (at most [`MAX_VIOLATIONS`]).
pub fn validate(payload: Payload, value: &Value) -> Result<Vec<Violation>, SchemaError> {
    let validator = validator(payload)?;
    Ok(validator
        .iter_errors(value)
        .take(MAX_VIOLATIONS)
        .map(|e| Violation {
            json_path: json_path(e.instance_path().as_str()),
            // Masked: the message names the rule, not the (possibly large) value.
            message: one_line(&e.masked().to_string(), 200),
        })
        .collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_schema_compiles() {
        for p in [
            Payload::IssuanceRequest,
            Payload::IssuanceResponse,
            Payload::SurrenderRequest,
            Payload::SurrenderAnswer,
            Payload::EndorsementChain,
            Payload::ErrorResponse,
        ] {
            assert!(validator(p).is_ok(), "{p:?}: {:?}", validator(p).err());
        }
    }

    #[test]
    fn a_wrong_enum_is_reported_with_its_json_path() {
        let bad = json!({"transportDocumentReference": "X1", "issuanceResponseCode": "NOPE"});
        let v = validate(Payload::IssuanceResponse, &bad).unwrap();
        assert_eq!(v.len(), 1, "{v:?}");
        assert_eq!(v[0].json_path, "$.issuanceResponseCode");
        let good = json!({"transportDocumentReference": "X1", "issuanceResponseCode": "ISSU"});
        assert!(
            validate(Payload::IssuanceResponse, &good)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn pointers_become_json_paths() {
        assert_eq!(json_path(""), "$");
        assert_eq!(json_path("/a/0/b~1c"), "$.a[0].b/c");
    }

    #[test]
    fn one_line_flattens_trims_and_bounds() {
        assert_eq!(one_line("  a\nb  ", 10), "a b");
        assert_eq!(one_line("abc def", 4), "abc");
    }
}
