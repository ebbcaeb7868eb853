//! R116, R117: only keys the ledger admits may connect to a node's gossip swarm; a member
//! organisation's key may, a stranger's may not, and a revoked organisation is cut off.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use ebl_ledger::testkit::key_from_label;
use ebl_node::mempool::Status;
use ebl_node::p2p::batch;
use ebl_tests::entries::issue;
use ebl_tests::governance::{approve, propose_revocation};
use ebl_tests::probe::{Probe, connection_ended, gossiped_data};
use ebl_tests::{Cluster, wait_fates};
use libp2p::PeerId;

const T: Duration = Duration::from_secs(30);

/// Starts the cluster with its gossip mesh and connects a probe with `party`'s key to node 0;
/// returns the cluster, the probe (it saw node 0 subscribe) and node 0's gossip peer id.
async fn start_with_member(party: &str) -> (Cluster, Probe, PeerId) {
    let c = Cluster::start().await.unwrap();
    c.wait_gossip_mesh(3, T).await.unwrap();
    let chain = c.net.ledger.chain().clone();
    let node0 = c.handle(0).gossip().unwrap().local_peer_id;
    let mut member = Probe::new(c.net.party(party).key.to_bytes(), &chain).unwrap();
    member.dial(c.gossip_addr(0)).unwrap();
    member.wait_subscribed(node0, T).await.unwrap();
    (c, member, node0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_member_key_connects_and_hears_entries_and_a_stranger_is_refused_and_hears_nothing() {
    // A member organisation's key is let in and sees the node's subscription.
    let (mut c, mut member, node0) = start_with_member("CONSIGNEE").await;

    // A stranger's connection is closed by the gate.
    let chain = c.net.ledger.chain().clone();
    let mut stranger = Probe::new(key_from_label("stranger").to_bytes(), &chain).unwrap();
    stranger.dial(c.gossip_addr(0)).unwrap();
    stranger
        .until("the stranger's connection to end", T, |e| {
            connection_ended(e).then_some(())
        })
        .await
        .unwrap();
    assert!(!stranger.is_connected(&node0));

    // An entry gossiped by node 0 reaches the member, never the stranger.
    let mut fates = c.handle(0).subscribe_notifications();
    let entry = c.net.sign("CARRIER", issue("OLSC-G2", "SHIPPER"));
    c.handle(0).submit(entry.clone()).await.unwrap();
    // Alone in its 20 ms window, the entry travels as a batch of one (R110).
    let expected = batch::encode(std::slice::from_ref(&entry));
    let heard = member
        .until("the gossiped entry", T, |e| {
            gossiped_data(e).filter(|d| *d == expected)
        })
        .await
        .unwrap();
    assert_eq!(batch::decode(&heard).unwrap(), vec![entry.clone()]);
    let done = wait_fates(&mut fates, &[entry.id()], T).await.unwrap();
    assert!(matches!(done[0].1, Status::Final { .. }));
    // The stranger's swarm saw no message and holds no connection to the node.
    while let Some(event) = stranger.next(Duration::from_millis(200)).await {
        assert!(
            gossiped_data(&event).is_none(),
            "the stranger heard an entry"
        );
    }
    assert!(!stranger.is_connected(&node0));
    c.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_revoked_organisations_key_is_disconnected_at_the_revoking_block() {
    let (mut c, mut member, node0) = start_with_member("BUYER2").await;

    // Governance: validator 0 proposes to revoke BUYER2, validators 1 and 2 approve.
    let proposal = propose_revocation(&mut c, "BUYER2", T).await.unwrap();
    // Still a member while the proposal is open.
    assert!(member.is_connected(&node0));
    let done = approve(&mut c, proposal, &[1, 2], T).await.unwrap();
    assert!(
        done.iter().all(|(_, s)| matches!(s, Status::Final { .. })),
        "{done:?}"
    );

    // The block that revoked BUYER2 closed its connection; a new dial is refused.
    member
        .until("the revoked member's disconnection", T, |e| {
            connection_ended(e).then_some(())
        })
        .await
        .unwrap();
    member.dial(c.gossip_addr(0)).unwrap();
    member
        .until("the redial to be refused", T, |e| {
            connection_ended(e).then_some(())
        })
        .await
        .unwrap();
    assert!(!member.is_connected(&node0));
    c.shutdown().await.unwrap();
}
