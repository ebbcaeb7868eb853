//! [`NodeHandle`]: the cheap, cloneable front of a running node, for the gateway and tests.
//!
//! Every call is a message over a bounded channel to the one task that owns the ledger and the
//! mempool, answered on a oneshot; reads of committed state can instead go straight to the
//! store through [`NodeHandle::committed`]. Committed blocks and entry fates are broadcast (bounded: a
//! subscriber that falls behind is told it lagged).

use std::sync::Arc;

use ebl_ledger::Ledger;
use ebl_ledger::entry::{ChainRef, SignedEntry};
use ebl_ledger::error::StorageError;
use ebl_ledger::finality::DoubleVote;
use ebl_ledger::hash::BlockHash;
use ebl_ledger::storage::RocksStore;
use malachite::NetworkRequest;
use tokio::sync::{broadcast, mpsc, oneshot};

use crate::consensus::CommittedBlock;
use crate::mempool::{Admission, Notification};
use crate::metrics::NodeMetrics;
use crate::reads::CommittedReads;

/// A read of the ledger, run on the ledger's task.
pub type LedgerRead = Box<dyn FnOnce(&Ledger<RocksStore>) + Send>;

/// Requests to the application task.
pub enum Command {
    /// Offer entries to the mempool in one call (R164, R484): one admission per entry, in order.
    SubmitBatch(Vec<SignedEntry>, oneshot::Sender<Vec<Admission>>),
    /// Chain facts for [`NodeStatus`].
    Status(oneshot::Sender<LedgerStatus>),
    /// Run a read on the ledger.
    Read(LedgerRead),
    /// Queue double-vote evidence for the next block this node proposes (R139); answers
    /// whether it was queued (not already pending, room left).
    ReportEvidence(Box<DoubleVote>, oneshot::Sender<bool>),
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Command::SubmitBatch(entries, _) => write!(f, "SubmitBatch({})", entries.len()),
            Command::Status(_) => f.write_str("Status"),
            Command::Read(_) => f.write_str("Read"),
            Command::ReportEvidence(..) => f.write_str("ReportEvidence"),
        }
    }
}

/// What the ledger task knows of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerStatus {
    /// Network.
    pub chain: ChainRef,
    /// Height of the last committed block.
    pub height: u64,
    /// Its hash.
    pub last_block_hash: BlockHash,
    /// Validators of the next height (hex consensus keys, with power).
    pub validators: Vec<(String, u64)>,
    /// Entries in the mempool.
    pub mempool_entries: usize,
}

/// [`LedgerStatus`] plus what the network knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeStatus {
    /// Chain facts.
    pub ledger: LedgerStatus,
    /// Connected peers.
    pub peers: usize,
}

/// Why a call on the handle failed: the node has stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the node has stopped")]
pub struct NodeStopped;

/// The code of a signature R3 refused, as the pool would report it.
fn signature_code(entry: &SignedEntry) -> &'static str {
    let item = [entry.signature_item()];
    ebl_ledger::crypto::verify_each(&item)
        .into_iter()
        .find_map(Result::err)
        .map_or("BAD_SIGNATURE", |e| ebl_ledger::RuleError::from(e).code())
}

/// Decides the signatures of `entries` (R155, one batch equation, R172) on a blocking thread,
/// so that hundreds of them do not hold up the tasks sharing a worker; answers the entries.
/// A bad signature is left for the pool to refuse with its code.
pub(crate) async fn verify_apart(
    verified: &crate::consensus::SharedVerified,
    entries: Vec<SignedEntry>,
) -> Result<Vec<SignedEntry>, NodeStopped> {
    let verified = verified.clone();
    tokio::task::spawn_blocking(move || {
        verified.verify_many(&entries);
        entries
    })
    .await
    .map_err(|_| NodeStopped)
}

/// Offers entries whose signatures were decided (R155) to the application task's pool in one
/// call; answers one admission per entry, in order.
pub(crate) async fn offer_decided(
    commands: &mpsc::Sender<Command>,
    entries: Vec<SignedEntry>,
) -> Result<Vec<Admission>, NodeStopped> {
    let (tx, rx) = oneshot::channel();
    commands
        .send(Command::SubmitBatch(entries, tx))
        .await
        .map_err(|_| NodeStopped)?;
    rx.await.map_err(|_| NodeStopped)
}

/// Handle of a running node.
#[derive(Clone, Debug)]
pub struct NodeHandle {
    pub(crate) commands: mpsc::Sender<Command>,
    pub(crate) blocks: broadcast::Sender<Arc<CommittedBlock>>,
    pub(crate) notifications: broadcast::Sender<Notification>,
    pub(crate) network: mpsc::Sender<NetworkRequest>,
    pub(crate) metrics: NodeMetrics,
    /// The entry gossip, when the node runs it (R115).
    pub(crate) gossip: Option<crate::p2p::GossipLink>,
    pub(crate) reads: CommittedReads,
    /// Entries verified (R3), shared with the consensus task (R155).
    pub(crate) verified: crate::consensus::SharedVerified,
    /// Single submissions waiting to be decided together (R484).
    pub(crate) submissions: crate::submissions::Submissions,
    /// Document bodies off the ledger (R141).
    pub(crate) bodies: crate::bodies::Bodies,
    /// What every way in judges before any signature work (R182–R184).
    pub(crate) intake: crate::intake::Intake,
    /// Where [`NodeHandle::take_snapshot`] writes (R424).
    pub(crate) snapshots: std::path::PathBuf,
    /// R451: the snapshot served to members that start by state sync.
    pub(crate) sync: std::sync::Arc<crate::state_sync::SyncServer>,
}

impl NodeHandle {
    /// Offers a signed entry; answers whether the mempool took it. "Committed" comes later,
    /// through [`NodeHandle::subscribe_notifications`]. An entry that is a duplicate, has no
    /// standing, lies outside its signer's window or over its signer's share is answered at
    /// once, before any signature work, and never reaches the pool (R182–R184).
    pub async fn submit(&self, entry: SignedEntry) -> Result<Admission, NodeStopped> {
        if let Some(Some(answer)) = self.screen(std::slice::from_ref(&entry))?.pop() {
            return Ok(answer);
        }
        let gossip = self.gossip.as_ref().map(|link| (link, entry.clone()));
        // R484: its signature is decided with the other submissions waiting now.
        let admission = self.submissions.submit(entry).await?;
        // R115: what the pool takes from a local client is gossiped to the other members.
        if let (Admission::Admitted { .. }, Some((link, entry))) = (&admission, gossip) {
            link.offer(entry);
        }
        Ok(admission)
    }

    /// R182–R184: each entry's answer when the intake gives one before any signature work
    /// (charging the rest to their signers' shares), `None` for the entries that go on.
    fn screen(&self, entries: &[SignedEntry]) -> Result<Vec<Option<Admission>>, NodeStopped> {
        let stopped = |e: StorageError| {
            tracing::error!(error = %e, "the intake cannot read committed state");
            NodeStopped
        };
        let mut answers = self.intake.screen(entries).map_err(stopped)?;
        self.intake.charge(entries, &mut answers).map_err(stopped)?;
        Ok(answers)
    }

    /// Offers signed entries in one call (R164): one admission per entry, in the order given,
    /// each judged against the pool as changed by the earlier ones. The intake answers what it
    /// can before any signature work (R182–R184); the admitted ones are gossiped (R115),
    /// batched with whatever else this node publishes.
    pub async fn submit_batch(
        &self,
        entries: Vec<SignedEntry>,
    ) -> Result<Vec<Admission>, NodeStopped> {
        let answers = self.screen(&entries)?;
        let going: Vec<SignedEntry> = entries
            .into_iter()
            .zip(&answers)
            .filter(|(_, answer)| answer.is_none())
            .map(|(entry, _)| entry)
            .collect();
        let copies = self.gossip.as_ref().map(|link| (link, going.clone()));
        let admissions = self.admit_batch(going).await?;
        if let Some((link, copies)) = copies {
            for (admission, entry) in admissions.iter().zip(copies) {
                if matches!(admission, Admission::Admitted { .. }) {
                    link.offer(entry);
                }
            }
        }
        let mut admissions = admissions.into_iter();
        answers
            .into_iter()
            .map(|answer| answer.or_else(|| admissions.next()).ok_or(NodeStopped))
            .collect()
    }

    /// Offers entries to the mempool in one call without gossiping them (entries that came by
    /// gossip). Their signatures are decided first (R155, one batch equation, R172) on a blocking
    /// thread: a batch of hundreds of entries must not hold up the tasks sharing a worker.
    pub(crate) async fn admit_batch(
        &self,
        entries: Vec<SignedEntry>,
    ) -> Result<Vec<Admission>, NodeStopped> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        let entries = verify_apart(&self.verified, entries).await?;
        self.admit_decided(entries).await
    }

    /// Offers entries whose signatures were already decided on this node (R155) in one pool
    /// call, without gossiping them: what gossip does after [`Self::first_bad_signature`].
    pub(crate) async fn admit_decided(
        &self,
        entries: Vec<SignedEntry>,
    ) -> Result<Vec<Admission>, NodeStopped> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        offer_decided(&self.commands, entries).await
    }

    /// R113: decides the signatures of `entries` on a blocking thread (one batch equation, and
    /// only if it fails one by one in order, stopping at the first bad one); answers the
    /// entries back with that one's index and code. A gossiped batch carrying a bad signature
    /// is dropped whole, so a peer's forgery costs one batch equation and the valid entries
    /// before its first bad one.
    pub(crate) async fn first_bad_signature(
        &self,
        entries: Vec<SignedEntry>,
    ) -> Result<(Vec<SignedEntry>, Option<(usize, &'static str)>), NodeStopped> {
        let verified = self.verified.clone();
        tokio::task::spawn_blocking(move || {
            let bad = verified
                .first_bad(&entries)
                .and_then(|i| Some((i, signature_code(entries.get(i)?))));
            (entries, bad)
        })
        .await
        .map_err(|_| NodeStopped)
    }

    /// The node's entry intake (R182–R184), shared with gossip.
    pub fn intake(&self) -> &crate::intake::Intake {
        &self.intake
    }

    /// The entry gossip's front (peers, scores, judged messages), when the node runs it.
    pub fn gossip(&self) -> Option<&crate::p2p::GossipLink> {
        self.gossip.as_ref()
    }

    /// Chain id, height, last block hash, validators and peer count.
    pub async fn status(&self) -> Result<NodeStatus, NodeStopped> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(Command::Status(tx))
            .await
            .map_err(|_| NodeStopped)?;
        let ledger = rx.await.map_err(|_| NodeStopped)?;
        let peers = match NetworkRequest::dump_state(&self.network).await {
            Ok(Some(dump)) => dump.peers.len(),
            _ => 0,
        };
        Ok(NodeStatus { ledger, peers })
    }

    /// The peers connected on the consensus swarm, every one admitted at its handshake (R151,
    /// R482). Peers are filtered on the "persistent" mark, which the network actor gives each
    /// admitted peer. Empty when the network does not answer.
    pub async fn consensus_peers(&self) -> Vec<libp2p::PeerId> {
        match NetworkRequest::dump_state(&self.network).await {
            Ok(Some(dump)) => dump
                .peers
                .iter()
                .filter(|(_, info)| info.peer_type.is_persistent())
                .map(|(id, _)| *id)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Runs `read` on the ledger (on its task, between blocks) and returns its result.
    pub async fn read<R, F>(&self, read: F) -> Result<R, NodeStopped>
    where
        R: Send + 'static,
        F: FnOnce(&Ledger<RocksStore>) -> R + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: LedgerRead = Box::new(move |ledger| {
            let _ = tx.send(read(ledger));
        });
        self.commands
            .send(Command::Read(job))
            .await
            .map_err(|_| NodeStopped)?;
        rx.await.map_err(|_| NodeStopped)
    }

    /// Queues double-vote evidence for the next block this node proposes, as if consensus had
    /// reported it; the ledger checks it (R136–R137) before it is recorded. Answers whether
    /// it was queued.
    pub async fn report_evidence(&self, evidence: DoubleVote) -> Result<bool, NodeStopped> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(Command::ReportEvidence(Box::new(evidence), tx))
            .await
            .map_err(|_| NodeStopped)?;
        rx.await.map_err(|_| NodeStopped)
    }

    /// Reads of committed state that run on the caller's thread, beside the ledger's task
    /// (never waiting for consensus work); they see only decided blocks.
    pub fn committed(&self) -> &CommittedReads {
        &self.reads
    }

    /// R420, R424: a consistent copy of the live ledger under the data folder's `snapshots`.
    /// Blocking (it writes files): call it off the async runtime.
    pub fn take_snapshot(&self) -> Result<crate::snapshot::Taken, crate::snapshot::TakeError> {
        crate::snapshot::take(self.reads.store(), &self.snapshots)
    }

    /// R451: the manifest (JSON) of the snapshot served to syncing members. Blocking.
    pub fn sync_manifest(&self) -> Result<std::sync::Arc<Vec<u8>>, crate::state_sync::ServeError> {
        self.sync.manifest()
    }

    /// R451: chunk `index` of the served snapshot of `height`. Blocking.
    pub fn sync_chunk(
        &self,
        height: u64,
        index: usize,
    ) -> Result<Option<Vec<u8>>, crate::state_sync::ServeError> {
        self.sync.chunk(height, index)
    }

    /// The node's Prometheus metrics.
    pub fn metrics(&self) -> &NodeMetrics {
        &self.metrics
    }

    /// Every block committed from now on.
    pub fn subscribe_blocks(&self) -> broadcast::Receiver<Arc<CommittedBlock>> {
        self.blocks.subscribe()
    }

    /// The fate (final, rejected, evicted) of entries from now on.
    pub fn subscribe_notifications(&self) -> broadcast::Receiver<Notification> {
        self.notifications.subscribe()
    }
}
