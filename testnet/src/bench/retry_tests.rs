//! R170 against the real gateway router over its in-memory test node (127.0.0.1): entries
//! refused for now are resent after the backoff, in order, until final; or reported unsent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::Ordering;

use ebl_gateway::testkit::LocalNode;
use ebl_gateway::{EntryStatus, NodeApi, RateLimit};
use ebl_ledger::entry::SignedEntry;

use super::tests::{KEY, carrier_issue, gateway_limited, outcomes, prepared, shared};
use super::*;
use crate::bench::client::client;

/// Spends the test key's bucket with requests the gateway refuses (400), until one is answered
/// 429, so the key's next request meets an empty bucket.
async fn exhaust(url: &str, burst: u32) {
    let http = client(2);
    for _ in 0..burst + 100 {
        let answer = send(&http, &format!("{url}/v1/entries"), KEY, "{}".into()).await;
        match answer {
            Ok((429, _)) => return,
            Ok((400..=422, _)) => {}
            other => panic!("{other:?}"),
        }
    }
    panic!("the bucket never emptied");
}

/// A stream of `n` carrier issues in sequence order.
fn stream(node: &LocalNode, tag: &str, n: usize) -> (Vec<SignedEntry>, Vec<Prepared>) {
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

async fn all_final(node: &LocalNode, entries: &[SignedEntry]) {
    // The test node applies entries as they arrive: a resend out of sequence order would
    // leave a gap and the entry would fail instead.
    for e in entries {
        let status = node.entry_status(e.id()).await.unwrap();
        assert!(matches!(status, EntryStatus::Final { .. }), "{status:?}");
    }
}

#[tokio::test]
async fn a_stream_first_answered_429_is_resent_after_the_backoff_and_ends_final() {
    let node = LocalNode::pilot();
    let limit = RateLimit {
        burst: 2,
        per_second: 5.0,
    };
    let (url, server) = gateway_limited(node.clone(), limit).await;
    exhaust(&url, 2).await;
    let (entries, prepared) = stream(&node, "R429", 4);
    let shared = shared(1_000.0);
    let run = one_by_one(
        shared.clone(),
        prepared,
        url,
        KEY.into(),
        Arc::new(Semaphore::new(8)),
    );
    tokio::time::timeout(Duration::from_secs(20), run)
        .await
        .expect("the sender finishes");
    let got = outcomes(&shared);
    assert_eq!(got.len(), 4);
    assert!(got.iter().all(|o| o.1 == Sent::Accepted), "{got:?}");
    all_final(&node, &entries).await;
    server.abort();
    assert!(shared.retried.load(Ordering::Relaxed) >= 1);
    let refusals = shared.refusals.lock().unwrap().clone();
    assert!(refusals.get("RATE_LIMITED").is_some_and(|n| *n >= 1));
}

#[tokio::test]
async fn without_retry_a_429_is_counted_throttled_and_never_resent() {
    let node = LocalNode::pilot();
    let limit = RateLimit {
        burst: 1,
        per_second: 0.01,
    };
    let (url, server) = gateway_limited(node.clone(), limit).await;
    exhaust(&url, 1).await;
    let (entries, prepared) = stream(&node, "NR", 2);
    let mut shared = shared(1_000.0);
    shared.retry = false;
    let limit = Arc::new(Semaphore::new(8));
    one_by_one(shared.clone(), prepared, url, KEY.into(), limit).await;
    server.abort();
    assert_eq!(
        outcomes(&shared),
        vec![(0, Sent::Throttled), (1, Sent::Throttled)]
    );
    assert_eq!(shared.retried.load(Ordering::Relaxed), 0);
    let status = node.entry_status(entries[0].id()).await.unwrap();
    assert!(matches!(status, EntryStatus::Unknown), "{status:?}");
}

/// The first batch (one entry) meets the exhausted bucket; the next carries the other eleven,
/// more than the burst of 10, so it is halved until it passes.
#[tokio::test]
async fn a_batch_answered_429_is_resent_and_every_entry_ends_final() {
    let node = LocalNode::pilot();
    let limit = RateLimit {
        burst: 10,
        per_second: 5.0,
    };
    let (url, server) = gateway_limited(node.clone(), limit).await;
    exhaust(&url, 10).await;
    let (entries, prepared) = stream(&node, "B429", 12);
    let shared = shared(1_000.0);
    let run = batched(
        shared.clone(),
        prepared,
        url,
        KEY.into(),
        Duration::from_millis(5),
    );
    tokio::time::timeout(Duration::from_secs(20), run)
        .await
        .expect("the sender finishes");
    let got = outcomes(&shared);
    assert_eq!(got.len(), 12);
    assert!(got.iter().all(|o| o.1 == Sent::Accepted), "{got:?}");
    all_final(&node, &entries).await;
    server.abort();
    assert!(shared.retried.load(Ordering::Relaxed) >= 1);
}

#[tokio::test]
async fn entries_still_refused_when_sending_stops_are_unsent_not_rejected() {
    let node = LocalNode::pilot();
    let limit = RateLimit {
        burst: 1,
        per_second: 0.01,
    };
    let (url, server) = gateway_limited(node.clone(), limit).await;
    exhaust(&url, 1).await;
    let (_, prepared) = stream(&node, "UN", 3);
    let mut shared = shared(1_000.0);
    // Resends at about 50 and 150 ms; the next would come after the stop.
    shared.stop = shared.start + Duration::from_millis(300);
    let run = batched(
        shared.clone(),
        prepared,
        url,
        KEY.into(),
        Duration::from_millis(5),
    );
    tokio::time::timeout(Duration::from_secs(20), run)
        .await
        .expect("the sender stops");
    server.abort();
    let got = outcomes(&shared);
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|o| o.1 == Sent::Unsent), "{got:?}");
    assert!(shared.retried.load(Ordering::Relaxed) >= 1);
}
