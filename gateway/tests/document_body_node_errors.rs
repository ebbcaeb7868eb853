//! When the node cannot store or serve bodies: the body routes answer 503 without details, and
//! an issuance still succeeds, reporting that its body was not stored (R162).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bodies_kit;
mod custodial_kit;
mod support;

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use bodies_kit::*;
use ebl_gateway::node::{
    ChainStatus, EntryStatus, NodeApi, NodeError, NodeFuture, ProvenRecord, SubmitOutcome,
};
use ebl_gateway::testkit_custody::LocalCustodian;
use ebl_ledger::block::BlockHeader;
use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::SignedEntry;
use ebl_ledger::hash::{DocumentId, EntryId};
use ebl_ledger::ids::OrgId;
use ebl_ledger::storage::{Record, StoredBlock};
use serde_json::json;
use support::LocalNode;
use tokio::sync::broadcast;

/// The test node, except that its body store is unavailable.
struct NoBodyStore(Arc<LocalNode>);

impl NodeApi for NoBodyStore {
    fn submit(&self, entry: SignedEntry) -> NodeFuture<'_, SubmitOutcome> {
        self.0.submit(entry)
    }
    fn entry_status(&self, id: EntryId) -> NodeFuture<'_, EntryStatus> {
        self.0.entry_status(id)
    }
    fn wait_final(&self, id: EntryId, timeout: Duration) -> NodeFuture<'_, EntryStatus> {
        self.0.wait_final(id, timeout)
    }
    fn status(&self) -> NodeFuture<'_, ChainStatus> {
        self.0.status()
    }
    fn get(&self, key: Vec<u8>) -> NodeFuture<'_, Option<Vec<u8>>> {
        self.0.get(key)
    }
    fn scan(&self, prefix: Vec<u8>, limit: usize) -> NodeFuture<'_, Vec<Record>> {
        self.0.scan(prefix, limit)
    }
    fn block(&self, height: u64) -> NodeFuture<'_, Option<StoredBlock>> {
        self.0.block(height)
    }
    fn prove(&self, key: Vec<u8>) -> NodeFuture<'_, ProvenRecord> {
        self.0.prove(key)
    }
    fn next_sequence(&self, signer: PublicKey) -> NodeFuture<'_, u64> {
        self.0.next_sequence(signer)
    }
    fn put_document_body(&self, _: DocumentId, _: Vec<u8>) -> NodeFuture<'_, ()> {
        Box::pin(async { Err(NodeError::Unavailable("body store secret-path down".into())) })
    }
    fn document_body(&self, _: DocumentId, _: OrgId) -> NodeFuture<'_, Option<Vec<u8>>> {
        Box::pin(async { Err(NodeError::Unavailable("body store secret-path down".into())) })
    }
    fn subscribe(&self) -> broadcast::Receiver<Arc<BlockHeader>> {
        self.0.subscribe()
    }
}

fn broken_app() -> (Arc<LocalNode>, axum::Router) {
    let node = LocalNode::pilot();
    let custodian = LocalCustodian::over_pilot(node.clone(), custodial_kit::IDENTITIES);
    let wrapped = Arc::new(NoBodyStore(node.clone()));
    let router = ebl_gateway::router_with_custodian(wrapped, Some(custodian), config());
    (node, router)
}

#[tokio::test]
async fn an_unavailable_body_store_is_503_without_details() {
    let (node, app) = broken_app();
    let (doc, id) = issue_on_ledger(&node, "BROKEN-1");
    for reply in [
        put_document(&app, Who::Key(CARRIER_DOCS), &id, &doc).await,
        get_document(&app, Who::Cert("SHIPPER"), &id).await,
    ] {
        reply.assert_problem(503, "NODE_UNAVAILABLE");
        assert!(!String::from_utf8_lossy(&reply.bytes).contains("secret-path"));
    }
    // The party checks still come first.
    get_document(&app, Who::Cert("MSA"), &id)
        .await
        .assert_problem(404, "UNKNOWN_DOCUMENT");
}

#[tokio::test]
async fn an_issue_succeeds_and_reports_its_body_not_stored_when_the_store_fails() {
    let (_node, app) = broken_app();
    let doc = document("BROKEN-2");
    let body = json!({"transport_document": doc, "issue_to": "SHIPPER", "consignee": "SHIPPER"});
    let reply =
        custodial_kit::act(&app, "carrier-ops", "/v1/custodial/ebls?wait=final", body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["status"], "final");
    assert_eq!(reply.body["document_body"], "not_stored", "{}", reply.body);
}
