//! The sender (R331–R334): every pending export on the ledger (`pint-out/`) whose holder this
//! gateway signs for is sent to the receiving platform, and the receiver's signed answer is
//! recorded as PINT_EXPORT_ANSWER. The ledger is the durable state: after a crash the scan
//! finds the export again and sends the same chain entry (fixed on the ledger, R291), so an
//! accepted transfer is answered DUPE and recorded once; nothing is sent twice to two places
//! and a bill is never both exported and active.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ebl_ledger::ebl::pint::{PendingExport, PintRecord};
use ebl_ledger::ebl::{EblAction, EblRecord, EblStatus, ExportAnswerCode};
use ebl_ledger::entry::Body;
use ebl_ledger::hash::{DocumentId, Hash32};
use ebl_ledger::ids::OrgId;
use ebl_ledger::state::keys;

use super::Platform;
use super::outbox_http::{Answer, exchange};
use crate::AppState;
use crate::custody::CustodialRequest;
use crate::pint::jws;
use crate::pint::model::{
    DocumentMetadata, EnvelopeTransferFinishedResponse, EnvelopeTransferStartedResponse,
    ResponseCode,
};
use crate::pint::send::{envelope, verify_finished_response};
use crate::pint::trust::TrustConfig;
use crate::records;

/// Most pending exports read per scan.
const SCAN_LIMIT: usize = 256;
/// How often the outbox is scanned when no block arrives.
const IDLE_SCAN: Duration = Duration::from_secs(5);
/// Most exports sent at once.
const MAX_PARALLEL: usize = 4;
/// Rounds of MDOC (resend missing documents, finish again) before giving up for this scan.
const MAX_MDOC_ROUNDS: usize = 3;

/// First wait before a failed send is tried again; doubled after each failure.
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// Longest wait between tries of one export.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// The documents being sent now, and when a failed one may be tried again (R331: a receiver
/// that is down is not called on every block).
#[derive(Debug, Default)]
pub struct InFlight(Mutex<InFlightState>);

#[derive(Debug, Default)]
struct InFlightState {
    sending: BTreeSet<DocumentId>,
    retry: BTreeMap<DocumentId, (Instant, Duration)>,
}

impl InFlight {
    fn lock(&self) -> std::sync::MutexGuard<'_, InFlightState> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn claim(&self, id: DocumentId) -> bool {
        let mut state = self.lock();
        if state
            .retry
            .get(&id)
            .is_some_and(|(at, _)| Instant::now() < *at)
        {
            return false;
        }
        state.sending.insert(id)
    }

    fn release(&self, id: &DocumentId, failed: bool) {
        let mut state = self.lock();
        state.sending.remove(id);
        if failed {
            let delay = state.retry.get(id).map_or(FIRST_BACKOFF, |(_, last)| {
                last.saturating_mul(2).min(MAX_BACKOFF)
            });
            state.retry.insert(*id, (Instant::now() + delay, delay));
        } else {
            state.retry.remove(id);
        }
    }

    /// Forgets the backoff of exports no longer pending (bounds the map by the outbox).
    fn keep_only(&self, pending: &BTreeSet<DocumentId>) {
        self.lock().retry.retain(|id, _| pending.contains(id));
    }
}

/// Why one send did not end in a recorded answer (logged; the next scan tries again).
#[derive(Debug, thiserror::Error)]
pub enum SendFailure {
    /// The receiving platform is not configured with an envelopes URL.
    #[error("platform {0} has no envelopes URL in the trust file")]
    NoRoute(String),
    /// A body this gateway must send is not available to it.
    #[error("{0} is not available to this gateway")]
    Missing(&'static str),
    /// The network or the receiver failed without a signed answer.
    #[error("no signed answer: {0}")]
    NoAnswer(String),
    /// The receiver disputes the transfer (DISE); settled out of band, never recorded.
    #[error("the receiving platform disputes the transfer (DISE): {0}")]
    Disputed(String),
    /// The ledger or the custodian failed.
    #[error("{0}")]
    Local(String),
    /// R338: another gateway's export (its chain entry is not signed by this platform key).
    #[error("another gateway's export")]
    NotOurs,
}

/// Starts the sender; it stops when the returned handle is dropped.
pub fn spawn(state: AppState, platform: Arc<Platform>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut blocks = state.node.subscribe();
        let permits = Arc::new(tokio::sync::Semaphore::new(MAX_PARALLEL));
        loop {
            scan(&state, &platform, &permits).await;
            // Wake on the next final block, or after a while.
            let _ = tokio::time::timeout(IDLE_SCAN, blocks.recv()).await;
        }
    })
}

/// The custodial identity this gateway signs with for each organisation (read once per scan).
fn identities(state: &AppState) -> BTreeMap<OrgId, String> {
    let Some(custodian) = state.custodian.as_ref() else {
        return BTreeMap::new();
    };
    let mut by_org = BTreeMap::new();
    for identity in custodian.identities() {
        by_org.entry(identity.org).or_insert(identity.name);
    }
    by_org
}

async fn scan(state: &AppState, platform: &Arc<Platform>, permits: &Arc<tokio::sync::Semaphore>) {
    let records = match state
        .node
        .scan(keys::pint_outbox_prefix(), SCAN_LIMIT)
        .await
    {
        Ok(records) => records,
        Err(e) => {
            tracing::warn!(error = %e, "PINT outbox not read");
            return;
        }
    };
    let mut pending = BTreeSet::new();
    let signs_for = identities(state);
    for (key, value) in records {
        let Some(id) = key
            .strip_prefix(keys::pint_outbox_prefix().as_slice())
            .and_then(|raw| <[u8; 32]>::try_from(raw).ok())
            .map(Hash32)
        else {
            continue;
        };
        pending.insert(id);
        let Ok(holder) = ebl_ledger::codec::decode_stored::<OrgId>(&value) else {
            continue;
        };
        // R338: a holder this gateway does not sign for records the answer itself; one
        // already collected is not sent again.
        let identity = signs_for.get(&holder).cloned();
        if identity.is_none() && platform.answers.waiting(&id) {
            continue;
        }
        if !platform.sending.claim(id) {
            continue;
        }
        let Ok(permit) = permits.clone().acquire_owned().await else {
            platform.sending.release(&id, false);
            return;
        };
        let (state, platform) = (state.clone(), platform.clone());
        tokio::spawn(async move {
            let _permit = permit;
            let result = send(&state, &platform, id, &holder, identity.as_deref()).await;
            match &result {
                Err(SendFailure::NotOurs) | Ok(()) => {}
                Err(e) => tracing::warn!(document = %id, error = %e, "PINT export not finished"),
            }
            platform.sending.release(&id, result.is_err());
        });
    }
    platform.sending.keep_only(&pending);
    platform.answers.keep_only(&pending);
}

/// What one send needs from the ledger and the node.
struct Outgoing {
    pending: PendingExport,
    chain: Vec<String>,
    document: serde_json::Value,
    visualisation: Option<(DocumentMetadata, Vec<u8>)>,
}

/// What to send for `id`; `only_ours`: for a holder this gateway does not sign for, only an
/// export whose chain entry this platform's key signed (R338), checked before any body is read.
async fn outgoing(
    state: &AppState,
    id: DocumentId,
    holder: &OrgId,
    only_ours: Option<&TrustConfig>,
) -> Result<Option<Outgoing>, SendFailure> {
    let local = |e: crate::error::ApiError| SendFailure::Local(e.detail);
    let Some(record) = records::get::<EblRecord>(state, keys::ebl(&id))
        .await
        .map_err(local)?
    else {
        return Ok(None);
    };
    let pint = records::get::<PintRecord>(state, keys::pint(&id))
        .await
        .map_err(local)?
        .unwrap_or_default();
    let Some(pending) = pint
        .pending
        .clone()
        .filter(|_| record.status == EblStatus::ExportPending)
    else {
        return Ok(None);
    };
    // R338
    if let Some(trust) = only_ours {
        let ours = [trust.signing_key.trusted_key()];
        if jws::verify(&pending.chain_entry, &ours, &trust.platform_code).is_err() {
            return Err(SendFailure::NotOurs);
        }
    }
    let body = state
        .node
        .document_body(id, holder.clone())
        .await
        .map_err(|e| SendFailure::Local(e.to_string()))?
        .ok_or(SendFailure::Missing("the transport document"))?;
    let document = serde_json::from_slice(&body).map_err(|e| SendFailure::Local(e.to_string()))?;
    let visualisation = match &pint.visualisation {
        None => None,
        Some(v) => {
            let bytes = state
                .node
                .document_body(v.document_checksum, holder.clone())
                .await
                .map_err(|e| SendFailure::Local(e.to_string()))?
                .ok_or(SendFailure::Missing("the carrier's visualisation"))?;
            let meta = DocumentMetadata {
                name: v.name.clone(),
                size: v.size,
                media_type: v.media_type.clone(),
                document_checksum: v.document_checksum.to_hex(),
            };
            Some((meta, bytes))
        }
    };
    let mut chain = pint.chain.clone();
    chain.push(pending.chain_entry.clone());
    Ok(Some(Outgoing {
        pending,
        chain,
        document,
        visualisation,
    }))
}

/// R331–R333: one export: envelope, missing documents, finish, verified answer, recorded.
async fn send(
    state: &AppState,
    platform: &Platform,
    id: DocumentId,
    holder: &OrgId,
    identity: Option<&str>,
) -> Result<(), SendFailure> {
    let trust = platform.trust();
    let Some(out) = outgoing(state, id, holder, identity.is_none().then_some(&*trust)).await?
    else {
        return Ok(());
    };
    let to = out.pending.to.ebl_platform.clone();
    let target = trust
        .platforms
        .get(&to)
        .and_then(|p| p.envelopes_url.clone())
        .ok_or_else(|| SendFailure::NoRoute(to.clone()))?;
    let api_key = state
        .config
        .pint
        .as_ref()
        .and_then(|p| p.api_keys.get(&to).cloned());
    let base = target.as_str().trim_end_matches('/').to_string();
    let meta = out.visualisation.as_ref().map(|(m, _)| m.clone());
    let envelope = envelope(
        out.document.clone(),
        out.chain.clone(),
        meta,
        Vec::new(),
        &trust.signing_key,
    )
    .map_err(|e| SendFailure::Local(e.to_string()))?;
    let body = serde_json::to_vec(&envelope).map_err(|e| SendFailure::Local(e.to_string()))?;
    let call = |method, url: String, body: Vec<u8>| exchange(method, url, api_key.clone(), body);
    let answer = call("POST", format!("{base}/v3/envelopes"), body)
        .await
        .map_err(SendFailure::NoAnswer)?;
    let expected = jws::checksum(&out.pending.chain_entry);
    let signed = if answer.status == 201 {
        let started: EnvelopeTransferStartedResponse = serde_json::from_slice(&answer.body)
            .map_err(|e| SendFailure::NoAnswer(format!("bad 201 body: {e}")))?;
        let reference = started.envelope_reference.clone();
        let mut missing = started.missing_additional_document_checksums.clone();
        let mut rounds = 0;
        loop {
            for checksum in &missing {
                let Some((_, bytes)) = out
                    .visualisation
                    .as_ref()
                    .filter(|(m, _)| &m.document_checksum == checksum)
                else {
                    return Err(SendFailure::Missing("a document the receiver asks for"));
                };
                let content = serde_json::to_vec(&STANDARD.encode(bytes))
                    .map_err(|e| SendFailure::Local(e.to_string()))?;
                let url =
                    format!("{base}/v3/envelopes/{reference}/additional-documents/{checksum}");
                let put = call("PUT", url, content)
                    .await
                    .map_err(SendFailure::NoAnswer)?;
                if put.status != 204 {
                    return Err(SendFailure::NoAnswer(format!(
                        "document upload answered {}",
                        put.status
                    )));
                }
            }
            let url = format!("{base}/v3/envelopes/{reference}/finish-transfer");
            let finished = call("PUT", url, Vec::new())
                .await
                .map_err(SendFailure::NoAnswer)?;
            let (response, jws) = verified(&trust, &to, &finished, &expected)?;
            if response.response_code == ResponseCode::MDOC && rounds < MAX_MDOC_ROUNDS {
                rounds += 1;
                missing = response
                    .missing_additional_document_checksums
                    .unwrap_or_default();
                continue;
            }
            break (response.response_code, jws);
        }
    } else {
        let (response, jws) = verified(&trust, &to, &answer, &expected)?;
        (response.response_code, jws)
    };
    match identity {
        Some(identity) => record(state, id, identity, signed).await,
        None => keep_for_holder(platform, id, signed),
    }
}

/// R339: a final answer for a self-signing holder is kept for it to collect and record.
fn keep_for_holder(
    platform: &Platform,
    id: DocumentId,
    (code, response): (ResponseCode, String),
) -> Result<(), SendFailure> {
    match code {
        ResponseCode::RECE | ResponseCode::DUPE | ResponseCode::BSIG | ResponseCode::BENV => {
            platform.answers.keep(id, code, response);
            Ok(())
        }
        ResponseCode::DISE => Err(SendFailure::Disputed(id.to_hex())),
        other => Err(SendFailure::NoAnswer(format!(
            "{other:?} does not end the transfer"
        ))),
    }
}

/// The receiver's signed answer in `answer`, verified under its keys and about our entry, and
/// its compact JWS.
fn verified(
    trust: &TrustConfig,
    platform: &str,
    answer: &Answer,
    expected: &Hash32,
) -> Result<(EnvelopeTransferFinishedResponse, String), SendFailure> {
    let jws: String = serde_json::from_slice(&answer.body).map_err(|_| {
        SendFailure::NoAnswer(format!("HTTP {} without a signed response", answer.status))
    })?;
    let response = verify_finished_response(&jws, trust, platform)
        .map_err(|e| SendFailure::NoAnswer(format!("answer not trusted: {e}")))?;
    if response.last_envelope_transfer_chain_entry_signed_content_checksum != expected.to_hex() {
        return Err(SendFailure::NoAnswer(
            "the answer is about another chain entry".into(),
        ));
    }
    Ok((response, jws))
}

/// R332: records a final answer (RECE, DUPE, BSIG, BENV); DISE, MDOC and INCD are not final.
async fn record(
    state: &AppState,
    id: DocumentId,
    identity: &str,
    (code, response): (ResponseCode, String),
) -> Result<(), SendFailure> {
    let code = match code {
        ResponseCode::RECE => ExportAnswerCode::Received,
        ResponseCode::DUPE => ExportAnswerCode::Duplicate,
        ResponseCode::BSIG => ExportAnswerCode::BadSignature,
        ResponseCode::BENV => ExportAnswerCode::BadEnvelope,
        ResponseCode::DISE => return Err(SendFailure::Disputed(id.to_hex())),
        other => {
            return Err(SendFailure::NoAnswer(format!(
                "{other:?} does not end the transfer"
            )));
        }
    };
    let custodian = state
        .custodian
        .as_ref()
        .ok_or_else(|| SendFailure::Local("no custodian".into()))?;
    let request = CustodialRequest {
        identity: identity.to_string(),
        act_for: None,
        body: Body::Ebl(EblAction::ExportAnswer {
            document: id,
            code,
            response,
        }),
        remark: None,
    };
    let outcome = custodian
        .act(request)
        .await
        .map_err(|e| SendFailure::Local(e.to_string()))?
        .map_err(|e| SendFailure::Local(e.to_string()))?;
    let status = state
        .node
        .wait_final(outcome.entry, state.config.max_wait)
        .await
        .map_err(|e| SendFailure::Local(e.to_string()))?;
    tracing::info!(document = %id, code = code.code(), ?status, "PINT export answered");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_sender_per_bill_and_a_failed_send_waits_before_the_next_try() {
        let sending = InFlight::default();
        let id = Hash32::sha256(b"bill");
        assert!(sending.claim(id));
        assert!(!sending.claim(id), "one sender per bill");
        sending.release(&id, true);
        assert!(
            !sending.claim(id),
            "a failed send is not retried on the next block"
        );
        let delay = sending.lock().retry[&id].1;
        assert_eq!(delay, FIRST_BACKOFF);
        // Each failure doubles the wait, up to the bound.
        for _ in 0..20 {
            sending.release(&id, true);
        }
        assert_eq!(sending.lock().retry[&id].1, MAX_BACKOFF);
        // A success, or the export leaving the outbox, forgets it.
        sending.release(&id, false);
        assert!(sending.claim(id));
        sending.release(&id, true);
        sending.keep_only(&BTreeSet::new());
        assert!(sending.claim(id));
    }
}
