//! Webhooks: every matching [`Event`](crate::events::Event) is POSTed as JSON to each
//! subscribed URL, signed with `X-EBL-Signature: sha256=<hex HMAC-SHA256(secret, body)>`, at
//! least once — also across gateway restarts.
//!
//! # Design
//!
//! - A subscription is either configured (`GatewayConfig::webhooks`) or managed at run time with
//!   `POST /v1/webhooks` / `DELETE /v1/webhooks/{id}` (persisted in the state folder).
//! - Each subscription has its own task that follows the chain from a **durable cursor** (the id
//!   of the last event it finished) and delivers its matching events one after the other, in
//!   chain order, so a slow receiver only holds back its own events. The cursor is written after
//!   each delivered (or finally failed) event; after a restart the task replays every block since
//!   the cursor, so an event that was being delivered, or that became final while the gateway was
//!   down, is sent again (at least once; receivers deduplicate by `X-EBL-Event-Id`).
//! - A delivery retries with exponential backoff up to [`RetryPolicy::attempts`]; any 2xx counts
//!   as delivered, redirects do not. After the last attempt it is logged `failed` and the cursor
//!   moves on, so one dead receiver cannot stall its subscription forever.
//! - HTTP(S) goes through `ureq` (rustls, webpki roots) on the blocking pool. Outcomes go to a
//!   bounded in-memory [`DeliveryLog`] (`GET /v1/webhooks/deliveries`).
//! - The same task also runs derived subscriptions ([`spawn_derived`]): their body is made
//!   from the event by a [`Derive`] (the DCSA SUR request to a carrier, R245, ADR 0032).
//! - R204: a receiver must be a public address unless the operator's [`TargetPolicy`] allows
//!   more; checked when a subscription is made and again, on the address actually connected
//!   to, at every delivery ([`target`]).

pub(crate) mod client;
mod derived;
mod log;
mod manager;
mod store;
pub mod target;
mod worker;

pub use derived::{Derive, DerivedHandle, DerivedSpec, spawn_derived};
pub use log::{Delivery, DeliveryLog};
pub use manager::{WebhookError, WebhookHandle, spawn};
pub use store::Subscription;
pub use target::{ForbiddenRange, TargetPolicy};

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::events::Filter;

/// One webhook target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookConfig {
    /// `http://` or `https://` URL of the receiver.
    pub url: String,
    /// HMAC key shared with the receiver.
    pub secret: String,
    /// Which events to send.
    pub filter: Filter,
    /// R236: whose events these are: an eBL's events go only to a reader who may see its
    /// title.
    pub reader: crate::privacy::Reader,
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
