//! Entry gossip between member nodes, on our own libp2p swarm beside Malachite's
//! (specs/protocol.md R110–R119, specs/adr/0011-entry-gossip-and-gating.md).
//!
//! # Design
//!
//! - [`behaviour`]: tcp + noise + yamux; a connection gate, then gossipsub on one topic per
//!   chain with manual validation and peer scoring.
//! - [`gating`]: the allowed set (validators ∪ active organisations' keys) read from ledger
//!   state, recomputed after every committed block; peers that drop out are disconnected.
//! - [`batch`]: a message is a batch of entries (R110); the outbox packs what this node
//!   publishes, the decoder bounds what it receives.
//! - [`quota`]: per-peer bounds on judging (R184), checked before a message is judged.
//! - [`validate`]: the node's intake screens each entry of a received batch before any
//!   signature work (R182–R184), then signatures, then the mempool judges the batch in one
//!   call; the message's verdict is reported to gossipsub, so invalid entries are never
//!   forwarded and their sender is scored down.
//! - [`start`]: builds the swarm and fills the gate before listening.
//! - [`task`]: the one task that owns the swarm; everyone else holds a [`GossipLink`] over
//!   bounded channels. Entries the mempool admits from a local submission are published.

pub mod batch;
pub mod behaviour;
pub mod gating;
pub mod handshakes;
pub mod quota;
pub mod start;
pub mod task;
pub mod transport;
pub mod validate;

use ebl_ledger::entry::SignedEntry;
use ebl_ledger::hash::EntryId;
use libp2p::{Multiaddr, PeerId};
use tokio::sync::{broadcast, mpsc, oneshot};

use crate::bodies::{AskFailure, BodyRequest, BodyResponse};

pub use start::{GossipError, GossipTask, spawn};
pub use validate::Verdict;

/// Bound of the queue of entries waiting to be published (R118): room for a few full batch
/// submissions (R164) while the gossip task packs the previous ones.
pub const PUBLISH_QUEUE: usize = 8_192;
/// Bound of the queue of queries to the gossip task.
pub const QUERY_QUEUE: usize = 64;
/// Most received messages (batches) judged at once; beyond, new ones are ignored (R118).
pub const MAX_VALIDATIONS: usize = 256;
/// Bound of the gossip event broadcast.
pub const EVENT_BROADCAST: usize = 4_096;

/// Where the gossip swarm listens and whom it dials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GossipSettings {
    /// Listen address, e.g. `/ip4/0.0.0.0/tcp/27001`.
    pub listen_addr: Multiaddr,
    /// Gossip addresses of other member nodes, redialled while not connected.
    pub peers: Vec<Multiaddr>,
}

/// One entry of a message judged by this node (or the message itself, when it did not decode).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GossipEvent {
    /// The entry, when the message decoded as a batch.
    pub entry: Option<EntryId>,
    /// The peer that forwarded it.
    pub from: PeerId,
    /// What the node made of this entry (of the message, when `entry` is `None`).
    pub verdict: Verdict,
}

/// Questions to the gossip task.
#[derive(Debug)]
pub(crate) enum Query {
    /// gossipsub's score of a peer.
    Score(PeerId, oneshot::Sender<Option<f64>>),
    /// Connected peers subscribed to the entry topic.
    Peers(oneshot::Sender<Vec<PeerId>>),
    /// Every connected peer.
    Connected(oneshot::Sender<Vec<PeerId>>),
    /// R142: ask a peer for a document body.
    AskBody(PeerId, BodyRequest, crate::bodies::traffic::AskReply),
}

/// The cheap, cloneable front of the gossip task.
#[derive(Debug, Clone)]
pub struct GossipLink {
    pub(crate) publish: mpsc::Sender<SignedEntry>,
    pub(crate) queries: mpsc::Sender<Query>,
    pub(crate) events: broadcast::Sender<GossipEvent>,
    /// This node's gossip peer id.
    pub local_peer_id: PeerId,
}

impl GossipLink {
    /// R115: queues an admitted local entry for publication. Never waits (R118): when the queue
    /// is full the entry stays only in this node's pool, and still commits when this node
    /// proposes (R119).
    pub(crate) fn offer(&self, entry: SignedEntry) {
        if let Err(e) = self.publish.try_send(entry) {
            tracing::warn!(error = %e, "gossip publish queue full or closed: entry not gossiped");
        }
    }

    /// Every message judged from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<GossipEvent> {
        self.events.subscribe()
    }

    /// gossipsub's score of `peer` (`None`: unknown peer, or the task has stopped).
    pub async fn peer_score(&self, peer: PeerId) -> Option<f64> {
        let (tx, rx) = oneshot::channel();
        self.queries.send(Query::Score(peer, tx)).await.ok()?;
        rx.await.ok().flatten()
    }

    /// Connected peers subscribed to the entry topic (empty once the task has stopped).
    pub async fn peers(&self) -> Vec<PeerId> {
        let (tx, rx) = oneshot::channel();
        if self.queries.send(Query::Peers(tx)).await.is_err() {
            return Vec::new();
        }
        rx.await.unwrap_or_default()
    }

    /// Every connected peer (empty once the task has stopped).
    pub async fn connected_peers(&self) -> Vec<PeerId> {
        let (tx, rx) = oneshot::channel();
        if self.queries.send(Query::Connected(tx)).await.is_err() {
            return Vec::new();
        }
        rx.await.unwrap_or_default()
    }

    /// R142: asks `peer` for a document body; a body that does not hash to the id never comes
    /// back from here (R145).
    pub async fn ask_body(
        &self,
        peer: PeerId,
        request: BodyRequest,
    ) -> Result<BodyResponse, AskFailure> {
        let (tx, rx) = oneshot::channel();
        self.queries
            .send(Query::AskBody(peer, request, tx))
            .await
            .map_err(|_| AskFailure::Stopped)?;
        rx.await.map_err(|_| AskFailure::Stopped)?
    }
}
