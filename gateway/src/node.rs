//! [`NodeApi`]: everything the gateway needs from a node, defined here so that the gateway never
//! depends on the node (the node implements this trait and mounts the router).
//!
//! # Design
//!
//! The trait is object-safe (`Arc<dyn NodeApi>`): every async method returns a boxed
//! [`NodeFuture`], so the router has one concrete state type and the node can hand over any
//! implementation without making the gateway generic. Reads return raw record bytes; the gateway
//! decodes them with `ebl_ledger::codec::decode_stored` and the keys of `ebl_ledger::state::keys`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use ebl_ledger::block::BlockHeader;
use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::{ChainRef, SignedEntry};
use ebl_ledger::hash::{BlockHash, DocumentId, EntryId};
use ebl_ledger::identity::Validator;
use ebl_ledger::ids::OrgId;
use ebl_ledger::state::tree::RecordProof;
use ebl_ledger::storage::{Record, StoredBlock};
use ebl_ledger::time::Timestamp;
use tokio::sync::broadcast;

/// A boxed, sendable future returned by [`NodeApi`] methods.
pub type NodeFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, NodeError>> + Send + 'a>>;

/// Why the node could not answer. Never caused by client input: the gateway answers 503/500.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NodeError {
    /// The node is starting, syncing or shutting down.
    #[error("node unavailable: {0}")]
    Unavailable(String),
    /// Storage or another internal failure.
    #[error("node internal error: {0}")]
    Internal(String),
}

/// What the node did with a submitted entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitOutcome {
    /// Admitted to the mempool (or already committed by this call); not final yet.
    Accepted(EntryId),
    /// The node already knows this entry (pending or committed).
    Duplicate(EntryId),
    /// Refused before inclusion, with the ledger's stable code.
    Rejected {
        /// Entry id.
        id: EntryId,
        /// `RuleError::code()`.
        code: String,
        /// Human explanation.
        message: String,
    },
}

/// Where an entry stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryStatus {
    /// Not known to the node.
    Unknown,
    /// In the mempool or in a proposed block that is not final.
    Pending,
    /// Final and applied.
    Final {
        /// Block height.
        height: u64,
    },
    /// Final but failed: only its sequence number (if valid) was consumed.
    Failed {
        /// Block height.
        height: u64,
        /// `RuleError::code()`.
        code: String,
        /// Human explanation.
        message: String,
    },
    /// Refused by the mempool; never in a block.
    Rejected {
        /// `RuleError::code()`.
        code: String,
        /// Human explanation.
        message: String,
    },
}

impl EntryStatus {
    /// Whether the status can no longer change.
    pub fn is_settled(&self) -> bool {
        !matches!(self, EntryStatus::Pending | EntryStatus::Unknown)
    }
}

/// The chain head and the node's view of the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainStatus {
    /// Network.
    pub chain: ChainRef,
    /// Height of the last final block.
    pub height: u64,
    /// Hash of its header.
    pub last_block_hash: BlockHash,
    /// Its block time.
    pub time: Timestamp,
    /// Current validator set.
    pub validators: Vec<Validator>,
    /// Connected peers.
    pub peers: u32,
    /// R410: protocol version of the last final block.
    pub protocol_version: u32,
    /// R413: the upgrade governance scheduled, until it activates.
    pub protocol_upgrade: Option<ebl_ledger::protocol_version::ScheduledUpgrade>,
}

/// A record proven against a final header.
#[derive(Debug, Clone)]
pub struct ProvenRecord {
    /// The header whose `state_root` the proof is against.
    pub header: BlockHeader,
    /// The record (or its absence) and its Merkle proof.
    pub proof: RecordProof,
    /// The commit certificate of that header: `ebl_ledger::codec::encode` bytes of an
    /// `ebl_ledger::finality::CommitCertificate` (R132); empty when the header has none
    /// (genesis).
    pub commit_certificate: Vec<u8>,
}

/// The node operations the gateway uses. Implementations must report an entry as final only
/// once its block is final (> 2/3 of validator power precommitted).
pub trait NodeApi: Send + Sync + 'static {
    /// Submits a signed entry (stateless checks and mempool admission).
    fn submit(&self, entry: SignedEntry) -> NodeFuture<'_, SubmitOutcome>;
    /// Submits several signed entries at once (R164): one outcome per entry, in the order
    /// given. Entries are judged one after the other, each against the pool as changed by the
    /// earlier ones, so a batch behaves like the same entries submitted one by one; a node
    /// saves the per-entry round trips (one mempool call, one gossip message). The default
    /// submits them one by one.
    fn submit_batch(&self, entries: Vec<SignedEntry>) -> NodeFuture<'_, Vec<SubmitOutcome>> {
        Box::pin(async move {
            let mut outcomes = Vec::with_capacity(entries.len());
            for entry in entries {
                outcomes.push(self.submit(entry).await?);
            }
            Ok(outcomes)
        })
    }
    /// Where an entry stands now.
    fn entry_status(&self, id: EntryId) -> NodeFuture<'_, EntryStatus>;
    /// Waits until the entry is settled or `timeout` passes, then returns its status.
    fn wait_final(&self, id: EntryId, timeout: Duration) -> NodeFuture<'_, EntryStatus>;
    /// Chain head and network status.
    fn status(&self) -> NodeFuture<'_, ChainStatus>;
    /// A state record's bytes at the head.
    fn get(&self, key: Vec<u8>) -> NodeFuture<'_, Option<Vec<u8>>>;
    /// State records under `prefix`, in key order, at most `limit`.
    fn scan(&self, prefix: Vec<u8>, limit: usize) -> NodeFuture<'_, Vec<Record>>;
    /// A final block with its results.
    fn block(&self, height: u64) -> NodeFuture<'_, Option<StoredBlock>>;
    /// A record with its Merkle proof and the header it is proven against.
    fn prove(&self, key: Vec<u8>) -> NodeFuture<'_, ProvenRecord>;
    /// The next sequence number of `signer`.
    fn next_sequence(&self, signer: PublicKey) -> NodeFuture<'_, u64>;
    /// Stores the body of an eBL off the ledger (R141): `body` is the RFC 8785 (JCS) canonical
    /// JSON of the DCSA TransportDocument, whose SHA-256 is `id`. The gateway checks the hash
    /// before calling; the node checks it again and answers `Internal` on a mismatch (a gateway
    /// bug, never client input). Storing the same body twice is a no-op.
    fn put_document_body(&self, id: DocumentId, body: Vec<u8>) -> NodeFuture<'_, ()>;
    /// The stored body of `id` for `party` (R142): from this node's store, else fetched over
    /// libp2p from the other member nodes, which serve it only to a node proving it asks for a
    /// party of the document (R143); the fetched body is checked against `id` and stored.
    /// `None` when neither this node nor any reachable node has it (or will serve it). The
    /// gateway has already checked that `party` is a party of the document (R140).
    fn document_body(&self, id: DocumentId, party: OrgId) -> NodeFuture<'_, Option<Vec<u8>>>;
    /// Headers of blocks as they become final.
    fn subscribe(&self) -> broadcast::Receiver<Arc<BlockHeader>>;
    /// R424: writes a consistent copy of the ledger on the node's disk (an admin action). A
    /// node without a disk store answers `Unavailable`.
    fn snapshot(&self) -> NodeFuture<'_, SnapshotOutcome> {
        Box::pin(async {
            Err(NodeError::Unavailable(
                "this node keeps no snapshots".into(),
            ))
        })
    }
    /// R451: the manifest (JSON) of a recent snapshot this node serves to syncing members. A
    /// node without a disk store answers `Unavailable`.
    fn sync_manifest(&self) -> NodeFuture<'_, Arc<Vec<u8>>> {
        Box::pin(async {
            Err(NodeError::Unavailable(
                "this node serves no snapshots".into(),
            ))
        })
    }
    /// R451: chunk `index` of the served snapshot of `height`; `None` when that snapshot or
    /// chunk is not (or no longer) served.
    fn sync_chunk(&self, height: u64, index: usize) -> NodeFuture<'_, Option<Vec<u8>>> {
        let _ = (height, index);
        Box::pin(async {
            Err(NodeError::Unavailable(
                "this node serves no snapshots".into(),
            ))
        })
    }
}

/// What `NodeApi::snapshot` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotOutcome {
    /// A snapshot was written (or one of the same block existed already).
    Taken {
        /// Its folder on the node's disk.
        path: String,
        /// Height of its last block.
        height: u64,
        /// Hash of that block's header.
        block_hash: BlockHash,
        /// Its state root.
        state_root: ebl_ledger::hash::Hash32,
    },
    /// R424: the node keeps as many snapshots as it may already.
    Full(usize),
}
