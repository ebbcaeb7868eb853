//! One timed, open-loop run at one offered rate.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::time::Instant;

use super::BenchError;
use super::client::{Http, get_json, open_stream};
use super::procfs;
use super::report::{NodeUsage, Report};
use super::send::{Sent, Shared};
use super::sse::{Event, SseParser};
use super::stats::{ms, percentile, send_offset};
use super::workload::Prepared;
use crate::state::TestnetState;

/// Requests in flight per gateway at most when each entry is its own request (beyond, sending
/// waits: that wait is latency). Batches have one request in flight per stream instead.
pub const IN_FLIGHT_PER_GATEWAY: usize = 512;

/// Most unfinished entries re-checked one by one with `GET /v1/entries/{id}` at the end.
pub const MAX_RECHECK: usize = 2_000;

/// Finality seen on the event stream: entry id → (when, applied).
type Finals = Arc<Mutex<BTreeMap<String, (Instant, bool)>>>;

/// Inputs of one run.
#[derive(Debug)]
pub struct RunPlan<'a> {
    /// The testnet.
    pub state: &'a TestnetState,
    /// Offered rate, entries/s.
    pub rate: f64,
    /// Seconds of sending.
    pub duration: f64,
    /// Longest wait for finality after the last send.
    pub drain: Duration,
    /// Entries per stream (one stream per signer), signed; `gateways[i]` is stream i's gateway.
    pub streams: Vec<Vec<Prepared>>,
    /// Gateway index of each stream.
    pub gateways: Vec<usize>,
    /// API key of each stream (its organisation's).
    pub keys: Vec<String>,
    /// Samples of single signature verifications (R171) per second on this machine, taken
    /// before the load (R477; the run adds as many after it).
    pub verify_before: super::verify::BoundSamples,
    /// `--batch-ms`: each stream's tick for `POST /v1/entries/batch`; `None` sends one
    /// `POST /v1/entries` per entry.
    pub batch: Option<Duration>,
    /// Resend entries refused for now (R170; `--no-retry` turns it off).
    pub retry: bool,
}

/// Follows gateway 0's event stream into `finals` until aborted, reconnecting on errors.
async fn follow(
    http: Http,
    url: String,
    key: String,
    finals: Finals,
    ready: tokio::sync::oneshot::Sender<()>,
) {
    let mut parser = SseParser::default();
    let mut ready = Some(ready);
    loop {
        let last = parser.last_id.clone();
        let mut body = match open_stream(&http, &url, &key, last.as_deref()).await {
            Ok(body) => body,
            Err(e) => {
                eprintln!("event stream: {e}; reconnecting");
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
        };
        if let Some(tx) = ready.take() {
            let _ = tx.send(());
        }
        use http_body_util::BodyExt as _;
        while let Some(Ok(frame)) = body.frame().await {
            let Ok(data) = frame.into_data() else {
                continue;
            };
            let now = Instant::now();
            let events = parser.push(&data);
            let mut map = finals.lock().unwrap_or_else(PoisonError::into_inner);
            for event in events {
                if let Event::Entry(e) = event {
                    map.entry(e.entry_id).or_insert((now, e.applied));
                }
            }
        }
    }
}

fn cpu_snapshot(state: &TestnetState) -> Vec<Option<Duration>> {
    state
        .nodes
        .iter()
        .map(|n| n.pid.and_then(procfs::cpu_time))
        .collect()
}

/// Runs the plan and reports.
pub async fn run(http: &Http, plan: RunPlan<'_>) -> Result<Report, BenchError> {
    let state = plan.state;
    let node0 = state.nodes.first().ok_or(BenchError::NoNodes)?;
    let finals: Finals = Arc::default();
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    let follower = tokio::spawn(follow(
        http.clone(),
        format!("{}/v1/events", node0.gateway_url),
        node0.admin_api_key.clone(),
        finals.clone(),
        ready_tx,
    ));
    tokio::time::timeout(Duration::from_secs(10), ready_rx)
        .await
        .map_err(|_| BenchError::Http("event stream did not open in 10 s".into()))?
        .map_err(|_| BenchError::Http("event stream task stopped".into()))?;

    let cpu_before = cpu_snapshot(state);
    let wall_start = std::time::Instant::now();
    let start = Instant::now() + Duration::from_millis(200);
    let limits: Vec<Arc<Semaphore>> = state
        .nodes
        .iter()
        .map(|_| Arc::new(Semaphore::new(IN_FLIGHT_PER_GATEWAY)))
        .collect();
    let shared = Shared {
        http: http.clone(),
        start,
        rate: plan.rate,
        outcomes: Arc::default(),
        refusals: Arc::default(),
        last_send: Arc::new(Mutex::new(start)),
        retry: plan.retry,
        // R170: resends stop with the drain window; what still waits then is `unsent`.
        stop: start + Duration::from_secs_f64(plan.duration) + plan.drain,
        retried: Arc::default(),
    };
    let mut dispatchers = Vec::new();
    for ((stream, gateway), key) in plan.streams.into_iter().zip(plan.gateways).zip(plan.keys) {
        let node = state.nodes.get(gateway).ok_or(BenchError::NoNodes)?;
        let url = node.gateway_url.clone();
        let shared = shared.clone();
        dispatchers.push(match plan.batch {
            Some(tick) => tokio::spawn(super::send::batched(shared, stream, url, key, tick)),
            None => {
                let limit = limits.get(gateway).cloned().ok_or(BenchError::NoNodes)?;
                tokio::spawn(super::send::one_by_one(shared, stream, url, key, limit))
            }
        });
    }
    for d in dispatchers {
        let _ = d.await;
    }
    let sent_span = shared
        .last_send
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .saturating_duration_since(start);
    let outcomes = std::mem::take(
        &mut *shared
            .outcomes
            .lock()
            .unwrap_or_else(PoisonError::into_inner),
    );
    let accepted: Vec<&(u64, String, Sent)> =
        outcomes.iter().filter(|o| o.2 == Sent::Accepted).collect();

    // Drain: wait (bounded) for every accepted entry to be final.
    let deadline = Instant::now() + plan.drain;
    loop {
        let done = {
            let map = finals.lock().unwrap_or_else(PoisonError::into_inner);
            accepted.iter().all(|o| map.contains_key(&o.1))
        };
        if done || Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    follower.abort();
    let cpu_after = cpu_snapshot(state);
    let wall = wall_start.elapsed();
    // R477: the other half of the bound's samples, with the load over (after the CPU snapshot,
    // so the nodes' figures do not include it).
    let bound = plan
        .verify_before
        .and(&super::verify::BoundSamples::measure(
            super::verify::SAMPLES_EACH_SIDE,
            super::verify::SAMPLE_SPAN,
        ));

    // Entries the stream did not report (it may have lagged): ask their gateway, bounded.
    let mut finals = std::mem::take(&mut *finals.lock().unwrap_or_else(PoisonError::into_inner));
    let missing: Vec<&String> = accepted
        .iter()
        .filter(|o| !finals.contains_key(&o.1))
        .map(|o| &o.1)
        .take(MAX_RECHECK)
        .collect();
    for id in missing {
        let url = format!("{}/v1/entries/{id}", node0.gateway_url);
        if let Ok((200, body)) = get_json(http, &url, &node0.admin_api_key).await {
            match body["status"].as_str() {
                // Final, but its time is unknown: counted at the time it was found (pessimistic).
                Some("final") => {
                    finals.insert(id.clone(), (Instant::now(), true));
                }
                Some("failed") => {
                    finals.insert(id.clone(), (Instant::now(), false));
                }
                _ => {}
            }
        }
    }

    let mut latencies = Vec::with_capacity(accepted.len());
    let mut failed = 0u64;
    let mut last_final = start;
    for o in &accepted {
        if let Some((at, applied)) = finals.get(&o.1) {
            latencies.push(at.saturating_duration_since(start + send_offset(plan.rate, o.0)));
            failed += u64::from(!applied);
            last_final = last_final.max(*at);
        }
    }
    latencies.sort();
    let count = |s: Sent| outcomes.iter().filter(|o| o.2 == s).count() as u64;
    let committed = latencies.len() as u64;
    let submitted: u64 = outcomes.len() as u64;
    let span = last_final.saturating_duration_since(start).as_secs_f64();
    let pct = |p| percentile(&latencies, p).map_or(0.0, ms);
    let nodes = state
        .nodes
        .iter()
        .zip(cpu_before.iter().zip(&cpu_after))
        .filter_map(|(n, (b, a))| {
            let pid = n.pid?;
            let cpu = a.zip(*b).map_or(0.0, |(a, b)| {
                100.0 * a.saturating_sub(b).as_secs_f64() / wall.as_secs_f64().max(1e-9)
            });
            Some(NodeUsage {
                name: n.name.clone(),
                pid,
                cpu_percent: cpu,
                rss_mib: procfs::rss_bytes(pid).map_or(0.0, |b| b as f64 / (1024.0 * 1024.0)),
            })
        })
        .collect();
    let validators = state.nodes.iter().filter(|n| n.validator).count().max(1);
    let committed_per_sec = if span > 0.0 {
        committed as f64 / span
    } else {
        0.0
    };
    let bound_median = bound.median();
    let bound_entries = bound_median / validators as f64;
    let mut report = Report {
        offered_per_sec: plan.rate,
        sent_per_sec: if sent_span.as_secs_f64() > 0.0 {
            submitted as f64 / sent_span.as_secs_f64().max(plan.duration)
        } else {
            submitted as f64 / plan.duration.max(1e-9)
        },
        committed_per_sec,
        p50_ms: pct(0.50),
        p95_ms: pct(0.95),
        p99_ms: pct(0.99),
        max_ms: latencies.last().copied().map_or(0.0, ms),
        submitted,
        accepted: accepted.len() as u64,
        committed,
        failed,
        rejected: count(Sent::Rejected),
        throttled: count(Sent::Throttled),
        retried: shared.retried.load(std::sync::atomic::Ordering::Relaxed),
        unsent: count(Sent::Unsent),
        lost: accepted.len() as u64 - committed,
        duration_secs: plan.duration,
        verify_bound_per_sec: bound_median,
        verify_bound_entries_per_sec: bound_entries,
        verify_bound_min_per_sec: bound.min(),
        verify_bound_max_per_sec: bound.max(),
        ratio_to_verify_bound: if bound_entries > 0.0 {
            committed_per_sec / bound_entries
        } else {
            0.0
        },
        nodes,
        refusals: std::mem::take(
            &mut *shared
                .refusals
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        ),
        batch_ms: plan
            .batch
            .map_or(0, |t| u64::try_from(t.as_millis()).unwrap_or(u64::MAX)),
        targets_met: false,
        flood: None,
    };
    report.targets_met = report.meets_targets();
    Ok(report)
}
