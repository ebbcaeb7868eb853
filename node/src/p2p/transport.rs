//! What both of the node's swarms (entry gossip and consensus) share: TCP with Noise and
//! yamux, DNS names in peer addresses, and dialling a peer from a fresh source port.

use std::time::Duration;

use libp2p::identity::Keypair;
use libp2p::swarm::dial_opts::DialOpts;
use libp2p::swarm::{ConnectionId, DialError, NetworkBehaviour};
use libp2p::{Multiaddr, Swarm, noise, tcp, yamux};

/// A swarm of `behaviour` over TCP, Noise and yamux, whose connections close after `idle`
/// without traffic. The error is the builder's, as text.
pub fn tcp_swarm<B: NetworkBehaviour>(
    keypair: Keypair,
    behaviour: B,
    idle: Duration,
) -> Result<Swarm<B>, String> {
    Ok(libp2p::SwarmBuilder::with_existing_identity(keypair)
        .with_tokio()
        .with_tcp(
            tcp::Config::default().nodelay(true),
            noise::Config::new,
            yamux::Config::default,
        )
        .map_err(|e| e.to_string())?
        .with_dns()
        .map_err(|e| e.to_string())?
        .with_behaviour(|_| behaviour)
        .map_err(|e| e.to_string())?
        .with_swarm_config(|c| c.with_idle_connection_timeout(idle))
        .build())
}

/// Dials `addr` (whoever answers) from a fresh source port, not the listen port: two nodes
/// redial each other on the same beat, and over a WAN path (ADR 0048) their SYNs crossed in
/// flight, so with the listen port on both ends TCP merged them into one simultaneous-open
/// connection where both sides started Noise as initiator and failed, every round, for good.
pub fn dial_from_fresh_port<B: NetworkBehaviour>(
    swarm: &mut Swarm<B>,
    addr: &Multiaddr,
) -> Result<ConnectionId, DialError> {
    let opts = DialOpts::unknown_peer_id()
        .address(addr.clone())
        .allocate_new_port()
        .build();
    let id = opts.connection_id();
    swarm.dial(opts).map(|()| id)
}
