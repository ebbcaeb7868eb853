//! R191 at the node: the genesis caps are read from state; a proposer never builds over them
//! (the smaller of its configuration and the caps); a received block over them is handed to
//! consensus as invalid, never committed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod consensus_support;

use consensus_support::{issue, setup_on};
use ebl_ledger::genesis::BlockCaps;
use ebl_ledger::testkit::TestNetwork;
use ebl_node::consensus::propose::{Received, receive};
use ebl_node::mempool::SequenceView;
use malachite::app::types::core::Validity;

/// The ledger as the mempool's sequence view.
struct View<'a>(&'a ebl_ledger::Ledger<ebl_ledger::storage::RocksStore>);

impl SequenceView for View<'_> {
    fn next_sequence(&self, key: &ebl_ledger::crypto::PublicKey) -> u64 {
        self.0.next_sequence(key).unwrap()
    }
}

fn caps(entries: u64) -> BlockCaps {
    BlockCaps {
        max_entries: entries,
        ..BlockCaps::default()
    }
}

#[test]
fn the_node_reads_the_caps_its_genesis_set() {
    let s = setup_on(TestNetwork::pilot_with_caps(caps(3)));
    assert_eq!(s.state.caps, caps(3));
    assert_eq!(
        s.state.proposal_limits().0,
        3,
        "the smaller of 2,000 configured and 3"
    );
    let s = setup_on(TestNetwork::pilot());
    assert_eq!(s.state.caps, BlockCaps::default());
    assert_eq!(s.state.proposal_limits().0, 2_000);
}

#[test]
fn a_proposer_builds_within_the_caps() {
    let mut s = setup_on(TestNetwork::pilot_with_caps(caps(3)));
    let entries = (0..5)
        .map(|i| s.net.sign("CARRIER", issue(&format!("CAP-{i}"))))
        .collect();
    let view = View(&s.state.ledger);
    s.state.mempool.admit(entries, &view);
    let t = s.after_genesis(1_000);
    let block = s.state.build_block(t, 100).unwrap();
    assert_eq!(block.entries.len(), 3);
}

#[test]
fn a_received_block_over_the_caps_is_invalid() {
    let mut s = setup_on(TestNetwork::pilot_with_caps(caps(1)));
    let owner = s.owner(0);
    let entries = vec![
        s.net.sign("CARRIER", issue("CAP-A")),
        s.net.sign("CARRIER", issue("CAP-B")),
    ];
    // Built without the caps (as a faulty proposer would), then received.
    let block = s.block(owner, s.after_genesis(1_000), entries);
    let p = s.stream(&block, 0, owner, owner);
    let now = s.after_genesis(2_000);
    match receive(&mut s.state, p, now).unwrap() {
        Received::Value(v, Some(why)) => {
            assert_eq!(v.validity, Validity::Invalid);
            assert_eq!(why.label(), "over_block_cap");
        }
        other => panic!("{other:?}"),
    }
    assert!(s.state.held.is_empty());
}
