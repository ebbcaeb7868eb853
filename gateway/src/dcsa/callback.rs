//! DCSA ISS 3.0.4 callbacks: a platform answers an issuance request asynchronously by calling
//! the carrier's own `POST /v3/ebl-issuance-responses` with the `IssuanceResponse`, so a
//! DCSA-conformant carrier system learns ISSU / BREQ / REFU without polling. Sent only for
//! carriers with a configured [`CallbackTarget`], signed like webhooks
//! (`X-EBL-Signature: sha256=<HMAC-SHA256(secret, body)>`), retried with the webhook backoff.
//!
//! In memory: a gateway restart drops callbacks not yet delivered; the carrier can still read
//! the verdict with `GET /v3/ebl-issuance-responses/{reference}` (the verdicts are journalled).

use std::sync::Arc;

use ebl_ledger::ids::OrgId;
use serde_json::Value;
use tokio::sync::Semaphore;

use crate::webhooks::{RetryPolicy, client, signature};

/// DCSA API version sent with every callback (DCSA's `API-Version` header).
const API_VERSION: &str = "3.0.4";
/// Callbacks in flight at once; more are dropped (and logged), never queued without bound.
pub const MAX_IN_FLIGHT: usize = 256;

/// Where and how a carrier receives issuance responses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackTarget {
    /// The carrier's `.../v3/ebl-issuance-responses` URL (`http://` or `https://`).
    pub url: String,
    /// HMAC key shared with the carrier.
    pub secret: String,
}

/// The callback sender of one gateway.
#[derive(Debug)]
pub struct Callbacks {
    agent: ureq::Agent,
    retry: RetryPolicy,
    in_flight: Arc<Semaphore>,
}

impl Callbacks {
    /// A sender retrying with `retry`.
    pub fn new(retry: RetryPolicy) -> Self {
        Callbacks {
            agent: client::agent(),
            retry,
            in_flight: Arc::new(Semaphore::new(MAX_IN_FLIGHT)),
        }
    }

    /// Sends `response` (an `IssuanceResponse`) to `carrier`'s target in the background, if the
    /// carrier has one. Returns whether a callback was started.
    pub fn send(&self, target: Option<&CallbackTarget>, carrier: &OrgId, response: Value) -> bool {
        let Some(target) = target.cloned() else {
            return false;
        };
        let Ok(permit) = self.in_flight.clone().try_acquire_owned() else {
            tracing::warn!(%carrier, "too many DCSA callbacks in flight; this one is dropped");
            return false;
        };
        let (agent, retry, carrier) = (self.agent.clone(), self.retry, carrier.clone());
        tokio::spawn(async move {
            let _permit = permit;
            deliver(agent, retry, &target, &carrier, &response).await;
        });
        true
    }
}

async fn deliver(
    agent: ureq::Agent,
    retry: RetryPolicy,
    target: &CallbackTarget,
    carrier: &OrgId,
    response: &Value,
) {
    let body = Arc::new(serde_json::to_vec(response).unwrap_or_default());
    let sig = signature(&target.secret, &body);
    let attempts = retry.attempts.max(1);
    for attempt in 1..=attempts {
        let headers = vec![
            ("X-EBL-Signature", sig.clone()),
            ("API-Version", API_VERSION.into()),
        ];
        let answer = client::post(agent.clone(), target.url.clone(), headers, body.clone()).await;
        match answer {
            Ok(status) if (200..300).contains(&status) => {
                tracing::info!(%carrier, status, "DCSA issuance response delivered");
                return;
            }
            other => tracing::debug!(%carrier, attempt, ?other, "DCSA callback try failed"),
        }
        if attempt < attempts {
            tokio::time::sleep(retry.backoff(attempt)).await;
        }
    }
    tracing::warn!(%carrier, url = %target.url, "DCSA issuance response not delivered");
}
