//! R113, R115: an entry submitted at one validator is gossiped into every other validator's
//! mempool before it commits, and commits with the same state root everywhere.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use ebl_ledger::hash::EntryId;
use ebl_node::mempool::{Admission, Status};
use ebl_node::p2p::{GossipEvent, Verdict};
use ebl_tests::entries::issue;
use ebl_tests::{Cluster, decided_height, wait_fates};
use tokio::sync::broadcast;

const T: Duration = Duration::from_secs(30);

/// Waits for node's verdict on the gossiped entry `id`.
async fn verdict_on(rx: &mut broadcast::Receiver<GossipEvent>, id: EntryId) -> Verdict {
    let deadline = tokio::time::Instant::now() + T;
    loop {
        let event = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("timed out waiting for the gossiped entry")
            .unwrap();
        if event.entry == Some(id) {
            return event.verdict;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_entry_submitted_at_one_node_reaches_every_mempool_and_commits_everywhere() {
    let mut c = Cluster::start().await.unwrap();
    c.wait_gossip_mesh(3, T).await.unwrap();
    let mut events: Vec<_> = (1..4)
        .map(|i| c.handle(i).gossip().unwrap().subscribe())
        .collect();
    let mut own_events = c.handle(0).gossip().unwrap().subscribe();
    let mut fates = c.handle(3).subscribe_notifications();

    let entry = c.net.sign("CARRIER", issue("OLSC-G1", "SHIPPER"));
    let id = entry.id();
    let started = std::time::Instant::now();
    let answer = c.handle(0).submit(entry.clone()).await.unwrap();
    assert_eq!(answer, Admission::Admitted { id });

    // Each other node's mempool admitted it from gossip (Accept = admitted, so not yet
    // committed there: a committed entry would be a replay).
    for rx in &mut events {
        assert_eq!(verdict_on(rx, id).await, Verdict::Accept);
    }
    eprintln!(
        "submitted at node 0, in the pools of nodes 1-3 after {:?}",
        started.elapsed()
    );
    let done = wait_fates(&mut fates, &[id], T).await.unwrap();
    assert!(matches!(done[0].1, Status::Final { .. }), "{done:?}");
    let height = decided_height(&done[0].1).unwrap();
    c.agreed_root(height, T).await.unwrap();

    // The submitting node never judged its own entry as a received message.
    while let Ok(event) = own_events.try_recv() {
        assert_ne!(event.entry, Some(id), "node 0 received its own entry back");
    }
    // Resubmitting a committed entry is not gossiped again: the pool refuses it as a replay.
    let again = c.handle(1).submit(entry).await.unwrap();
    assert_eq!(again.code(), Some("REPLAY"));
    c.shutdown().await.unwrap();
}
