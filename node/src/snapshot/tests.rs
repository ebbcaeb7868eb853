use ebl_ledger::testkit::TestNetwork;
use tempfile::TempDir;

use super::*;

/// A stopped node's data folder: the pilot chain on RocksDB with a few certified blocks.
fn data_folder() -> (TempDir, Genesis, u64) {
    let dir = TempDir::new().unwrap();
    let store = RocksStore::open(ledger_dir(dir.path())).unwrap();
    let mut net = TestNetwork::pilot_on(store);
    for _ in 0..3 {
        let entries = net.receipts(3, &["BANK", "SGSW"]);
        net.commit_certified(entries);
    }
    let height = net.ledger.head().height;
    (dir, net.genesis.clone(), height)
}

#[test]
fn a_stopped_node_exports_and_a_new_data_folder_imports_the_same_chain() {
    let (data, genesis, height) = data_folder();
    let out = data.path().join("copy");
    let exported = export_stopped(data.path(), &genesis, &out).unwrap();
    assert_eq!(exported.height, height);
    let fresh = TempDir::new().unwrap();
    let imported = import(&out, fresh.path(), &genesis).unwrap();
    assert_eq!(imported, exported);
    let ledger = Ledger::open(
        RocksStore::open(ledger_dir(fresh.path())).unwrap(),
        &genesis,
    )
    .unwrap();
    assert_eq!(ledger.head().hash(), exported.block_hash);
    assert!(!fresh.path().join("ledger.importing").exists());
}

#[test]
fn a_running_node_is_snapshotted_through_its_live_handle() {
    let (data, genesis, height) = data_folder();
    let store = RocksStore::open(ledger_dir(data.path())).unwrap();
    // The database is open (the node runs): the stopped-node export says what to do instead.
    let err = export_stopped(data.path(), &genesis, &data.path().join("x")).unwrap_err();
    assert!(
        format!("{err:#}").contains("POST /v1/admin/snapshots"),
        "{err:#}"
    );
    let taken = take(&store.reader(), &snapshots_dir(data.path())).unwrap();
    assert_eq!(taken.height, height);
    let facts = check(&taken.path, &genesis).unwrap();
    assert_eq!(facts.block_hash, taken.block_hash);
    // The same block again keeps one copy.
    let again = take(&store.reader(), &snapshots_dir(data.path())).unwrap();
    assert_eq!(again.path, taken.path);
}

#[test]
fn the_admin_snapshots_are_bounded() {
    let (data, _, _) = data_folder();
    let store = RocksStore::open(ledger_dir(data.path())).unwrap();
    let dir = snapshots_dir(data.path());
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..MAX_KEPT_SNAPSHOTS {
        std::fs::create_dir(dir.join(format!("old-{i}"))).unwrap();
    }
    assert!(matches!(
        take(&store.reader(), &dir),
        Err(TakeError::Full(_))
    ));
}

#[test]
fn an_import_never_overwrites_a_ledger_and_a_bad_snapshot_leaves_nothing() {
    let (data, genesis, _) = data_folder();
    let out = data.path().join("copy");
    export_stopped(data.path(), &genesis, &out).unwrap();
    // Into a folder that has a ledger: refused.
    let err = import(&out, data.path(), &genesis).unwrap_err();
    assert!(
        format!("{err:#}").contains("holds a ledger already"),
        "{err:#}"
    );
    // Of another network: refused, and nothing is left in the fresh folder.
    let mut other = genesis.clone();
    other.chain_id = "ebl-other-1".into();
    let fresh = TempDir::new().unwrap();
    let err = import(&out, fresh.path(), &other).unwrap_err();
    assert!(format!("{err:#}").contains("not this network"), "{err:#}");
    assert!(!ledger_dir(fresh.path()).exists());
    assert!(!fresh.path().join("ledger.importing").exists());
    // A folder that is not a snapshot: refused.
    let junk = TempDir::new().unwrap();
    std::fs::create_dir(junk.path().join("nested")).unwrap();
    assert!(import(junk.path(), fresh.path(), &genesis).is_err());
}
