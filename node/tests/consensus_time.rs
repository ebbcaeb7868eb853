//! R194: a live proposal's block time must lie within `[now − max_time_lag, now + 10 s]` of
//! the receiver's clock; a block of an older round (a re-proposal, or one that came late) and
//! a synced block are not judged by the lower bound.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod consensus_support;

use consensus_support::setup;
use ebl_ledger::time::Timestamp;
use ebl_node::consensus::propose::{Invalidity, Received, receive};
use ebl_node::consensus::sync::synced_value;
use ebl_node::consensus::{BlockLimits, Height};
use malachite::app::engine::host::SyncedValueOutcome;
use malachite::app::types::core::{Round, Validity};

const LAG_MS: u64 = 30_000;

fn verdict(r: Received) -> (Validity, Option<Invalidity>) {
    match r {
        Received::Value(v, why) => (v.validity, why),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_default_lag_is_thirty_seconds() {
    assert_eq!(
        BlockLimits::default().max_time_lag,
        std::time::Duration::from_millis(LAG_MS)
    );
}

#[test]
fn a_live_proposal_within_the_lag_is_valid_and_one_held_further_back_is_invalid() {
    let mut s = setup();
    let p = s.proposal(0, 1_000);
    let time = s.after_genesis(1_000).0;
    // Exactly at the bound: still valid.
    let at_bound = Timestamp(time + LAG_MS);
    assert_eq!(
        verdict(receive(&mut s.state, p, at_bound).unwrap()),
        (Validity::Valid, None)
    );

    let mut s = setup();
    let p = s.proposal(0, 1_000);
    let too_late = Timestamp(time + LAG_MS + 1);
    assert_eq!(
        verdict(receive(&mut s.state, p, too_late).unwrap()),
        (Validity::Invalid, Some(Invalidity::TimeBehind))
    );
    assert!(s.state.held.is_empty(), "not executed");
}

#[test]
fn the_configured_lag_is_the_bound() {
    let mut s = setup();
    s.state.limits.max_time_lag = std::time::Duration::from_millis(500);
    let p = s.proposal(0, 1_000);
    let now = s.after_genesis(1_501);
    assert_eq!(
        verdict(receive(&mut s.state, p, now).unwrap()).1,
        Some(Invalidity::TimeBehind)
    );
}

#[test]
fn a_block_of_an_older_round_is_not_judged_by_the_lower_bound() {
    let mut s = setup();
    let p = s.proposal(0, 1_000);
    // This node is in round 3 already: the round-0 block came late or is re-proposed.
    s.state.round = Round::new(3);
    let now = s.after_genesis(1_000 + 10 * LAG_MS);
    assert_eq!(
        verdict(receive(&mut s.state, p, now).unwrap()),
        (Validity::Valid, None)
    );
}

#[test]
fn a_block_too_far_ahead_is_invalid_as_before() {
    let mut s = setup();
    let p = s.proposal(0, 20_000);
    let now = s.after_genesis(9_999);
    assert_eq!(
        verdict(receive(&mut s.state, p, now).unwrap()).1,
        Some(Invalidity::TimeAhead)
    );
}

#[test]
fn a_synced_block_is_taken_whatever_its_age() {
    let mut s = setup();
    let owner = s.owner(0);
    let block = s.block(owner, s.after_genesis(1_000), vec![]);
    let bytes = ebl_ledger::codec::encode(&block);
    let proposer = s.address(owner);
    let outcome = synced_value(&mut s.state, Height(1), Round::new(0), proposer, &bytes).unwrap();
    match outcome {
        SyncedValueOutcome::Verdict(v) => assert_eq!(v.validity, Validity::Valid),
        other => panic!("{other:?}"),
    }
    let id = ebl_node::consensus::BlockId::from(block.header.hash());
    assert!(
        s.state.held.is_pinned(&id),
        "a decided block is never evicted"
    );
}
