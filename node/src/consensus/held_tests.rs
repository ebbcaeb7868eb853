//! R192: one block per round, at most 32 per height, oldest rounds evicted first, never the
//! current round's proposal nor a pinned block.

use ebl_ledger::testkit::TestNetwork;
use ebl_ledger::time::Timestamp;

use super::*;

/// `n` distinct executed blocks of height 1 (empty, told apart by their times).
fn blocks(n: usize) -> Vec<ExecutedBlock> {
    let net = TestNetwork::pilot();
    let proposer = net.genesis.validators[0].key;
    (0..n)
        .map(|i| {
            let time = Timestamp(net.ledger.head().time.0 + 1 + i as u64);
            net.ledger.execute(time, proposer, vec![]).unwrap()
        })
        .collect()
}

fn id(e: &ExecutedBlock) -> BlockId {
    BlockId::from(e.block.header.hash())
}

#[test]
fn the_first_block_of_a_round_holds_its_slot_and_a_second_is_an_equivocation() {
    let mut held = HeldBlocks::default();
    let a = BlockId([1; 32]);
    let b = BlockId([2; 32]);
    assert_eq!(held.claim_slot(Round::new(0), a), Ok(()));
    assert_eq!(
        held.claim_slot(Round::new(0), a),
        Ok(()),
        "the same block again"
    );
    assert_eq!(held.claim_slot(Round::new(0), b), Err(a));
    assert_eq!(held.claim_slot(Round::new(1), b), Ok(()));
    assert_eq!(held.slot(Round::new(0)), Some(a));
}

#[test]
fn round_slots_are_bounded() {
    let mut held = HeldBlocks::default();
    for r in 0..(u32::try_from(MAX_ROUND_SLOTS).unwrap() + 10) {
        held.claim_slot(Round::new(r), BlockId([0; 32])).unwrap();
    }
    assert_eq!(held.slots.len(), MAX_ROUND_SLOTS);
    assert_eq!(
        held.slot(Round::new(0)),
        None,
        "the oldest slots went first"
    );
}

#[test]
fn a_full_store_evicts_the_oldest_round_but_never_the_current_nor_a_pinned_block() {
    let mut all = blocks(MAX_BLOCKS_PER_HEIGHT + 2);
    let extra = all.pop().unwrap();
    let last = all.pop().unwrap();
    let ids: Vec<BlockId> = all.iter().map(id).collect();
    let current = Round::new(40);
    let mut held = HeldBlocks::default();
    for (r, e) in all.into_iter().enumerate() {
        // The first block is the current round's proposal; the others rounds 1, 2, ...
        let round = if r == 0 {
            current
        } else {
            Round::new(u32::try_from(r).unwrap())
        };
        let (_, evicted) = held.insert(e, Some(round), current).unwrap();
        assert_eq!(evicted, None);
    }
    assert_eq!(held.len(), MAX_BLOCKS_PER_HEIGHT);
    held.pin(&ids[1]);
    // Round 1 is pinned, round 40 current: round 2 is the oldest evictable.
    let (_, evicted) = held.insert(last, Some(Round::new(50)), current).unwrap();
    assert_eq!(evicted, Some(ids[2]));
    assert!(held.contains(&ids[0]) && held.contains(&ids[1]));
    assert_eq!(held.len(), MAX_BLOCKS_PER_HEIGHT);
    let (_, evicted) = held.insert(extra, Some(Round::new(51)), current).unwrap();
    assert_eq!(evicted, Some(ids[3]));
}

#[test]
fn a_store_full_of_protected_blocks_refuses_a_newcomer() {
    let mut all = blocks(MAX_BLOCKS_PER_HEIGHT + 1);
    let newcomer = all.pop().unwrap();
    let mut held = HeldBlocks::default();
    let current = Round::new(0);
    for e in all {
        let i = id(&e);
        held.insert(e, Some(Round::new(3)), current).unwrap();
        held.pin(&i);
    }
    let refused = held.insert(newcomer, Some(Round::new(4)), current);
    assert!(refused.is_err());
    assert_eq!(held.len(), MAX_BLOCKS_PER_HEIGHT);
}

#[test]
fn a_block_held_again_keeps_its_place_and_its_execution_is_taken_once() {
    let mut all = blocks(1);
    let e = all.pop().unwrap();
    let i = id(&e);
    let again = blocks(1).pop().unwrap();
    let mut held = HeldBlocks::default();
    held.insert(e, None, Round::Nil).unwrap();
    let (_, evicted) = held.insert(again, Some(Round::new(2)), Round::Nil).unwrap();
    assert_eq!(evicted, None);
    assert_eq!(held.len(), 1);
    assert_eq!(held.blocks.get(&i).unwrap().round, Some(Round::new(2)));
    assert!(held.is_executed(&i));
    assert!(held.take_executed(&i).is_some());
    assert!(held.take_executed(&i).is_none());
    assert!(held.get(&i).is_some(), "the block stays for restreaming");
    held.clear();
    assert!(held.is_empty());
}

#[test]
fn blocks_that_failed_are_remembered_so_a_resent_stream_costs_no_execution() {
    let mut held = HeldBlocks::default();
    let bad = BlockId([9; 32]);
    assert!(!held.known_invalid(&bad));
    held.mark_invalid(bad);
    assert!(held.known_invalid(&bad));
    held.clear();
    assert!(!held.known_invalid(&bad));
}
