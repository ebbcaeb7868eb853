//! R151, R153, R482: who may hold a connection on the consensus swarm, decided when the Noise
//! handshake has named the peer and before any protocol runs on the connection.
//!
//! A stranger's connection is closed before gossipsub, value sync or the status broadcast
//! ever sees it, so it hears nothing and is answered nothing (ADR 0056).

use std::collections::BTreeSet;
use std::convert::Infallible;
use std::task::{Context, Poll};

use libp2p::core::Endpoint;
use libp2p::core::transport::PortUse;
use libp2p::multiaddr::Protocol;
use libp2p::swarm::{
    CloseConnection, ConnectionDenied, ConnectionId, FromSwarm, NetworkBehaviour, THandler,
    THandlerInEvent, THandlerOutEvent, ToSwarm, dummy,
};
use libp2p::{Multiaddr, PeerId};

/// Why a connection was refused (the swarm logs it with the connection error).
#[derive(Debug, thiserror::Error)]
#[error("{peer} is not admitted to the consensus swarm (R482)")]
pub struct NotAdmitted {
    /// The peer the handshake named.
    pub peer: PeerId,
}

/// The admission rule, pure: the peers the ledger admits (R151) and the configured addresses
/// that pin no peer and are trusted by address on the connections this node dials (R153).
#[derive(Debug, Default, Clone)]
pub struct Admission {
    allowed: BTreeSet<PeerId>,
    trusted_addrs: BTreeSet<Multiaddr>,
}

/// `addr` without its `/p2p/…` component, the form dial targets are compared in.
pub fn transport_part(addr: &Multiaddr) -> Multiaddr {
    addr.iter()
        .filter(|p| !matches!(p, Protocol::P2p(_)))
        .collect()
}

impl Admission {
    /// Whether `peer` is admitted on a connection it opened.
    pub fn admits_inbound(&self, peer: &PeerId) -> bool {
        self.allowed.contains(peer)
    }

    /// Whether `peer`, answering at `addr` on a connection this node dialled, is admitted.
    pub fn admits_outbound(&self, peer: &PeerId, addr: &Multiaddr) -> bool {
        self.allowed.contains(peer) || self.trusted_addrs.contains(&transport_part(addr))
    }

    /// Admits `peer` (answers whether it was new).
    pub fn allow(&mut self, peer: PeerId) -> bool {
        self.allowed.insert(peer)
    }

    /// Stops admitting `peer` (answers whether it was admitted).
    pub fn disallow(&mut self, peer: &PeerId) -> bool {
        self.allowed.remove(peer)
    }

    /// Trusts whatever peer answers at `addr` when this node dials it (R153).
    pub fn trust_address(&mut self, addr: &Multiaddr) {
        self.trusted_addrs.insert(transport_part(addr));
    }

    /// Stops trusting `addr` (answers whether it was trusted).
    pub fn distrust_address(&mut self, addr: &Multiaddr) -> bool {
        self.trusted_addrs.remove(&transport_part(addr))
    }

    /// The admitted peers.
    pub fn allowed(&self) -> &BTreeSet<PeerId> {
        &self.allowed
    }
}

/// The behaviour that applies [`Admission`] at the handshake and closes the connections of a
/// peer no longer admitted (R152).
#[derive(Debug, Default)]
pub struct Gate {
    admission: Admission,
    to_close: Vec<PeerId>,
    waker: Option<std::task::Waker>,
}

impl Gate {
    /// The rule in force.
    pub fn admission(&self) -> &Admission {
        &self.admission
    }

    /// Admits `peer`.
    pub fn allow(&mut self, peer: PeerId) {
        self.admission.allow(peer);
    }

    /// Stops admitting `peer` and closes its connections.
    pub fn disallow(&mut self, peer: PeerId) {
        if self.admission.disallow(&peer) {
            self.close(peer);
        }
    }

    /// Trusts `addr` when dialled (R153).
    pub fn trust_address(&mut self, addr: &Multiaddr) {
        self.admission.trust_address(addr);
    }

    /// Stops trusting `addr`; `connected_there` (the peer now connected at it, if any) is
    /// closed unless the ledger admits it by key.
    pub fn distrust_address(&mut self, addr: &Multiaddr, connected_there: Option<PeerId>) {
        if self.admission.distrust_address(addr)
            && let Some(peer) = connected_there
            && !self.admission.admits_inbound(&peer)
        {
            self.close(peer);
        }
    }

    fn close(&mut self, peer: PeerId) {
        self.to_close.push(peer);
        if let Some(waker) = self.waker.take() {
            waker.wake();
        }
    }
}

impl NetworkBehaviour for Gate {
    type ConnectionHandler = dummy::ConnectionHandler;
    type ToSwarm = Infallible;

    fn handle_established_inbound_connection(
        &mut self,
        _: ConnectionId,
        peer: PeerId,
        _: &Multiaddr,
        _: &Multiaddr,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        if self.admission.admits_inbound(&peer) {
            Ok(dummy::ConnectionHandler)
        } else {
            Err(ConnectionDenied::new(NotAdmitted { peer }))
        }
    }

    fn handle_established_outbound_connection(
        &mut self,
        _: ConnectionId,
        peer: PeerId,
        addr: &Multiaddr,
        _: Endpoint,
        _: PortUse,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        if self.admission.admits_outbound(&peer, addr) {
            Ok(dummy::ConnectionHandler)
        } else {
            Err(ConnectionDenied::new(NotAdmitted { peer }))
        }
    }

    fn on_swarm_event(&mut self, _: FromSwarm<'_>) {}

    fn on_connection_handler_event(
        &mut self,
        _: PeerId,
        _: ConnectionId,
        event: THandlerOutEvent<Self>,
    ) {
        match event {}
    }

    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<ToSwarm<Infallible, THandlerInEvent<Self>>> {
        if let Some(peer) = self.to_close.pop() {
            return Poll::Ready(ToSwarm::CloseConnection {
                peer_id: peer,
                connection: CloseConnection::All,
            });
        }
        self.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

#[cfg(test)]
#[path = "gate_tests.rs"]
mod tests;
