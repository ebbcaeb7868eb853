//! The sender's HTTP exchanges with a receiving platform (ureq on tokio's blocking pool, like
//! webhook deliveries): one request, its status and a bounded body.

use std::io::Read as _;
use std::time::Duration;

/// Longest one exchange may take.
const TIMEOUT: Duration = Duration::from_secs(30);
/// Largest answer read (a signed response is well under 4 KiB).
const MAX_ANSWER: u64 = 256 * 1024;

/// What the receiving platform answered.
#[derive(Debug, Clone)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Body, at most [`MAX_ANSWER`] bytes.
    pub body: Vec<u8>,
}

/// Sends `body` (JSON) with `method` to `url`, with the partner's API key if configured.
pub async fn exchange(
    method: &'static str,
    url: String,
    api_key: Option<String>,
    body: Vec<u8>,
) -> Result<Answer, String> {
    let call = move || {
        let agent = ureq::AgentBuilder::new()
            .timeout(TIMEOUT)
            .redirects(0)
            .build();
        let mut request = agent
            .request(method, &url)
            .set("Content-Type", "application/json")
            .set("API-Version", "3.0.0");
        if let Some(key) = &api_key {
            request = request.set("X-API-Key", key);
        }
        let response = match request.send_bytes(&body) {
            Ok(response) | Err(ureq::Error::Status(_, response)) => response,
            Err(e) => return Err(e.to_string()),
        };
        let status = response.status();
        let mut bytes = Vec::new();
        response
            .into_reader()
            .take(MAX_ANSWER)
            .read_to_end(&mut bytes)
            .map_err(|e| e.to_string())?;
        Ok(Answer {
            status,
            body: bytes,
        })
    };
    tokio::task::spawn_blocking(call)
        .await
        .map_err(|e| format!("send task failed: {e}"))?
}
