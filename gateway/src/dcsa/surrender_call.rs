//! R245–R246: the platform's DCSA SUR call to the carrier. When a SURRENDER_FOR_DELIVERY or
//! SURRENDER_FOR_AMENDMENT entry is final, the carrier's `POST /v3/ebl-surrender-requests` is
//! called with the `SurrenderRequestDetails` made from the ledger record: the request reference
//! recorded with the surrender (R240), the transportDocumentReference, SREQ or AREQ with its
//! reasonCode, and the endorsement chain (oldest link first: "starting from its issuance
//! onward"). Delivery is a derived webhook subscription per carrier ([`crate::webhooks`], ADR
//! 0022, ADR 0032): at least once across restarts, retried with backoff, bounded.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use ebl_ledger::ebl::{AmendmentReason, EblRecord, EblStatus, SurrenderKind};
use ebl_ledger::entry::ActionKind;
use ebl_ledger::hash::DocumentId;
use ebl_ledger::ids::OrgId;
use ebl_ledger::state::keys;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use super::callback::CallbackTarget;
use super::chain::endorsement_chain;
use crate::AppState;
use crate::error::ApiResult;
use crate::events::Event;
use crate::records;
use crate::webhooks::{DeliveryLog, Derive, DerivedHandle, DerivedSpec, spawn_derived};

/// DCSA API version sent with every call (DCSA's `API-Version` header).
const API_VERSION: &str = "3.0.4";
/// Deliveries kept in the log when the gateway has no webhook log to share.
const LOG_SIZE: usize = 1000;

/// R246: the surrender request still waiting for the carrier's answer, if any.
pub fn pending(record: &EblRecord) -> Option<&ebl_ledger::ebl::Surrender> {
    let waiting = matches!(
        record.status,
        EblStatus::SurrenderForDeliveryPending | EblStatus::SurrenderForAmendmentPending
    );
    record.surrender.as_ref().filter(|_| waiting)
}

/// R245: the DCSA `SurrenderRequestDetails` of the pending surrender of `record`, or `None`
/// when none is pending (the carrier answered already).
pub async fn request_body(state: &AppState, record: &EblRecord) -> ApiResult<Option<Value>> {
    let Some(surrender) = pending(record) else {
        return Ok(None);
    };
    let chain = endorsement_chain(state, record).await?;
    let mut links = chain["endorsementChain"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    // END lists the newest link first; SUR's chain starts "from its issuance onward".
    links.reverse();
    let mut body = json!({
        "surrenderRequestReference": surrender.reference,
        "transportDocumentReference": record.reference,
        "surrenderRequestCode": "SREQ",
        "endorsementChain": links,
    });
    if let SurrenderKind::Amendment(reason) = surrender.kind {
        body["surrenderRequestCode"] = json!("AREQ");
        // OTHR is ours, not DCSA's: its reason goes in `comments` alone.
        if reason != AmendmentReason::Other {
            body["reasonCode"] = serde_json::to_value(reason).unwrap_or(Value::Null);
        }
    }
    if let Some(comments) = surrender_comments(state, record).await? {
        body["comments"] = json!(comments);
    }
    Ok(Some(body))
}

/// The requester's comments: the remark of the surrender entry, when it is text DCSA's
/// `comments` admits (1-255 characters, no surrounding space); a remark that is not (e.g. an
/// encrypted note) is not sent.
async fn surrender_comments(state: &AppState, record: &EblRecord) -> ApiResult<Option<String>> {
    let surrender_actions = [
        ActionKind::EblSurrenderForDelivery,
        ActionKind::EblSurrenderForAmendment,
    ];
    let Some(line) = record
        .history
        .iter()
        .rev()
        .find(|h| surrender_actions.contains(&h.action))
    else {
        return Ok(None);
    };
    let remark = records::history_entry(state, line)
        .await?
        .and_then(|e| e.into_entry().remark);
    Ok(remark
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .filter(|text| {
            !text.is_empty()
                && text.chars().count() <= 255
                && text.trim() == text.as_str()
                && !text.contains(['\n', '\r'])
        }))
}

/// Makes SUR requests to one carrier from the chain's surrender entries.
struct SurrenderCalls {
    state: AppState,
    carrier: OrgId,
}

/// Tries to read the ledger for one event before the event is given up (logged).
const READ_TRIES: u32 = 5;
/// Wait after the first failed read; doubled after each further one.
const READ_BACKOFF: std::time::Duration = std::time::Duration::from_millis(250);

/// Whether `event` is an applied SURRENDER_FOR_* entry; its document if so.
fn surrendered(event: &Event) -> Option<DocumentId> {
    let json = &event.json;
    let surrender = [
        ActionKind::EblSurrenderForDelivery.code(),
        ActionKind::EblSurrenderForAmendment.code(),
    ];
    let action = json["action"].as_str().unwrap_or_default();
    if json["type"] != "entry" || json["result"] != "APPLIED" || !surrender.contains(&action) {
        return None;
    }
    DocumentId::from_hex(json["document"].as_str()?)
}

impl SurrenderCalls {
    /// The body for `event` if it is a final surrender of one of this carrier's documents
    /// that is still pending (a replay after the carrier answered sends nothing). A node that
    /// does not answer is asked again a few times, so a short outage loses no call.
    async fn body(&self, event: &Event) -> Option<Value> {
        let id = surrendered(event)?;
        let mut wait = READ_BACKOFF;
        for attempt in 1..=READ_TRIES {
            match self.read(event, id).await {
                Ok(body) => return body,
                Err(e) if attempt == READ_TRIES => {
                    tracing::error!(error = ?e, document = %id.to_hex(),
                        "DCSA surrender request not sent: the ledger could not be read");
                    return None;
                }
                Err(e) => tracing::debug!(error = ?e, attempt, "ledger read failed; retrying"),
            }
            tokio::time::sleep(wait).await;
            wait = wait.saturating_mul(2);
        }
        None
    }

    async fn read(&self, event: &Event, id: DocumentId) -> ApiResult<Option<Value>> {
        let Some(record) = records::get::<EblRecord>(&self.state, keys::ebl(&id)).await? else {
            return Ok(None);
        };
        // Only the entry that made the pending surrender (one per document and block).
        let entry = event.json["entry_id"].as_str().unwrap_or_default();
        let made_it = record.history.iter().any(|h| h.entry.to_hex() == entry);
        let this_one = pending(&record).is_some_and(|s| s.height == event.height);
        if record.carrier != self.carrier || !made_it || !this_one {
            return Ok(None);
        }
        request_body(&self.state, &record).await
    }
}

impl Derive for SurrenderCalls {
    fn derive<'a>(
        &'a self,
        event: &'a Event,
    ) -> Pin<Box<dyn Future<Output = Option<Value>> + Send + 'a>> {
        Box::pin(self.body(event))
    }

    fn headers(&self) -> Vec<(&'static str, String)> {
        vec![("API-Version", API_VERSION.into())]
    }
}

/// The cursor id of `carrier`'s calls to `target` (a new URL starts a new subscription).
fn subscription_id(carrier: &OrgId, target: &CallbackTarget) -> String {
    let digest = Sha256::digest(format!("{carrier}\n{}", target.url).as_bytes());
    format!("dcsa-sur-{}", hex::encode(&digest[..8]))
}

/// R245: starts one derived subscription per carrier with a configured SUR endpoint
/// (`DcsaConfig::surrender_endpoints`). Its first start replays the chain from genesis, so a
/// surrender final before the endpoint was configured is still sent if it is pending.
pub fn spawn(state: &AppState) -> Vec<DerivedHandle> {
    let log = state
        .webhooks
        .as_ref()
        .map_or_else(|| Arc::new(DeliveryLog::new(LOG_SIZE)), |w| w.log.clone());
    let mut handles = Vec::new();
    for (carrier, target) in &state.config.dcsa.surrender_endpoints {
        let spec = DerivedSpec {
            id: subscription_id(carrier, target),
            url: target.url.clone(),
            secret: target.secret.clone(),
            start: (0, u64::MAX),
            derive: Arc::new(SurrenderCalls {
                state: state.clone(),
                carrier: carrier.clone(),
            }),
            // R236: the carrier is a party of every bill it issued, so it reads their events.
            reader: crate::privacy::Reader::Member(carrier.clone()),
        };
        let dir = state.config.webhook_state_dir.clone();
        match spawn_derived(
            state.node.clone(),
            spec,
            state.config.webhook_retry,
            log.clone(),
            dir,
        ) {
            Ok(handle) => handles.push(handle),
            Err(e) => tracing::error!(%carrier, error = %e, "DCSA surrender calls disabled"),
        }
    }
    handles
}
