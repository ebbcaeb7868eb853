//! A small blocking HTTP client for the gateways (ureq), answering status and JSON body for
//! every HTTP status, so callers decide what a 4xx means.

use std::time::Duration;

use serde_json::Value;

use crate::error::{Result, TestnetError};

/// An HTTP answer.
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// The JSON body (`Null` when empty or not JSON).
    pub body: Value,
}

impl Reply {
    /// The problem code (`code` of a problem+json body), if any.
    pub fn code(&self) -> Option<&str> {
        self.body.get("code").and_then(Value::as_str)
    }
}

/// A client with a bounded time per request.
#[derive(Debug, Clone)]
pub struct Client {
    agent: ureq::Agent,
}

impl Client {
    /// A client whose requests each take at most `timeout`.
    pub fn new(timeout: Duration) -> Self {
        Client {
            agent: ureq::AgentBuilder::new()
                .timeout_connect(Duration::from_secs(2))
                .timeout(timeout)
                .build(),
        }
    }

    /// Sends `method url` with a bearer `key` and an optional JSON body.
    pub fn call(&self, method: &str, url: &str, key: &str, body: Option<&Value>) -> Result<Reply> {
        let fail = |detail: String| TestnetError::Http {
            method: method.to_string(),
            url: url.to_string(),
            detail,
        };
        let request = self
            .agent
            .request(method, url)
            .set("Authorization", &format!("Bearer {key}"));
        let result = match body {
            Some(body) => request.send_json(body),
            None => request.call(),
        };
        let response = match result {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(e) => return Err(fail(e.to_string())),
        };
        let status = response.status();
        let text = response
            .into_string()
            .map_err(|e| fail(format!("reading the body: {e}")))?;
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Reply { status, body })
    }

    /// `GET`.
    pub fn get(&self, url: &str, key: &str) -> Result<Reply> {
        self.call("GET", url, key, None)
    }

    /// `POST` with a JSON body.
    pub fn post(&self, url: &str, key: &str, body: &Value) -> Result<Reply> {
        self.call("POST", url, key, Some(body))
    }
}
