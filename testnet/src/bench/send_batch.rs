//! `--batch-ms` sending (R169) with resends (R170): one `POST /v1/entries/batch` per stream and
//! tick, one request of the stream in flight at a time.

use std::time::Duration;

use tokio::time::Instant;

use super::batching::{MAX_BATCH, due, next_send, request_body};
use super::client::post_json;
use super::resend::{Resend, Verdict};
use super::send::Shared;
use super::stats::send_offset;
use super::workload::Prepared;

/// `--batch-ms`: at each tick of `tick`, every entry of the stream that is due, as one
/// `POST /v1/entries/batch` (at most [`MAX_BATCH`]). One request of the stream in flight at a
/// time, so its batches reach the gateway in sequence order; a late answer makes the next
/// batch leave at once with everything due by then. R170: entries refused for now wait the
/// backoff and lead the next batch, ahead of the newly due ones; a batch refused whole with 429
/// is followed by batches half its size (a batch over the caller's burst can never pass).
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
    let mut resend = Resend::new(shared.retry);
    let mut cap = MAX_BATCH;
    let mut from = 0;
    loop {
        let at = match offsets.get(from) {
            _ if resend.is_blocked() => resend.not_before(),
            Some(first) => next_send(*first, tick),
            None => break,
        };
        if shared.start + at >= shared.stop {
            break;
        }
        tokio::time::sleep_until(shared.start + at).await;
        let now = shared.since_start(Instant::now()).max(at);
        let mut batch = resend.take(cap);
        let room = cap - batch.len();
        let fresh = if batch.is_empty() {
            due(&offsets, from, now, room)
        } else {
            // Behind resends, only entries whose time has come.
            let ready = offsets.get(from..).unwrap_or_default();
            from..from + ready.partition_point(|o| *o <= now).min(room)
        };
        from = fresh.end;
        batch.extend(fresh);
        let entries: Vec<&Prepared> = batch.iter().filter_map(|i| stream.get(*i)).collect();
        let body = request_body(entries.iter().map(|p| p.hex.as_str()));
        shared.mark_sent();
        let answer = post_json(&shared.http, &url, &key, body).await;
        let verdicts = judge(&entries, answer);
        let throttled_whole = shared.retry
            && !verdicts.is_empty()
            && verdicts.iter().all(|v| v.code() == Some("RATE_LIMITED"));
        cap = if throttled_whole {
            (batch.len() / 2).max(1)
        } else {
            MAX_BATCH
        };
        for (i, verdict) in batch.iter().zip(&verdicts) {
            shared.settle(&stream, &mut resend, *i, verdict);
        }
        resend.end_round(shared.since_start(Instant::now()));
    }
    shared.finish(&stream, resend, from);
}

/// Each entry's verdict from the answer to its batch: per-entry results on 200, else the whole
/// batch busy (429, 503, no answer) or refused (the problem's code, or `HTTP_<status>`).
pub(crate) fn judge(
    batch: &[&Prepared],
    answer: Result<(u16, serde_json::Value), super::BenchError>,
) -> Vec<Verdict> {
    let body = match answer {
        Ok((200, body)) => body,
        Ok((status, body)) => {
            let code = body["code"].as_str().map(str::to_string);
            return vec![Verdict::of_answer(status, code); batch.len()];
        }
        Err(_) => return vec![Verdict::send_failed(); batch.len()],
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
            match result.and_then(|r| r["status"].as_str()) {
                Some("pending" | "duplicate") => Verdict::Accepted,
                Some(_) => Verdict::of_code(
                    result
                        .and_then(|r| r["code"].as_str())
                        .unwrap_or("REJECTED")
                        .to_string(),
                ),
                // A 200 that does not name the entries in order is not believed.
                None => Verdict::Refused("BAD_BATCH_ANSWER".into()),
            }
        })
        .collect()
}
