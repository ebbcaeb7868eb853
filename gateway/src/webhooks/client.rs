//! One POST of a webhook body, over `ureq` (HTTP/1.1, rustls for `https://`) on tokio's
//! blocking pool: a maintained client instead of a hand-written one, without making the
//! gateway's async runtime wait on sockets.

use std::sync::Arc;
use std::time::Duration;

/// Longest one try may take (connect, send, status line).
const TRY_TIMEOUT: Duration = Duration::from_secs(10);

/// The shared client (connection pool, TLS roots) for receivers the operator configured
/// (DCSA callbacks).
pub(crate) fn agent() -> ureq::Agent {
    builder().build()
}

/// R204: the client of webhook deliveries, which connects only to the addresses of a
/// receiver that `targets` permits (resolved once per connection, then connected to).
pub(crate) fn guarded_agent(targets: super::TargetPolicy) -> ureq::Agent {
    builder()
        .resolver(super::target::GuardedResolver(targets))
        .build()
}

fn builder() -> ureq::AgentBuilder {
    ureq::AgentBuilder::new()
        .timeout(TRY_TIMEOUT)
        // A receiver answers itself: a redirect is not a delivery (and a POST must not turn
        // into a GET somewhere else, R204).
        .redirects(0)
}

/// What the receiver answered: its status, or why there was no answer.
pub(crate) async fn post(
    agent: ureq::Agent,
    url: String,
    headers: Vec<(&'static str, String)>,
    body: Arc<Vec<u8>>,
) -> Result<u16, String> {
    let call = move || {
        let mut request = agent.post(&url).set("Content-Type", "application/json");
        for (name, value) in &headers {
            request = request.set(name, value);
        }
        match request.send_bytes(&body) {
            Ok(response) => Ok(response.status()),
            Err(ureq::Error::Status(status, _)) => Ok(status),
            Err(e) => Err(e.to_string()),
        }
    };
    tokio::task::spawn_blocking(call)
        .await
        .map_err(|e| format!("delivery task failed: {e}"))?
}
