//! The senders of a run: one task per stream (one signing organisation, its entries in
//! sequence order), either one `POST /v1/entries` per entry (here) or, with `--batch-ms`, one
//! `POST /v1/entries/batch` per tick ([`super::send_batch`]). Both resend what the node refused
//! for now ([`super::resend`], R170) and record, per entry, its final fate; latency is measured
//! later from each entry's original scheduled send time, so waits and resends count in it.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::Instant;

pub use super::send_batch::batched;

use super::client::{Http, send};
use super::resend::{Resend, Verdict};
use super::stats::send_offset;
use super::workload::Prepared;

/// How one submission went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// A gateway accepted it (pending, or already known).
    Accepted,
    /// Refused with 429.
    Throttled,
    /// Refused otherwise (for good, or for now with `--no-retry`).
    Rejected,
    /// Still refused for now, or never due, when sending stopped (R170).
    Unsent,
}

/// What every sender of a run shares.
#[derive(Debug, Clone)]
pub struct Shared {
    /// The HTTP client.
    pub http: Http,
    /// When entry 0 is scheduled.
    pub start: Instant,
    /// Offered rate, entries/s.
    pub rate: f64,
    /// (k, entry id, how it went) per entry sent.
    pub outcomes: Arc<Mutex<Vec<(u64, String, Sent)>>>,
    /// Why refused entries were refused: problem code, `HTTP_<status>` or `SEND_FAILED`.
    pub refusals: Arc<Mutex<BTreeMap<String, u64>>>,
    /// When the last request left.
    pub last_send: Arc<Mutex<Instant>>,
    /// Whether refusals for now are resent (`--retry`, R170).
    pub retry: bool,
    /// No request leaves after this (end of the duration plus the drain window).
    pub stop: Instant,
    /// Resend attempts of every stream.
    pub retried: Arc<AtomicU64>,
}

impl Shared {
    pub(crate) fn refuse(&self, why: String, n: u64) {
        *self
            .refusals
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(why)
            .or_default() += n;
    }

    pub(crate) fn record(&self, done: impl IntoIterator<Item = (u64, String, Sent)>) {
        self.outcomes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(done);
    }

    /// Entry `i` of `stream` was answered `verdict`: counts a refusal by its code and records
    /// the entry's fate unless `resend` keeps it for another try; answers whether it was kept.
    pub(crate) fn settle(
        &self,
        stream: &[Prepared],
        resend: &mut Resend,
        i: usize,
        verdict: &Verdict,
    ) -> bool {
        if let Some(code) = verdict.code() {
            self.refuse(code.to_string(), 1);
        }
        match (resend.on_result(i, verdict), stream.get(i)) {
            (Some(sent), Some(p)) => {
                self.record([(p.k, p.id.clone(), sent)]);
                false
            }
            (sent, _) => sent.is_none(),
        }
    }

    /// Sending stopped: what `resend` still holds and the entries from `rest` on are unsent.
    pub(crate) fn finish(&self, stream: &[Prepared], resend: Resend, rest: usize) {
        self.retried.fetch_add(resend.retried(), Ordering::Relaxed);
        let unsent = resend.unsent().into_iter().chain(rest..stream.len());
        let unsent: Vec<_> = unsent
            .filter_map(|i| stream.get(i))
            .map(|p| (p.k, p.id.clone(), Sent::Unsent))
            .collect();
        self.record(unsent);
    }

    /// The offset of `at` from the start of the run.
    pub(crate) fn since_start(&self, at: Instant) -> Duration {
        at.saturating_duration_since(self.start)
    }

    pub(crate) fn mark_sent(&self) {
        let mut at = self
            .last_send
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *at = (*at).max(Instant::now());
    }
}

/// One request per entry at its scheduled time, at most `limit` in flight per gateway
/// (beyond, sending waits, and that wait is latency). R170: once an answer refuses an entry for
/// now, the stream lets its requests in flight finish, waits the backoff, and sends what
/// waits one request at a time, in sequence order (newly due entries queue behind), then goes
/// back to sending on schedule.
pub async fn one_by_one(
    shared: Shared,
    stream: Vec<Prepared>,
    gateway_url: String,
    key: String,
    limit: Arc<Semaphore>,
) {
    let url: Arc<str> = format!("{gateway_url}/v1/entries").into();
    let key: Arc<str> = key.into();
    let stream: Arc<[Prepared]> = stream.into();
    let mut resend = Resend::new(shared.retry);
    let mut in_flight: JoinSet<(usize, Verdict)> = JoinSet::new();
    let mut next = 0;
    loop {
        if resend.is_blocked() {
            // Every answer of the requests in flight first, so the resends go in order.
            while let Some(done) = in_flight.join_next().await {
                if let Ok((i, verdict)) = done {
                    shared.settle(&stream, &mut resend, i, &verdict);
                }
            }
            resend.end_round(shared.since_start(Instant::now()));
            let at = shared.start + resend.not_before();
            if at >= shared.stop {
                break;
            }
            tokio::time::sleep_until(at).await;
            let now = shared.since_start(Instant::now());
            while stream
                .get(next)
                .is_some_and(|p| send_offset(shared.rate, p.k) <= now)
            {
                resend.defer(next);
                next += 1;
            }
            while Instant::now() < shared.stop
                && let Some(i) = resend.pop_first()
            {
                let Ok(_permit) = limit.acquire().await else {
                    break;
                };
                shared.mark_sent();
                let verdict = submit(&shared.http, &url, &key, stream.get(i)).await;
                if shared.settle(&stream, &mut resend, i, &verdict) {
                    break;
                }
            }
            resend.end_round(shared.since_start(Instant::now()));
            if Instant::now() >= shared.stop {
                break;
            }
            continue;
        }
        let Some(p) = stream.get(next) else {
            match in_flight.join_next().await {
                Some(Ok((i, verdict))) => {
                    shared.settle(&stream, &mut resend, i, &verdict);
                }
                Some(Err(_)) => {}
                None => break,
            }
            continue;
        };
        let at = shared.start + send_offset(shared.rate, p.k);
        tokio::select! {
            biased;
            Some(done) = in_flight.join_next(), if !in_flight.is_empty() => {
                if let Ok((i, verdict)) = done {
                    shared.settle(&stream, &mut resend, i, &verdict);
                }
            }
            () = tokio::time::sleep_until(at) => {
                let Ok(permit) = limit.clone().acquire_owned().await else {
                    break;
                };
                shared.mark_sent();
                let (http, url, key, stream) =
                    (shared.http.clone(), url.clone(), key.clone(), stream.clone());
                let i = next;
                in_flight.spawn(async move {
                    let verdict = submit(&http, &url, &key, stream.get(i)).await;
                    drop(permit);
                    (i, verdict)
                });
                next += 1;
            }
        }
    }
    // Stopped while entries waited: answers still in flight are recorded as they are.
    while let Some(done) = in_flight.join_next().await {
        if let Ok((i, verdict)) = done {
            shared.settle(&stream, &mut resend, i, &verdict);
        }
    }
    shared.finish(&stream, resend, next);
}

/// `POST /v1/entries` of one entry, judged.
async fn submit(http: &Http, url: &str, key: &str, p: Option<&Prepared>) -> Verdict {
    let Some(p) = p else {
        return Verdict::Refused("NO_SUCH_ENTRY".into());
    };
    match send(http, url, key, p.body()).await {
        Ok((status, code)) => Verdict::of_answer(status, code),
        Err(_) => Verdict::send_failed(),
    }
}

#[cfg(test)]
#[path = "send_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "retry_tests.rs"]
mod retry_tests;
