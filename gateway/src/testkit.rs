//! TEST DOUBLE, NOT FOR PRODUCTION (feature `testkit`): [`LocalNode`] is a [`NodeApi`] over a
//! real `Ledger<MemoryStore>` from `TestNetwork::pilot()`. Each submitted entry is committed in a
//! block of its own at once: real ledger rules, but no consensus, no mempool and no persistence,
//! so "final" here only means "applied by the local ledger". Proof bundles still carry a real
//! commit certificate: the test validators' precommits for the proven header, signed with their
//! keys over the ledger's vote bytes (R130), exactly what a node's certificate verifies as.
//!
//! It exists so that the gateway's tests and clients' tests (e.g. `ebl-wallet`) can drive the
//! real router end to end until the node implements [`NodeApi`]. With [`LocalNode::hold`]
//! entries wait in a queue until [`LocalNode::flush`], so tests can see `pending` and bounded
//! waits.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::node::{
    ChainStatus, EntryStatus, NodeApi, NodeError, NodeFuture, ProvenRecord, SubmitOutcome,
};
use ebl_ledger::block::{BlockHeader, Outcome};
use ebl_ledger::crypto::{PublicKey, Signature};
use ebl_ledger::entry::SignedEntry;
use ebl_ledger::finality::{CommitCertificate, CommitSignature};
use ebl_ledger::hash::{DocumentId, EntryId, Hash32};
use ebl_ledger::identity::Validator;
use ebl_ledger::ids::OrgId;
use ebl_ledger::state::{StateReader, keys};
use ebl_ledger::storage::{MemoryStore, Storage};
use ebl_ledger::testkit::TestNetwork;
use tokio::sync::{Notify, broadcast};

struct Inner {
    net: TestNetwork<MemoryStore>,
    hold: bool,
    queue: Vec<SignedEntry>,
    rejected: BTreeMap<EntryId, (String, String)>,
    bodies: BTreeMap<DocumentId, Vec<u8>>,
}

/// The test double (see the module docs: real ledger, no consensus, not for production).
pub struct LocalNode {
    inner: Mutex<Inner>,
    blocks: broadcast::Sender<Arc<BlockHeader>>,
    settled: Notify,
}

impl std::fmt::Debug for LocalNode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalNode").finish_non_exhaustive()
    }
}

fn internal(e: impl std::fmt::Display) -> NodeError {
    NodeError::Internal(e.to_string())
}

impl LocalNode {
    /// The pilot consortium.
    pub fn pilot() -> Arc<Self> {
        let (blocks, _) = broadcast::channel(64);
        Arc::new(LocalNode {
            inner: Mutex::new(Inner {
                net: TestNetwork::pilot(),
                hold: false,
                queue: Vec::new(),
                rejected: BTreeMap::new(),
                bodies: BTreeMap::new(),
            }),
            blocks,
            settled: Notify::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves the ledger as committed; keep serving it.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Runs `f` on the test network (to sign entries, read parties, move the clock).
    pub fn with<T>(&self, f: impl FnOnce(&mut TestNetwork<MemoryStore>) -> T) -> T {
        f(&mut self.lock().net)
    }

    /// Queue entries instead of committing them.
    pub fn hold(&self) {
        self.lock().hold = true;
    }

    /// Forgets the queued entries, as a crash loses a node's pool (the ledger stays).
    pub fn lose_pending(&self) {
        self.lock().queue.clear();
    }

    /// Commits the queued entries in one block and stops holding.
    pub fn flush(&self) {
        let mut inner = self.lock();
        inner.hold = false;
        let queue = std::mem::take(&mut inner.queue);
        if !queue.is_empty() {
            Self::commit(&mut inner, &self.blocks, queue);
        }
        drop(inner);
        self.settled.notify_waiters();
    }

    fn commit(
        inner: &mut Inner,
        blocks: &broadcast::Sender<Arc<BlockHeader>>,
        entries: Vec<SignedEntry>,
    ) {
        inner.net.commit(entries);
        let _ = blocks.send(Arc::new(inner.net.ledger.head().clone()));
    }

    fn status_of(inner: &Inner, id: &EntryId) -> Result<EntryStatus, NodeError> {
        let store = inner.net.ledger.store();
        if let Some(loc) = store.entry_location(id).map_err(internal)? {
            let block = store
                .block(loc.height)
                .map_err(internal)?
                .ok_or_else(|| internal("block missing"))?;
            let result = block
                .results
                .get(usize::try_from(loc.index).map_err(internal)?)
                .ok_or_else(|| internal("result missing"))?;
            return Ok(match &result.outcome {
                Outcome::Applied => EntryStatus::Final { height: loc.height },
                Outcome::Failed { code, message } => EntryStatus::Failed {
                    height: loc.height,
                    code: code.clone(),
                    message: message.clone(),
                },
            });
        }
        if inner.queue.iter().any(|e| e.id() == *id) {
            return Ok(EntryStatus::Pending);
        }
        Ok(match inner.rejected.get(id) {
            Some((code, message)) => EntryStatus::Rejected {
                code: code.clone(),
                message: message.clone(),
            },
            None => EntryStatus::Unknown,
        })
    }

    fn submit_now(&self, entry: SignedEntry) -> Result<SubmitOutcome, NodeError> {
        let id = entry.id();
        let mut inner = self.lock();
        if !matches!(
            Self::status_of(&inner, &id)?,
            EntryStatus::Unknown | EntryStatus::Rejected { .. }
        ) {
            return Ok(SubmitOutcome::Duplicate(id));
        }
        let chain = inner.net.ledger.chain().clone();
        if let Err(e) = entry.check_stateless(&chain) {
            let (code, message) = (e.code().to_string(), e.to_string());
            inner.rejected.insert(id, (code.clone(), message.clone()));
            return Ok(SubmitOutcome::Rejected { id, code, message });
        }
        if inner.hold {
            inner.queue.push(entry);
        } else {
            Self::commit(&mut inner, &self.blocks, vec![entry]);
            drop(inner);
            self.settled.notify_waiters();
        }
        Ok(SubmitOutcome::Accepted(id))
    }

    async fn wait(&self, id: EntryId, timeout: Duration) -> Result<EntryStatus, NodeError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.settled.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let status = Self::status_of(&self.lock(), &id)?;
            if status.is_settled() {
                return Ok(status);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return Ok(status);
            }
        }
    }
}

/// A commit certificate of `header`: every test validator's precommit at round 0 (what a node
/// that decided in the first round stores), signed over the R130 bytes of this chain.
fn certify(net: &TestNetwork<MemoryStore>, header: &BlockHeader) -> CommitCertificate {
    use ed25519_dalek::Signer as _;
    let chain = &net.ledger.chain().genesis_hash;
    let mut certificate = CommitCertificate {
        height: header.height,
        round: 0,
        block: header.hash(),
        signatures: Vec::new(),
    };
    for key in &net.validator_keys {
        let validator = PublicKey::from(key.verifying_key());
        let bytes = certificate.precommit(validator).signing_bytes(chain);
        certificate.signatures.push(CommitSignature {
            validator,
            signature: Signature(key.sign(&bytes).to_bytes()),
        });
    }
    certificate
}

impl NodeApi for LocalNode {
    fn submit(&self, entry: SignedEntry) -> NodeFuture<'_, SubmitOutcome> {
        Box::pin(async move { self.submit_now(entry) })
    }

    fn entry_status(&self, id: EntryId) -> NodeFuture<'_, EntryStatus> {
        Box::pin(async move { Self::status_of(&self.lock(), &id) })
    }

    fn wait_final(&self, id: EntryId, timeout: Duration) -> NodeFuture<'_, EntryStatus> {
        Box::pin(self.wait(id, timeout))
    }

    fn status(&self) -> NodeFuture<'_, ChainStatus> {
        Box::pin(async move {
            let inner = self.lock();
            let ledger = &inner.net.ledger;
            let validators: Vec<Validator> = ledger
                .get(&keys::validators())
                .map_err(internal)?
                .unwrap_or_default();
            Ok(ChainStatus {
                chain: ledger.chain().clone(),
                height: ledger.head().height,
                last_block_hash: ledger.head().hash(),
                time: ledger.head().time,
                validators,
                peers: 0,
                protocol_version: ledger.head().protocol_version,
                protocol_upgrade: ledger.protocol_schedule().map_err(internal)?.upgrade,
            })
        })
    }

    fn get(&self, key: Vec<u8>) -> NodeFuture<'_, Option<Vec<u8>>> {
        Box::pin(async move { self.lock().net.ledger.store().get(&key).map_err(internal) })
    }

    fn scan(
        &self,
        prefix: Vec<u8>,
        limit: usize,
    ) -> NodeFuture<'_, Vec<ebl_ledger::storage::Record>> {
        Box::pin(async move {
            self.lock()
                .net
                .ledger
                .store()
                .scan_prefix(&prefix, limit)
                .map_err(internal)
        })
    }

    fn block(&self, height: u64) -> NodeFuture<'_, Option<ebl_ledger::storage::StoredBlock>> {
        Box::pin(async move {
            self.lock()
                .net
                .ledger
                .store()
                .block(height)
                .map_err(internal)
        })
    }

    fn prove(&self, key: Vec<u8>) -> NodeFuture<'_, ProvenRecord> {
        Box::pin(async move {
            let inner = self.lock();
            let ledger = &inner.net.ledger;
            let header = ledger.head().clone();
            let commit_certificate = if header.height == 0 {
                Vec::new()
            } else {
                ebl_ledger::codec::encode(&certify(&inner.net, &header))
            };
            Ok(ProvenRecord {
                proof: ledger.prove(&key).map_err(internal)?,
                header,
                commit_certificate,
            })
        })
    }

    fn next_sequence(&self, signer: PublicKey) -> NodeFuture<'_, u64> {
        Box::pin(async move {
            self.lock()
                .net
                .ledger
                .next_sequence(&signer)
                .map_err(internal)
        })
    }

    fn put_document_body(&self, id: DocumentId, body: Vec<u8>) -> NodeFuture<'_, ()> {
        Box::pin(async move {
            if Hash32::sha256(&body) != id {
                return Err(NodeError::Internal(
                    "document body does not hash to its id".into(),
                ));
            }
            self.lock().bodies.insert(id, body);
            Ok(())
        })
    }

    fn document_body(&self, id: DocumentId, _party: OrgId) -> NodeFuture<'_, Option<Vec<u8>>> {
        // One node, no peers: only what was stored here.
        Box::pin(async move { Ok(self.lock().bodies.get(&id).cloned()) })
    }

    fn subscribe(&self) -> broadcast::Receiver<Arc<BlockHeader>> {
        self.blocks.subscribe()
    }
}

/// The signing key of pilot party `org` (its organisation key in `TestNetwork::pilot`), e.g. to
/// sign a DCSA issuance manifest as the pilot carrier.
pub fn pilot_key(org: &str) -> ed25519_dalek::SigningKey {
    ebl_ledger::testkit::key_from_label(&format!("org:{org}"))
}

/// `request` with its issuance manifest computed from its content and signed by pilot party
/// `org` (R224–R226).
pub fn signed_issuance_request(request: serde_json::Value, org: &str) -> serde_json::Value {
    crate::dcsa::manifest::signed_request(request, &pilot_key(org))
}
