//! Receiving a proposal: a block from its round's designated proposer with a valid stream
//! signature is re-executed (R18) and a block that fails is handed to consensus as invalid;
//! a stream naming another proposer, or signed by another key, is ignored before its block is
//! decoded (R190); a proposer's second block for one round is never executed (R192).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

mod consensus_support;

use consensus_support::{Setup, issue, setup};
use ebl_ledger::hash::Hash32;
use ebl_node::consensus::Height;
use ebl_node::consensus::propose::{Ignore, Invalidity, Received, receive};
use malachite::app::types::core::{Round, Validity};

/// The clock of these tests: a second after the blocks' times (genesis + 1 s).
fn now(s: &Setup) -> ebl_ledger::time::Timestamp {
    s.after_genesis(2_000)
}

fn value(r: Received) -> (Validity, Option<Invalidity>) {
    match r {
        Received::Value(v, why) => (v.validity, why),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_valid_block_from_the_designated_proposer_is_accepted_as_valid() {
    let mut s = setup();
    let owner = s.owner(0);
    let entry = s.net.sign("CARRIER", issue("OLSC-R1"));
    let block = s.block(owner, s.after_genesis(1_000), vec![entry]);
    let p = s.stream(&block, 0, owner, owner);
    let t = now(&s);
    assert_eq!(
        value(receive(&mut s.state, p, t).unwrap()),
        (Validity::Valid, None)
    );
    assert_eq!(s.state.held.len(), 1);
}

#[test]
fn a_block_whose_header_does_not_re_execute_is_handed_over_as_invalid() {
    let mut s = setup();
    let owner = s.owner(0);
    let mut block = s.block(owner, s.after_genesis(1_000), vec![]);
    block.header.state_root = Hash32([1; 32]);
    let p = s.stream(&block, 0, owner, owner);
    let t = now(&s);
    let (validity, why) = value(receive(&mut s.state, p, t).unwrap());
    assert_eq!(validity, Validity::Invalid);
    assert!(matches!(why, Some(Invalidity::Execution(_))));
    assert_eq!(s.state.ledger.head().height, 0, "nothing committed");
    assert!(s.state.held.is_empty());
}

#[test]
fn a_stream_signed_by_another_validator_is_ignored() {
    let mut s = setup();
    let owner = s.owner(0);
    let other = (owner + 1) % 4;
    let block = s.block(owner, s.after_genesis(1_000), vec![]);
    let p = s.stream(&block, 0, owner, other);
    let t = now(&s);
    assert!(matches!(
        receive(&mut s.state, p, t).unwrap(),
        Received::Ignored(Ignore::BadSignature)
    ));
}

#[test]
fn r190_a_stream_naming_a_validator_not_designated_for_its_round_is_ignored_undecoded() {
    let mut s = setup();
    let owner = s.owner(0);
    let other = (owner + 1) % 4;
    // Signed by the validator it names, but that validator does not own round 0; the bytes
    // are not even a block: refused before decoding.
    let block = s.block(other, s.after_genesis(1_000), vec![]);
    let mut p = s.stream(&block, 0, other, other);
    p.block_bytes = vec![0xFF; 10];
    let t = now(&s);
    assert!(matches!(
        receive(&mut s.state, p, t).unwrap(),
        Received::Ignored(Ignore::NotDesignated)
    ));
    // The owner's own stream for that round is still taken (no slot was claimed).
    let good = s.proposal(0, 1_000);
    assert_eq!(
        value(receive(&mut s.state, good, t).unwrap()).0,
        Validity::Valid
    );
}

#[test]
fn r190_the_owner_of_one_round_cannot_stream_for_another() {
    let mut s = setup();
    let owner = s.owner(0);
    let block = s.block(owner, s.after_genesis(1_000), vec![]);
    let p = s.stream(&block, 1, owner, owner);
    assert_ne!(s.owner(1), owner);
    let t = now(&s);
    assert!(matches!(
        receive(&mut s.state, p, t).unwrap(),
        Received::Ignored(Ignore::NotDesignated)
    ));
    assert!(s.state.held.is_empty());
}

#[test]
fn r192_a_second_block_for_a_round_is_an_equivocation_and_never_executed() {
    let mut s = setup();
    let t = now(&s);
    let first = s.proposal(0, 1_000);
    let first_id = first.init.block_id;
    assert_eq!(
        value(receive(&mut s.state, first.clone(), t).unwrap()).0,
        Validity::Valid
    );
    let second = s.proposal(0, 1_001);
    assert_ne!(second.init.block_id, first_id);
    match receive(&mut s.state, second, t).unwrap() {
        Received::Ignored(Ignore::Equivocation(holder)) => assert_eq!(holder, first_id),
        other => panic!("{other:?}"),
    }
    assert_eq!(s.state.held.len(), 1, "the second block was not executed");
    // The first block streamed again (a relay, a restream) is still the round's value.
    assert_eq!(
        value(receive(&mut s.state, first, t).unwrap()).0,
        Validity::Valid
    );
}

#[test]
fn r192_a_block_that_failed_is_not_executed_again_when_its_stream_comes_again() {
    let mut s = setup();
    let owner = s.owner(0);
    let mut block = s.block(owner, s.after_genesis(1_000), vec![]);
    block.header.results_hash = Hash32([3; 32]);
    let p = s.stream(&block, 0, owner, owner);
    let t = now(&s);
    assert_eq!(
        value(receive(&mut s.state, p.clone(), t).unwrap()).0,
        Validity::Invalid
    );
    let id = p.init.block_id;
    assert!(s.state.held.known_invalid(&id));
    assert_eq!(
        value(receive(&mut s.state, p, t).unwrap()).0,
        Validity::Invalid
    );
}

#[test]
fn r192_a_locked_block_re_proposed_by_the_current_rounds_proposer_is_pinned() {
    let mut s = setup();
    let t = now(&s);
    let p = s.proposal(0, 1_000);
    let id = p.init.block_id;
    receive(&mut s.state, p.clone(), t).unwrap();
    assert!(!s.state.held.is_pinned(&id));
    // Round 2 now: its proposer restreams round 0's block unchanged (original init).
    s.state.round = Round::new(2);
    let mut again = p;
    again.publisher = Some(s.address(s.owner(2)));
    receive(&mut s.state, again, t).unwrap();
    assert!(s.state.held.is_pinned(&id));
}

#[test]
fn a_block_for_a_later_height_is_kept_for_later() {
    let mut s = setup();
    let mut p = s.proposal(0, 1_000);
    p.init.height = Height(5);
    let t = now(&s);
    assert!(matches!(
        receive(&mut s.state, p, t).unwrap(),
        Received::Later(_)
    ));
}

#[test]
fn a_block_seen_before_a_restart_is_recovered_and_pruned_once_committed() {
    use ebl_node::consensus::undecided::UndecidedBlocks;
    let s = setup();
    let store = UndecidedBlocks::open(s.dir.path().join("undecided")).unwrap();
    let p = s.proposal(0, 1_000);
    let id = p.init.block_id;
    let t = now(&s);
    let Setup { state, net, dir } = s;
    let mut state = state.with_undecided(store.clone()).unwrap();
    assert!(matches!(
        receive(&mut state, p, t).unwrap(),
        Received::Value(_, None)
    ));
    assert_eq!(store.load(1).len(), 1);

    // A new state over the same ledger (as after a crash) takes the block back.
    let again = consensus_support::restarted(state, store.clone());
    assert!(again.held.contains(&id));

    // Committing it moves to height 2 and prunes the saved block.
    let mut again = again;
    again.commit(id, vec![]).unwrap();
    assert_eq!(again.ledger.head().height, 1);
    assert!(store.load(1).is_empty());
    drop((net, dir));
}

#[test]
fn r192_a_decided_block_this_node_does_not_hold_comes_by_value_sync() {
    use ebl_node::consensus::sync::synced_value;
    use malachite::app::engine::host::SyncedValueOutcome;
    let mut s = setup();
    let t = now(&s);
    // This node kept the faulty proposer's first block for round 0 ...
    let kept = s.proposal(0, 1_000);
    receive(&mut s.state, kept, t).unwrap();
    // ... while the others decided its second one, which this node never executes.
    let owner = s.owner(0);
    let decided = s.block(owner, s.after_genesis(1_001), vec![]);
    let id = ebl_node::consensus::BlockId::from(decided.header.hash());
    let p = s.stream(&decided, 0, owner, owner);
    assert!(matches!(
        receive(&mut s.state, p, t).unwrap(),
        Received::Ignored(Ignore::Equivocation(_))
    ));
    assert!(matches!(
        s.state.commit(id, vec![]),
        Err(ebl_node::consensus::state::AppError::UnknownBlock(_))
    ));
    // Value sync brings it with its certificate: taken despite the round's slot, and
    // committed.
    let bytes = ebl_ledger::codec::encode(&decided);
    let proposer = s.address(owner);
    let outcome = synced_value(&mut s.state, Height(1), Round::new(0), proposer, &bytes).unwrap();
    assert!(matches!(outcome, SyncedValueOutcome::Verdict(v) if v.validity == Validity::Valid));
    s.state.commit(id, vec![]).unwrap();
    assert_eq!(s.state.ledger.head().hash(), decided.header.hash());
}
