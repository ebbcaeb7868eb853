//! A validator's disk is lost: a snapshot taken earlier through its gateway's admin API, while
//! it ran, is restored with `snapshot import` checks, and the validator catches up from its
//! peers to the same state root, without replaying from genesis (R420–R426).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod client;

use std::time::Duration;

use ebl_ledger::storage::Storage;
use ebl_node::api_server::{ApiSection, ApiServer};
use ebl_node::mempool::Status;
use ebl_node::snapshot::{import, ledger_dir};
use ebl_tests::entries::{doc, issue, receipt};
use ebl_tests::{Cluster, wait_fates};

const KEY: &str = "snapshot-admin-key";
const T: Duration = Duration::from_secs(40);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lost_validator_disk_is_restored_from_a_live_snapshot_and_catches_up() {
    let mut c = Cluster::start().await.unwrap();
    let mut fates = c.handle(0).subscribe_notifications();
    let issued = c.net.sign("CARRIER", issue("OLSC-S1", "SHIPPER"));
    c.handle(0).submit(issued.clone()).await.unwrap();
    let done = wait_fates(&mut fates, &[issued.id()], T).await.unwrap();
    assert!(matches!(done[0].1, Status::Final { .. }), "{done:?}");

    // The admin API of validator 3 snapshots its ledger while it runs.
    let config = ApiSection::with_admin_key("127.0.0.1:0", KEY)
        .gateway_config()
        .unwrap();
    let api = ApiServer::start(c.handle(3), "127.0.0.1:0", config)
        .await
        .unwrap();
    let url = format!("http://{}/v1/admin/snapshots", api.addr);
    let (status, taken) = client::http("POST", url.clone(), KEY, None).await;
    assert_eq!(status, 201, "{taken}");
    let snapshot_height = taken["height"].as_u64().unwrap();
    // Without the admin key: refused.
    let (status, _) = client::http("POST", url, "not-a-key", None).await;
    assert_eq!(status, 401);
    api.stop().await.unwrap();

    // The chain goes on past the snapshot.
    let note = c.net.sign("BANK", receipt(doc("OLSC-S1"), "LC_PAYMENT"));
    c.handle(1).submit(note.clone()).await.unwrap();
    let done = wait_fates(&mut fates, &[note.id()], T).await.unwrap();
    assert!(matches!(done[0].1, Status::Final { .. }), "{done:?}");

    // Validator 3 loses its ledger; the snapshot is copied off the lost disk first.
    c.stop(3).await.unwrap();
    let data = c.members[3].settings.data_dir.clone();
    let saved = tempfile::TempDir::new().unwrap();
    let copy = saved.path().join("snapshot");
    let taken_path = std::path::PathBuf::from(taken["path"].as_str().unwrap());
    std::fs::create_dir(&copy).unwrap();
    for f in std::fs::read_dir(&taken_path).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), copy.join(f.file_name())).unwrap();
    }
    std::fs::remove_dir_all(ledger_dir(&data)).unwrap();
    std::fs::remove_dir_all(&taken_path).unwrap();

    // Restored: checked, then in place at the snapshot's height.
    let facts = import(&copy, &data, &c.net.genesis).unwrap();
    assert_eq!(facts.height, snapshot_height);
    assert_eq!(
        facts.block_hash.to_hex(),
        taken["block_hash"].as_str().unwrap()
    );
    c.restart(3).await.unwrap();
    let target = c.height(0).await.unwrap() + 2;
    let root = c.agreed_root(target, T).await.unwrap();
    assert_eq!(c.state_root_at(3, target).await.unwrap(), Some(root));
    // It holds the entry committed after the snapshot, learnt from its peers.
    let found = c
        .handle(3)
        .read(move |l| l.store().decisive_location(&note.id()))
        .await
        .unwrap()
        .unwrap();
    assert!(found.is_some());
    c.shutdown().await.unwrap();
}
