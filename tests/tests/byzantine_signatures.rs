//! R171–R175 (ADR 0025), on four real validators: entries whose signatures have small-order or
//! mixed-order R, non-canonical encodings or a non-canonical S get one verdict from the
//! gateway, the gossip judge, every pool and execution. An entry the rule accepts is admitted
//! and applies everywhere; one it refuses is refused at the door and never pooled, so it can
//! neither stay in a pool nor get the honest node that forwarded it graylisted.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod client;

use std::time::Duration;

use ebl_ledger::entry::SignedEntry;
use ebl_ledger::testkit::edge_signatures::{Shape, sign};
use ebl_node::api_server::{ApiSection, ApiServer};
use ebl_node::mempool::Status;
use ebl_node::p2p::{Verdict, batch};
use ebl_tests::entries::{doc, receipt};
use ebl_tests::probe::Probe;
use ebl_tests::{Cluster, wait_fates, wait_for};
use serde_json::json;

const T: Duration = Duration::from_secs(30);
const KEY: &str = "byzantine-signatures-admin";

/// `party`'s receipt about `reference`, at its next sequence, signed in `shape`.
fn shaped(c: &mut Cluster, party: &str, reference: &str, shape: Shape) -> SignedEntry {
    let key = c.net.party(party).key.clone();
    let mut entry = c.net.sign(party, receipt(doc(reference), "LC_PAYMENT"));
    entry = entry
        .clone()
        .with_signature(sign(&key, entry.signing_payload(), shape));
    if !shape.valid_under_the_rule() {
        // A refused entry consumes nothing (R9): the party's next entry reuses the sequence.
        // Not `resync_sequence`: `c.net`'s ledger never sees the cluster's commits, so it would
        // hand out sequence 0 again, which is a REPLAY once the cluster commits the first entry.
        c.net.reuse_sequence(&key, entry.entry().sequence);
    }
    entry
}

/// Entries pooled on validator `i`, from its status.
async fn pooled(c: &Cluster, i: usize) -> usize {
    c.handle(i).status().await.unwrap().ledger.mempool_entries
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_signature_shape_gets_one_verdict_at_the_gateway_in_every_pool_and_in_execution() {
    let mut c = Cluster::start().await.unwrap();
    c.wait_gossip_mesh(3, T).await.unwrap();
    let config = ApiSection::with_admin_key("127.0.0.1:0", KEY)
        .gateway_config()
        .unwrap();
    let api = ApiServer::start(c.handle(0), "127.0.0.1:0", config)
        .await
        .unwrap();
    let url = format!("http://{}/v1/entries", api.addr);
    let mut fates = c.handle(2).subscribe_notifications();
    let mut accepted = Vec::new();
    for (n, shape) in Shape::ALL.into_iter().enumerate() {
        let entry = shaped(&mut c, "BANK", &format!("SHAPE-GW-{n}"), shape);
        let body = json!({ "entry": hex::encode(entry.encode()) });
        let (status, answer) = client::http("POST", url.clone(), KEY, Some(body)).await;
        if shape.valid_under_the_rule() {
            assert_eq!(status, 202, "{shape:?}: {answer}");
            accepted.push(entry.id());
        } else {
            assert_eq!(status, 422, "{shape:?}: {answer}");
            assert_eq!(answer["code"], "BAD_SIGNATURE", "{shape:?}");
        }
    }
    // What the gateway took, every validator takes and executes; the refused ones went nowhere.
    let decided = wait_fates(&mut fates, &accepted, T).await.unwrap();
    for (id, status) in &decided {
        assert!(
            matches!(status, Status::Final { .. } | Status::Rejected { .. }),
            "{id}: {status:?}"
        );
        if let Status::Rejected { code, .. } = status {
            assert_ne!(*code, "BAD_SIGNATURE", "{id}");
        }
    }
    let height = c.height(0).await.unwrap() + 1;
    c.agreed_root(height, T).await.unwrap();
    for i in 0..4 {
        wait_for("an empty pool", T, || async {
            (pooled(&c, i).await == 0).then_some(())
        })
        .await
        .unwrap();
    }
    c.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_gossiped_entry_in_a_valid_shape_is_forwarded_and_one_in_an_invalid_shape_costs_its_sender()
 {
    let mut c = Cluster::start().await.unwrap();
    c.wait_gossip_mesh(3, T).await.unwrap();
    let chain = c.net.ledger.chain().clone();
    let link = c.handle(0).gossip().unwrap().clone();
    let mut judged = link.subscribe();
    let mut fates = c.handle(3).subscribe_notifications();
    let mut probe = Probe::new(c.net.party("SHIPPER").key.to_bytes(), &chain).unwrap();
    probe.dial(c.gossip_addr(0)).unwrap();
    probe.wait_subscribed(link.local_peer_id, T).await.unwrap();

    // The valid shapes first (each its own message), then the invalid ones.
    let mut shapes: Vec<Shape> = Shape::ALL.to_vec();
    shapes.sort_by_key(|s| !s.valid_under_the_rule());
    let mut expected = Vec::new();
    for (n, shape) in shapes.into_iter().enumerate() {
        let entry = shaped(&mut c, "BANK", &format!("SHAPE-GOSSIP-{n}"), shape);
        expected.push((entry.id(), shape));
        probe.publish(batch::encode(&[entry])).unwrap();
    }
    let mut verdicts = Vec::new();
    let deadline = tokio::time::Instant::now() + T;
    while verdicts.len() < expected.len() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "judged {verdicts:?}"
        );
        tokio::select! {
            event = judged.recv() => {
                let event = event.unwrap();
                if event.from == probe.peer_id()
                    && let Some(id) = event.entry
                    && let Some((_, shape)) = expected.iter().find(|(e, _)| *e == id)
                {
                    verdicts.push((*shape, event.verdict));
                }
            }
            _ = probe.next(Duration::from_millis(50)) => {}
        }
    }
    for (shape, verdict) in &verdicts {
        if shape.valid_under_the_rule() {
            assert_eq!(*verdict, Verdict::Accept, "{shape:?}");
        } else {
            assert!(
                matches!(verdict, Verdict::Reject(code) if code == "BAD_SIGNATURE"),
                "{shape:?}: {verdict:?}"
            );
        }
    }
    let valid: Vec<_> = expected
        .iter()
        .filter(|(_, s)| s.valid_under_the_rule())
        .map(|(id, _)| *id)
        .collect();
    wait_fates(&mut fates, &valid, T).await.unwrap();
    let height = c.height(0).await.unwrap() + 1;
    c.agreed_root(height, T).await.unwrap();
    c.shutdown().await.unwrap();
}
