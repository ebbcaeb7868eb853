//! Starting the gossip swarm: identity, transport, behaviour, the allow list filled from the
//! ledger, the listen address; then the [`Task`] that owns it is spawned.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use ebl_ledger::entry::{ChainRef, SignedEntry};
use libp2p::Multiaddr;
use libp2p::identity::Keypair;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::task::JoinHandle;

use super::behaviour;
use super::task::Task;
use super::{EVENT_BROADCAST, GossipLink, GossipSettings, PUBLISH_QUEUE, QUERY_QUEUE, Query};
use crate::bodies::traffic::{BodyTraffic, ServeContext};
use crate::handle::NodeHandle;

/// How often configured peers without a connection are dialled again.
pub const REDIAL_INTERVAL: Duration = Duration::from_secs(2);
/// How long an idle connection stays open (gossipsub keeps member connections busy anyway).
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(300);

/// Why the gossip swarm could not start.
#[derive(Debug, thiserror::Error)]
pub enum GossipError {
    /// The identity secret is not an Ed25519 secret.
    #[error("gossip identity: {0}")]
    Identity(String),
    /// Transport or behaviour setup failed.
    #[error("gossip swarm: {0}")]
    Swarm(String),
    /// The listen address cannot be used.
    #[error("gossip listen on {addr}: {reason}")]
    Listen {
        /// The address.
        addr: Multiaddr,
        /// Why.
        reason: String,
    },
}

/// The receiving ends the task reads.
#[derive(Debug)]
pub struct Inbox {
    pub(super) publish: mpsc::Receiver<SignedEntry>,
    pub(super) queries: mpsc::Receiver<Query>,
}

/// R116: the gossip identity is the node's consensus key. Returns the link (for the node
/// handle), the task's inbox and the identity.
pub fn link(consensus_secret: [u8; 32]) -> Result<(GossipLink, Inbox, Keypair), GossipError> {
    let keypair = Keypair::ed25519_from_bytes(consensus_secret)
        .map_err(|e| GossipError::Identity(e.to_string()))?;
    let (publish_tx, publish) = mpsc::channel(PUBLISH_QUEUE);
    let (queries_tx, queries) = mpsc::channel(QUERY_QUEUE);
    let link = GossipLink {
        publish: publish_tx,
        queries: queries_tx,
        events: broadcast::channel(EVENT_BROADCAST).0,
        local_peer_id: keypair.public().to_peer_id(),
    };
    Ok((link, Inbox { publish, queries }, keypair))
}

/// How long [`GossipTask::stop`] waits for the task to wind down before aborting it.
pub const STOP_GRACE: Duration = Duration::from_secs(5);

/// The running gossip task.
#[derive(Debug)]
pub struct GossipTask {
    join: JoinHandle<()>,
    stop: oneshot::Sender<()>,
}

impl GossipTask {
    /// Stops the task and waits until it and every judge it spawned have ended (bounded by
    /// [`STOP_GRACE`], then aborted), so no judge still holds the node's store and the swarm's
    /// port is free for a restart.
    pub async fn stop(self) {
        let GossipTask { mut join, stop } = self;
        let _ = stop.send(());
        if tokio::time::timeout(STOP_GRACE, &mut join).await.is_err() {
            join.abort();
            let _ = join.await;
        }
    }

    /// Aborts the task without waiting (its judges are aborted with it).
    pub fn abort(&self) {
        self.join.abort();
    }
}

/// Builds the swarm, fills the allow list from the ledger, listens, and spawns the task.
pub async fn spawn(
    settings: &GossipSettings,
    keypair: Keypair,
    chain: &ChainRef,
    node: NodeHandle,
    link: &GossipLink,
    inbox: Inbox,
) -> Result<GossipTask, GossipError> {
    let topic = behaviour::entry_topic(chain);
    let swarm_err = |e: &dyn std::fmt::Display| GossipError::Swarm(e.to_string());
    let behaviour = behaviour::build(&topic).map_err(|e| swarm_err(&e))?;
    let mut swarm = super::transport::tcp_swarm(keypair, behaviour, IDLE_TIMEOUT)
        .map_err(GossipError::Swarm)?;
    let bodies = BodyTraffic::new(ServeContext {
        chain: chain.clone(),
        reads: node.committed().clone(),
        store: node.bodies.store.clone(),
    });
    let mut task = Task {
        bodies,
        topic,
        node,
        events: link.events.clone(),
        peers: settings.peers.clone(),
        allowed: BTreeSet::new(),
        dialing: BTreeMap::new(),
        dialled: BTreeMap::new(),
        quotas: super::quota::PeerQuotas::default(),
        judges: BTreeMap::new(),
    };
    // The gate starts empty (deny all): fill it before accepting anything.
    task.refresh_gate(&mut swarm).await;
    swarm
        .listen_on(settings.listen_addr.clone())
        .map_err(|e| GossipError::Listen {
            addr: settings.listen_addr.clone(),
            reason: e.to_string(),
        })?;
    let (stop, stopped) = oneshot::channel();
    let join = tokio::spawn(task.run(swarm, inbox, stopped));
    Ok(GossipTask { join, stop })
}
