//! R170 against the real gateway router over its in-memory test node (127.0.0.1): entries
//! refused for now are resent after the backoff, in order, until final; or reported unsent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::Ordering;

use ebl_gateway::testkit::LocalNode;
use ebl_gateway::{EntryStatus, NodeApi, RateLimit};

use super::tests::{
    KEY, all_final, assert_all, finish, gateway_limited, outcomes, send_in_batches, shared, stream,
};
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

/// A gateway over a fresh test node whose test key has `burst` tokens refilled at
/// `per_second`, with its bucket already empty.
async fn exhausted_gateway(
    burst: u32,
    per_second: f64,
) -> (Arc<LocalNode>, String, tokio::task::JoinHandle<()>) {
    let node = LocalNode::pilot();
    let limit = RateLimit { burst, per_second };
    let (url, server) = gateway_limited(node.clone(), limit).await;
    exhaust(&url, burst).await;
    (node, url, server)
}

#[tokio::test]
async fn a_stream_first_answered_429_is_resent_after_the_backoff_and_ends_final() {
    let (node, url, server) = exhausted_gateway(2, 5.0).await;
    let (entries, prepared) = stream(&node, "R429", 4);
    let shared = shared(1_000.0);
    let run = one_by_one(
        shared.clone(),
        prepared,
        url,
        KEY.into(),
        Arc::new(Semaphore::new(8)),
    );
    finish(run).await;
    assert_all(&shared, 4, Sent::Accepted);
    all_final(&node, &entries).await;
    server.abort();
    assert!(shared.retried.load(Ordering::Relaxed) >= 1);
    let refusals = shared.refusals.lock().unwrap().clone();
    assert!(refusals.get("RATE_LIMITED").is_some_and(|n| *n >= 1));
}

#[tokio::test]
async fn without_retry_a_429_is_counted_throttled_and_never_resent() {
    let (node, url, server) = exhausted_gateway(1, 0.01).await;
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
    let (node, url, server) = exhausted_gateway(10, 5.0).await;
    let (entries, prepared) = stream(&node, "B429", 12);
    let shared = shared(1_000.0);
    send_in_batches(&shared, prepared, url).await;
    assert_all(&shared, 12, Sent::Accepted);
    all_final(&node, &entries).await;
    server.abort();
    assert!(shared.retried.load(Ordering::Relaxed) >= 1);
}

#[tokio::test]
async fn entries_still_refused_when_sending_stops_are_unsent_not_rejected() {
    let (node, url, server) = exhausted_gateway(1, 0.01).await;
    let (_, prepared) = stream(&node, "UN", 3);
    let mut shared = shared(1_000.0);
    // Resends at about 50 and 150 ms; the next would come after the stop.
    shared.stop = shared.start + Duration::from_millis(300);
    send_in_batches(&shared, prepared, url).await;
    server.abort();
    assert_all(&shared, 3, Sent::Unsent);
    assert!(shared.retried.load(Ordering::Relaxed) >= 1);
}
