//! The flooder's connections to the honest nodes (R212): one per node's gossip address,
//! redialled with a backoff when it closes or fails, dropped and redialled when the node has
//! pruned the flooder from its mesh for a while, within a bounded number of reconnects.
//!
//! A node's score of the flooder is not visible to the flooder; what is visible is gossipsub's
//! mesh: a node prunes a mesh peer it scores below zero and refuses its grafts for the prune
//! backoff. So the nodes that had the flooder in their mesh when the flood began are *watched*,
//! and one that has left the mesh has most likely scored the flooder down (R114).

use std::collections::BTreeSet;
use std::time::Duration;

use libp2p::swarm::ConnectionId;
use libp2p::{Multiaddr, PeerId};
use tokio::time::Instant;

/// First wait before dialling a node again.
pub const FIRST_BACKOFF: Duration = Duration::from_millis(200);

/// Longest wait before dialling a node again.
pub const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// Most reconnects per node in one flood.
pub const MAX_RECONNECTS: u32 = 8;

/// How long a node may keep the flooder out of its mesh before the flooder reconnects.
pub const PRUNED_RECONNECT_AFTER: Duration = Duration::from_secs(5);

/// One honest node.
#[derive(Debug, Clone)]
pub struct Link {
    /// Its gossip address.
    pub addr: Multiaddr,
    /// Its identity, once a connection named it.
    pub peer: Option<PeerId>,
    /// Whether a connection is open.
    pub connected: bool,
    /// The dial under way.
    pub dialing: Option<ConnectionId>,
    /// Not before this instant is it dialled again.
    pub next_dial: Instant,
    backoff: Duration,
    /// Whether it had the flooder in its mesh when the flood began.
    pub watched: bool,
    /// Since when a watched node has been connected without having the flooder in its mesh.
    pub pruned_since: Option<Instant>,
    /// Whether it was dialled at least once (every later dial is a reconnect).
    pub dialled: bool,
    /// Reconnects so far.
    pub reconnects: u32,
}

impl Link {
    /// A node not dialled yet.
    pub fn new(addr: Multiaddr, now: Instant) -> Self {
        Link {
            addr,
            peer: None,
            connected: false,
            dialing: None,
            next_dial: now,
            backoff: FIRST_BACKOFF,
            watched: false,
            pruned_since: None,
            dialled: false,
            reconnects: 0,
        }
    }

    /// Whether it should be dialled now: not connected, no dial under way, backoff over, and
    /// (for a reconnect) budget left.
    pub fn due(&self, now: Instant) -> bool {
        !self.connected
            && self.dialing.is_none()
            && now >= self.next_dial
            && (!self.dialled || self.reconnects < MAX_RECONNECTS)
    }

    /// A dial is about to start; answers whether it is a reconnect.
    pub fn dialling(&mut self) -> bool {
        let again = self.dialled;
        self.dialled = true;
        if again {
            self.reconnects += 1;
        }
        again
    }

    /// A connection opened.
    pub fn opened(&mut self, peer: PeerId) {
        self.peer = Some(peer);
        self.connected = true;
        self.dialing = None;
        self.backoff = FIRST_BACKOFF;
        self.pruned_since = None;
    }

    /// The connection closed or the dial failed: dial again after the backoff.
    pub fn lost(&mut self, now: Instant) {
        self.connected = false;
        self.dialing = None;
        self.next_dial = now + self.backoff;
        self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
    }

    /// Whether the node is connected and has the flooder in its mesh (`meshed`: the mesh peers).
    pub fn in_mesh(&self, meshed: &BTreeSet<PeerId>) -> bool {
        self.connected && self.peer.is_some_and(|p| meshed.contains(&p))
    }

    /// Notes whether a watched node has the flooder in its mesh now; answers whether it has
    /// kept it out long enough to reconnect.
    pub fn observe_mesh(&mut self, meshed: &BTreeSet<PeerId>, now: Instant) -> bool {
        if !(self.watched && self.connected) {
            return false;
        }
        if self.in_mesh(meshed) {
            self.pruned_since = None;
            return false;
        }
        if self.pruned_since.is_none() {
            self.pruned_since = Some(now);
        }
        self.reconnects < MAX_RECONNECTS
            && self
                .pruned_since
                .is_some_and(|since| now.saturating_duration_since(since) >= PRUNED_RECONNECT_AFTER)
    }

    /// Whether it is watched, connected and has pruned the flooder from its mesh.
    pub fn pruned(&self) -> bool {
        self.watched && self.connected && self.pruned_since.is_some()
    }
}

/// Whether every connected watched node has pruned the flooder (and one is connected): its
/// messages are then most likely dropped unjudged (R114).
pub fn all_pruned(links: &[Link]) -> bool {
    let mut watched = links.iter().filter(|l| l.watched && l.connected).peekable();
    watched.peek().is_some() && watched.all(Link::pruned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(now: Instant) -> Link {
        Link::new(
            "/ip4/127.0.0.1/tcp/1"
                .parse()
                .unwrap_or_else(|e| panic!("{e}")),
            now,
        )
    }

    #[test]
    fn a_lost_node_is_redialled_after_a_doubling_backoff() {
        let now = Instant::now();
        let mut l = link(now);
        assert!(l.due(now));
        assert!(!l.dialling(), "the first dial is no reconnect");
        l.opened(PeerId::random());
        assert!(!l.due(now));
        l.lost(now);
        assert!(!l.due(now));
        assert!(l.due(now + FIRST_BACKOFF));
        assert!(l.dialling());
        l.lost(now);
        assert_eq!(l.next_dial, now + FIRST_BACKOFF * 2);
        l.reconnects = MAX_RECONNECTS;
        assert!(!l.due(now + MAX_BACKOFF), "the budget is spent");
    }

    #[test]
    fn a_node_that_pruned_the_flooder_for_long_enough_is_reconnected() {
        let now = Instant::now();
        let peer = PeerId::random();
        let mut l = link(now);
        l.opened(peer);
        let meshed = BTreeSet::from([peer]);
        assert!(!l.observe_mesh(&BTreeSet::new(), now), "not watched");
        assert!(!l.pruned());
        assert!(l.in_mesh(&meshed));
        l.watched = true;
        assert!(!l.observe_mesh(&meshed, now));
        assert!(!l.pruned());
        assert!(!all_pruned(std::slice::from_ref(&l)));
        assert!(!l.observe_mesh(&BTreeSet::new(), now));
        assert!(l.pruned());
        assert!(all_pruned(std::slice::from_ref(&l)));
        assert!(l.observe_mesh(&BTreeSet::new(), now + PRUNED_RECONNECT_AFTER));
    }

    #[test]
    fn nobody_connected_is_not_all_pruned() {
        assert!(!all_pruned(&[link(Instant::now())]));
    }
}
