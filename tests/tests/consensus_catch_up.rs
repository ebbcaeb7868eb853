//! A validator stopped while the others go on catches up after its restart (value sync), and
//! ends with the same state root.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

use std::time::Duration;

use ebl_node::mempool::Status;
use ebl_tests::entries::{doc, issue, receipt};
use ebl_tests::{Cluster, decided_height, wait_fates};

const T: Duration = Duration::from_secs(40);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stopped_validator_catches_up_after_restart() {
    let mut c = Cluster::start().await.unwrap();
    c.wait_height(2, T).await.unwrap();
    c.stop(3).await.unwrap();
    let stopped_at = c.height(0).await.unwrap();

    // The other three (> 2/3 of the power) go on and commit entries.
    let mut fates = c.handle(0).subscribe_notifications();
    let issued = c.net.sign("CARRIER", issue("OLSC-C1", "SHIPPER"));
    c.handle(0).submit(issued.clone()).await.unwrap();
    wait_fates(&mut fates, &[issued.id()], T).await.unwrap();
    let note = c.net.sign("BANK", receipt(doc("OLSC-C1"), "LC_PAYMENT"));
    c.handle(1).submit(note.clone()).await.unwrap();
    let done = wait_fates(&mut fates, &[note.id()], T).await.unwrap();
    assert!(matches!(done[0].1, Status::Final { .. }), "{done:?}");
    let target = decided_height(&done[0].1).unwrap().max(stopped_at + 3);
    c.wait_height(target, T).await.unwrap();

    // Validator 3 comes back on its data and reaches the others' state.
    c.restart(3).await.unwrap();
    let root = c.agreed_root(target, T).await.unwrap();
    assert_eq!(c.state_root_at(3, target).await.unwrap(), Some(root));
    c.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_network_resumes_after_every_validator_restarts() {
    let mut c = Cluster::start().await.unwrap();
    c.wait_height(3, T).await.unwrap();
    for i in 0..4 {
        c.stop(i).await.unwrap();
    }
    let mut heights = Vec::new();
    for i in 0..4 {
        c.restart(i).await.unwrap();
        heights.push(c.height(i).await.unwrap());
    }
    let resumed = *heights.iter().max().unwrap();
    let issued = c.net.sign("CARRIER", issue("OLSC-C2", "SHIPPER"));
    let mut fates = c.handle(2).subscribe_notifications();
    c.handle(0).submit(issued.clone()).await.unwrap();
    let done = wait_fates(&mut fates, &[issued.id()], T).await.unwrap();
    assert!(matches!(done[0].1, Status::Final { .. }), "{done:?}");
    c.agreed_root(resumed + 2, T).await.unwrap();
    c.shutdown().await.unwrap();
}
