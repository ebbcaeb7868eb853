//! The one way the test support library's bare swarms ([`crate::probe::Probe`], the rogues of
//! [`crate::rogue`]) are built: TCP with noise and yamux on tokio, as the node's own swarm.

use std::time::Duration;

use libp2p::identity::Keypair;
use libp2p::swarm::NetworkBehaviour;
use libp2p::{Swarm, noise, tcp, yamux};

/// A swarm with the identity `keypair` running `behaviour`. Idle connections stay open for
/// 300 s: tests drive these swarms only now and then, and a connection closed for idleness
/// would read as the node's doing.
pub fn build<B: NetworkBehaviour>(keypair: Keypair, behaviour: B) -> anyhow::Result<Swarm<B>> {
    Ok(libp2p::SwarmBuilder::with_existing_identity(keypair)
        .with_tokio()
        .with_tcp(
            tcp::Config::default().nodelay(true),
            noise::Config::new,
            yamux::Config::default,
        )?
        .with_behaviour(|_| behaviour)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(300)))
        .build())
}
