//! Who may connect to the consensus swarm, following ledger state (R150–R154,
//! specs/adr/0019-consensus-network-membership.md).
//!
//! The swarm's gate (R482, [`crate::consensus::net`]) admits by a peer list that the engine's
//! run-time hook changes (`NetworkRequest::UpdatePersistentPeers`, the request Malachite's own
//! network took for its `persistent_peers_only` list). A list entry `/p2p/<peer id>` with no
//! transport admits that identity from any address and is never dialled; so the list is the
//! configured addresses to dial plus one `/p2p/<id>` per key the ledger admits, and this module
//! keeps it in step with the ledger after every block.

use std::collections::BTreeSet;

use libp2p::multiaddr::Protocol;
use libp2p::{Multiaddr, PeerId};
use malachite::NetworkRequest;
use tokio::sync::{broadcast, mpsc};

use crate::consensus::CommittedBlock;
use crate::handle::NodeHandle;
use crate::p2p::gating::{allowed_keys, allowed_peers};

/// The peer id a configured address pins with a `/p2p/<id>` component, if any.
pub fn pinned_peer(addr: &Multiaddr) -> Option<PeerId> {
    addr.iter().find_map(|p| match p {
        Protocol::P2p(id) => Some(id),
        _ => None,
    })
}

/// The identity-only list entry that admits `peer` from any address (R151).
pub fn identity_entry(peer: PeerId) -> Multiaddr {
    Multiaddr::empty().with(Protocol::P2p(peer))
}

/// R151, R152: Malachite's persistent-peer list when the ledger admits `allowed`: every
/// configured address whose pinned peer is admitted (or that pins none: trusted by address,
/// R153), and an identity entry for every admitted peer except this node itself.
pub fn persistent_list(
    configured: &[Multiaddr],
    allowed: &BTreeSet<PeerId>,
    local: &PeerId,
) -> BTreeSet<Multiaddr> {
    let mut list: BTreeSet<Multiaddr> = configured
        .iter()
        .filter(|addr| pinned_peer(addr).is_none_or(|id| allowed.contains(&id)))
        .cloned()
        .collect();
    list.extend(
        allowed
            .iter()
            .filter(|id| *id != local)
            .map(|id| identity_entry(*id)),
    );
    list
}

/// What to add to and remove from the list to go from `old` to `new`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListChange {
    /// Entries to add.
    pub add: Vec<Multiaddr>,
    /// Entries to remove (Malachite disconnects their peers, R152).
    pub remove: Vec<Multiaddr>,
}

/// The difference between two lists.
pub fn list_change(old: &BTreeSet<Multiaddr>, new: &BTreeSet<Multiaddr>) -> ListChange {
    ListChange {
        add: new.difference(old).cloned().collect(),
        remove: old.difference(new).cloned().collect(),
    }
}

/// The task that keeps Malachite's list in step with the ledger.
#[derive(Debug)]
pub struct Follower {
    /// The node, to read the ledger.
    pub node: NodeHandle,
    /// Malachite's network requests.
    pub network: mpsc::Sender<NetworkRequest>,
    /// `[p2p] persistent_peers` as configured.
    pub configured: Vec<Multiaddr>,
    /// This node's consensus peer id (R150).
    pub local: PeerId,
    /// The list Malachite holds now.
    pub applied: BTreeSet<Multiaddr>,
}

impl Follower {
    /// R152: after every committed block (or a burst it lagged behind), recomputes the list
    /// and applies the difference. Ends when the block feed closes or the node stops.
    pub async fn run(mut self, mut blocks: broadcast::Receiver<std::sync::Arc<CommittedBlock>>) {
        loop {
            match blocks.recv().await {
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return,
            }
            let allowed = match self.node.read(allowed_keys).await {
                Ok(Ok(keys)) => allowed_peers(&keys),
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "consensus membership not refreshed");
                    continue;
                }
                Err(_) => return,
            };
            let wanted = persistent_list(&self.configured, &allowed, &self.local);
            self.apply(list_change(&self.applied, &wanted)).await;
        }
    }

    /// Sends the change to Malachite; what fails (queue full, engine busy) stays out of
    /// `applied` and is retried after the next block.
    async fn apply(&mut self, change: ListChange) {
        use malachite_engine::network::PersistentPeerError as E;
        for addr in change.remove {
            match NetworkRequest::remove_persistent_peer(&self.network, addr.clone()).await {
                Ok(Ok(()) | Err(E::NotFound)) => {
                    tracing::info!(%addr, "consensus peer no longer admitted");
                    self.applied.remove(&addr);
                }
                Ok(Err(e)) => tracing::warn!(%addr, error = ?e, "persistent peer not removed"),
                Err(e) => tracing::warn!(%addr, error = %e, "persistent peer not removed"),
            }
        }
        for addr in change.add {
            match NetworkRequest::add_persistent_peer(&self.network, addr.clone()).await {
                Ok(Ok(()) | Err(E::AlreadyExists)) => {
                    tracing::info!(%addr, "consensus peer admitted");
                    self.applied.insert(addr);
                }
                Ok(Err(e)) => tracing::warn!(%addr, error = ?e, "persistent peer not added"),
                Err(e) => tracing::warn!(%addr, error = %e, "persistent peer not added"),
            }
        }
    }
}

#[cfg(test)]
#[path = "membership_tests.rs"]
mod tests;
