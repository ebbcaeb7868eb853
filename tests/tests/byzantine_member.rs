//! The Byzantine harness, a member (R193; specs/adr/0027-proposal-intake.md): a member
//! organisation's node, admitted to the consensus swarm but not a validator, floods proposal
//! parts — junk for the next height, far-future heights (head + 1000 and u64::MAX). The
//! validators buffer none of it and keep committing to one state.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use ebl_node::consensus::faults::FaultPlan;
use ebl_tests::byzantine::{commit_while_watching, metric_sum};
use ebl_tests::outsider::Outsider;
use ebl_tests::{Cluster, wait_for};

const T: Duration = Duration::from_secs(90);
const ALL: [usize; 4] = [0, 1, 2, 3];

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn r193_a_members_junk_and_far_future_parts_are_dropped_before_buffering() {
    let c = Cluster::start().await.unwrap();
    c.wait_height(1, T).await.unwrap();
    let plan = FaultPlan {
        junk_parts_per_second: 100,
        ..FaultPlan::default()
    };
    let member = Outsider::start_faulty(
        &c,
        "consignee",
        c.net.party("CONSIGNEE").key.to_bytes(),
        plan,
    )
    .await
    .unwrap();
    let series = "ebl_proposal_parts_dropped_total{reason=\"not_a_validator\"}";
    wait_for("the member's parts to reach the validators", T, || async {
        (metric_sum(&c, &ALL, series) >= 100.0).then_some(())
    })
    .await
    .unwrap();
    let (height, peaks) = commit_while_watching(&c, &ALL, 10, T).await.unwrap();
    // Honest streams only: at most one block in flight per validator, and nothing kept for
    // later from the member.
    peaks.assert_bounded(4.0 * 2.0 * 4.0 * 1024.0 * 1024.0);
    assert!(peaks.later <= 4.0, "{peaks:?}");
    c.agreed_root(height, T).await.unwrap();
    assert!(metric_sum(&c, &ALL, series) >= 100.0);
    // It never got past the publisher check: no junk was judged on anything else (junk
    // claims 1 MiB blocks; honest streams never trip these).
    for reason in ["bad_stream_id", "over_block_cap", "init_mismatch"] {
        let other = format!("ebl_proposal_parts_dropped_total{{reason=\"{reason}\"}}");
        assert_eq!(metric_sum(&c, &ALL, &other), 0.0, "{reason}");
    }
    // The member itself still follows the chain.
    wait_for("the member to follow", T, || async {
        (member.height().await.ok()? >= height).then_some(())
    })
    .await
    .unwrap();
    member.stop().await.unwrap();
    c.shutdown().await.unwrap();
}
