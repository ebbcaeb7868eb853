//! The HTTP client of the end-to-end tests that talk to real gateways over TCP on 127.0.0.1:
//! one request with a bearer key and an optional JSON body, answered as (status, JSON body, or
//! null when the body is not JSON).

use std::time::Duration;

use serde_json::Value;

/// Sends `method url` with `key` as the bearer token; a refusal (4xx, 5xx) is an answer too.
pub fn request(method: &str, url: &str, key: &str, body: Option<Value>) -> (u16, Value) {
    let req = ureq::request(method, url)
        .set("Authorization", &format!("Bearer {key}"))
        .timeout(Duration::from_secs(40));
    let result = match body {
        Some(body) => req.send_json(body),
        None => req.call(),
    };
    let response = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{method} {url}: {e}"),
    };
    let status = response.status();
    (status, response.into_json().unwrap_or(Value::Null))
}

/// [`request`] on a blocking thread, so the nodes of the test's runtime keep running.
pub async fn http(
    method: &str,
    url: String,
    key: impl Into<String>,
    body: Option<Value>,
) -> (u16, Value) {
    let (method, key) = (method.to_string(), key.into());
    tokio::task::spawn_blocking(move || request(&method, &url, &key, body))
        .await
        .unwrap()
}
