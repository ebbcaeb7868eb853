//! R473: the store reports each column family's size from RocksDB's accounting.
#![cfg(feature = "rocksdb")]
#![allow(clippy::unwrap_used)]

mod storage_support;

use ebl_ledger::Ledger;
use ebl_ledger::storage::{FamilySize, RocksStore};
use storage_support::Pair;

#[test]
fn every_family_is_reported_and_committed_blocks_show_up_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut pair = Pair::new(dir.path());
    let reader = pair.rocks.store().reader();
    let names: Vec<&str> = reader
        .family_sizes()
        .unwrap()
        .iter()
        .map(|f| f.family)
        .collect();
    assert_eq!(
        names,
        [
            "state",
            "jmt_nodes",
            "jmt_values",
            "blocks",
            "entries",
            "entries_undecided",
            "meta",
            "sync_links"
        ]
    );
    pair.run(5, 40);
    let entries = |sizes: &[FamilySize]| *sizes.iter().find(|f| f.family == "entries").unwrap();
    // Still in the memtables: counted as keys (and as the memtables' allocation in bytes).
    let in_memory = reader.family_sizes().unwrap();
    assert!(entries(&in_memory).keys >= 200, "{in_memory:?}");
    assert!(entries(&in_memory).memtable_bytes > 0, "{in_memory:?}");
    // Reopening flushes what the log replayed into SST files.
    let genesis = pair.net.genesis.clone();
    drop((reader, pair));
    let reopened = Ledger::open(RocksStore::open(dir.path()).unwrap(), &genesis).unwrap();
    let flushed = reopened.store().reader().family_sizes().unwrap();
    for family in flushed
        .iter()
        .filter(|f| f.family != "entries_undecided" && f.family != "sync_links")
    {
        assert!(family.sst_bytes > 0 && family.keys > 0, "{family:?}");
    }
    // Nothing was ever undecided or state-synced here.
    for family in flushed
        .iter()
        .filter(|f| f.family == "entries_undecided" || f.family == "sync_links")
    {
        assert_eq!((family.sst_bytes, family.keys), (0, 0), "{family:?}");
    }
    assert!(entries(&flushed).keys >= 200, "{flushed:?}");
}
