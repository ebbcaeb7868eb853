//! R111–R114: a member that gossips garbage, oversized, badly signed or unknown-signer entries
//! does not crash the node; each message is rejected (never forwarded), the sender's score
//! falls below the graylist threshold, and valid entries keep committing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use ebl_ledger::entry::MAX_ENTRY_BYTES;
use ebl_ledger::testkit::key_from_label;
use ebl_node::mempool::{Admission, Status};
use ebl_node::p2p::behaviour::GRAYLIST_THRESHOLD;
use ebl_node::p2p::{Verdict, batch};
use ebl_tests::entries::{doc, issue, receipt};
use ebl_tests::probe::Probe;
use ebl_tests::{Cluster, wait_fates, wait_for};

const T: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_peer_gossiping_invalid_entries_is_rejected_scored_down_and_the_chain_goes_on() {
    let mut c = Cluster::start().await.unwrap();
    c.wait_gossip_mesh(3, T).await.unwrap();
    let chain = c.net.ledger.chain().clone();
    let link = c.handle(0).gossip().unwrap().clone();
    let mut judged = link.subscribe();
    let mut elsewhere = c.handle(1).gossip().unwrap().subscribe();

    let mut probe = Probe::new(c.net.party("SHIPPER").key.to_bytes(), &chain).unwrap();
    probe
        .dial(
            c.members[0]
                .settings
                .gossip
                .as_ref()
                .unwrap()
                .listen_addr
                .clone(),
        )
        .unwrap();
    probe.wait_subscribed(link.local_peer_id, T).await.unwrap();

    // Garbage, an oversized blob, a badly signed entry, an entry by a key nobody admitted.
    let mut bad_signature = c.net.sign("SHIPPER", issue("OLSC-X1", "SHIPPER"));
    bad_signature = bad_signature.tampered_signature(5, 0x40);
    let stranger = key_from_label("stranger");
    let unknown = c
        .net
        .sign_with(&stranger, None, issue("OLSC-X2", "SHIPPER"));
    // A batch mixing a valid entry with a badly signed one (R113): dropped whole, nothing of it
    // pooled or forwarded, and its sender pays.
    let valid_in_bad_batch = c.net.sign("CARRIER", issue("OLSC-X0", "SHIPPER"));
    let mut forged = c
        .net
        .sign("CONSIGNEE", receipt(doc("OLSC-X0"), "LC_PAYMENT"));
    forged = forged.tampered_signature(9, 0x01);
    // The stranger's batch goes first and alone, and is judged before the rest is sent:
    // batches are judged in any order, and after three rejections the sender is graylisted,
    // so a later batch might never be judged at all.
    let first = batch::encode(&[unknown]);
    let messages = vec![
        batch::encode(&[valid_in_bad_batch.clone(), forged]),
        batch::encode(&[bad_signature]),
        b"definitely not an entry".to_vec(),
        vec![0xAB; MAX_ENTRY_BYTES + 100],
    ];
    // Keep the probe's swarm turning so its messages leave, until the node judged three: each
    // costs 10 × n², so three put the sender at -90, below the graylist threshold (-80).
    let mut rejected = Vec::new();
    let deadline = tokio::time::Instant::now() + T;
    probe.publish(first).unwrap();
    let mut rest_sent = false;
    while rejected.len() < 3 {
        if !rest_sent && !rejected.is_empty() {
            for m in &messages {
                probe.publish(m.clone()).unwrap();
            }
            rest_sent = true;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "judged only {rejected:?}"
        );
        tokio::select! {
            event = judged.recv() => {
                let event = event.unwrap();
                if event.from == probe.peer_id() {
                    assert_ne!(event.entry, Some(valid_in_bad_batch.id()), "judged alone");
                    rejected.push(event.verdict);
                }
            }
            _ = probe.next(Duration::from_millis(100)) => {}
        }
    }
    assert!(
        rejected.iter().all(|v| matches!(v, Verdict::Reject(_))),
        "{rejected:?}"
    );
    // The valid entry of the forged batch never reached node 0's pool: submitted now, it is
    // new there.
    let answer = c
        .handle(0)
        .submit(valid_in_bad_batch.clone())
        .await
        .unwrap();
    assert_eq!(
        answer,
        Admission::Admitted {
            id: valid_in_bad_batch.id()
        }
    );
    assert_eq!(rejected[0], Verdict::Reject("UNKNOWN_SIGNER".into()));

    // The sender is graylisted; the node still answers and valid entries keep committing.
    let score = link.peer_score(probe.peer_id()).await.unwrap();
    assert!(score < GRAYLIST_THRESHOLD, "score {score}");
    let honest = c.handle(1).gossip().unwrap().local_peer_id;
    let honest_score = link.peer_score(honest).await.unwrap();
    assert!(honest_score >= 0.0, "honest score {honest_score}");

    // A valid entry from the graylisted probe is dropped unjudged.
    let valid_from_probe = c.net.sign("SHIPPER", receipt(doc("OLSC-X3"), "CUSTOMS"));
    probe
        .publish(batch::encode(std::slice::from_ref(&valid_from_probe)))
        .unwrap();
    let mut fates = c.handle(0).subscribe_notifications();
    let issued = c.net.sign("CARRIER", issue("OLSC-G3", "SHIPPER"));
    let later = c.net.sign("BANK", receipt(doc("OLSC-G3"), "LC_PAYMENT"));
    c.handle(2).submit(issued.clone()).await.unwrap();
    // Keep the probe's swarm turning meanwhile, so its valid entry does leave.
    let done = {
        let ids = [issued.id()];
        let wait = wait_fates(&mut fates, &ids, T);
        tokio::pin!(wait);
        loop {
            tokio::select! {
                done = &mut wait => break done.unwrap(),
                _ = probe.next(Duration::from_millis(100)) => {}
            }
        }
    };
    assert!(matches!(done[0].1, Status::Final { .. }), "{done:?}");
    // The carrier's earlier entry (the valid one of the forged batch) committed first.
    let location = c
        .handle(0)
        .committed()
        .entry_location(&valid_in_bad_batch.id());
    assert!(
        location.unwrap().is_some(),
        "the carrier's earlier entry committed"
    );
    c.handle(3).submit(later.clone()).await.unwrap();
    let done = wait_fates(&mut fates, &[later.id()], T).await.unwrap();
    assert!(matches!(done[0].1, Status::Final { .. }), "{done:?}");
    // The graylisted probe's valid entry never reached node 0's pool, and nothing more from
    // the probe was judged.
    // (A bad message already in flight when the score fell may still be judged: rejected.)
    while let Ok(event) = judged.try_recv() {
        if event.from == probe.peer_id() {
            assert!(matches!(event.verdict, Verdict::Reject(_)), "{event:?}");
        }
    }
    let answer = c.handle(0).submit(valid_from_probe).await.unwrap();
    assert!(matches!(answer, Admission::Admitted { .. }), "{answer:?}");
    wait_for("node 0 to report its status", T, || async {
        c.handle(0).status().await.ok()
    })
    .await
    .unwrap();

    // Nothing the probe sent was forwarded to node 1.
    while let Ok(event) = elsewhere.try_recv() {
        assert_ne!(event.from, probe.peer_id());
        assert!(!matches!(event.verdict, Verdict::Reject(_)), "{event:?}");
    }
    c.shutdown().await.unwrap();
}

/// R110 (entry topic version 3, ADR 0055): a message that carries an author signature is
/// invalid whatever it holds. gossipsub drops it before the node judges it and charges the
/// member that sent it; a batch in the node's envelope, from another member, is judged and
/// accepted.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_signed_gossip_message_is_refused_unjudged_and_an_unsigned_one_is_accepted() {
    let mut c = Cluster::start().await.unwrap();
    c.wait_gossip_mesh(3, T).await.unwrap();
    let chain = c.net.ledger.chain().clone();
    let link = c.handle(0).gossip().unwrap().clone();
    let mut judged = link.subscribe();
    let addr = c.members[0]
        .settings
        .gossip
        .as_ref()
        .unwrap()
        .listen_addr
        .clone();

    let signed_entry = c.net.sign("CARRIER", issue("OLSC-S1", "SHIPPER"));
    let mut signing = Probe::signing(c.net.party("SHIPPER").key.to_bytes(), &chain).unwrap();
    signing.dial(addr.clone()).unwrap();
    signing
        .wait_subscribed(link.local_peer_id, T)
        .await
        .unwrap();
    signing
        .publish(batch::encode(std::slice::from_ref(&signed_entry)))
        .unwrap();
    let deadline = tokio::time::Instant::now() + T;
    loop {
        let score = link.peer_score(signing.peer_id()).await.unwrap();
        if score < 0.0 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the signed message was not charged to its sender (score {score})"
        );
        signing.next(Duration::from_millis(100)).await;
    }
    while let Ok(event) = judged.try_recv() {
        assert_ne!(event.from, signing.peer_id(), "judged: {event:?}");
    }
    // Its entry never reached node 0's pool: submitted now, it is new there.
    let answer = c.handle(0).submit(signed_entry.clone()).await.unwrap();
    assert_eq!(
        answer,
        Admission::Admitted {
            id: signed_entry.id()
        }
    );

    let unsigned_entry = c.net.sign("CARRIER", issue("OLSC-S2", "SHIPPER"));
    let mut plain = Probe::new(c.net.party("CONSIGNEE").key.to_bytes(), &chain).unwrap();
    plain.dial(addr).unwrap();
    plain.wait_subscribed(link.local_peer_id, T).await.unwrap();
    plain
        .publish(batch::encode(std::slice::from_ref(&unsigned_entry)))
        .unwrap();
    let deadline = tokio::time::Instant::now() + T;
    let verdict = loop {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the unsigned batch was not judged"
        );
        tokio::select! {
            event = judged.recv() => {
                let event = event.unwrap();
                if event.from == plain.peer_id() {
                    break event.verdict;
                }
            }
            _ = plain.next(Duration::from_millis(100)) => {}
        }
    };
    assert!(matches!(verdict, Verdict::Accept), "{verdict:?}");
    let score = link.peer_score(plain.peer_id()).await.unwrap();
    assert!(score >= 0.0, "score {score}");
    c.shutdown().await.unwrap();
}
