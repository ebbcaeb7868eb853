//! Webhooks: every matching [`Event`] is POSTed as JSON to each configured URL, signed with
//! `X-EBL-Signature: sha256=<hex HMAC-SHA256(secret, body)>`, at least once.
//!
//! # Design
//!
//! One task follows the chain ([`crate::events::follow`]) and spawns one delivery task per
//! (event, webhook), so a slow receiver never holds back the others. A delivery retries with
//! exponential backoff up to [`RetryPolicy::attempts`]; any 2xx counts as delivered. The client
//! is a minimal HTTP/1.1 writer over a plain `tokio` TCP stream (`http://` URLs only, no TLS, no
//! OpenSSL, no new dependency): receivers are expected behind a TLS-terminating proxy or on a
//! private network. Outcomes go to a bounded in-memory [`DeliveryLog`].

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::events::{Event, Filter, follow};
use crate::node::NodeApi;

/// One webhook target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookConfig {
    /// `http://host:port/path`.
    pub url: String,
    /// HMAC key shared with the receiver.
    pub secret: String,
    /// Which events to send.
    pub filter: Filter,
}

/// Retry schedule: `base * 2^n`, at most `cap`, for at most `attempts` tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Most tries per delivery (including the first).
    pub attempts: u32,
    /// Wait after the first failure.
    pub base: Duration,
    /// Longest wait.
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 8,
            base: Duration::from_millis(200),
            cap: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// Wait after failed try number `n` (1-based).
    pub fn backoff(&self, n: u32) -> Duration {
        let factor = 2u32.saturating_pow(n.saturating_sub(1));
        self.base.saturating_mul(factor).min(self.cap)
    }
}

/// `sha256=<hex HMAC-SHA256(secret, body)>`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    // HMAC accepts keys of any length: the error branch cannot happen.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Whether `header` is the signature of `body` under `secret` (constant-time compare).
pub fn verify(secret: &str, body: &[u8], header: &str) -> bool {
    let Some(hex_sig) = header.strip_prefix("sha256=") else {
        return false;
    };
    let Ok(sig) = hex::decode(hex_sig) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&sig).is_ok()
}

/// One delivery's outcome so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    /// Event id.
    pub event: String,
    /// Target.
    pub url: String,
    /// Tries so far.
    pub attempts: u32,
    /// Last HTTP status, if any answer came.
    pub last_status: Option<u16>,
    /// `pending`, `delivered` or `failed`.
    pub state: &'static str,
}

/// The last deliveries, oldest dropped first.
#[derive(Debug)]
pub struct DeliveryLog {
    capacity: usize,
    items: Mutex<VecDeque<Delivery>>,
}

impl DeliveryLog {
    /// A log keeping at most `capacity` deliveries.
    pub fn new(capacity: usize) -> Self {
        DeliveryLog {
            capacity,
            items: Mutex::new(VecDeque::new()),
        }
    }

    /// The deliveries, oldest first.
    pub fn snapshot(&self) -> Vec<Delivery> {
        self.lock().iter().cloned().collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Delivery>> {
        self.items
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn record(&self, d: &Delivery) {
        let mut items = self.lock();
        match items
            .iter_mut()
            .find(|x| x.event == d.event && x.url == d.url)
        {
            Some(x) => *x = d.clone(),
            None => {
                if items.len() >= self.capacity {
                    items.pop_front();
                }
                items.push_back(d.clone());
            }
        }
    }
}

/// The running delivery task; dropping it stops the task.
#[derive(Debug)]
pub struct WebhookHandle {
    task: JoinHandle<()>,
    /// The delivery log.
    pub log: Arc<DeliveryLog>,
}

impl Drop for WebhookHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts delivering events of blocks final from now on to `hooks` (needs a tokio runtime).
pub fn spawn(
    node: Arc<dyn NodeApi>,
    hooks: Vec<WebhookConfig>,
    retry: RetryPolicy,
    log: Arc<DeliveryLog>,
) -> WebhookHandle {
    let (tx, mut rx) = mpsc::channel::<Event>(256);
    let task_log = log.clone();
    let blocks = node.subscribe();
    let task = tokio::spawn(async move {
        let follower = tokio::spawn(follow(node, blocks, None, tx));
        while let Some(event) = rx.recv().await {
            let body = Arc::new(serde_json::to_vec(&event.json).unwrap_or_default());
            for hook in hooks.iter().filter(|h| h.filter.matches(&event)) {
                let (hook, body, log) = (hook.clone(), body.clone(), task_log.clone());
                tokio::spawn(deliver(hook, event.id(), body, retry, log));
            }
        }
        if let Ok(Err(e)) = follower.await {
            tracing::warn!(error = %e, "webhook event stream stopped");
        }
    });
    WebhookHandle { task, log }
}

async fn deliver(
    hook: WebhookConfig,
    event: String,
    body: Arc<Vec<u8>>,
    retry: RetryPolicy,
    log: Arc<DeliveryLog>,
) {
    let sig = signature(&hook.secret, &body);
    let mut d = Delivery {
        event,
        url: hook.url.clone(),
        attempts: 0,
        last_status: None,
        state: "pending",
    };
    while d.attempts < retry.attempts.max(1) {
        d.attempts += 1;
        let status = post(&hook.url, &sig, &body).await;
        if let Err(e) = &status {
            tracing::debug!(url = %hook.url, error = %e, "webhook try failed");
        }
        d.last_status = status.ok();
        if d.last_status.is_some_and(|s| (200..300).contains(&s)) {
            d.state = "delivered";
            log.record(&d);
            return;
        }
        log.record(&d);
        if d.attempts < retry.attempts {
            tokio::time::sleep(retry.backoff(d.attempts)).await;
        }
    }
    d.state = "failed";
    tracing::warn!(url = %d.url, event = %d.event, "webhook delivery failed");
    log.record(&d);
}

/// POSTs `body` to an `http://` URL and returns the response status.
async fn post(url: &str, sig: &str, body: &[u8]) -> Result<u16, String> {
    let rest = url.strip_prefix("http://").ok_or("only http:// URLs")?;
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\n\
         X-EBL-Signature: {sig}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let io = tokio::time::timeout(Duration::from_secs(10), async {
        let stream = TcpStream::connect(authority)
            .await
            .map_err(|e| e.to_string())?;
        write_all(&stream, head.as_bytes()).await?;
        write_all(&stream, body).await?;
        read_status(&stream).await
    });
    io.await.map_err(|_| "timeout".to_string())?
}

async fn write_all(stream: &TcpStream, mut bytes: &[u8]) -> Result<(), String> {
    while !bytes.is_empty() {
        stream.writable().await.map_err(|e| e.to_string())?;
        match stream.try_write(bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok(())
}

/// Reads until the status line is complete: `HTTP/1.1 200 OK`.
async fn read_status(stream: &TcpStream) -> Result<u16, String> {
    let mut got = Vec::new();
    let mut buf = [0u8; 512];
    while !got.windows(2).any(|w| w == b"\r\n") && got.len() < 4096 {
        stream.readable().await.map_err(|e| e.to_string())?;
        match stream.try_read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    let line = String::from_utf8_lossy(&got);
    line.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| "bad HTTP response".to_string())
}
