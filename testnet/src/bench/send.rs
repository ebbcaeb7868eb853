//! The senders of a run: one task per stream (one signing organisation, its entries in
//! sequence order), either one `POST /v1/entries` per entry or, with `--batch-ms`, one
//! `POST /v1/entries/batch` per tick ([`super::batching`]). Both record, per entry, whether a
//! gateway accepted it; latency is measured later from each entry's scheduled send time.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::time::Instant;

use super::batching::{MAX_BATCH, due, next_send, request_body};
use super::client::{Http, post_json, send};
use super::stats::send_offset;
use super::workload::Prepared;

/// How one submission went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// A gateway accepted it (pending, or already known).
    Accepted,
    /// Refused with 429.
    Throttled,
    /// Refused otherwise, or not sent.
    Rejected,
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
}

impl Shared {
    fn refuse(&self, why: String, n: u64) {
        *self
            .refusals
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(why)
            .or_default() += n;
    }

    fn record(&self, done: impl IntoIterator<Item = (u64, String, Sent)>) {
        self.outcomes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(done);
    }

    fn mark_sent(&self) {
        let mut at = self
            .last_send
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *at = (*at).max(Instant::now());
    }
}

/// One request per entry at its scheduled time, at most `limit` in flight per gateway
/// (beyond, sending waits, and that wait is latency).
pub async fn one_by_one(
    shared: Shared,
    stream: Vec<Prepared>,
    gateway_url: String,
    key: String,
    limit: Arc<Semaphore>,
) {
    let url = format!("{gateway_url}/v1/entries");
    let mut requests = Vec::with_capacity(stream.len());
    for p in stream {
        tokio::time::sleep_until(shared.start + send_offset(shared.rate, p.k)).await;
        let Ok(permit) = limit.clone().acquire_owned().await else {
            break;
        };
        let (shared, url, key) = (shared.clone(), url.clone(), key.clone());
        shared.mark_sent();
        requests.push(tokio::spawn(async move {
            let sent = match send(&shared.http, &url, &key, p.body()).await {
                Ok((200..=299, _)) => Sent::Accepted,
                Ok((429, _)) => Sent::Throttled,
                Ok((status, code)) => {
                    shared.refuse(code.unwrap_or_else(|| format!("HTTP_{status}")), 1);
                    Sent::Rejected
                }
                Err(_) => {
                    shared.refuse("SEND_FAILED".into(), 1);
                    Sent::Rejected
                }
            };
            drop(permit);
            shared.record([(p.k, p.id, sent)]);
        }));
    }
    for r in requests {
        let _ = r.await;
    }
}

/// `--batch-ms`: at each tick of `tick`, every entry of the stream that is due, as one
/// `POST /v1/entries/batch` (at most [`MAX_BATCH`]). One request of the stream in flight at a
/// time, so its batches reach the gateway in sequence order; a late answer makes the next
/// batch leave at once with everything due by then.
pub async fn batched(
    shared: Shared,
    stream: Vec<Prepared>,
    gateway_url: String,
    key: String,
    tick: Duration,
) {
    let url = format!("{gateway_url}/v1/entries/batch");
    let offsets: Vec<Duration> = stream
        .iter()
        .map(|p| send_offset(shared.rate, p.k))
        .collect();
    let mut from = 0;
    while let Some(first) = offsets.get(from) {
        let at = next_send(*first, tick);
        tokio::time::sleep_until(shared.start + at).await;
        let now = Instant::now().saturating_duration_since(shared.start);
        let range = due(&offsets, from, now.max(at), MAX_BATCH);
        from = range.end;
        let batch = stream.get(range).unwrap_or_default();
        let body = request_body(batch.iter().map(|p| p.hex.as_str()));
        shared.mark_sent();
        let answer = post_json(&shared.http, &url, &key, body).await;
        shared.record(judge(&shared, batch, answer));
    }
}

/// Each entry's fate from the answer to its batch: per-entry results on 200, else the whole
/// batch throttled (429) or refused (the problem's code, or `HTTP_<status>`, `SEND_FAILED`).
fn judge(
    shared: &Shared,
    batch: &[Prepared],
    answer: Result<(u16, serde_json::Value), super::BenchError>,
) -> Vec<(u64, String, Sent)> {
    let whole = |sent: Sent| -> Vec<(u64, String, Sent)> {
        batch.iter().map(|p| (p.k, p.id.clone(), sent)).collect()
    };
    let n = batch.len() as u64;
    let body = match answer {
        Ok((200, body)) => body,
        Ok((429, _)) => return whole(Sent::Throttled),
        Ok((status, body)) => {
            let code = body["code"].as_str().map(str::to_string);
            shared.refuse(code.unwrap_or_else(|| format!("HTTP_{status}")), n);
            return whole(Sent::Rejected);
        }
        Err(_) => {
            shared.refuse("SEND_FAILED".into(), n);
            return whole(Sent::Rejected);
        }
    };
    let results = body["results"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    batch
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let result = results.get(i).filter(|r| r["id"] == p.id.as_str());
            let sent = match result.and_then(|r| r["status"].as_str()) {
                Some("pending" | "duplicate") => Sent::Accepted,
                Some(_) => {
                    let code = result
                        .and_then(|r| r["code"].as_str())
                        .unwrap_or("REJECTED");
                    shared.refuse(code.to_string(), 1);
                    Sent::Rejected
                }
                None => {
                    shared.refuse("BAD_BATCH_ANSWER".into(), 1);
                    Sent::Rejected
                }
            };
            (p.k, p.id.clone(), sent)
        })
        .collect()
}

#[cfg(test)]
#[path = "send_tests.rs"]
mod tests;
