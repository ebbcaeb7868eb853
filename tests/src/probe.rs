//! A bare libp2p swarm that speaks the entry gossip protocol, for tests: it dials a node's
//! gossip port with a key of the test's choosing, publishes anything, and reports what it sees.

use std::time::Duration;

use anyhow::{Context as _, bail};
use ebl_ledger::entry::ChainRef;
use ebl_node::p2p::behaviour::{entry_topic, message_authenticity, message_id, validation_mode};
use libp2p::futures::StreamExt as _;
use libp2p::gossipsub::{self, IdentTopic, MessageAuthenticity, ValidationMode};
use libp2p::identity::Keypair;
use libp2p::swarm::SwarmEvent;
use libp2p::{Multiaddr, PeerId, Swarm};

/// What a probe saw.
pub type ProbeEvent = SwarmEvent<gossipsub::Event>;

/// The probe swarm.
pub struct Probe {
    swarm: Swarm<gossipsub::Behaviour>,
    topic: IdentTopic,
}

impl std::fmt::Debug for Probe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Probe")
            .field("peer_id", self.swarm.local_peer_id())
            .finish_non_exhaustive()
    }
}

impl Probe {
    /// A probe with the Ed25519 secret `secret`, subscribed to `chain`'s entry topic, whose
    /// messages have the node's own envelope (R110). It accepts and forwards whatever it
    /// receives and may publish up to 256 KiB.
    pub fn new(secret: [u8; 32], chain: &ChainRef) -> anyhow::Result<Probe> {
        let keypair = Keypair::ed25519_from_bytes(secret)?;
        Probe::with_envelope(keypair, chain, message_authenticity(), validation_mode())
    }

    /// Like [`Probe::new`], but every message it publishes is signed by its key and carries
    /// its author and a sequence number: the envelope of entry topic version 2.
    pub fn signing(secret: [u8; 32], chain: &ChainRef) -> anyhow::Result<Probe> {
        let keypair = Keypair::ed25519_from_bytes(secret)?;
        Probe::with_envelope(
            keypair.clone(),
            chain,
            MessageAuthenticity::Signed(keypair),
            ValidationMode::Permissive,
        )
    }

    fn with_envelope(
        keypair: Keypair,
        chain: &ChainRef,
        authenticity: MessageAuthenticity,
        validation: ValidationMode,
    ) -> anyhow::Result<Probe> {
        let config = gossipsub::ConfigBuilder::default()
            .validation_mode(validation)
            .message_id_fn(message_id)
            .max_transmit_size(256 * 1024)
            .heartbeat_interval(Duration::from_millis(500))
            .build()
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let mut behaviour =
            gossipsub::Behaviour::new(authenticity, config).map_err(|e| anyhow::anyhow!("{e}"))?;
        let topic = entry_topic(chain);
        behaviour.subscribe(&topic)?;
        let swarm = crate::swarm::build(keypair, behaviour)?;
        Ok(Probe { swarm, topic })
    }

    /// The probe's peer id.
    pub fn peer_id(&self) -> PeerId {
        *self.swarm.local_peer_id()
    }

    /// Dials a gossip address.
    pub fn dial(&mut self, addr: Multiaddr) -> anyhow::Result<()> {
        self.swarm.dial(addr).context("dial")
    }

    /// Publishes raw bytes on the entry topic.
    pub fn publish(&mut self, data: Vec<u8>) -> anyhow::Result<()> {
        self.swarm
            .behaviour_mut()
            .publish(self.topic.clone(), data)
            .map(|_| ())
            .map_err(|e| anyhow::anyhow!("publish: {e}"))
    }

    /// Whether the probe has a connection to `peer`.
    pub fn is_connected(&self, peer: &PeerId) -> bool {
        self.swarm.is_connected(peer)
    }

    /// The next event, if one comes within `timeout`.
    pub async fn next(&mut self, timeout: Duration) -> Option<ProbeEvent> {
        tokio::time::timeout(timeout, self.swarm.select_next_some())
            .await
            .ok()
    }

    /// Drives the swarm until `pick` returns `Some`, for at most `timeout`.
    pub async fn until<T>(
        &mut self,
        what: &str,
        timeout: Duration,
        mut pick: impl FnMut(&ProbeEvent) -> Option<T>,
    ) -> anyhow::Result<T> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() {
                bail!("timed out after {timeout:?} waiting for {what}");
            }
            if let Some(event) = self.next(left).await
                && let Some(found) = pick(&event)
            {
                return Ok(found);
            }
        }
    }

    /// Waits until `peer` announces its subscription to the entry topic (so publishing reaches it).
    pub async fn wait_subscribed(&mut self, peer: PeerId, timeout: Duration) -> anyhow::Result<()> {
        let topic = self.topic.hash();
        self.until("the node's subscription", timeout, |e| match e {
            SwarmEvent::Behaviour(gossipsub::Event::Subscribed { peer_id, topic: t })
                if *peer_id == peer && *t == topic =>
            {
                Some(())
            }
            _ => None,
        })
        .await
    }
}

/// Whether an event ends the probe's connection attempt (closed, or failed to establish).
pub fn connection_ended(event: &ProbeEvent) -> bool {
    matches!(
        event,
        SwarmEvent::ConnectionClosed { .. } | SwarmEvent::OutgoingConnectionError { .. }
    )
}

/// The entry bytes of a received gossip message.
pub fn gossiped_data(event: &ProbeEvent) -> Option<Vec<u8>> {
    match event {
        SwarmEvent::Behaviour(gossipsub::Event::Message { message, .. }) => {
            Some(message.data.clone())
        }
        _ => None,
    }
}
