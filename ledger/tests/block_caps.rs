//! R191: block caps are genesis parameters kept in state; a block over either cap is refused
//! before anything executes, and a genesis with unusable caps is refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ebl_ledger::codec;
use ebl_ledger::crypto::PublicKey;
use ebl_ledger::execute::BlockError;
use ebl_ledger::genesis::{
    BlockCaps, DEFAULT_MAX_BLOCK_BYTES, DEFAULT_MAX_BLOCK_ENTRIES, Genesis, GenesisError,
    MIN_BLOCK_BYTES,
};
use ebl_ledger::state::keys;
use ebl_ledger::testkit::TestNetwork;
use ebl_ledger::time::Timestamp;

fn caps(entries: u64, bytes: u64) -> BlockCaps {
    BlockCaps {
        max_entries: entries,
        max_bytes: bytes,
    }
}

/// Executes `n` receipts as block 1 (no caps applied: what a faulty proposer could build).
fn block_of(net: &mut TestNetwork, n: u64) -> ebl_ledger::block::Block {
    let entries = net.receipts(n, &["CARRIER", "SHIPPER"]);
    let proposer = PublicKey::from(net.validator_keys[0].verifying_key());
    let time = Timestamp(net.ledger.head().time.0 + 1_000);
    net.ledger.execute(time, proposer, entries).unwrap().block
}

#[test]
fn the_defaults_are_todays_node_limits_and_a_genesis_file_may_leave_them_out() {
    assert_eq!(BlockCaps::default(), caps(2_000, 4 * 1024 * 1024));
    assert_eq!(DEFAULT_MAX_BLOCK_ENTRIES, 2_000);
    assert_eq!(DEFAULT_MAX_BLOCK_BYTES, 4 * 1024 * 1024);
    let net = TestNetwork::pilot();
    let mut json: serde_json::Value = serde_json::to_value(&net.genesis).unwrap();
    assert_eq!(json["max_block_entries"], 2_000);
    let object = json.as_object_mut().unwrap();
    object.remove("max_block_entries");
    object.remove("max_block_bytes");
    let read: Genesis = serde_json::from_value(json).unwrap();
    assert_eq!(read, net.genesis);
    assert_eq!(read.block_caps(), BlockCaps::default());
}

#[test]
fn the_caps_are_in_the_genesis_hash_and_in_state() {
    let net = TestNetwork::pilot_with_caps(caps(7, 100_000));
    assert_ne!(net.genesis.hash(), TestNetwork::pilot().genesis.hash());
    let stored: BlockCaps = net.ledger.get(&keys::block_caps()).unwrap().unwrap();
    assert_eq!(stored, caps(7, 100_000));
    assert_eq!(BlockCaps::read(net.ledger.store()).unwrap(), stored);
}

#[test]
fn a_genesis_with_unusable_caps_is_refused() {
    let net = TestNetwork::pilot();
    for (entries, bytes) in [
        (0, DEFAULT_MAX_BLOCK_BYTES),
        (10, MIN_BLOCK_BYTES - 1),
        (10, 16 * 1024 * 1024 + 1),
    ] {
        let mut genesis = net.genesis.clone();
        genesis.max_block_entries = entries;
        genesis.max_block_bytes = bytes;
        assert!(
            matches!(genesis.execute(), Err(GenesisError::Rule(_))),
            "{entries} entries, {bytes} bytes"
        );
    }
    let mut edge = net.genesis;
    edge.max_block_entries = 1;
    edge.max_block_bytes = MIN_BLOCK_BYTES;
    assert!(edge.execute().is_ok());
}

#[test]
fn a_block_at_the_entry_cap_is_accepted_and_one_over_it_refused_before_execution() {
    let mut net = TestNetwork::pilot_with_caps(caps(3, DEFAULT_MAX_BLOCK_BYTES));
    let at_cap = block_of(&mut net, 3);
    assert!(net.ledger.verify(at_cap).is_ok());

    let mut net = TestNetwork::pilot_with_caps(caps(3, DEFAULT_MAX_BLOCK_BYTES));
    let root = net.state_root();
    let over = block_of(&mut net, 4);
    match net.ledger.verify(over) {
        Err(BlockError::OverCap(e)) => {
            assert_eq!((e.what, e.got, e.cap), ("entries", 4, 3));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(net.state_root(), root, "state unchanged");
    assert_eq!(net.ledger.head().height, 0);
}

#[test]
fn a_block_over_the_byte_cap_is_refused() {
    let mut net = TestNetwork::pilot_with_caps(caps(10_000, MIN_BLOCK_BYTES));
    let block = block_of(&mut net, 400);
    let len = codec::encode(&block).len() as u64;
    assert!(len > MIN_BLOCK_BYTES, "{len}");
    assert_eq!(codec::encoded_len(&block) as u64, len);
    match net.ledger.verify(block) {
        Err(BlockError::OverCap(e)) => assert_eq!((e.what, e.got), ("bytes", len)),
        other => panic!("{other:?}"),
    }
    let mut net = TestNetwork::pilot_with_caps(caps(10_000, MIN_BLOCK_BYTES));
    let small = block_of(&mut net, 50);
    assert!((codec::encoded_len(&small) as u64) < MIN_BLOCK_BYTES);
    assert!(net.ledger.verify(small).is_ok());
}
