//! The senders against the real gateway router (over its in-memory test node, on 127.0.0.1),
//! and the per-entry judging of batch answers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use ebl_gateway::testkit::LocalNode;
use ebl_gateway::{ApiKey, EntryStatus, GatewayConfig, NodeApi, RateLimit, Scope};
use ebl_ledger::entry::SignedEntry;
use serde_json::json;

use super::*;
use crate::bench::client::client;
use crate::bench::resend::Verdict;
use crate::bench::send_batch::judge;
use crate::bench::workload::issue;

pub(super) const KEY: &str = "bench-secret";

/// The gateway over `node` on a free port of 127.0.0.1; its URL and server task.
async fn gateway(node: Arc<LocalNode>) -> (String, tokio::task::JoinHandle<()>) {
    let limit = RateLimit {
        burst: 100_000,
        per_second: 100_000.0,
    };
    gateway_limited(node, limit).await
}

/// The same with the rate limit `limit` per API key.
pub(super) async fn gateway_limited(
    node: Arc<LocalNode>,
    limit: RateLimit,
) -> (String, tokio::task::JoinHandle<()>) {
    let mut config = GatewayConfig::with_keys([ApiKey::from_secret(
        "bench",
        KEY,
        &[Scope::Read, Scope::Submit],
    )]);
    config.rate_limit = limit;
    let app = ebl_gateway::router(node, config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, server)
}

pub(super) fn shared(rate: f64) -> Shared {
    let start = Instant::now();
    Shared {
        http: client(8),
        start,
        rate,
        outcomes: Arc::default(),
        refusals: Arc::default(),
        last_send: Arc::new(Mutex::new(start)),
        retry: true,
        stop: start + Duration::from_secs(20),
        retried: Arc::default(),
    }
}

pub(super) fn prepared(k: u64, entry: &SignedEntry) -> Prepared {
    Prepared {
        k,
        id: entry.id().to_hex(),
        hex: hex::encode(entry.encode()),
    }
}

pub(super) fn carrier_issue(node: &LocalNode, reference: &str) -> SignedEntry {
    node.with(|n| n.sign("CARRIER", issue(reference, "SHIPPER")))
}

/// A stream of `n` carrier issues in sequence order.
pub(super) fn stream(node: &LocalNode, tag: &str, n: usize) -> (Vec<SignedEntry>, Vec<Prepared>) {
    let entries: Vec<SignedEntry> = (0..n)
        .map(|i| carrier_issue(node, &format!("{tag}-{i}")))
        .collect();
    let prepared = entries
        .iter()
        .enumerate()
        .map(|(k, e)| prepared(k as u64, e))
        .collect();
    (entries, prepared)
}

pub(super) async fn all_final(node: &LocalNode, entries: &[SignedEntry]) {
    // The test node applies entries as they arrive: a resend out of sequence order would
    // leave a gap and the entry would fail instead.
    for e in entries {
        let status = node.entry_status(e.id()).await.unwrap();
        assert!(matches!(status, EntryStatus::Final { .. }), "{status:?}");
    }
}

/// Sends `prepared` in batches every 5 ms to `url`, to the end (bounded).
pub(super) async fn send_in_batches(shared: &Shared, prepared: Vec<Prepared>, url: String) {
    let run = batched(
        shared.clone(),
        prepared,
        url,
        KEY.into(),
        Duration::from_millis(5),
    );
    finish(run).await;
}

/// Every one of the `n` entries ended as `sent`.
pub(super) fn assert_all(shared: &Shared, n: usize, sent: Sent) {
    let got = outcomes(shared);
    assert_eq!(got.len(), n);
    assert!(got.iter().all(|o| o.1 == sent), "{got:?}");
}

/// Runs a sender to its end, bounded.
pub(super) async fn finish(run: impl std::future::Future<Output = ()>) {
    tokio::time::timeout(Duration::from_secs(20), run)
        .await
        .expect("the sender finishes");
}

pub(super) fn outcomes(shared: &Shared) -> Vec<(u64, Sent)> {
    let mut v: Vec<(u64, Sent)> = shared
        .outcomes
        .lock()
        .unwrap()
        .iter()
        .map(|o| (o.0, o.2))
        .collect();
    v.sort_by_key(|o| o.0);
    v
}

#[tokio::test]
async fn batches_of_a_stream_reach_the_gateway_in_sequence_order() {
    let node = LocalNode::pilot();
    let (url, server) = gateway(node.clone()).await;
    let (entries, prepared) = stream(&node, "SEND", 40);
    let shared = shared(2_000.0);
    send_in_batches(&shared, prepared, url).await;
    server.abort();
    assert_all(&shared, 40, Sent::Accepted);
    all_final(&node, &entries).await;
}

#[tokio::test]
async fn a_refused_entry_of_a_batch_is_counted_by_its_code_and_the_others_accepted() {
    let node = LocalNode::pilot();
    let (url, server) = gateway(node.clone()).await;
    let first = carrier_issue(&node, "MIX-0");
    let mut forged = node.with(|n| n.sign("SHIPPER", issue("MIX-X", "SHIPPER")));
    forged = forged.tampered_signature(0, 1);
    let second = carrier_issue(&node, "MIX-1");
    let stream = vec![
        prepared(0, &first),
        prepared(1, &forged),
        prepared(2, &second),
    ];
    let shared = shared(1_000.0);
    // One tick of 50 ms carries all three in one request.
    let run = batched(
        shared.clone(),
        stream,
        url.clone(),
        KEY.into(),
        Duration::from_millis(50),
    );
    tokio::time::timeout(Duration::from_secs(20), run)
        .await
        .unwrap();
    // The one-by-one sender counts the same way.
    let single = shared_one_by_one(&node, &url).await;
    server.abort();
    assert_eq!(
        outcomes(&shared),
        vec![
            (0, Sent::Accepted),
            (1, Sent::Rejected),
            (2, Sent::Accepted)
        ]
    );
    let refusals = shared.refusals.lock().unwrap().clone();
    // Refused for good: counted once, never resent (R170).
    assert_eq!(refusals.get("BAD_SIGNATURE"), Some(&1));
    assert_eq!(refusals.len(), 1);
    assert_eq!(shared.retried.load(std::sync::atomic::Ordering::Relaxed), 0);
    assert_eq!(single, vec![(0, Sent::Accepted), (1, Sent::Rejected)]);
}

/// A stream of one good and one forged entry sent one request per entry.
async fn shared_one_by_one(node: &LocalNode, url: &str) -> Vec<(u64, Sent)> {
    let good = carrier_issue(node, "ONE-0");
    let mut forged = carrier_issue(node, "ONE-X");
    forged = forged.tampered_signature(0, 1);
    let shared = shared(1_000.0);
    let stream = vec![prepared(0, &good), prepared(1, &forged)];
    let limit = Arc::new(Semaphore::new(4));
    one_by_one(shared.clone(), stream, url.to_string(), KEY.into(), limit).await;
    outcomes(&shared)
}

#[tokio::test]
async fn a_batch_refused_whole_gives_every_entry_the_same_verdict() {
    let node = LocalNode::pilot();
    let batch = [
        prepared(0, &carrier_issue(&node, "W-0")),
        prepared(1, &carrier_issue(&node, "W-1")),
    ];
    let batch: Vec<&Prepared> = batch.iter().collect();
    let busy = |code: &str| vec![Verdict::Busy(code.into()); 2];
    let throttled = judge(&batch, Ok((429, json!({"code": "RATE_LIMITED"}))));
    assert_eq!(throttled, busy("RATE_LIMITED"));
    let down = judge(&batch, Ok((503, json!({"code": "NODE_UNAVAILABLE"}))));
    assert_eq!(down, busy("NODE_UNAVAILABLE"));
    let lost = judge(&batch, Err(crate::bench::BenchError::Http("down".into())));
    assert_eq!(lost, busy("SEND_FAILED"));
    let bad = judge(&batch, Ok((400, json!({"code": "BAD_HEX"}))));
    assert_eq!(bad, vec![Verdict::Refused("BAD_HEX".into()); 2]);
    // A 200 whose results do not name the entries in order is not believed.
    let muddled = json!({"results": [
        {"index": 0, "id": batch[1].id, "status": "pending"},
        {"index": 1, "id": batch[0].id, "status": "pending"},
    ]});
    let muddled = judge(&batch, Ok((200, muddled)));
    assert_eq!(
        muddled,
        vec![Verdict::Refused("BAD_BATCH_ANSWER".into()); 2]
    );
}
