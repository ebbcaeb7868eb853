//! The node custodian's sequencing over the gateway's in-memory `LocalNode`: consecutive numbers
//! under concurrency, a number refused on sight is reused, and an admitted entry that the
//! mempool later drops does not leave a gap that would stall the identity.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use ebl_gateway::custody::{CustodialRequest, Custodian};
use ebl_gateway::node::NodeFuture;
use ebl_gateway::testkit::LocalNode;
use ebl_gateway::{ChainStatus, EntryStatus, NodeApi, ProvenRecord, SubmitOutcome};
use ebl_ledger::block::BlockHeader;
use ebl_ledger::crypto::PublicKey;
use ebl_ledger::ebl::{EblAction, EblIssue, EblType};
use ebl_ledger::entry::{Body, SignedEntry};
use ebl_ledger::hash::{EntryId, Hash32};
use ebl_ledger::ids::OrgId;
use ebl_node::custody::{HeldKey, NodeCustodian};
use tokio::sync::broadcast;

/// `LocalNode`, except that while `drop_next` is set, the next submission is answered
/// "accepted" and then forgotten, as a mempool eviction would.
struct Forgetful {
    inner: Arc<LocalNode>,
    drop_next: AtomicBool,
}

impl NodeApi for Forgetful {
    fn submit(&self, entry: SignedEntry) -> NodeFuture<'_, SubmitOutcome> {
        if self.drop_next.swap(false, Ordering::SeqCst) {
            let id = entry.id();
            return Box::pin(async move { Ok(SubmitOutcome::Accepted(id)) });
        }
        self.inner.submit(entry)
    }
    fn entry_status(&self, id: EntryId) -> NodeFuture<'_, EntryStatus> {
        self.inner.entry_status(id)
    }
    fn wait_final(&self, id: EntryId, timeout: Duration) -> NodeFuture<'_, EntryStatus> {
        self.inner.wait_final(id, timeout)
    }
    fn status(&self) -> NodeFuture<'_, ChainStatus> {
        self.inner.status()
    }
    fn get(&self, key: Vec<u8>) -> NodeFuture<'_, Option<Vec<u8>>> {
        self.inner.get(key)
    }
    fn scan(
        &self,
        prefix: Vec<u8>,
        limit: usize,
    ) -> NodeFuture<'_, Vec<ebl_ledger::storage::Record>> {
        self.inner.scan(prefix, limit)
    }
    fn block(&self, height: u64) -> NodeFuture<'_, Option<ebl_ledger::storage::StoredBlock>> {
        self.inner.block(height)
    }
    fn prove(&self, key: Vec<u8>) -> NodeFuture<'_, ProvenRecord> {
        self.inner.prove(key)
    }
    fn next_sequence(&self, signer: PublicKey) -> NodeFuture<'_, u64> {
        self.inner.next_sequence(signer)
    }
    fn put_document_body(&self, id: Hash32, body: Vec<u8>) -> NodeFuture<'_, ()> {
        self.inner.put_document_body(id, body)
    }
    fn document_body(&self, id: Hash32, party: OrgId) -> NodeFuture<'_, Option<Vec<u8>>> {
        self.inner.document_body(id, party)
    }
    fn subscribe(&self) -> broadcast::Receiver<Arc<BlockHeader>> {
        self.inner.subscribe()
    }
}

fn setup() -> (Arc<LocalNode>, Arc<Forgetful>, Arc<NodeCustodian>) {
    let node = LocalNode::pilot();
    let (key, chain) = node.with(|n| (n.party("CARRIER").key.clone(), n.ledger.chain().clone()));
    let api = Arc::new(Forgetful {
        inner: node.clone(),
        drop_next: AtomicBool::new(false),
    });
    let held = HeldKey {
        name: "carrier-ops".into(),
        org: OrgId::new("CARRIER").unwrap(),
        key,
    };
    let custodian = Arc::new(NodeCustodian::new(api.clone(), chain, vec![held]));
    (node, api, custodian)
}

fn issue(reference: &str, remark: Option<Vec<u8>>) -> CustodialRequest {
    CustodialRequest {
        identity: "carrier-ops".into(),
        act_for: None,
        body: Body::Ebl(EblAction::Issue(EblIssue {
            document: Hash32::sha256(reference.as_bytes()),
            reference: reference.into(),
            kind: EblType::ToOrderBl,
            issue_to: OrgId::new("SHIPPER").unwrap(),
            consignee: None,
        })),
        remark,
    }
}

async fn act(custodian: &NodeCustodian, request: CustodialRequest) -> (u64, SubmitOutcome) {
    let outcome = custodian.act(request).await.unwrap().unwrap();
    (outcome.sequence, outcome.submit)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_get_consecutive_sequences_while_entries_are_pending() {
    let (node, _api, custodian) = setup();
    node.hold();
    let tasks: Vec<_> = (0..12)
        .map(|i| {
            let c = custodian.clone();
            tokio::spawn(async move { act(&c, issue(&format!("SEQ-{i}"), None)).await })
        })
        .collect();
    let mut sequences = Vec::new();
    for task in tasks {
        let (seq, submit) = task.await.unwrap();
        assert!(matches!(submit, SubmitOutcome::Accepted(_)), "{submit:?}");
        sequences.push(seq);
    }
    sequences.sort_unstable();
    assert_eq!(sequences, (0..12).collect::<Vec<u64>>());
    node.flush();
    let signer = custodian.identities()[0].public_key;
    assert_eq!(node.next_sequence(signer).await.unwrap(), 12);
}

#[tokio::test]
async fn an_entry_refused_on_sight_gives_its_number_to_the_next_request() {
    let (_node, _api, custodian) = setup();
    let (seq, submit) = act(&custodian, issue("R-1", Some(vec![b'x'; 4096]))).await;
    assert_eq!(seq, 0);
    assert!(
        matches!(submit, SubmitOutcome::Rejected { .. }),
        "{submit:?}"
    );
    let (seq, submit) = act(&custodian, issue("R-1", None)).await;
    assert_eq!(seq, 0);
    assert!(matches!(submit, SubmitOutcome::Accepted(_)), "{submit:?}");
}

#[tokio::test]
async fn an_admitted_entry_dropped_before_inclusion_does_not_leave_a_gap() {
    let (node, api, custodian) = setup();
    node.hold();
    api.drop_next.store(true, Ordering::SeqCst);
    let (seq, _) = act(&custodian, issue("D-1", None)).await;
    assert_eq!(seq, 0);
    // The dropped entry is unknown to the node: the next request re-syncs to the ledger's 0.
    let (seq, submit) = act(&custodian, issue("D-2", None)).await;
    assert_eq!(seq, 0);
    let SubmitOutcome::Accepted(id) = submit else {
        panic!("{submit:?}")
    };
    // While that one is pending, the next number follows it.
    let (seq, _) = act(&custodian, issue("D-3", None)).await;
    assert_eq!(seq, 1);
    node.flush();
    assert!(matches!(
        node.entry_status(id).await.unwrap(),
        EntryStatus::Final { .. }
    ));
}

#[tokio::test]
async fn an_identity_the_node_does_not_hold_is_a_typed_error() {
    let (_node, _api, custodian) = setup();
    let mut request = issue("U-1", None);
    request.identity = "nobody".into();
    let err = custodian.act(request).await.unwrap().unwrap_err();
    assert_eq!(
        err,
        ebl_gateway::custody::CustodyError::UnknownIdentity("nobody".into())
    );
}
