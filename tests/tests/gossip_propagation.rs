//! R113, R115, R164: an entry (or a batch of entries) submitted at one validator is gossiped
//! into every other validator's mempool before it commits, and commits with the same state root
//! everywhere.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use ebl_ledger::hash::EntryId;
use ebl_node::mempool::{Admission, Status};
use ebl_node::p2p::{GossipEvent, Verdict};
use ebl_tests::entries::{doc, issue, receipt};
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
    // Resubmitting a committed entry is not gossiped again: the intake answers it as a
    // duplicate (decided, or still pooled on a node that has not committed it yet; R183).
    let again = c.handle(1).submit(entry).await.unwrap();
    assert_eq!(again, Admission::Duplicate { id });
    c.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_batch_is_judged_entry_by_entry_in_order_and_only_its_admitted_entries_travel() {
    let mut c = Cluster::start().await.unwrap();
    c.wait_gossip_mesh(3, T).await.unwrap();
    let mut elsewhere = c.handle(2).gossip().unwrap().subscribe();
    let mut fates = c.handle(1).subscribe_notifications();

    // The receipt in the batch is about an eBL already on the ledger (R82).
    let earlier = c.net.sign("CARRIER", issue("OLSC-B0", "SHIPPER"));
    c.handle(1).submit(earlier.clone()).await.unwrap();
    let done = wait_fates(&mut fates, &[earlier.id()], T).await.unwrap();
    assert!(matches!(done[0].1, Status::Final { .. }), "{done:?}");

    let first = c.net.sign("CARRIER", issue("OLSC-B1", "SHIPPER"));
    let second = c.net.sign("CARRIER", issue("OLSC-B2", "SHIPPER"));
    let paid = c.net.sign("BANK", receipt(doc("OLSC-B0"), "LC_PAYMENT"));
    let mut forged = c
        .net
        .sign("CONSIGNEE", receipt(doc("OLSC-B2"), "CLEARANCE"));
    forged = forged.tampered_signature(3, 0x10);
    let batch = vec![
        first.clone(),
        second.clone(),
        paid.clone(),
        // The same entry again, after its first copy in this batch: a duplicate.
        first.clone(),
        forged.clone(),
    ];
    let answers = c.handle(0).submit_batch(batch).await.unwrap();
    assert_eq!(
        answers,
        vec![
            Admission::Admitted { id: first.id() },
            Admission::Admitted { id: second.id() },
            Admission::Admitted { id: paid.id() },
            Admission::Duplicate { id: first.id() },
            Admission::Rejected {
                id: forged.id(),
                code: "BAD_SIGNATURE"
            },
        ]
    );
    // The three admitted entries reach node 2 by gossip; the forged one never travels.
    let good = [first.id(), second.id(), paid.id()];
    let mut heard = Vec::new();
    let deadline = tokio::time::Instant::now() + T;
    while heard.len() < good.len() {
        let event = tokio::time::timeout_at(deadline, elsewhere.recv())
            .await
            .expect("timed out waiting for the batch at node 2")
            .unwrap();
        assert_ne!(
            event.entry,
            Some(forged.id()),
            "the forged entry was gossiped"
        );
        if let Some(id) = event.entry.filter(|id| good.contains(id)) {
            assert_eq!(event.verdict, Verdict::Accept);
            heard.push(id);
        }
    }
    let done = wait_fates(&mut fates, &good, T).await.unwrap();
    assert!(
        done.iter().all(|(_, s)| matches!(s, Status::Final { .. })),
        "{done:?}"
    );
    let height = done
        .iter()
        .filter_map(|(_, s)| decided_height(s))
        .max()
        .unwrap();
    c.agreed_root(height, T).await.unwrap();
    // An empty batch is answered with nothing, and the node goes on.
    assert!(
        c.handle(3)
            .submit_batch(Vec::new())
            .await
            .unwrap()
            .is_empty()
    );
    c.shutdown().await.unwrap();
}
