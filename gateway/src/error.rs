//! One error type for every handler: RFC 9457 `application/problem+json` carrying a stable code
//! (the ledger's `RuleError::code()` where the ledger decided). Internal details are logged,
//! never returned.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::node::NodeError;

/// Media type of problem details.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem to report to the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable code, e.g. `NOT_HOLDER`, `MALFORMED_JSON`.
    pub code: String,
    /// Human explanation for this occurrence.
    pub detail: String,
    /// Seconds to wait (429).
    pub retry_after: Option<u64>,
    /// The entry concerned, when there is one.
    pub entry_id: Option<String>,
    /// Position of the offending element in a batch request (R165), when there is one.
    pub index: Option<usize>,
}

#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    status: u16,
    detail: &'a str,
    code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    entry_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<usize>,
}

impl ApiError {
    /// A problem with this status, code and detail.
    pub fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            code: code.into(),
            detail: detail.into(),
            retry_after: None,
            entry_id: None,
            index: None,
        }
    }

    /// 400 with a code.
    pub fn bad_request(code: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    /// 404 with a code.
    pub fn not_found(code: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, detail)
    }

    /// 422: the ledger refused an entry; `code` is `RuleError::code()`.
    pub fn rejected(code: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail)
    }

    /// 500 for a failure the client cannot fix; `cause` is logged, not returned.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(%cause, "gateway internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL",
            "the gateway could not complete the request; it has been logged",
        )
    }
}

impl From<NodeError> for ApiError {
    fn from(e: NodeError) -> Self {
        match e {
            NodeError::Unavailable(cause) => {
                tracing::warn!(%cause, "node unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "NODE_UNAVAILABLE",
                    "the node is not ready; retry later",
                )
            }
            NodeError::Internal(cause) => ApiError::internal(&cause),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let title = self.status.canonical_reason().unwrap_or("Error");
        let problem = Problem {
            kind: format!("https://ebl-ledger.invalid/problems/{}", self.code),
            title,
            status: self.status.as_u16(),
            detail: &self.detail,
            code: &self.code,
            entry_id: self.entry_id.as_deref(),
            index: self.index,
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(secs) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            headers.insert(header::RETRY_AFTER, v);
        }
        response
    }
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;
