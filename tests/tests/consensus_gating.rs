//! R150–R153, R482, R483: only keys the ledger admits stay on the consensus swarm, decided at
//! the handshake. A member organisation's node is admitted and follows the chain; a stranger's
//! is refused, is never counted as a peer, learns no block and hears no gossip; a revoked
//! organisation's node is cut off at the revoking block; one address cannot hold every
//! handshake slot; the four validators commit throughout.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use ebl_ledger::testkit::key_from_label;
use ebl_node::mempool::Status;
use ebl_tests::governance::{approve, propose_revocation};
use ebl_tests::outsider::Outsider;
use ebl_tests::snooper::{GossipSnooper, SyncAnswer, SyncSnooper};
use ebl_tests::{Cluster, wait_for};
use libp2p::PeerId;

const T: Duration = Duration::from_secs(60);

/// Whether every validator counts `peer` among its consensus peers.
async fn listed_everywhere(c: &Cluster, peer: PeerId) -> bool {
    for i in c.running() {
        if !c.handle(i).consensus_peers().await.contains(&peer) {
            return false;
        }
    }
    true
}

/// Waits until every validator counts the member's node `peer` among its consensus peers.
async fn wait_listed_everywhere(c: &Cluster, peer: PeerId) {
    wait_for("the member's node to be a peer everywhere", T, || async {
        listed_everywhere(c, peer).await.then_some(())
    })
    .await
    .unwrap();
}

/// Whether some validator counts `peer` among its consensus peers.
async fn listed_anywhere(c: &Cluster, peer: PeerId) -> bool {
    for i in c.running() {
        if c.handle(i).consensus_peers().await.contains(&peer) {
            return true;
        }
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_member_organisations_node_follows_the_chain_and_a_strangers_node_is_refused() {
    let c = Cluster::start().await.unwrap();
    c.wait_height(1, T).await.unwrap();
    // Validators count each other (R151: pinned by their consensus keys' peer ids).
    for j in 0..4 {
        let id = ebl_tests::consensus_peer_id(&c.net, j).unwrap();
        wait_for("validators to see each other", T, || async {
            let others: Vec<usize> = (0..4).filter(|i| *i != j).collect();
            for i in others {
                if !c.handle(i).consensus_peers().await.contains(&id) {
                    return None;
                }
            }
            Some(())
        })
        .await
        .unwrap();
    }

    let member = Outsider::start(&c, "consignee", c.net.party("CONSIGNEE").key.to_bytes())
        .await
        .unwrap();
    let stranger = Outsider::start(&c, "stranger", key_from_label("stranger").to_bytes())
        .await
        .unwrap();

    // The member's node is admitted by every validator and syncs past where it started.
    wait_listed_everywhere(&c, member.peer_id).await;
    let target = c.height(0).await.unwrap() + 3;
    wait_for("the member's node to follow the chain", T, || async {
        (member.height().await.ok()? >= target).then_some(())
    })
    .await
    .unwrap();

    // Meanwhile the stranger dialled the same validators the same way: it is no one's peer
    // and learned no block, while the validators kept committing.
    c.wait_height(target + 2, T).await.unwrap();
    assert!(!listed_anywhere(&c, stranger.peer_id).await);
    assert_eq!(stranger.height().await.unwrap(), 0);
    assert!(listed_everywhere(&c, member.peer_id).await);

    member.stop().await.unwrap();
    stranger.stop().await.unwrap();
    c.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_revoked_organisations_node_is_cut_off_at_the_revoking_block() {
    let mut c = Cluster::start().await.unwrap();
    c.wait_height(1, T).await.unwrap();
    let member = Outsider::start(&c, "buyer2", c.net.party("BUYER2").key.to_bytes())
        .await
        .unwrap();
    wait_listed_everywhere(&c, member.peer_id).await;

    // Governance: validator 0 proposes to revoke BUYER2, validators 1 and 2 approve.
    let proposal = propose_revocation(&mut c, "BUYER2", T).await.unwrap();
    // Still admitted while the proposal is open (waited for: a connection may flap under load).
    wait_listed_everywhere(&c, member.peer_id).await;
    let done = approve(&mut c, proposal, &[1, 2], T).await.unwrap();
    let revoked_at = done
        .iter()
        .filter_map(|(_, s)| match s {
            Status::Final { height } => Some(*height),
            _ => None,
        })
        .max()
        .expect("votes final");

    // R152: every validator drops it, and it stops learning blocks; the others go on.
    wait_for("the revoked node to be dropped everywhere", T, || async {
        (!listed_anywhere(&c, member.peer_id).await).then_some(())
    })
    .await
    .unwrap();
    // The disconnect is applied after each validator commits the revoking block, so a block
    // decided meanwhile may still reach the node; once dropped everywhere it learns nothing more.
    let mut dropped_at = 0;
    for i in c.running() {
        dropped_at = dropped_at.max(c.height(i).await.unwrap());
    }
    // A block whose last votes were in flight at the drop may still complete there.
    c.wait_height(dropped_at + 5, T).await.unwrap();
    let seen = member.height().await.unwrap();
    c.wait_height(dropped_at + 10, T).await.unwrap();
    assert!(!listed_anywhere(&c, member.peer_id).await);
    assert_eq!(
        member.height().await.unwrap(),
        seen,
        "the revoked node (revoked at {revoked_at}) went on learning blocks"
    );
    assert!(seen <= dropped_at + 1, "the revoked node reached {seen}");
    // R480: redialing with the revoked key, identified or not, is answered no block.
    let node = ebl_tests::consensus_peer_id(&c.net, 1).unwrap();
    let addr = c.consensus_addrs(&[0, 2, 3]).unwrap().remove(0);
    let secret = c.net.party("BUYER2").key.to_bytes();
    for identify in [true, false] {
        let mut redialer = SyncSnooper::dial(secret, node, addr.clone(), identify).unwrap();
        for attempt in 0..10 {
            let answer = redialer.ask(1..=2, Duration::from_secs(2)).await.unwrap();
            assert!(
                !matches!(&answer, SyncAnswer::Values(v) if !v.is_empty()),
                "the revoked key (identify: {identify}) got blocks on redial {attempt}: {answer:?}"
            );
        }
    }
    member.stop().await.unwrap();
    c.shutdown().await.unwrap();
}

/// Asks `snooper` for height 1 until the node answers with it or `T` runs out.
async fn answered_within_t(snooper: &mut SyncSnooper) -> Option<SyncAnswer> {
    let deadline = tokio::time::Instant::now() + T;
    while tokio::time::Instant::now() < deadline {
        let answer = snooper.ask(1..=1, Duration::from_secs(2)).await.unwrap();
        if answer == SyncAnswer::Values(vec![1]) {
            return Some(answer);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    None
}

/// R482: value sync answers only keys the ledger admits, decided at the handshake. A
/// stranger's key gets no decided block, identified or not, asked at once and again later; a
/// member's key is answered whether or not it runs Identify (the handshake already proved the
/// key, R480 no longer waits for Identify).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn value_sync_answers_a_members_key_and_never_a_strangers() {
    let c = Cluster::start().await.unwrap();
    c.wait_height(3, T).await.unwrap();
    let node = ebl_tests::consensus_peer_id(&c.net, 0).unwrap();
    let addr = c.consensus_addrs(&[1, 2, 3]).unwrap().remove(0);
    let stranger = key_from_label("sync snooper").to_bytes();
    for identify in [false, true] {
        let mut snooper = SyncSnooper::dial(stranger, node, addr.clone(), identify).unwrap();
        for attempt in 0..3 {
            let answer = snooper.ask(1..=2, Duration::from_secs(3)).await.unwrap();
            assert!(
                !matches!(&answer, SyncAnswer::Values(v) if !v.is_empty()),
                "the stranger (identify: {identify}) got blocks on attempt {attempt}: {answer:?}"
            );
        }
    }
    let member_secret = c.net.party("BUYER2").key.to_bytes();
    let mut member = SyncSnooper::dial(member_secret, node, addr, false).unwrap();
    assert!(
        answered_within_t(&mut member).await.is_some(),
        "the member's key was never answered"
    );
    c.shutdown().await.unwrap();
}

/// R482, the gap ADR 0054 left: a stranger that connects to a validator's consensus port and
/// subscribes to the consensus channels hears nothing (its connection is closed at the
/// handshake); a member's key, the same way and without Identify, hears the live votes and
/// proposal parts.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stranger_hears_no_consensus_gossip_and_a_member_does() {
    let c = Cluster::start().await.unwrap();
    c.wait_height(2, T).await.unwrap();
    let addr = c.consensus_addrs(&[1, 2, 3]).unwrap().remove(0);
    let mut stranger =
        GossipSnooper::dial(key_from_label("gossip snooper").to_bytes(), addr.clone()).unwrap();
    let heard = stranger.listen(Duration::from_secs(5)).await;
    assert!(heard.is_empty(), "a stranger heard {heard:?}");
    let mut member = GossipSnooper::dial(c.net.party("BUYER2").key.to_bytes(), addr).unwrap();
    let heard = member.listen(Duration::from_secs(5)).await;
    c.shutdown().await.unwrap();
    assert!(!heard.is_empty(), "a member's key heard nothing");
}

/// The TCP port of a `/ip4/…/tcp/<port>/…` address.
fn tcp_port(addr: &libp2p::Multiaddr) -> u16 {
    addr.iter()
        .find_map(|p| match p {
            libp2p::multiaddr::Protocol::Tcp(port) => Some(port),
            _ => None,
        })
        .unwrap()
}

/// Whether the node closed `stream` within `wait` (EOF or reset); bytes it sends meanwhile
/// (its protocol negotiation) are read and ignored.
async fn closed_within(stream: &mut tokio::net::TcpStream, wait: Duration) -> bool {
    use tokio::io::AsyncReadExt as _;
    let mut buf = [0u8; 256];
    let end = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(end, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => {}
        }
    }
}

/// R483: on both swarms one address holds at most 8 connections in their handshake; the ninth
/// is closed before its handshake starts, while the eight stay open (until the handshake
/// timeout). Checked with bare TCP connections that never speak.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_address_holds_a_bounded_number_of_handshakes_on_both_swarms() {
    let c = Cluster::start().await.unwrap();
    c.wait_height(2, T).await.unwrap();
    let ports = [
        (
            "consensus",
            tcp_port(&c.consensus_addrs(&[1, 2, 3]).unwrap()[0]),
        ),
        ("gossip", tcp_port(&c.gossip_addr(0))),
    ];
    for (swarm, port) in ports {
        let mut held = Vec::new();
        for _ in 0..ebl_node::p2p::handshakes::PER_ADDRESS {
            held.push(
                tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .unwrap(),
            );
        }
        let mut ninth = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        assert!(
            closed_within(&mut ninth, Duration::from_secs(3)).await,
            "the {swarm} swarm kept a ninth handshake from one address"
        );
        for (n, stream) in held.iter_mut().enumerate() {
            assert!(
                !closed_within(stream, Duration::from_millis(200)).await,
                "the {swarm} swarm closed handshake {n} early"
            );
        }
    }
    // The validators kept committing meanwhile.
    let h = c.height(0).await.unwrap();
    c.wait_height(h + 2, T).await.unwrap();
    c.shutdown().await.unwrap();
}
