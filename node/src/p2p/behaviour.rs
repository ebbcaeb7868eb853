//! The gossip swarm's behaviour: the connection gate first, then gossipsub with manual
//! validation and peer scoring (R110, R114, R116).

use std::time::Duration;

use ebl_ledger::entry::ChainRef;
use libp2p::allow_block_list::{self, AllowedPeers};
use libp2p::gossipsub::{
    self, IdentTopic, MessageAuthenticity, PeerScoreParams, PeerScoreThresholds, TopicScoreParams,
    ValidationMode,
};
use libp2p::request_response::{self, ProtocolSupport};
use libp2p::swarm::NetworkBehaviour;
use sha2::{Digest, Sha256};

use super::batch::MAX_BATCH_BYTES;
use crate::bodies::protocol::{BodyCodec, PROTOCOL};
use crate::bodies::{FETCH_TIMEOUT, MAX_STREAMS};

/// Room for the gossipsub envelope (topic, message framing) around a batch.
pub const ENVELOPE_ALLOWANCE: usize = 4 * 1024;

/// Penalty weight of one invalid message (R114); the score term is `weight × count²`.
pub const INVALID_MESSAGE_WEIGHT: f64 = -10.0;

/// Below this score a peer's messages are ignored altogether (R114).
pub const GRAYLIST_THRESHOLD: f64 = -80.0;

/// Our libp2p behaviour. Field order matters: the handshake limit and then the gate are asked
/// first about every connection.
#[derive(NetworkBehaviour)]
pub struct Behaviour {
    /// R483: a bounded number of handshakes in flight per address.
    pub handshakes: super::handshakes::HandshakeLimit,
    /// R116: only peers whose key is in the allowed set may hold a connection.
    pub gate: allow_block_list::Behaviour<AllowedPeers>,
    /// R110: entry gossip.
    pub gossipsub: gossipsub::Behaviour,
    /// R142: document bodies between member nodes (`/ebl/body/1`).
    pub bodies: request_response::Behaviour<BodyCodec>,
}

impl std::fmt::Debug for Behaviour {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Behaviour").finish_non_exhaustive()
    }
}

/// R110: the one entry topic of a chain, named by its chain id and genesis hash so that two
/// networks (or a network and its reset) never share a topic. Version 2: messages are batches;
/// version 3: messages carry no author, sequence number or signature (ADR 0055).
pub fn entry_topic(chain: &ChainRef) -> IdentTopic {
    IdentTopic::new(format!(
        "/ebl/entries/3/{}/{}",
        chain.chain_id,
        hex::encode(chain.genesis_hash.0)
    ))
}

/// Why the behaviour could not be built (a configuration bug, reported at start).
#[derive(Debug, thiserror::Error)]
pub enum BehaviourError {
    /// gossipsub refused its configuration.
    #[error("gossipsub config: {0}")]
    Config(String),
    /// Subscribing to the topic failed.
    #[error("gossipsub subscribe: {0}")]
    Subscribe(String),
}

/// R110: how an entry message is authenticated on the wire: not at all by gossipsub. Every
/// entry in it carries its signer's signature, decided by the one rule (R171), and the peer
/// that delivered it is the Noise-authenticated member the verdict is charged to (R113, R114);
/// an author signature on the batch would be a second Ed25519 check per message and per hop
/// that decides nothing (ADR 0055).
pub fn message_authenticity() -> MessageAuthenticity {
    MessageAuthenticity::Anonymous
}

/// R110: a message that carries an author, a sequence number or a signature is invalid.
pub fn validation_mode() -> ValidationMode {
    ValidationMode::Anonymous
}

/// R110: a message's id is the SHA-256 of its batch bytes, so the same batch reaching a node
/// twice, from any publisher, is one message.
pub fn message_id(message: &gossipsub::Message) -> gossipsub::MessageId {
    gossipsub::MessageId::from(Sha256::digest(&message.data).to_vec())
}

/// Builds the behaviour subscribed to `topic`, with an empty allow list.
pub fn build(topic: &IdentTopic) -> Result<Behaviour, BehaviourError> {
    let config = gossipsub::ConfigBuilder::default()
        // R111: nothing is forwarded before the node has judged it.
        .validate_messages()
        .validation_mode(validation_mode())
        .message_id_fn(message_id)
        .max_transmit_size(MAX_BATCH_BYTES + ENVELOPE_ALLOWANCE)
        .heartbeat_interval(Duration::from_millis(500))
        // A consortium has a handful of nodes: a small mesh, and floods on publication.
        .mesh_n(4)
        .mesh_n_low(2)
        .mesh_n_high(8)
        .mesh_outbound_min(1)
        .flood_publish(true)
        .build()
        .map_err(|e| BehaviourError::Config(e.to_string()))?;
    let mut gossipsub = gossipsub::Behaviour::new(message_authenticity(), config)
        .map_err(|e| BehaviourError::Config(e.to_string()))?;
    let (params, thresholds) = scoring(topic);
    gossipsub
        .with_peer_score(params, thresholds)
        .map_err(BehaviourError::Config)?;
    gossipsub
        .subscribe(topic)
        .map_err(|e| BehaviourError::Subscribe(e.to_string()))?;
    // R146, R147: one request per stream, bounded by the codec's limits and a timeout.
    let bodies = request_response::Behaviour::with_codec(
        BodyCodec,
        [(PROTOCOL, ProtocolSupport::Full)],
        request_response::Config::default()
            .with_request_timeout(FETCH_TIMEOUT)
            .with_max_concurrent_streams(MAX_STREAMS),
    );
    Ok(Behaviour {
        handshakes: super::handshakes::HandshakeLimit::default(),
        gate: allow_block_list::Behaviour::default(),
        gossipsub,
        bodies,
    })
}

/// R114: scoring that punishes invalid messages and nothing an honest, quiet member does.
fn scoring(topic: &IdentTopic) -> (PeerScoreParams, PeerScoreThresholds) {
    let topic_params = TopicScoreParams {
        topic_weight: 1.0,
        // Entries are rare compared with blockchain traffic: a quiet mesh peer is not at fault.
        mesh_message_deliveries_weight: 0.0,
        mesh_failure_penalty_weight: 0.0,
        invalid_message_deliveries_weight: INVALID_MESSAGE_WEIGHT,
        // Slow decay (per second): a peer that sent garbage stays suspect for minutes.
        invalid_message_deliveries_decay: 0.99,
        ..TopicScoreParams::default()
    };
    let mut params = PeerScoreParams {
        // Members are admitted by certificate; several nodes behind one address are normal.
        ip_colocation_factor_weight: 0.0,
        // R145: the application score carries the wrong-body penalty at face value.
        app_specific_weight: 1.0,
        ..PeerScoreParams::default()
    };
    params.topics.insert(topic.hash(), topic_params);
    let thresholds = PeerScoreThresholds {
        graylist_threshold: GRAYLIST_THRESHOLD,
        ..PeerScoreThresholds::default()
    };
    (params, thresholds)
}
