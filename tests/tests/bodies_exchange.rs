//! R140–R147 on four validators (BANK, GDSW, MSA, SGSW) with the gossip swarm on: CARRIER
//! issues an eBL to SHIPPER, who transfers it to BANK; its body is stored only at GDSW's node.
//! BANK's node (a party) fetches it; MSA's node (not a party) and SGSW's node asking for BANK
//! get nothing; SGSW's node holding SHIPPER's key fetches it for SHIPPER; a peer serving a body
//! that does not hash to the id is refused and scored down; a stored body survives a restart.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use ebl_gateway::{NodeApi, NodeError};
use ebl_ledger::ebl::{EblAction, EblIssue, EblType};
use ebl_ledger::entry::Body;
use ebl_ledger::hash::{DocumentId, Hash32};
use ebl_ledger::ids::OrgId;
use ebl_node::api::GatewayBridge;
use ebl_node::bodies::{BodyRequest, BodyResponse, Proof};
use ebl_node::custody::HeldKey;
use ebl_node::mempool::Status;
use ebl_tests::rogue::{RawAsker, RogueBodyServer};
use ebl_tests::{Cluster, decided_height, wait_fates, wait_for};

const T: Duration = Duration::from_secs(30);
const BANK: usize = 0;
const GDSW: usize = 1;
const MSA: usize = 2;
const SGSW: usize = 3;

fn org(id: &str) -> OrgId {
    OrgId::new(id).unwrap()
}

fn body(reference: &str) -> Vec<u8> {
    format!(
        r#"{{"transportDocumentReference":"{reference}","shippingInstructionsReference":"SI-1"}}"#
    )
    .into_bytes()
}

/// Commits, through node 0, CARRIER's issue of the eBL whose body is `body` to SHIPPER and
/// SHIPPER's transfer to BANK; waits until every node has the block.
async fn issue_and_transfer_to_bank(c: &mut Cluster, reference: &str, body: &[u8]) -> DocumentId {
    let document = Hash32::sha256(body);
    let issue = EblIssue {
        document,
        reference: reference.into(),
        kind: EblType::ToOrderBl,
        issue_to: org("SHIPPER"),
        consignee: Some(org("SHIPPER")),
    };
    let issue = c.net.sign("CARRIER", Body::Ebl(EblAction::Issue(issue)));
    let transfer = EblAction::Transfer {
        document,
        to: org("BANK"),
    };
    let transfer = c.net.sign("SHIPPER", Body::Ebl(transfer));
    // Entries of different signers may be ordered either way in a block: the transfer is
    // submitted only once the issue is final.
    let mut last = 0;
    for entry in [issue, transfer] {
        let ids = [entry.id()];
        let mut fates = c.handle(0).subscribe_notifications();
        c.handle(0).submit(entry).await.unwrap();
        let done = wait_fates(&mut fates, &ids, T).await.unwrap();
        for (_, status) in &done {
            assert!(matches!(status, Status::Final { .. }), "{done:?}");
            last = last.max(decided_height(status).unwrap());
        }
    }
    c.wait_height(last, T).await.unwrap();
    document
}

/// Starts the cluster, waits for the gossip mesh and commits `reference`'s eBL, now held by
/// BANK; returns the cluster, the document's body and its id.
async fn start_with_a_document_held_by_bank(reference: &str) -> (Cluster, Vec<u8>, DocumentId) {
    let mut c = Cluster::start().await.unwrap();
    c.wait_gossip_mesh(3, T).await.unwrap();
    let body = body(reference);
    let id = issue_and_transfer_to_bank(&mut c, reference, &body).await;
    (c, body, id)
}

/// Stores `body` as document `id`'s body at node `i`.
async fn store_body(c: &Cluster, i: usize, id: DocumentId, body: &[u8]) {
    GatewayBridge::new(c.handle(i))
        .put_document_body(id, body.to_vec())
        .await
        .unwrap();
}

/// What `node` answers when asked for document `id`'s body on behalf of `party`.
async fn read(node: &GatewayBridge, id: DocumentId, party: &str) -> Option<Vec<u8>> {
    node.document_body(id, org(party)).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn only_the_nodes_of_a_documents_parties_can_fetch_its_body() {
    let (c, body, id) = start_with_a_document_held_by_bank("BODY-E2E-1").await;

    // Only GDSW's node (not a party: storage is not reading) has the body.
    store_body(&c, GDSW, id, &body).await;
    // R141: a body that does not hash to the id is refused, and nothing is stored under it.
    let gdsw = GatewayBridge::new(c.handle(GDSW));
    let wrong_id = Hash32::sha256(b"some other document");
    let err = gdsw
        .put_document_body(wrong_id, body.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, NodeError::Internal(_)), "{err:?}");
    assert_eq!(read(&gdsw, wrong_id, "GDSW").await, None);

    // R143 (a): BANK runs a validator and is the holder: its node fetches and keeps the body.
    let bank = GatewayBridge::new(c.handle(BANK));
    let started = std::time::Instant::now();
    let fetched = read(&bank, id, "BANK").await;
    eprintln!("BANK's node fetched the body in {:?}", started.elapsed());
    assert_eq!(fetched, Some(body.clone()));

    // R140: MSA is no party of the document: every node refuses its node.
    let msa = GatewayBridge::new(c.handle(MSA));
    assert_eq!(read(&msa, id, "MSA").await, None);
    // R143: SGSW's node does not run as BANK and holds no key of BANK's.
    let sgsw = GatewayBridge::new(c.handle(SGSW));
    assert_eq!(read(&sgsw, id, "BANK").await, None);

    // R143 (b): with SHIPPER's key in its custodian, SGSW's node reads for SHIPPER (a former
    // holder), now from GDSW's or BANK's node.
    let shipper = c.net.party("SHIPPER");
    let held = [HeldKey {
        name: "shipper".into(),
        org: shipper.org.clone(),
        key: shipper.key.clone(),
    }];
    let sgsw = GatewayBridge::new(c.handle(SGSW)).with_party_keys(&held);
    assert_eq!(read(&sgsw, id, "SHIPPER").await, Some(body));
    c.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_peer_serving_a_body_that_does_not_hash_to_the_id_is_refused_and_scored_down() {
    let (c, body, id) = start_with_a_document_held_by_bank("BODY-E2E-2").await;
    let link = c.handle(BANK).gossip().unwrap().clone();
    // A member whose node (here: CARRIER's organisation key) answers with the wrong bytes.
    let chain = c.net.ledger.chain().clone();
    let addr = c.gossip_addr(BANK);
    let secret = c.net.party("CARRIER").key.to_bytes();
    let rogue =
        RogueBodyServer::start(secret, &chain, link.local_peer_id, addr, b"forged".to_vec())
            .unwrap();
    wait_for("the rogue's connection", T, || async {
        link.connected_peers()
            .await
            .contains(&rogue.peer_id)
            .then_some(())
    })
    .await
    .unwrap();

    // Nobody honest has the body; the rogue's answer is refused, not stored, not returned. On a
    // loaded machine the rogue's answer can miss one read's window (FETCH_TIMEOUT), which then
    // judges nothing: read again until it has been judged; every read must find nothing.
    let bank = GatewayBridge::new(c.handle(BANK));
    let score = wait_for("the rogue's wrong body judged", T, || async {
        assert_eq!(read(&bank, id, "BANK").await, None);
        link.peer_score(rogue.peer_id).await.filter(|s| *s < 0.0)
    })
    .await
    .unwrap();
    assert!(score < 0.0, "the rogue's score is {score}");
    // Once an honest node has it, the good body wins whatever the rogue says (again within
    // some reads' windows on a loaded machine; a wrong body is never what comes back).
    store_body(&c, GDSW, id, &body).await;
    let fetched = wait_for("the good body", T, || async {
        let fetched = read(&bank, id, "BANK").await;
        assert!(fetched.as_ref().is_none_or(|b| *b == body), "{fetched:?}");
        fetched
    })
    .await
    .unwrap();
    assert_eq!(fetched, body);
    drop(rogue);
    c.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn malformed_and_oversized_requests_fail_alone_and_the_node_serves_the_next() {
    let (c, body, id) = start_with_a_document_held_by_bank("BODY-E2E-4").await;
    store_body(&c, BANK, id, &body).await;
    // CARRIER's own node (its organisation key) talks to BANK's node with raw bytes.
    let link = c.handle(BANK).gossip().unwrap().clone();
    let secret = c.net.party("CARRIER").key.to_bytes();
    let mut asker = RawAsker::start(secret, link.local_peer_id, c.gossip_addr(BANK)).unwrap();

    asker.wait_connected(T).await.unwrap();

    // R146: the node drops such a stream without an answer (the asker sees a failure or an
    // empty stream), and keeps the connection.
    let unanswered = |answer: &Result<Vec<u8>, String>| {
        answer.as_ref().is_ok_and(Vec::is_empty) || answer.is_err()
    };
    let garbage = asker.ask(b"not a request".to_vec(), T).await.unwrap();
    assert!(unanswered(&garbage), "{garbage:?}");
    let oversized = asker.ask(vec![0; 64 * 1024], T).await.unwrap();
    assert!(unanswered(&oversized), "{oversized:?}");

    // R143 (a): the carrier is a party and the connection is its key.
    let request = |party: &str| {
        ebl_ledger::codec::encode(&BodyRequest {
            document: id,
            party: org(party),
            proof: Proof::Connection,
        })
    };
    let answer = asker.ask(request("CARRIER"), T).await.unwrap().unwrap();
    let answer: BodyResponse = ebl_ledger::codec::decode(&answer, 2 * 1024 * 1024).unwrap();
    assert_eq!(answer, BodyResponse::Found(body.clone()));
    // The same node asking for BANK, which it does not run as, is refused.
    let answer = asker.ask(request("BANK"), T).await.unwrap().unwrap();
    let answer: BodyResponse = ebl_ledger::codec::decode(&answer, 1024).unwrap();
    assert_eq!(answer, BodyResponse::Forbidden);
    // The chain went on meanwhile.
    let height = c.height(BANK).await.unwrap();
    c.wait_height(height + 1, T).await.unwrap();
    drop(asker);
    c.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stored_body_survives_a_restart() {
    let (mut c, body, id) = start_with_a_document_held_by_bank("BODY-E2E-3").await;
    store_body(&c, BANK, id, &body).await;
    c.stop(BANK).await.unwrap();
    // Restarted without its gossip swarm, the node can only answer from its own store.
    c.members[BANK].settings.gossip = None;
    c.restart(BANK).await.unwrap();
    let bank = GatewayBridge::new(c.handle(BANK));
    assert_eq!(read(&bank, id, "BANK").await, Some(body));
    // And without a swarm, a body it lacks is simply absent.
    let other = Hash32::sha256(b"not stored anywhere");
    assert_eq!(read(&bank, other, "BANK").await, None);
    c.shutdown().await.unwrap();
}
