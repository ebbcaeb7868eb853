//! The consensus swarm's protocols. They are the ones Malachite's own swarm speaks, with the
//! same names and settings (Identify, ping, gossipsub on the consensus channels, the
//! `libp2p-scatter` status broadcast, value sync), so a node of ours and a node running
//! Malachite's network interoperate; what is ours is the [`Gate`] in front of them (ADR 0056).

use std::hash::{Hash as _, Hasher as _};
use std::time::Duration;

use libp2p::gossipsub::{self, MessageAuthenticity, ValidationMode};
use libp2p::identity::Keypair;
use libp2p::swarm::NetworkBehaviour;
use libp2p::{StreamProtocol, connection_limits, identify, ping};
use malachite::app::config::{ConsensusConfig, PubSubProtocol, ValueSyncConfig};
use malachite_network::{Channel, ChannelNames, peer_scoring};

use super::gate::Gate;
use crate::p2p::handshakes::HandshakeLimit;

/// The gossipsub behaviour with Malachite's subscription filter (its channels only).
pub type Gossipsub =
    gossipsub::Behaviour<gossipsub::IdentityTransform, gossipsub::WhitelistSubscriptionFilter>;

/// Connections a node accepts while their handshake runs: strangers cost a Noise handshake
/// each, so their number in flight is bounded.
pub const MAX_PENDING_INCOMING: u32 = 64;
/// Connections per peer (two nodes dialling each other at once hold two).
pub const MAX_PER_PEER: u32 = 4;

/// What the swarm speaks.
#[derive(NetworkBehaviour)]
pub struct Behaviour {
    /// R483: a bounded number of handshakes in flight per address.
    pub handshakes: HandshakeLimit,
    /// R482: only admitted peers keep a connection; listed first so it decides before any
    /// other protocol gets a handler.
    pub gate: Gate,
    /// Bounds on connections in flight and per peer.
    pub limits: connection_limits::Behaviour,
    /// Malachite's peers expect it (its admission waits for it); ours admit at the gate.
    pub identify: identify::Behaviour,
    /// Liveness of idle connections, as Malachite.
    pub ping: ping::Behaviour,
    /// Votes, proposals, proposal parts and liveness messages.
    pub gossipsub: Gossipsub,
    /// Value-sync status to every connected peer.
    pub broadcast: libp2p_scatter::Behaviour,
    /// Value sync requests and responses.
    pub sync: malachite_sync::Behaviour,
}

impl std::fmt::Debug for Behaviour {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Behaviour").finish_non_exhaustive()
    }
}

/// Why the behaviour could not be built.
#[derive(Debug, thiserror::Error)]
#[error("consensus swarm behaviour: {0}")]
pub struct BehaviourError(pub String);

/// A configured size in bytes; a size beyond the address space saturates (it is a limit).
fn bytes(size: u64) -> usize {
    usize::try_from(size).unwrap_or(usize::MAX)
}

fn err(e: impl std::fmt::Display) -> BehaviourError {
    BehaviourError(e.to_string())
}

/// Malachite's message id: a SeaHash of the whole message (source, sequence number, topic and
/// data), so both kinds of node name a message alike in IHAVE/IWANT.
fn message_id(message: &gossipsub::Message) -> gossipsub::MessageId {
    let mut hasher = seahash::SeaHasher::new();
    message.hash(&mut hasher);
    gossipsub::MessageId::new(&hasher.finish().to_be_bytes())
}

/// The channel names the engine's configuration gives.
pub fn channel_names(cfg: &ConsensusConfig) -> ChannelNames {
    let names = &cfg.p2p.channel_names;
    ChannelNames {
        consensus: names.consensus.clone(),
        proposal_parts: names.proposal_parts.clone(),
        sync: names.sync.clone(),
        liveness: names.liveness.clone(),
    }
}

fn gossipsub(
    cfg: &ConsensusConfig,
    keypair: &Keypair,
    names: &ChannelNames,
) -> Result<Gossipsub, BehaviourError> {
    let PubSubProtocol::GossipSub(mesh) = cfg.p2p.protocol else {
        return Err(err("the consensus swarm speaks gossipsub only"));
    };
    let config = gossipsub::ConfigBuilder::default()
        .max_transmit_size(bytes(cfg.p2p.pubsub_max_size.as_u64()))
        .opportunistic_graft_ticks(peer_scoring::OPPORTUNISTIC_GRAFT_TICKS)
        .opportunistic_graft_peers(peer_scoring::OPPORTUNISTIC_GRAFT_PEERS)
        .heartbeat_interval(Duration::from_secs(1))
        // R193 relies on the publisher's signature of every consensus message.
        .validation_mode(ValidationMode::Strict)
        .history_gossip(3)
        .history_length(5)
        .mesh_n_high(mesh.mesh_n_high())
        .mesh_n_low(mesh.mesh_n_low())
        .mesh_outbound_min(mesh.mesh_outbound_min())
        .mesh_n(mesh.mesh_n())
        .flood_publish(mesh.enable_flood_publish())
        .message_id_fn(message_id)
        .build()
        .map_err(err)?;
    let filter = gossipsub::WhitelistSubscriptionFilter(Channel::gossipsub_topic_hashes(names));
    let mut behaviour = Gossipsub::new_with_subscription_filter(
        MessageAuthenticity::Signed(keypair.clone()),
        config,
        filter,
    )
    .map_err(err)?;
    if mesh.enable_peer_scoring() {
        behaviour
            .with_peer_score(
                peer_scoring::peer_score_params(),
                peer_scoring::peer_score_thresholds(),
            )
            .map_err(err)?;
    }
    Ok(behaviour)
}

/// The value-sync transport settings: responses as large as the engine's RPC limit, the
/// operator's timeout, request size and parallel-request budget (as Malachite's swarm sets them).
pub fn sync_config(consensus: &ConsensusConfig, cfg: &ValueSyncConfig) -> malachite_sync::Config {
    malachite_sync::Config::default()
        .with_max_response_size(bytes(consensus.p2p.rpc_max_size.as_u64()))
        .with_request_timeout(cfg.request_timeout)
        .with_max_request_size(bytes(cfg.max_request_size.as_u64()))
        .with_parallel_requests(cfg.parallel_requests)
}

/// Builds the behaviour; the gate starts empty (it refuses everyone until filled).
pub fn build(
    keypair: &Keypair,
    moniker: &str,
    consensus: &ConsensusConfig,
    value_sync: &ValueSyncConfig,
) -> Result<Behaviour, BehaviourError> {
    let names = channel_names(consensus);
    let protocol = StreamProtocol::try_from_owned(consensus.p2p.protocol_names.consensus.clone())
        .map_err(err)?;
    let identify = identify::Behaviour::new(
        identify::Config::new_with_signed_peer_record(protocol.to_string(), keypair)
            .with_agent_version(format!("moniker={moniker}")),
    );
    let limits = connection_limits::ConnectionLimits::default()
        .with_max_pending_incoming(Some(MAX_PENDING_INCOMING))
        .with_max_established_per_peer(Some(MAX_PER_PEER));
    let sync = malachite_sync::Behaviour::new(
        sync_config(consensus, value_sync),
        consensus.p2p.protocol_names.sync.clone(),
    )
    .map_err(err)?;
    Ok(Behaviour {
        handshakes: HandshakeLimit::default(),
        gate: Gate::default(),
        limits: connection_limits::Behaviour::new(limits),
        identify,
        ping: ping::Behaviour::new(ping::Config::new().with_interval(Duration::from_secs(5))),
        gossipsub: gossipsub(consensus, keypair, &names)?,
        broadcast: libp2p_scatter::Behaviour::new(libp2p_scatter::Config {
            max_buf_size: bytes(consensus.p2p.pubsub_max_size.as_u64()),
        }),
        sync,
    })
}
