//! A 2|2 partition of four equal validators: neither half has more than 2/3 of the power, so
//! no height is committed while split (rounds go on, nothing forks); after healing, commits
//! resume, every node ends on the same state root, and entries submitted on both sides during
//! the split are committed exactly once.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

use std::time::Duration;

use ebl_ledger::hash::EntryId;
use ebl_ledger::storage::Storage;
use ebl_node::mempool::Status;
use ebl_tests::entries::{doc, issue, receipt};
use ebl_tests::{Cluster, decided_height, wait_fates, wait_for};

const T: Duration = Duration::from_secs(60);

/// Heights of every node.
async fn heights(c: &Cluster) -> Vec<u64> {
    let mut out = Vec::new();
    for i in 0..4 {
        out.push(c.height(i).await.unwrap());
    }
    out
}

/// A window long enough for several full consensus rounds with the test timeouts
/// (`fast_timeouts`: propose 1.5 s, prevote and precommit 0.5 s, rebroadcast 2 s).
const QUIET: Duration = Duration::from_secs(6);

/// Asserts, polling, that no node's height moves from `frozen` during `QUIET`; fails at the
/// first commit seen.
async fn assert_no_commit(c: &Cluster, frozen: &[u64]) {
    let end = tokio::time::Instant::now() + QUIET;
    while tokio::time::Instant::now() < end {
        assert_eq!(
            heights(c).await,
            frozen,
            "a height was committed while split"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until every node's height stays the same across two reads a propose timeout apart:
/// a block decided at the cut has landed and each node is stuck at its next height.
async fn settled(c: &Cluster) -> Vec<u64> {
    let mut last = heights(c).await;
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(1_600)).await;
        let now = heights(c).await;
        if now == last {
            return now;
        }
        last = now;
    }
    panic!("heights never settled: {last:?}");
}

/// How many committed blocks of node `i` (up to its head) contain entry `id`.
async fn times_committed(c: &Cluster, i: usize, id: EntryId) -> usize {
    c.handle(i)
        .read(move |l| {
            let mut n = 0;
            for h in 1..=l.head().height {
                let block = l.store().block(h).unwrap().unwrap();
                n += block.block.entries.iter().filter(|e| e.id() == id).count();
            }
            n
        })
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_two_two_partition_halts_commits_and_healing_resumes_them_without_a_fork() {
    let mut c = Cluster::start_relayed().await.unwrap();
    c.wait_height(2, T).await.unwrap();
    // A document that exists before the split, for the bank's receipt.
    let issued = c.net.sign("CARRIER", issue("OLSC-P0", "SHIPPER"));
    let mut fates = c.handle(1).subscribe_notifications();
    c.handle(0).submit(issued.clone()).await.unwrap();
    wait_fates(&mut fates, &[issued.id()], T).await.unwrap();

    c.partition(&[0, 1], &[2, 3]);
    // A block being decided at the cut may still land on one side; after that every node is
    // stuck at its next height. Neither half sees more than 2/3 of any vote kind, so Tendermint
    // never schedules the prevote or precommit timeout: rounds stay where they are (round 0
    // after a clean cut), which the test checks too.
    let frozen = settled(&c).await;
    let rounds: Vec<Option<i64>> = (0..4).map(|i| c.round(i)).collect();

    // Entries offered on both sides during the split: one on each side, and one on both.
    let carrier = c.net.sign("CARRIER", issue("OLSC-P1", "SHIPPER"));
    let bank = c.net.sign("BANK", receipt(doc("OLSC-P0"), "PARTITION"));
    let mut fates = c.handle(3).subscribe_notifications();
    c.handle(0).submit(carrier.clone()).await.unwrap();
    c.handle(2).submit(bank.clone()).await.unwrap();
    c.handle(3).submit(carrier.clone()).await.unwrap();

    assert_no_commit(&c, &frozen).await;
    let rounds_after: Vec<Option<i64>> = (0..4).map(|i| c.round(i)).collect();
    assert_eq!(
        rounds, rounds_after,
        "a round was completed without a quorum of votes"
    );
    // No fork: every height both sides have is the same block.
    let common = *frozen.iter().min().unwrap();
    c.agreed_root(common, T).await.unwrap();

    c.heal();
    let ids = [carrier.id(), bank.id()];
    let done = wait_fates(&mut fates, &ids, T).await.unwrap();
    for (id, status) in &done {
        assert!(matches!(status, Status::Final { .. }), "{id}: {status:?}");
    }
    // Every node must hold the blocks with the entries (fates come from node 3 only).
    let decided = done
        .iter()
        .filter_map(|(_, s)| decided_height(s))
        .max()
        .unwrap();
    let top = (*frozen.iter().max().unwrap() + 2).max(decided);
    let root = c.agreed_root(top, T).await.unwrap();
    for i in 0..4 {
        assert_eq!(c.state_root_at(i, top).await.unwrap(), Some(root));
        for id in ids {
            assert_eq!(times_committed(&c, i, id).await, 1, "node {i}, entry {id}");
        }
    }
    c.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_three_one_partition_keeps_committing_on_the_majority_side() {
    let c = Cluster::start_relayed().await.unwrap();
    c.wait_height(2, T).await.unwrap();
    c.partition(&[0, 1, 2], &[3]);
    let cut_at = c.height(0).await.unwrap();
    // Three of four validators hold more than 2/3 of the power: they go on without 3.
    let target = cut_at + 3;
    wait_for("majority progress", T, || async {
        let mut ok = true;
        for i in 0..3 {
            ok &= c.height(i).await.ok()? >= target;
        }
        ok.then_some(())
    })
    .await
    .unwrap();
    assert!(
        c.height(3).await.unwrap() <= cut_at + 1,
        "the isolated node committed"
    );
    c.heal();
    c.agreed_root(target, T).await.unwrap();
    c.shutdown().await.unwrap();
}
