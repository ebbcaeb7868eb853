//! The consensus swarm's peer list (R151–R153), kept by `consensus::membership` in step with
//! the ledger through the engine's `UpdatePersistentPeers` requests, and what each entry means
//! for the [`Gate`] and for dialling.
//!
//! - `/p2p/<id>` alone admits that key, from any address, and is never dialled.
//! - An address pinned with `/p2p/<id>` is dialled and admits that key.
//! - A plain address is dialled and trusts whatever key answers there, on that outbound
//!   connection only (R153).

use std::collections::BTreeSet;

use libp2p::request_response::OutboundFailure;
use libp2p::{Multiaddr, PeerId};
use malachite_network::PersistentPeerError;

use super::gate::{Gate, transport_part};
use crate::consensus::membership::pinned_peer;

/// The list entries.
#[derive(Debug, Default, Clone)]
pub struct PeerList {
    entries: BTreeSet<Multiaddr>,
}

/// Whether `addr` names a place to dial (not only an identity).
fn has_transport(addr: &Multiaddr) -> bool {
    !transport_part(addr).is_empty()
}

impl PeerList {
    /// Adds `addr` and admits what it names.
    pub fn add(&mut self, addr: &Multiaddr, gate: &mut Gate) -> Result<(), PersistentPeerError> {
        if !self.entries.insert(addr.clone()) {
            return Err(PersistentPeerError::AlreadyExists);
        }
        match pinned_peer(addr) {
            Some(peer) => gate.allow(peer),
            None => gate.trust_address(addr),
        }
        Ok(())
    }

    /// Removes `addr`. A key no other entry names is no longer admitted and its connections
    /// close; a plain address stops being trusted and `connected_there` is closed unless its
    /// key is admitted (R152).
    pub fn remove(
        &mut self,
        addr: &Multiaddr,
        gate: &mut Gate,
        connected_there: Option<PeerId>,
    ) -> Result<(), PersistentPeerError> {
        if !self.entries.remove(addr) {
            return Err(PersistentPeerError::NotFound);
        }
        match pinned_peer(addr) {
            Some(peer) if !self.names(&peer) => gate.disallow(peer),
            Some(_) => {}
            None => gate.distrust_address(addr, connected_there),
        }
        Ok(())
    }

    /// Whether any entry pins `peer`.
    fn names(&self, peer: &PeerId) -> bool {
        self.entries.iter().any(|e| pinned_peer(e) == Some(*peer))
    }

    /// The entries to dial.
    pub fn dial_targets(&self) -> impl Iterator<Item = &Multiaddr> {
        self.entries.iter().filter(|a| has_transport(a))
    }

    /// The entries (for the state dump).
    pub fn entries(&self) -> &BTreeSet<Multiaddr> {
        &self.entries
    }
}

/// The engine's name for why a value request failed.
pub fn outbound_failure_reason(error: &OutboundFailure) -> malachite_sync::OutboundFailureReason {
    use malachite_sync::OutboundFailureReason as R;
    match error {
        OutboundFailure::DialFailure => R::DialFailure,
        OutboundFailure::ConnectionClosed => R::ConnectionClosed,
        OutboundFailure::Timeout => R::Timeout,
        OutboundFailure::UnsupportedProtocols => R::UnsupportedProtocols,
        OutboundFailure::Io(_) => R::Io,
    }
}

#[cfg(test)]
#[path = "peers_tests.rs"]
mod tests;
