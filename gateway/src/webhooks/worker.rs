//! The task of one subscription: follow the chain from its durable cursor and deliver its
//! matching events in order (see the module docs of `webhooks`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use ebl_ledger::block::BlockHeader;
use tokio::sync::{broadcast, mpsc};

use super::log::{Delivery, DeliveryLog};
use super::store::{Store, Subscription};
use super::{Derive, RetryPolicy, client, signature};
use crate::events::{Event, follow_replaying};
use crate::node::NodeApi;

/// Events buffered between the follower and the deliveries.
const BUFFER: usize = 64;
/// The cursor is saved at least this often while only non-matching events pass.
const SAVE_EVERY: Duration = Duration::from_secs(2);
/// Wait before following again after the node stopped answering.
const RESTART_DELAY: Duration = Duration::from_secs(1);

/// Everything one subscription's task needs.
pub(super) struct Worker {
    pub(super) node: Arc<dyn NodeApi>,
    pub(super) subscription: Subscription,
    pub(super) retry: RetryPolicy,
    pub(super) log: Arc<DeliveryLog>,
    pub(super) store: Store,
    pub(super) agent: ureq::Agent,
    /// Subscribed when the subscription started: without a saved cursor the task follows from
    /// there, so blocks final between the start and the task's first poll are not missed.
    pub(super) blocks: Option<broadcast::Receiver<Arc<BlockHeader>>>,
    /// Where to start without a saved cursor (`None`: the blocks final after the start).
    pub(super) start: Option<(u64, u64)>,
    /// What to deliver for an event: the event itself when `None` (webhooks), otherwise what
    /// this derives from it (DCSA calls, R245), and only the events it derives something from.
    pub(super) derive: Option<Arc<dyn Derive>>,
}

impl Worker {
    /// Runs until aborted.
    pub(super) async fn run(mut self) {
        let id = self.subscription.id.clone();
        let mut cursor = self.store.cursor(&id).or(self.start);
        let mut first = true;
        loop {
            // Subscribed before reading the head, so no block is missed in between.
            let blocks = match self.blocks.take() {
                Some(blocks) => blocks,
                None => self.node.subscribe(),
            };
            let after = if first && cursor.is_none() {
                // A new subscription: the blocks final after it started.
                None
            } else if let Some(c) = cursor {
                Some(c)
            } else {
                match self.node.status().await {
                    Ok(status) => Some((status.height, u64::MAX)),
                    Err(e) => {
                        tracing::debug!(subscription = %id, error = %e, "node unavailable");
                        tokio::time::sleep(RESTART_DELAY).await;
                        continue;
                    }
                }
            };
            first = false;
            cursor = cursor.or(after);
            let (tx, mut rx) = mpsc::channel(BUFFER);
            let follower = tokio::spawn(follow_replaying(
                self.node.clone(),
                blocks,
                after,
                tx,
                u64::MAX,
            ));
            let mut saved = Instant::now();
            while let Some(event) = rx.recv().await {
                let visible = match self.receives(&event).await {
                    Ok(visible) => visible,
                    Err(e) => {
                        // Not judged, not skipped: follow again from the cursor (this event).
                        tracing::warn!(subscription = %id, code = e.code,
                            "webhook paused: event visibility unknown");
                        break;
                    }
                };
                let body = if visible {
                    self.body(&event).await
                } else {
                    None
                };
                let matched = body.is_some();
                if let Some(body) = body {
                    self.deliver(&event, body).await;
                }
                let done = (event.height, event.ordinal);
                cursor = Some(done);
                if matched || saved.elapsed() >= SAVE_EVERY {
                    self.save(done);
                    saved = Instant::now();
                }
            }
            // The follower stops once nobody receives (after a `break` above).
            drop(rx);
            if let Ok(Err(e)) = follower.await {
                tracing::warn!(subscription = %id, error = %e, "webhook event stream stopped");
            }
            if let Some(c) = cursor {
                self.save(c);
            }
            tokio::time::sleep(RESTART_DELAY).await;
        }
    }

    /// Whether the subscription's filter passes `event` and its reader may receive it (R236).
    async fn receives(&self, event: &Event) -> Result<bool, crate::error::ApiError> {
        if !self.subscription.filter.matches(event) {
            return Ok(false);
        }
        crate::privacy::event_visible(
            self.node.as_ref(),
            event,
            &self.subscription.reader,
            "webhook",
        )
        .await
    }

    fn save(&self, cursor: (u64, u64)) {
        if let Err(e) = self.store.save_cursor(&self.subscription.id, cursor) {
            // Delivery goes on; after a restart the events since the last saved cursor are
            // sent again, which at-least-once allows.
            tracing::warn!(subscription = %self.subscription.id, error = %e,
                "could not save the webhook cursor");
        }
    }

    /// The body to deliver for `event`, if it is one to deliver.
    async fn body(&self, event: &Event) -> Option<Arc<Vec<u8>>> {
        if !self.subscription.filter.matches(event) {
            return None;
        }
        let json = match &self.derive {
            None => event.json.clone(),
            Some(derive) => derive.derive(event).await?,
        };
        Some(Arc::new(serde_json::to_vec(&json).unwrap_or_default()))
    }

    /// Tries until a 2xx or the last attempt; records every try in the log.
    async fn deliver(&self, event: &Event, body: Arc<Vec<u8>>) {
        let sig = signature(&self.subscription.secret, &body);
        let extra = self
            .derive
            .as_ref()
            .map(|d| d.headers())
            .unwrap_or_default();
        let mut d = Delivery {
            subscription: self.subscription.id.clone(),
            event: event.id(),
            url: self.subscription.url.clone(),
            attempts: 0,
            last_status: None,
            state: "pending",
        };
        let attempts = self.retry.attempts.max(1);
        while d.attempts < attempts {
            d.attempts += 1;
            let mut headers = vec![
                ("X-EBL-Signature", sig.clone()),
                ("X-EBL-Event-Id", d.event.clone()),
            ];
            headers.extend(extra.iter().cloned());
            let answer =
                client::post(self.agent.clone(), d.url.clone(), headers, body.clone()).await;
            if let Err(e) = &answer {
                tracing::debug!(url = %d.url, error = %e, "webhook try failed");
            }
            d.last_status = answer.ok();
            if d.last_status.is_some_and(|s| (200..300).contains(&s)) {
                d.state = "delivered";
                self.log.record(&d);
                return;
            }
            self.log.record(&d);
            if d.attempts < attempts {
                tokio::time::sleep(self.retry.backoff(d.attempts)).await;
            }
        }
        d.state = "failed";
        tracing::warn!(url = %d.url, event = %d.event, "webhook delivery failed");
        self.log.record(&d);
    }
}
