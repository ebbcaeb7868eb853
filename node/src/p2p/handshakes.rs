//! R483: how many connections from one IP address may be in their handshake at once, on both
//! of the node's swarms.
//!
//! Either swarm refuses a stranger only once the Noise handshake has named it (R116, R482), so
//! until then a stranger holds a slot of the node's pending connections. Without a per-address
//! bound, one host could hold every slot with handshakes it never finishes, and members could
//! not reconnect. With it, filling the slots takes many addresses.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::IpAddr;
use std::task::{Context, Poll};

use libp2p::core::Endpoint;
use libp2p::core::transport::PortUse;
use libp2p::multiaddr::Protocol;
use libp2p::swarm::{
    ConnectionDenied, ConnectionId, FromSwarm, NetworkBehaviour, THandler, THandlerInEvent,
    THandlerOutEvent, ToSwarm, dummy,
};
use libp2p::{Multiaddr, PeerId};

/// Handshakes one address may have in flight (members need one or two).
pub const PER_ADDRESS: usize = 8;

/// Why an inbound connection was refused before its handshake.
#[derive(Debug, thiserror::Error)]
#[error("{address} already has {PER_ADDRESS} handshakes in flight (R483)")]
pub struct TooManyHandshakes {
    /// The address (an IPv6 address stands for its /64).
    pub address: IpAddr,
}

/// The address a remote is counted under: an IPv4 address, or an IPv6 address's /64 (what one
/// site is usually given).
pub fn counted_address(remote: &Multiaddr) -> Option<IpAddr> {
    remote.iter().find_map(|p| match p {
        Protocol::Ip4(ip) => Some(IpAddr::V4(ip)),
        Protocol::Ip6(ip) => match ip.to_ipv4_mapped() {
            Some(v4) => Some(IpAddr::V4(v4)),
            None => {
                let mut segments = ip.segments();
                segments[4..].fill(0);
                Some(IpAddr::V6(segments.into()))
            }
        },
        _ => None,
    })
}

/// The behaviour that counts inbound handshakes per address.
#[derive(Debug, Default)]
pub struct HandshakeLimit {
    pending: HashMap<ConnectionId, IpAddr>,
    per_address: HashMap<IpAddr, usize>,
}

impl HandshakeLimit {
    /// Admits a handshake from `remote` or refuses it.
    pub fn begin(&mut self, id: ConnectionId, remote: &Multiaddr) -> Result<(), TooManyHandshakes> {
        let Some(address) = counted_address(remote) else {
            return Ok(()); // Not IP (a test transport): nothing to count by.
        };
        let count = self.per_address.entry(address).or_default();
        if *count >= PER_ADDRESS {
            return Err(TooManyHandshakes { address });
        }
        *count += 1;
        self.pending.insert(id, address);
        Ok(())
    }

    /// The handshake of `id` ended (established, failed or refused).
    pub fn end(&mut self, id: ConnectionId) {
        let Some(address) = self.pending.remove(&id) else {
            return;
        };
        if let Some(count) = self.per_address.get_mut(&address) {
            *count -= 1;
            if *count == 0 {
                self.per_address.remove(&address);
            }
        }
    }

    /// Handshakes in flight from `address`.
    pub fn in_flight(&self, address: &IpAddr) -> usize {
        self.per_address.get(address).copied().unwrap_or(0)
    }
}

impl NetworkBehaviour for HandshakeLimit {
    type ConnectionHandler = dummy::ConnectionHandler;
    type ToSwarm = Infallible;

    fn handle_pending_inbound_connection(
        &mut self,
        id: ConnectionId,
        _: &Multiaddr,
        remote: &Multiaddr,
    ) -> Result<(), ConnectionDenied> {
        self.begin(id, remote).map_err(ConnectionDenied::new)
    }

    fn handle_established_inbound_connection(
        &mut self,
        id: ConnectionId,
        _: PeerId,
        _: &Multiaddr,
        _: &Multiaddr,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        self.end(id);
        Ok(dummy::ConnectionHandler)
    }

    fn handle_established_outbound_connection(
        &mut self,
        _: ConnectionId,
        _: PeerId,
        _: &Multiaddr,
        _: Endpoint,
        _: PortUse,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        Ok(dummy::ConnectionHandler)
    }

    fn on_swarm_event(&mut self, event: FromSwarm<'_>) {
        // A handshake that failed, or a connection another behaviour refused.
        if let FromSwarm::ListenFailure(failure) = event {
            self.end(failure.connection_id);
        }
    }

    fn on_connection_handler_event(
        &mut self,
        _: PeerId,
        _: ConnectionId,
        event: THandlerOutEvent<Self>,
    ) {
        match event {}
    }

    fn poll(&mut self, _: &mut Context<'_>) -> Poll<ToSwarm<Infallible, THandlerInEvent<Self>>> {
        Poll::Pending
    }
}

#[cfg(test)]
#[path = "handshakes_tests.rs"]
mod tests;
