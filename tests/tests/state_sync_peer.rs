//! A validator that lost its ledger starts again by state sync from a member's gateway (the
//! member-only routes over HTTP), checked before it is installed, then follows the chain by
//! value sync to the same state root, without replaying from genesis (R450–R459).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod client;

use std::time::Duration;

use ebl_ledger::storage::Storage;
use ebl_node::api_server::{ApiSection, ApiServer};
use ebl_node::mempool::Status;
use ebl_node::snapshot::ledger_dir;
use ebl_node::state_sync::{HttpPeer, SyncFailed, sync_from_peers};
use ebl_tests::entries::{doc, issue, receipt};
use ebl_tests::{Cluster, wait_fates};

const KEY: &str = "sync-admin-key";
const T: Duration = Duration::from_secs(40);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_validator_without_a_ledger_syncs_state_from_a_peer_and_follows_the_chain() {
    let mut c = Cluster::start().await.unwrap();
    let mut fates = c.handle(0).subscribe_notifications();
    let issued = c.net.sign("CARRIER", issue("OLSC-SS1", "SHIPPER"));
    c.handle(0).submit(issued.clone()).await.unwrap();
    let done = wait_fates(&mut fates, &[issued.id()], T).await.unwrap();
    assert!(matches!(done[0].1, Status::Final { .. }), "{done:?}");

    // Validator 0's gateway serves snapshots to members; without credentials: refused.
    let config = ApiSection::with_admin_key("127.0.0.1:0", KEY)
        .gateway_config()
        .unwrap();
    let api = ApiServer::start(c.handle(0), "127.0.0.1:0", config)
        .await
        .unwrap();
    let base = format!("http://{}", api.addr);
    let (status, _) = client::http("GET", format!("{base}/v1/sync/snapshot"), "no-key", None).await;
    assert_eq!(status, 401);

    // Validator 3 loses its ledger.
    c.stop(3).await.unwrap();
    let data = c.members[3].settings.data_dir.clone();
    std::fs::remove_dir_all(ledger_dir(&data)).unwrap();

    // A peer that is not there, then the real one: the first is named, the second used.
    let genesis = c.net.genesis.clone();
    let sync_data = data.clone();
    let synced = tokio::task::spawn_blocking(move || {
        let gone = HttpPeer::new("http://127.0.0.1:9", Some(KEY.into()), None);
        let peer = HttpPeer::new(&base, Some(KEY.into()), None);
        sync_from_peers(&[&gone, &peer], &sync_data, &genesis)
    })
    .await
    .unwrap()
    .unwrap();
    assert!(synced.facts.height >= 1);
    // A second sync never overwrites what the first installed.
    let genesis = c.net.genesis.clone();
    let again_data = data.clone();
    let again = tokio::task::spawn_blocking(move || {
        let peer = HttpPeer::new("http://127.0.0.1:9", None, None);
        sync_from_peers(&[&peer], &again_data, &genesis)
    })
    .await
    .unwrap();
    assert!(
        matches!(again, Err(SyncFailed::LedgerExists(_))),
        "{again:?}"
    );
    api.stop().await.unwrap();

    // The chain goes on; validator 3 restarts from the synced state and follows it.
    c.restart(3).await.unwrap();
    let note = c.net.sign("BANK", receipt(doc("OLSC-SS1"), "LC_PAYMENT"));
    c.handle(1).submit(note.clone()).await.unwrap();
    let done = wait_fates(&mut fates, &[note.id()], T).await.unwrap();
    assert!(matches!(done[0].1, Status::Final { .. }), "{done:?}");
    let target = c.height(0).await.unwrap() + 2;
    let root = c.agreed_root(target, T).await.unwrap();
    assert_eq!(c.state_root_at(3, target).await.unwrap(), Some(root));
    let found = c
        .handle(3)
        .read(move |l| l.store().decisive_location(&note.id()))
        .await
        .unwrap()
        .unwrap();
    assert!(
        found.is_some(),
        "the entry after the snapshot was learnt from peers"
    );
    // It did not replay: the blocks below the snapshot are not held.
    let below = synced.facts.height - 1;
    if below >= 1 {
        let held = c
            .handle(3)
            .read(move |l| l.store().block(below))
            .await
            .unwrap()
            .unwrap();
        assert!(held.is_none());
    }
    c.shutdown().await.unwrap();
}
