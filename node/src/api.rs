//! The gateway's view of this node: [`GatewayBridge`] implements `ebl_gateway::NodeApi` over a
//! [`NodeHandle`], so `ebl-node` can mount the HTTP gateway without the gateway depending on
//! the node.
//!
//! # Design
//!
//! Ledger reads go straight to the store through [`NodeHandle::committed`], concurrently with
//! the ledger's task, which is the only writer (ADR 0014). Whether an entry is final is read
//! from the committed blocks (entry index + block results), so "final" is only ever said of an
//! entry in a decided block. Entries still in the mempool are remembered in a bounded set;
//! entries the mempool refused or evicted are remembered, bounded, with their code.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ebl_gateway::node::{NodeFuture, SnapshotOutcome};
use ebl_gateway::{ChainStatus, EntryStatus, NodeApi, NodeError, ProvenRecord, SubmitOutcome};
use ebl_ledger::block::{BlockHeader, Outcome};
use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::SignedEntry;
use ebl_ledger::error::StorageError;
use ebl_ledger::hash::{DocumentId, EntryId};
use ebl_ledger::identity::ValidatorSet;
use ebl_ledger::ids::OrgId;
use ebl_ledger::protocol_version::ProtocolSchedule;
use ebl_ledger::state::keys;
use ebl_ledger::storage::{Record, StoredBlock};
use tokio::sync::broadcast;

use crate::api_fates::{Fates, Wake};
use crate::handle::{NodeHandle, NodeStopped};
use crate::mempool::Admission;

impl From<NodeStopped> for NodeError {
    fn from(_: NodeStopped) -> Self {
        NodeError::Unavailable("the node has stopped".into())
    }
}

fn internal(e: impl std::fmt::Display) -> NodeError {
    NodeError::Internal(e.to_string())
}

/// Runs a read that may walk many records (a scan, a block decode, a proof) on a blocking
/// thread, so it does not stall the requests sharing this worker.
async fn blocking<T: Send + 'static>(
    read: impl FnOnce() -> Result<T, StorageError> + Send + 'static,
) -> Result<T, NodeError> {
    tokio::task::spawn_blocking(read)
        .await
        .map_err(internal)?
        .map_err(internal)
}

/// The gateway's outcome of a pool admission; an admitted entry is remembered as pending.
fn outcome_of(admission: &Admission, fates: &mut Fates) -> SubmitOutcome {
    match *admission {
        Admission::Admitted { id } => {
            fates.pending.insert(id);
            fates.remember(id);
            SubmitOutcome::Accepted(id)
        }
        Admission::Duplicate { id } => SubmitOutcome::Duplicate(id),
        Admission::Rejected { id, code } => SubmitOutcome::Rejected {
            id,
            code: code.to_string(),
            // The intake (R182–R184) or the pool (R100–R106) refused it before any block.
            message: format!("refused by the node: {code}"),
        },
    }
}

/// Frees a `wait_final` client's place among the waiters when it leaves (answered, timed
/// out or disconnected).
struct LeaveWaiting<'a>(&'a GatewayBridge, EntryId);

impl Drop for LeaveWaiting<'_> {
    fn drop(&mut self) {
        self.0.fates().stop_waiting(&self.1);
    }
}

/// `NodeApi` for a running node.
#[derive(Debug, Clone)]
pub struct GatewayBridge {
    handle: NodeHandle,
    fates: Arc<Mutex<Fates>>,
    headers: broadcast::Sender<Arc<BlockHeader>>,
    /// Keys the custodian holds, to prove body requests for their organisations (R143 b).
    party_keys: Arc<crate::bodies::PartyKeys>,
}

impl GatewayBridge {
    /// A bridge over `handle`; spawns the task that follows committed blocks and entry fates,
    /// so it must be called inside a tokio runtime.
    pub fn new(handle: NodeHandle) -> Self {
        let (headers, _) = broadcast::channel(256);
        let bridge = GatewayBridge {
            handle,
            fates: Arc::default(),
            headers,
            party_keys: Arc::default(),
        };
        bridge.spawn_follower();
        bridge
    }

    /// R143 (b): this bridge may fetch document bodies for the organisations of `held`.
    pub fn with_party_keys(mut self, held: &[crate::custody::HeldKey]) -> Self {
        let keys = held.iter().map(|h| (h.org.clone(), h.key.clone()));
        self.party_keys = Arc::new(crate::bodies::PartyKeys::new(keys));
        self
    }

    /// R470: how many `wait_final` clients wait for a decision now.
    pub fn waiters(&self) -> usize {
        self.fates().waiting()
    }

    fn fates(&self) -> std::sync::MutexGuard<'_, Fates> {
        // Fates only caches what the ledger can answer again; a poisoned lock keeps working.
        self.fates
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn spawn_follower(&self) {
        let mut blocks = self.handle.subscribe_blocks();
        let mut notes = self.handle.subscribe_notifications();
        let fates = self.fates.clone();
        let headers = self.headers.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    block = blocks.recv() => match block {
                        Ok(block) => { let _ = headers.send(Arc::new(block.block.header.clone())); }
                        Err(broadcast::error::RecvError::Lagged(_)) => {}
                        Err(broadcast::error::RecvError::Closed) => break,
                    },
                    note = notes.recv() => match note {
                        Ok(note) => {
                            let mut f = fates.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                            f.told(note.id, &note.status);
                        }
                        // R470: missed notifications may have been some waiter's.
                        Err(broadcast::error::RecvError::Lagged(_)) => {
                            let mut f = fates.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                            f.wake_all();
                        }
                        Err(broadcast::error::RecvError::Closed) => break,
                    },
                }
            }
        });
    }

    /// The fate of an entry in a committed block, read straight from the store: the entry
    /// index is written in the same atomic batch as the decided block, so an entry found here
    /// is final (R19, ADR 0014). R185: the decisive location (the inclusion that consumed the
    /// entry's sequence) when there is one — a later replayed inclusion never hides it —
    /// else, with `decided_only` false, the latest inclusion that decided nothing.
    fn committed_status(
        &self,
        id: EntryId,
        decided_only: bool,
    ) -> Result<Option<EntryStatus>, NodeError> {
        let reads = self.handle.committed();
        let location = match reads.decisive_location(&id).map_err(internal)? {
            Some(at) => Some(at),
            None if decided_only => None,
            None => reads.entry_location(&id).map_err(internal)?,
        };
        let Some(at) = location else {
            return Ok(None);
        };
        let block = reads.block(at.height).map_err(internal)?;
        let result = block
            .and_then(|b| b.results.get(usize::try_from(at.index).ok()?).cloned())
            .ok_or_else(|| internal(format!("block {} lacks result {}", at.height, at.index)))?;
        Ok(Some(match result.outcome {
            Outcome::Applied => EntryStatus::Final { height: at.height },
            Outcome::Failed { code, message } => EntryStatus::Failed {
                height: at.height,
                code,
                message,
            },
        }))
    }

    /// `wait_final` when [`crate::api_fates::MAX_WAITERS`] wait already: the status read again at each block.
    async fn wait_final_by_blocks(
        &self,
        id: EntryId,
        deadline: tokio::time::Instant,
    ) -> Result<EntryStatus, NodeError> {
        // Subscribe before the first check, so a block committed in between is not missed.
        let mut blocks = self.handle.subscribe_blocks();
        loop {
            let status = self.status_of(id).await?;
            if status.is_settled() {
                return Ok(status);
            }
            match tokio::time::timeout_at(deadline, blocks.recv()).await {
                Err(_) => return Ok(status),
                Ok(Err(broadcast::error::RecvError::Closed)) => {
                    return Err(NodeError::Unavailable("the node has stopped".into()));
                }
                Ok(_) => {}
            }
        }
    }

    async fn status_of(&self, id: EntryId) -> Result<EntryStatus, NodeError> {
        if let Some(status) = self.committed_status(id, true)? {
            return Ok(status);
        }
        {
            let fates = self.fates();
            if fates.pending.contains(&id) {
                // Included somewhere without deciding anything (R185), still pooled here.
                return Ok(EntryStatus::Pending);
            }
            if let Some(code) = fates.refused.get(&id) {
                return Ok(EntryStatus::Rejected {
                    code: code.clone(),
                    message: code.clone(),
                });
            }
        }
        Ok(self
            .committed_status(id, false)?
            .unwrap_or(EntryStatus::Unknown))
    }
}

impl NodeApi for GatewayBridge {
    fn submit(&self, entry: SignedEntry) -> NodeFuture<'_, SubmitOutcome> {
        Box::pin(async move {
            // R183: the handle answers a decided or pooled id `Duplicate` before any
            // signature work.
            let admission = self.handle.submit(entry).await?;
            Ok(outcome_of(&admission, &mut self.fates()))
        })
    }

    fn submit_batch(&self, entries: Vec<SignedEntry>) -> NodeFuture<'_, Vec<SubmitOutcome>> {
        Box::pin(async move {
            // R164, R183: one handle call; decided and pooled ids come back `Duplicate`.
            let n = entries.len();
            let admissions = self.handle.submit_batch(entries).await?;
            if admissions.len() != n {
                return Err(internal("the pool answered another number of entries"));
            }
            let mut fates = self.fates();
            Ok(admissions
                .iter()
                .map(|admission| outcome_of(admission, &mut fates))
                .collect())
        })
    }

    fn entry_status(&self, id: EntryId) -> NodeFuture<'_, EntryStatus> {
        Box::pin(self.status_of(id))
    }

    fn wait_final(&self, id: EntryId, timeout: Duration) -> NodeFuture<'_, EntryStatus> {
        Box::pin(async move {
            let deadline = tokio::time::Instant::now() + timeout;
            // R470: woken by the app loop's notification of this id, not by every block.
            loop {
                // Declared first, dropped last: the place is freed once `woken` is gone.
                let _leave = LeaveWaiting(self, id);
                // Registered before the check, so a decision in between is not missed.
                let Some(woken) = self.fates().wait_for(id) else {
                    return self.wait_final_by_blocks(id, deadline).await;
                };
                let status = self.status_of(id).await?;
                if status.is_settled() {
                    return Ok(status);
                }
                match tokio::time::timeout_at(deadline, woken).await {
                    Err(_) => return Ok(status),
                    Ok(Ok(Wake::Final(height))) => return Ok(EntryStatus::Final { height }),
                    // A refusal or failure (read it), or missed notifications (read again).
                    Ok(Ok(Wake::Recheck)) => {}
                    Ok(Err(_)) => {
                        return Err(NodeError::Unavailable("the node has stopped".into()));
                    }
                }
            }
        })
    }

    fn status(&self) -> NodeFuture<'_, ChainStatus> {
        Box::pin(async move {
            let node = self.handle.status().await?;
            let reads = self.handle.committed();
            let head = reads.head().map_err(internal)?.header.clone();
            let upgrade = match reads.get(&keys::protocol_schedule()).map_err(internal)? {
                None => None,
                Some(bytes) => {
                    ebl_ledger::codec::decode_stored::<ProtocolSchedule>(&bytes)
                        .map_err(internal)?
                        .upgrade
                }
            };
            let validators = match reads.get(&keys::validators()).map_err(internal)? {
                None => None,
                Some(bytes) => Some(
                    ebl_ledger::codec::decode_stored::<ValidatorSet>(&bytes).map_err(internal)?,
                ),
            };
            let validators = validators.unwrap_or_default().validators;
            Ok(ChainStatus {
                chain: node.ledger.chain,
                height: node.ledger.height,
                last_block_hash: node.ledger.last_block_hash,
                time: head.time,
                validators,
                peers: u32::try_from(node.peers).unwrap_or(u32::MAX),
                protocol_version: head.protocol_version,
                protocol_upgrade: upgrade,
            })
        })
    }

    fn get(&self, key: Vec<u8>) -> NodeFuture<'_, Option<Vec<u8>>> {
        // A point read is a memtable or block-cache hit in microseconds: it runs inline rather
        // than paying a hop to a blocking thread (ADR 0014).
        let value = self.handle.committed().get(&key).map_err(internal);
        Box::pin(std::future::ready(value))
    }

    fn scan(&self, prefix: Vec<u8>, limit: usize) -> NodeFuture<'_, Vec<Record>> {
        let reads = self.handle.committed().clone();
        Box::pin(blocking(move || reads.scan(&prefix, limit)))
    }

    fn block(&self, height: u64) -> NodeFuture<'_, Option<StoredBlock>> {
        let reads = self.handle.committed().clone();
        Box::pin(blocking(move || reads.block(height)))
    }

    fn prove(&self, key: Vec<u8>) -> NodeFuture<'_, ProvenRecord> {
        let reads = self.handle.committed().clone();
        Box::pin(blocking(move || {
            let head = reads.head()?;
            let proof = reads.prove(&key, &head)?;
            // The head is committed together with its certificate (one write batch), so the
            // proven header always has one, except genesis, which has none: it is trusted by
            // its hash. Bundles carry the portable form (R132) in the ledger codec, so the
            // gateway needs no knowledge of consensus types.
            let commit_certificate = if head.certificate.is_empty() {
                Vec::new()
            } else {
                crate::consensus::codec::portable_certificate(&head.certificate)
                    .map(|c| ebl_ledger::codec::encode(&c))
                    .ok_or_else(|| {
                        StorageError::Failed(format!(
                            "the certificate stored with block {} does not decode",
                            head.header.height
                        ))
                    })?
            };
            Ok(ProvenRecord {
                header: head.header.clone(),
                proof,
                commit_certificate,
            })
        }))
    }

    fn next_sequence(&self, signer: PublicKey) -> NodeFuture<'_, u64> {
        let next = self
            .handle
            .committed()
            .next_sequence(&signer)
            .map_err(internal);
        Box::pin(std::future::ready(next))
    }

    /// R141: the gateway checked the hash; a mismatch here is a gateway bug.
    fn put_document_body(&self, id: DocumentId, body: Vec<u8>) -> NodeFuture<'_, ()> {
        Box::pin(async move {
            self.handle
                .bodies
                .store
                .put(id, body)
                .await
                .map_err(internal)
        })
    }

    /// R142: local copy, else fetched from the member nodes (node/src/bodies/fetch.rs).
    fn document_body(&self, id: DocumentId, party: OrgId) -> NodeFuture<'_, Option<Vec<u8>>> {
        Box::pin(async move {
            crate::bodies::document_body(&self.handle, &self.party_keys, id, party)
                .await
                .map_err(internal)
        })
    }

    fn subscribe(&self) -> broadcast::Receiver<Arc<BlockHeader>> {
        self.headers.subscribe()
    }

    fn snapshot(&self) -> NodeFuture<'_, SnapshotOutcome> {
        Box::pin(async move {
            let handle = self.handle.clone();
            let taken = tokio::task::spawn_blocking(move || handle.take_snapshot())
                .await
                .map_err(internal)?;
            match taken {
                Ok(t) => Ok(SnapshotOutcome::Taken {
                    path: t.path.display().to_string(),
                    height: t.height,
                    block_hash: t.block_hash,
                    state_root: t.state_root,
                }),
                Err(crate::snapshot::TakeError::Full(kept)) => Ok(SnapshotOutcome::Full(kept)),
                Err(e) => Err(internal(e)),
            }
        })
    }

    fn sync_manifest(&self) -> NodeFuture<'_, std::sync::Arc<Vec<u8>>> {
        Box::pin(async move {
            let handle = self.handle.clone();
            match tokio::task::spawn_blocking(move || handle.sync_manifest())
                .await
                .map_err(internal)?
            {
                Ok(json) => Ok(json),
                Err(e @ crate::state_sync::ServeError::NothingYet) => {
                    Err(NodeError::Unavailable(e.to_string()))
                }
                Err(e) => Err(internal(e)),
            }
        })
    }

    fn sync_chunk(&self, height: u64, index: usize) -> NodeFuture<'_, Option<Vec<u8>>> {
        Box::pin(async move {
            let handle = self.handle.clone();
            tokio::task::spawn_blocking(move || handle.sync_chunk(height, index))
                .await
                .map_err(internal)?
                .map_err(internal)
        })
    }
}
