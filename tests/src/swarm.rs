//! The one way the test support library's bare swarms ([`crate::probe::Probe`], the rogues of
//! [`crate::rogue`], the snoopers) are built: the node's own transport
//! (`ebl_node::p2p::transport`).

use std::time::Duration;

use libp2p::Swarm;
use libp2p::identity::Keypair;
use libp2p::swarm::NetworkBehaviour;

/// A swarm with the identity `keypair` running `behaviour`. Idle connections stay open for
/// 300 s: tests drive these swarms only now and then, and a connection closed for idleness
/// would read as the node's doing.
pub fn build<B: NetworkBehaviour>(keypair: Keypair, behaviour: B) -> anyhow::Result<Swarm<B>> {
    ebl_node::p2p::transport::tcp_swarm(keypair, behaviour, Duration::from_secs(300))
        .map_err(|e| anyhow::anyhow!("{e}"))
}
