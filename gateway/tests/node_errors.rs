//! When the node fails or is slow: 503/500 problems that leak nothing, and the request timeout.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use axum::http::Method;
use ebl_gateway::node::{
    ChainStatus, EntryStatus, NodeApi, NodeError, NodeFuture, ProvenRecord, SubmitOutcome,
};
use ebl_ledger::block::BlockHeader;
use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::SignedEntry;
use ebl_ledger::hash::{DocumentId, EntryId};
use ebl_ledger::ids::OrgId;
use ebl_ledger::storage::{Record, StoredBlock};
use support::*;
use tokio::sync::broadcast;

/// A node whose every call fails with `error`.
struct BrokenNode {
    error: NodeError,
}

impl BrokenNode {
    fn fail<T: Send + 'static>(&self) -> NodeFuture<'_, T> {
        let e = self.error.clone();
        Box::pin(async move { Err(e) })
    }
}

impl NodeApi for BrokenNode {
    fn submit(&self, _: SignedEntry) -> NodeFuture<'_, SubmitOutcome> {
        self.fail()
    }
    fn entry_status(&self, _: EntryId) -> NodeFuture<'_, EntryStatus> {
        self.fail()
    }
    fn wait_final(&self, _: EntryId, _: Duration) -> NodeFuture<'_, EntryStatus> {
        self.fail()
    }
    fn status(&self) -> NodeFuture<'_, ChainStatus> {
        self.fail()
    }
    fn get(&self, _: Vec<u8>) -> NodeFuture<'_, Option<Vec<u8>>> {
        self.fail()
    }
    fn scan(&self, _: Vec<u8>, _: usize) -> NodeFuture<'_, Vec<Record>> {
        self.fail()
    }
    fn block(&self, _: u64) -> NodeFuture<'_, Option<StoredBlock>> {
        self.fail()
    }
    fn prove(&self, _: Vec<u8>) -> NodeFuture<'_, ProvenRecord> {
        self.fail()
    }
    fn next_sequence(&self, _: PublicKey) -> NodeFuture<'_, u64> {
        self.fail()
    }
    fn put_document_body(&self, _: DocumentId, _: Vec<u8>) -> NodeFuture<'_, ()> {
        self.fail()
    }
    fn document_body(&self, _: DocumentId, _: OrgId) -> NodeFuture<'_, Option<Vec<u8>>> {
        self.fail()
    }
    fn subscribe(&self) -> broadcast::Receiver<Arc<BlockHeader>> {
        broadcast::channel(1).1
    }
}

fn broken(error: NodeError) -> axum::Router {
    ebl_gateway::router(Arc::new(BrokenNode { error }), config())
}

#[tokio::test]
async fn an_unavailable_node_makes_ready_and_queries_503() {
    let app = broken(NodeError::Unavailable("syncing".into()));
    send(&app, Method::GET, "/ready", "", None)
        .await
        .assert_problem(503, "NODE_UNAVAILABLE");
    get(&app, "/v1/status")
        .await
        .assert_problem(503, "NODE_UNAVAILABLE");
    assert_eq!(
        send(&app, Method::GET, "/health", "", None).await.status,
        200
    );
}

#[tokio::test]
async fn an_internal_node_error_is_500_without_its_details() {
    let app = broken(NodeError::Internal(
        "rocksdb: disk /var/secret is full".into(),
    ));
    let reply = get(&app, "/v1/organisations/CARRIER").await;
    reply.assert_problem(500, "INTERNAL");
    assert!(!reply.body.to_string().contains("secret"), "{}", reply.body);
}

#[tokio::test]
async fn a_request_longer_than_the_timeout_is_cut_off() {
    let mut config = config();
    config.request_timeout = Duration::from_millis(50);
    let (node, app) = app_with(config);
    node.hold();
    let issue = signed_issue(&node);
    let reply = post(
        &app,
        "/v1/entries?wait=final&timeout_ms=5000",
        &hex_body(&issue),
    )
    .await;
    reply.assert_problem(503, "REQUEST_TIMEOUT");
}

#[tokio::test]
async fn subscribers_see_each_committed_header() {
    let (node, app) = app();
    let mut blocks = node.subscribe();
    post(&app, "/v1/entries", &hex_body(&signed_issue(&node))).await;
    let header = blocks.recv().await.unwrap();
    assert_eq!(header.height, 1);
    assert_eq!(header.hash(), node.with(|n| n.ledger.head().hash()));
}
