//! The pilot walk-through that `scripts/run.sh` shows runs to the end, in memory and on RocksDB,
//! and twice on the same RocksDB store (a second run adds new documents to the same chain).

use ebl_ledger::testkit::{TestNetwork, pilot};

#[test]
fn the_pilot_walkthrough_completes_in_memory() {
    let mut net = TestNetwork::pilot();
    assert_eq!(pilot::run(&mut net), Ok(()));
    assert!(net.ledger.head().height >= 13);
}

#[cfg(feature = "rocksdb")]
#[test]
fn the_pilot_walkthrough_completes_twice_on_one_rocksdb_store() {
    use ebl_ledger::storage::RocksStore;
    let dir = tempfile::tempdir().unwrap();
    let first_height = {
        let mut net = TestNetwork::pilot_on(RocksStore::open(dir.path()).unwrap());
        assert_eq!(pilot::run(&mut net), Ok(()));
        net.ledger.head().height
    };
    let mut net = TestNetwork::pilot_on(RocksStore::open(dir.path()).unwrap());
    assert_eq!(net.ledger.head().height, first_height);
    assert_eq!(pilot::run(&mut net), Ok(()));
    assert!(net.ledger.head().height > first_height);
}
