//! The DCSA `ErrorResponse` body (same definition in the ISS, SUR and END files), used where the
//! DCSA spec defines an error answer; other errors stay RFC 9457 problem+json.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::schema::{Violation, one_line};
use crate::error::ApiError;

/// One `DetailedError`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DetailedError {
    /// Our stable code (e.g. `SCHEMA_VIOLATION`, the ledger's `NOT_HOLDER`).
    pub error_code_text: String,
    /// Human explanation.
    pub error_code_message: String,
    /// JSONPath of the offending property, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json_path: Option<String>,
}

impl DetailedError {
    /// A detail with a code and message.
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        DetailedError {
            error_code_text: one_line(code, 100),
            error_code_message: one_line(&message.into(), 5000),
            json_path: None,
        }
    }

    /// A schema violation.
    pub fn violation(v: &Violation) -> Self {
        DetailedError {
            json_path: Some(one_line(&v.json_path, 500)),
            ..DetailedError::new("SCHEMA_VIOLATION", &v.message)
        }
    }
}

/// A DCSA error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DcsaError {
    /// HTTP status.
    pub status: StatusCode,
    /// Request method, e.g. `POST`.
    pub method: &'static str,
    /// Request path.
    pub uri: &'static str,
    /// Short explanation.
    pub message: String,
    /// Details (at least one).
    pub errors: Vec<DetailedError>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Body<'a> {
    http_method: &'a str,
    request_uri: &'a str,
    status_code: u16,
    status_code_text: &'a str,
    status_code_message: String,
    error_date_time: String,
    errors: &'a [DetailedError],
}

impl DcsaError {
    /// An error answer for `method uri` with `status`.
    pub fn new(
        status: StatusCode,
        method: &'static str,
        uri: &'static str,
        message: impl Into<String>,
        errors: Vec<DetailedError>,
    ) -> Self {
        DcsaError {
            status,
            method,
            uri,
            message: message.into(),
            errors,
        }
    }

    /// The JSON body.
    pub fn body(&self) -> serde_json::Value {
        let now = time::OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        let errors = if self.errors.is_empty() {
            vec![DetailedError::new("ERROR", &self.message)]
        } else {
            self.errors.clone()
        };
        let body = Body {
            http_method: self.method,
            request_uri: self.uri,
            status_code: self.status.as_u16(),
            status_code_text: self.status.canonical_reason().unwrap_or("Error"),
            status_code_message: one_line(&self.message, 200),
            error_date_time: now
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            errors: &errors,
        };
        serde_json::to_value(body).unwrap_or_default()
    }
}

impl IntoResponse for DcsaError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body())).into_response()
    }
}

/// A handler's failure: DCSA-shaped, or a plain problem (auth, node, malformed JSON).
#[derive(Debug)]
pub enum Failure {
    /// DCSA `ErrorResponse`.
    Dcsa(DcsaError),
    /// RFC 9457 problem.
    Problem(ApiError),
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure::Problem(e)
    }
}

impl From<DcsaError> for Failure {
    fn from(e: DcsaError) -> Self {
        Failure::Dcsa(e)
    }
}

impl From<crate::node::NodeError> for Failure {
    fn from(e: crate::node::NodeError) -> Self {
        Failure::Problem(e.into())
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        match self {
            Failure::Dcsa(e) => e.into_response(),
            Failure::Problem(e) => e.into_response(),
        }
    }
}
