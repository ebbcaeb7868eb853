//! R180–R188 on real nodes: an `act_for` spammer with fresh keys (through the gateway's bridge,
//! the handle and a rogue gossip peer holding an active organisation's key) pools nothing,
//! writes no `seq/` record and is graylisted while honest validators keep committing with
//! identical state roots; a flooder re-signing known ids with random bytes costs no signature
//! check; an applied entry included again by a faulty proposer keeps its index location.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use ebl_gateway::{EntryStatus, NodeApi, SubmitOutcome};
use ebl_ledger::Ledger;
use ebl_ledger::crypto::{PublicKey, Signature};
use ebl_ledger::entry::SignedEntry;
use ebl_ledger::hash::Hash32;
use ebl_ledger::state::keys;
use ebl_ledger::storage::RocksStore;
use ebl_ledger::testkit::key_from_label;
use ebl_ledger::time::Timestamp;
use ebl_node::api::GatewayBridge;
use ebl_node::mempool::{Admission, Status};
use ebl_node::p2p::behaviour::GRAYLIST_THRESHOLD;
use ebl_node::p2p::{Verdict, batch};
use ebl_node::{Node, NodeHandle};
use ebl_tests::entries::{doc, issue, receipt};
use ebl_tests::probe::Probe;
use ebl_tests::single::{one_validator_network, single_validator_settings};
use ebl_tests::{Cluster, init_logs, wait_fates, wait_for};

const T: Duration = Duration::from_secs(30);

/// `n` receipts signed by fresh keys nobody registered, each acting for BANK without a grant.
fn act_for_spam(c: &mut Cluster, label: &str, n: usize) -> Vec<SignedEntry> {
    (0..n)
        .map(|i| {
            let key = key_from_label(&format!("{label}-{i}"));
            c.net
                .sign_with(&key, Some("BANK"), receipt(doc("SPAM"), "LC_PAYMENT"))
        })
        .collect()
}

/// `entry` with 64 signature bytes derived from `seed` (as good as random to a verifier).
fn resigned(entry: &SignedEntry, seed: u64) -> SignedEntry {
    let a = Hash32::sha256(&seed.to_be_bytes()).0;
    let b = Hash32::sha256(&a).0;
    let mut bytes = [0u8; 64];
    bytes[..32].copy_from_slice(&a);
    bytes[32..].copy_from_slice(&b);
    entry.clone().with_signature(Signature(bytes))
}

fn signature_checks(handle: &NodeHandle) -> u64 {
    handle.metrics().intake.signature_checks()
}

async fn pooled(handle: &NodeHandle) -> usize {
    handle.status().await.unwrap().ledger.mempool_entries
}

/// Whether `handle`'s committed state holds a sequence record for `signer`.
fn has_sequence(handle: &NodeHandle, signer: &PublicKey) -> bool {
    handle
        .committed()
        .get(&keys::sequence(signer))
        .unwrap()
        .is_some()
}

/// Publishes `messages` from `probe` while its swarm turns, until `node`'s gossip reported
/// `want` judged entries from it that `pick` accepts; returns those verdicts.
async fn publish_until(
    probe: &mut Probe,
    events: &mut tokio::sync::broadcast::Receiver<ebl_node::p2p::GossipEvent>,
    messages: Vec<Vec<u8>>,
    want: usize,
    pick: impl Fn(&Verdict) -> bool,
) -> Vec<Verdict> {
    for m in messages {
        probe.publish(m).unwrap();
    }
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + T;
    while seen.len() < want {
        assert!(
            tokio::time::Instant::now() < deadline,
            "judged only {seen:?}"
        );
        tokio::select! {
            event = events.recv() => {
                let event = event.unwrap();
                if event.from == probe.peer_id() && pick(&event.verdict) {
                    seen.push(event.verdict);
                }
            }
            _ = probe.next(Duration::from_millis(50)) => {}
        }
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_act_for_spammer_with_fresh_keys_pools_nothing_writes_nothing_and_is_graylisted() {
    let mut c = Cluster::start().await.unwrap();
    c.wait_gossip_mesh(3, T).await.unwrap();
    let chain = c.net.ledger.chain().clone();
    let checks_before: Vec<u64> = (0..4).map(|i| signature_checks(&c.handle(i))).collect();

    // Through the gateway's bridge: a typed refusal per entry (422 with the code), nothing
    // pooled, not one signature checked.
    let bridge = GatewayBridge::new(c.handle(0));
    let spam = act_for_spam(&mut c, "bridge", 300);
    let started = std::time::Instant::now();
    let outcomes = bridge.submit_batch(spam.clone()).await.unwrap();
    eprintln!(
        "{} act_for spam entries refused by the bridge in {:?}",
        spam.len(),
        started.elapsed()
    );
    assert!(
        outcomes.iter().all(|o| matches!(
            o, SubmitOutcome::Rejected { code, .. } if code == "NOT_AUTHORIZED"
        )),
        "{:?}",
        outcomes.first()
    );
    let lone = c.net.sign_with(
        &key_from_label("lone-fresh-key"),
        None,
        receipt(doc("SPAM"), "LC_PAYMENT"),
    );
    let outcome = bridge.submit(lone.clone()).await.unwrap();
    assert!(
        matches!(&outcome, SubmitOutcome::Rejected { code, .. } if code == "UNKNOWN_SIGNER"),
        "{outcome:?}"
    );
    // Through another node's handle.
    let more = act_for_spam(&mut c, "handle", 50);
    for entry in &more {
        let answer = c.handle(1).submit(entry.clone()).await.unwrap();
        assert_eq!(
            answer,
            Admission::Rejected {
                id: entry.id(),
                code: "NOT_AUTHORIZED"
            }
        );
    }

    // Through a rogue gossip peer holding an active organisation's (SHIPPER's) key.
    let link = c.handle(0).gossip().unwrap().clone();
    let mut judged = link.subscribe();
    let mut probe = Probe::new(c.net.party("SHIPPER").key.to_bytes(), &chain).unwrap();
    probe.dial(c.gossip_addr(0)).unwrap();
    probe.wait_subscribed(link.local_peer_id, T).await.unwrap();
    let gossiped: Vec<Vec<SignedEntry>> = (0..4)
        .map(|round| act_for_spam(&mut c, &format!("gossip-{round}"), 100))
        .collect();
    let messages = gossiped.iter().map(|b| batch::encode(b)).collect();
    let rejected = publish_until(&mut probe, &mut judged, messages, 3, |v| {
        matches!(v, Verdict::Reject(_))
    })
    .await;
    assert!(
        rejected
            .iter()
            .all(|v| *v == Verdict::Reject("NOT_AUTHORIZED".into())),
        "{rejected:?}"
    );
    let score = link.peer_score(probe.peer_id()).await.unwrap();
    assert!(score < GRAYLIST_THRESHOLD, "score {score}");

    // Honest validators keep committing.
    let mut fates = c.handle(0).subscribe_notifications();
    let honest = c.net.sign("CARRIER", issue("BYZ-I-1", "SHIPPER"));
    assert!(matches!(
        c.handle(2).submit(honest.clone()).await.unwrap(),
        Admission::Admitted { .. }
    ));
    let done = wait_fates(&mut fates, &[honest.id()], T).await.unwrap();
    assert!(matches!(done[0].1, Status::Final { .. }), "{done:?}");

    // Nothing of the spam is pooled or written anywhere, and no signature was spent on it.
    let mut spammers: Vec<PublicKey> = spam.iter().map(|e| e.entry().signer).collect();
    spammers.extend(more.iter().map(|e| e.entry().signer));
    spammers.extend(gossiped.iter().flatten().map(|e| e.entry().signer));
    spammers.push(lone.entry().signer);
    for i in 0..4 {
        let handle = c.handle(i);
        wait_for(&format!("node {i}'s pool to empty"), T, || {
            let handle = handle.clone();
            async move { (pooled(&handle).await == 0).then_some(()) }
        })
        .await
        .unwrap();
        assert!(
            spammers.iter().all(|k| !has_sequence(&handle, k)),
            "node {i} wrote a sequence for a spammer"
        );
    }
    // Only the honest entry (and its gossip copies) cost signature checks.
    for (i, before) in checks_before.iter().enumerate() {
        let spent = signature_checks(&c.handle(i)) - before;
        assert!(spent <= 1, "node {i} checked {spent} signatures");
    }
    let height = c.height(0).await.unwrap();
    c.agreed_root(height, T).await.unwrap();
    c.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_re_signing_duplicate_flooder_costs_no_signature_check_and_changes_nothing() {
    let mut c = Cluster::start().await.unwrap();
    c.wait_gossip_mesh(3, T).await.unwrap();
    let chain = c.net.ledger.chain().clone();
    // BANK's second entry waits in every pool for its first, held back for now.
    let first = c.net.sign("BANK", receipt(doc("DUP-1"), "LC_PAYMENT"));
    let waiting = c.net.sign("BANK", receipt(doc("DUP-2"), "LC_PAYMENT"));
    assert!(matches!(
        c.handle(0).submit(waiting.clone()).await.unwrap(),
        Admission::Admitted { .. }
    ));
    for i in 0..4 {
        let handle = c.handle(i);
        wait_for(&format!("node {i} to pool the entry"), T, || {
            let handle = handle.clone();
            async move { (pooled(&handle).await == 1).then_some(()) }
        })
        .await
        .unwrap();
    }
    let checks_before: Vec<u64> = (0..4).map(|i| signature_checks(&c.handle(i))).collect();

    // Thousands of re-signed copies through the handle: duplicates, unverified.
    let started = std::time::Instant::now();
    for chunk in 0..4u64 {
        let copies: Vec<SignedEntry> = (0..500)
            .map(|i| resigned(&waiting, chunk * 500 + i))
            .collect();
        let answers = c.handle(0).submit_batch(copies).await.unwrap();
        assert!(
            answers
                .iter()
                .all(|a| *a == Admission::Duplicate { id: waiting.id() })
        );
    }
    eprintln!(
        "2000 re-signed duplicates answered by the handle in {:?}",
        started.elapsed()
    );
    // And through a gossip peer (CONSIGNEE's key): ignored, unverified, not penalised.
    let link = c.handle(0).gossip().unwrap().clone();
    let mut judged = link.subscribe();
    let mut probe = Probe::new(c.net.party("CONSIGNEE").key.to_bytes(), &chain).unwrap();
    probe.dial(c.gossip_addr(0)).unwrap();
    probe.wait_subscribed(link.local_peer_id, T).await.unwrap();
    let messages: Vec<Vec<u8>> = (0..4u64)
        .map(|m| {
            let copies: Vec<SignedEntry> = (0..250)
                .map(|i| resigned(&waiting, 10_000 + m * 250 + i))
                .collect();
            batch::encode(&copies)
        })
        .collect();
    let ignored = publish_until(&mut probe, &mut judged, messages, 1_000, |_| true).await;
    assert!(
        ignored.iter().all(|v| *v == Verdict::Ignore("DUPLICATE")),
        "{:?}",
        ignored.iter().find(|v| **v != Verdict::Ignore("DUPLICATE"))
    );
    let score = link.peer_score(probe.peer_id()).await.unwrap();
    assert!(score >= 0.0, "a duplicate is no offence: score {score}");
    for (i, before) in checks_before.iter().enumerate() {
        assert_eq!(signature_checks(&c.handle(i)), *before, "node {i}");
        assert_eq!(pooled(&c.handle(i)).await, 1, "node {i}");
    }

    // The held-back entry comes: both commit once.
    let mut fates = c.handle(0).subscribe_notifications();
    c.handle(1).submit(first.clone()).await.unwrap();
    let done = wait_fates(&mut fates, &[first.id(), waiting.id()], T)
        .await
        .unwrap();
    assert!(
        done.iter()
            .all(|(_, s)| matches!(s, Status::Rejected { code, .. } if code == "UNKNOWN_DOCUMENT")),
        "{done:?}"
    );
    // Decided now: re-signed copies are still duplicates, still unverified.
    let before = signature_checks(&c.handle(2));
    let copies: Vec<SignedEntry> = (0..500).map(|i| resigned(&first, 50_000 + i)).collect();
    let answers = c.handle(2).submit_batch(copies).await.unwrap();
    assert!(
        answers
            .iter()
            .all(|a| *a == Admission::Duplicate { id: first.id() })
    );
    assert_eq!(signature_checks(&c.handle(2)), before);
    let height = c.height(0).await.unwrap();
    c.agreed_root(height, T).await.unwrap();
    c.shutdown().await.unwrap();
}

/// Starts the one-validator node of `settings`, waiting (bounded) for a stopped instance's
/// RocksDB lock.
async fn start_solo(
    settings: &ebl_node::NodeSettings,
    genesis: &ebl_ledger::genesis::Genesis,
) -> Node {
    let deadline = tokio::time::Instant::now() + T;
    loop {
        match Node::start(settings.clone(), genesis).await {
            Ok(node) => return node,
            Err(e)
                if format!("{e:#}").contains("lock") && tokio::time::Instant::now() < deadline =>
            {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("start: {e:#}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_applied_entry_included_again_keeps_its_index_location_and_final_status() {
    init_logs();
    let mut net = one_validator_network();
    let dir = tempfile::tempdir().unwrap();
    let settings = single_validator_settings(
        &net,
        "solo",
        dir.path().join("solo"),
        Duration::from_millis(100),
    )
    .unwrap();
    let node = start_solo(&settings, &net.genesis).await;
    let handle = node.handle();
    let mut fates = handle.subscribe_notifications();
    let entry = net.sign("CARRIER", issue("BYZ-R-1", "SHIPPER"));
    handle.submit(entry.clone()).await.unwrap();
    let done = wait_fates(&mut fates, &[entry.id()], T).await.unwrap();
    let Status::Final { height } = done[0].1 else {
        panic!("{done:?}");
    };
    // The handle holds the store open: let it go with the node.
    drop((handle, fates));
    node.stop().await.unwrap();

    // What a faulty proposer's block, once decided, leaves in the store: the same entry
    // included again (twice), failing REPLAY.
    {
        let deadline = tokio::time::Instant::now() + T;
        let store = loop {
            match RocksStore::open(settings.data_dir.join("ledger")) {
                Ok(store) => break store,
                Err(e) if tokio::time::Instant::now() < deadline => {
                    assert!(e.message().contains("lock"), "{e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("{e}"),
            }
        };
        let mut ledger = Ledger::open(store, &net.genesis).unwrap();
        let time = Timestamp(ledger.head().time.0 + 1);
        let proposer = PublicKey::from(net.validator_keys[0].verifying_key());
        let executed = ledger
            .execute(time, proposer, vec![entry.clone(), entry.clone()])
            .unwrap();
        assert!(executed.consumed.iter().all(|c| !c));
        ledger.commit(executed, Vec::new()).unwrap();
    }

    let node = start_solo(&settings, &net.genesis).await;
    let handle = node.handle();
    let replayed_at = handle.read(|l| l.head().height).await.unwrap();
    assert!(replayed_at > height);
    let location = handle.committed().entry_location(&entry.id()).unwrap();
    assert_eq!(location.map(|l| l.height), Some(height));
    let bridge = GatewayBridge::new(handle.clone());
    assert_eq!(
        bridge.entry_status(entry.id()).await.unwrap(),
        EntryStatus::Final { height }
    );
    assert_eq!(
        bridge.submit(entry.clone()).await.unwrap(),
        SubmitOutcome::Duplicate(entry.id())
    );
    // The node goes on committing after the replayed block.
    let next = net.sign("CARRIER", issue("BYZ-R-2", "SHIPPER"));
    let mut fates = handle.subscribe_notifications();
    handle.submit(next.clone()).await.unwrap();
    let done = wait_fates(&mut fates, &[next.id()], T).await.unwrap();
    assert!(matches!(done[0].1, Status::Final { .. }), "{done:?}");
    node.stop().await.unwrap();
}
