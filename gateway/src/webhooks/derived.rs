//! Deliveries derived from chain events (ADR 0032): the same durable subscription task as a
//! webhook (cursor, replay after a restart, retries with backoff, delivery log), whose body is
//! not the event but what a [`Derive`] makes of it, e.g. the DCSA SUR request a surrender entry
//! calls for (R245). Only the events it derives a body from are delivered.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

use serde_json::Value;
use tokio::task::JoinHandle;

use super::log::DeliveryLog;
use super::store::{Store, Subscription};
use super::worker::Worker;
use super::{RetryPolicy, client};
use crate::events::{Event, Filter};
use crate::node::NodeApi;

/// What a derived subscription delivers for an event.
pub trait Derive: Send + Sync {
    /// The JSON body to deliver for `event`, or `None` when it calls for no delivery.
    fn derive<'a>(
        &'a self,
        event: &'a Event,
    ) -> Pin<Box<dyn Future<Output = Option<Value>> + Send + 'a>>;

    /// Headers sent with every delivery, besides the signature and the event id.
    fn headers(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

/// A running derived subscription; dropping it stops its task.
#[derive(Debug)]
pub struct DerivedHandle {
    task: JoinHandle<()>,
}

impl Drop for DerivedHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What a derived subscription is.
pub struct DerivedSpec {
    /// Stable id (names its cursor file): letters, digits, `-` and `_` only.
    pub id: String,
    /// Receiver URL (configured by the operator, so not subject to R204's target policy).
    pub url: String,
    /// HMAC key shared with the receiver (`X-EBL-Signature`).
    pub secret: String,
    /// Where to start when no cursor was saved yet: `(0, u64::MAX)` replays the whole chain.
    pub start: (u64, u64),
    /// The body maker.
    pub derive: Arc<dyn Derive>,
    /// Whose events it may read (R236): e.g. the carrier whose surrender requests it calls.
    pub reader: crate::privacy::Reader,
}

impl std::fmt::Debug for DerivedSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret.
        f.debug_struct("DerivedSpec")
            .field("id", &self.id)
            .field("url", &self.url)
            .field("start", &self.start)
            .finish_non_exhaustive()
    }
}

/// Starts `spec` (needs a tokio runtime): its cursor lives in `state_dir` like a webhook's (in
/// memory without one), its tries go to `log`.
pub fn spawn_derived(
    node: Arc<dyn NodeApi>,
    spec: DerivedSpec,
    retry: RetryPolicy,
    log: Arc<DeliveryLog>,
    state_dir: Option<PathBuf>,
) -> std::io::Result<DerivedHandle> {
    let store = Store::open(state_dir)?;
    let worker = Worker {
        blocks: Some(node.subscribe()),
        node,
        subscription: Subscription {
            id: spec.id,
            url: spec.url,
            secret: spec.secret,
            filter: Filter::default(),
            managed: false,
            reader: spec.reader,
        },
        retry,
        log,
        store,
        agent: client::agent(),
        start: Some(spec.start),
        derive: Some(spec.derive),
    };
    Ok(DerivedHandle {
        task: tokio::spawn(worker.run()),
    })
}
