//! R470: `wait_final` clients are woken by the app loop's notification of their entry — many
//! at once, a winner and a loser of a double transfer, and one whose entry never comes — and
//! every waiter's place is freed when it leaves.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use ebl_gateway::{EntryStatus, NodeApi, SubmitOutcome};
use ebl_ledger::hash::Hash32;
use ebl_node::api::GatewayBridge;
use ebl_tests::Cluster;
use ebl_tests::entries::{doc, issue, transfer};

const T: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_waiters_are_answered_at_commit_and_leave_no_place_taken() {
    let mut c = Cluster::start().await.unwrap();
    let bridge = GatewayBridge::new(c.handle(0));
    let entries: Vec<_> = (0..100)
        .map(|i| {
            c.net
                .sign("CARRIER", issue(&format!("OLSC-W{i}"), "SHIPPER"))
        })
        .collect();
    let mut waits = tokio::task::JoinSet::new();
    for e in &entries {
        let (bridge, id) = (bridge.clone(), e.id());
        waits.spawn(async move { bridge.wait_final(id, T).await });
    }
    // Every waiter registered before the entries were submitted.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(bridge.waiters(), 100);
    let outcomes = bridge.submit_batch(entries).await.unwrap();
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, SubmitOutcome::Accepted(_)))
    );
    while let Some(answer) = waits.join_next().await {
        assert!(
            matches!(answer.unwrap().unwrap(), EntryStatus::Final { .. }),
            "every waiter told final"
        );
    }
    assert_eq!(bridge.waiters(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn both_sides_of_a_double_transfer_are_answered_one_final_one_not() {
    let mut c = Cluster::start().await.unwrap();
    let bridge = GatewayBridge::new(c.handle(0));
    let issued = c.net.sign("CARRIER", issue("OLSC-W-DT", "SHIPPER"));
    bridge.submit(issued.clone()).await.unwrap();
    assert!(matches!(
        bridge.wait_final(issued.id(), T).await.unwrap(),
        EntryStatus::Final { .. }
    ));
    let id = doc("OLSC-W-DT");
    let to_bank = c.net.sign("SHIPPER", transfer(id, "BANK"));
    let shipper_key = c.net.party("SHIPPER").key.clone();
    c.net.resync_sequence(&shipper_key);
    let to_buyer = c.net.sign("SHIPPER", transfer(id, "BUYER2"));
    // Each side waits on the node it submitted to (another node may never see the loser).
    let sides = [
        (GatewayBridge::new(c.handle(1)), to_bank),
        (GatewayBridge::new(c.handle(2)), to_buyer),
    ];
    let mut waits = Vec::new();
    for (bridge, entry) in &sides {
        let (bridge, id) = (bridge.clone(), entry.id());
        waits.push(tokio::spawn(async move { bridge.wait_final(id, T).await }));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (one, two) = (&sides[0], &sides[1]);
    let (a, b) = tokio::join!(one.0.submit(one.1.clone()), two.0.submit(two.1.clone()));
    let mut answers = Vec::new();
    for (submitted, wait) in [a.unwrap(), b.unwrap()].into_iter().zip(waits) {
        if let SubmitOutcome::Rejected { code, .. } = submitted {
            // Refused at submission (the other side was pooled first): told then.
            wait.abort();
            answers.push(EntryStatus::Rejected {
                message: code.clone(),
                code,
            });
        } else {
            answers.push(wait.await.unwrap().unwrap());
        }
    }
    let (a, b) = (&answers[0], &answers[1]);
    let finals = [a, b]
        .iter()
        .filter(|s| matches!(s, EntryStatus::Final { .. }))
        .count();
    assert_eq!(finals, 1, "exactly one transfer is final: {a:?} {b:?}");
    assert!(
        a.is_settled() && b.is_settled(),
        "the loser is told too: {a:?} {b:?}"
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(one.0.waiters() + two.0.waiters(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_waiter_for_an_entry_that_never_comes_times_out_and_frees_its_place() {
    let c = Cluster::start().await.unwrap();
    let bridge = GatewayBridge::new(c.handle(0));
    let status = bridge
        .wait_final(Hash32([7; 32]), Duration::from_millis(300))
        .await
        .unwrap();
    assert_eq!(status, EntryStatus::Unknown);
    assert_eq!(bridge.waiters(), 0);
    // A client that goes away before its answer frees its place too.
    let gone = tokio::time::timeout(
        Duration::from_millis(100),
        bridge.wait_final(Hash32([8; 32]), T),
    )
    .await;
    assert!(gone.is_err());
    assert_eq!(bridge.waiters(), 0);
}
