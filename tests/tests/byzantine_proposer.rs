//! The Byzantine harness, proposers (R190–R192, R194; specs/adr/0027-proposal-intake.md): one
//! of four validators misbehaves as its fault plan says; the three honest ones keep committing
//! within a bound, end with the same state root, keep their buffers bounded, and count the
//! offence.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::cast_precision_loss)]

use std::time::Duration;

use ebl_ledger::genesis::BlockCaps;
use ebl_ledger::testkit::TestNetwork;
use ebl_node::consensus::faults::FaultPlan;
use ebl_tests::byzantine::{
    BYZANTINE, HONEST, commit_while_watching, header_at, metric_sum, start_with_byzantine,
};
use ebl_tests::wait_fates;

const T: Duration = Duration::from_secs(90);

/// Bytes the honest nodes may buffer: every validator's budget (2 × 4 MiB).
const MAX_BUFFERED: f64 = 4.0 * 2.0 * 4.0 * 1024.0 * 1024.0;

/// Heights of at least 500 ms (the node default) instead of the cluster's 150 ms.
fn at_500_ms(settings: &mut ebl_node::NodeSettings) {
    settings.limits.block_interval = Some(Duration::from_millis(500));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn r190_a_validator_streaming_in_rounds_it_does_not_own_is_ignored() {
    let plan = FaultPlan {
        propose_out_of_turn: true,
        ..FaultPlan::default()
    };
    // Heights of 500 ms: the faulty validator keeps up, so its streams arrive while their
    // height is in progress and are judged on their proposer.
    let c = start_with_byzantine(TestNetwork::pilot(), plan, at_500_ms)
        .await
        .unwrap();
    let (height, peaks) = commit_while_watching(&c, &HONEST, 12, T).await.unwrap();
    peaks.assert_bounded(MAX_BUFFERED);
    c.agreed_root(height, T).await.unwrap();
    let dropped = metric_sum(
        &c,
        &HONEST,
        "ebl_proposal_parts_dropped_total{reason=\"not_designated_proposer\"}",
    );
    let ignored = metric_sum(
        &c,
        &HONEST,
        "ebl_proposals_ignored_total{reason=\"not_designated_proposer\"}",
    );
    let text = c.handle(0).metrics().encode();
    let intake: Vec<&str> = text.lines().filter(|l| l.contains("propos")).collect();
    assert!(
        dropped + ignored > 0.0,
        "the out-of-turn streams were not refused: {intake:#?}"
    );
    // Nothing it streamed out of turn was executed: no invalid proposal either.
    assert_eq!(metric_sum(&c, &HONEST, "ebl_proposals_invalid_total"), 0.0);
    c.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn r191_a_proposer_over_the_genesis_caps_is_refused_and_the_others_commit() {
    let caps = BlockCaps {
        max_entries: 4,
        ..BlockCaps::default()
    };
    let plan = FaultPlan {
        ignore_block_caps: true,
        ..FaultPlan::default()
    };
    let mut c = start_with_byzantine(TestNetwork::pilot_with_caps(caps), plan, |_| {})
        .await
        .unwrap();
    c.wait_height(1, T).await.unwrap();
    let mut fates = c.handle(0).subscribe_notifications();
    let entries = c
        .net
        .receipts(40, &["CARRIER", "SHIPPER", "BANK", "CONSIGNEE"]);
    let ids: Vec<_> = entries.iter().map(|e| e.id()).collect();
    // All to the faulty validator: it proposes them all at once whenever it owns a round.
    let answers = c.handle(BYZANTINE).submit_batch(entries).await.unwrap();
    assert_eq!(answers.len(), 40);
    let done = wait_fates(&mut fates, &ids, T).await.unwrap();
    assert_eq!(done.len(), 40);
    let (height, peaks) = commit_while_watching(&c, &HONEST, 2, T).await.unwrap();
    peaks.assert_bounded(MAX_BUFFERED);
    c.agreed_root(height, T).await.unwrap();
    for h in 1..=height {
        let count = c
            .handle(0)
            .read(move |l| {
                use ebl_ledger::storage::Storage;
                l.store().block(h).unwrap().unwrap().block.entries.len()
            })
            .await
            .unwrap();
        assert!(count <= 4, "block {h} has {count} entries");
    }
    let refused = metric_sum(
        &c,
        &HONEST,
        "ebl_proposals_invalid_total{reason=\"over_block_cap\"}",
    ) + metric_sum(
        &c,
        &HONEST,
        "ebl_proposal_parts_dropped_total{reason=\"over_block_cap\"}",
    );
    assert!(refused > 0.0, "no over-cap proposal was refused");
    c.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn r192_a_proposer_streaming_many_blocks_for_its_round_has_one_executed() {
    let plan = FaultPlan {
        equivocating_blocks: 6,
        ..FaultPlan::default()
    };
    let c = start_with_byzantine(TestNetwork::pilot(), plan, at_500_ms)
        .await
        .unwrap();
    let (height, peaks) = commit_while_watching(&c, &HONEST, 12, T).await.unwrap();
    peaks.assert_bounded(MAX_BUFFERED);
    c.agreed_root(height, T).await.unwrap();
    // Each honest node saw the faulty proposer's second block of a round and counted it.
    for i in HONEST {
        let seen = metric_sum(
            &c,
            &[i],
            "ebl_proposals_ignored_total{reason=\"equivocation\"}",
        );
        assert!(seen > 0.0, "validator {i} counted no equivocation");
    }
    c.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn r194_a_proposer_holding_the_block_time_back_is_refused() {
    let plan = FaultPlan {
        hold_time_back: true,
        ..FaultPlan::default()
    };
    // Heights last at least 4 s, so "previous block + 1 ms" is 4 s old when proposed; the
    // validators allow 2.5 s (an honest proposal is judged within milliseconds).
    let c = start_with_byzantine(TestNetwork::pilot(), plan, |s| {
        s.limits.block_interval = Some(Duration::from_secs(4));
        s.limits.max_time_lag = Duration::from_millis(2_500);
    })
    .await
    .unwrap();
    let (height, peaks) = commit_while_watching(&c, &HONEST, 6, T).await.unwrap();
    peaks.assert_bounded(MAX_BUFFERED);
    c.agreed_root(height, T).await.unwrap();
    let behind = metric_sum(
        &c,
        &HONEST,
        "ebl_proposals_invalid_total{reason=\"time_behind\"}",
    );
    assert!(behind > 0.0, "no held-back proposal was refused");
    // None of its held-back blocks was committed: every block's time moved on by more than
    // the 1 ms it offers.
    let faulty =
        ebl_ledger::crypto::PublicKey::from(c.net.validator_keys[BYZANTINE].verifying_key());
    let mut prev = header_at(&c, 0, 0).await.unwrap();
    for h in 1..=height {
        let header = header_at(&c, 0, h).await.unwrap();
        assert!(
            header.proposer != faulty || header.time.0 > prev.time.0 + 1,
            "block {h} was held back"
        );
        prev = header;
    }
    c.shutdown().await.unwrap();
}
