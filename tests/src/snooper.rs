//! [`SyncSnooper`]: a peer on a node's consensus swarm that need not identify itself and asks
//! for decided blocks by value sync at once (the attack of R480, refused at the handshake since
//! R482). It speaks the sync protocol directly: a 4-byte big-endian length, then the request or
//! response encoded by the node's own codec.

use std::ops::RangeInclusive;
use std::time::Duration;

use anyhow::Context as _;
use ebl_node::consensus::wire::codec::EblCodec;
use ebl_node::consensus::wire::types::Height;
use libp2p::futures::StreamExt;
use libp2p::identify;
use libp2p::identity::Keypair;
use libp2p::request_response::{self, Event, Message, OutboundFailure, ProtocolSupport};
use libp2p::swarm::SwarmEvent;
use libp2p::swarm::behaviour::toggle::Toggle;
use libp2p::{Multiaddr, PeerId, StreamProtocol, Swarm};
use malachite::app::types::codec::Codec as _;
use malachite::app::types::sync::{Request, Response};
use malachite_sync::ValueRequest;

use crate::raw_codec::RawCodec;

/// Largest gossip message the snooper takes (a block's parts are far smaller).
const MAX_GOSSIP: usize = 64 * 1024 * 1024;

/// Malachite's default value-sync protocol name (the node does not change it).
const SYNC_PROTOCOL: &str = "/malachitebft-sync/v1beta1";

/// The Identify protocol version Malachite requires of a peer (its consensus protocol name).
const CONSENSUS_PROTOCOL: &str = "/malachitebft-core-consensus/v1beta1";

/// What a node did with one value request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncAnswer {
    /// It answered with these heights' decided values (empty: it answered with none).
    Values(Vec<u64>),
    /// No answer: the stream or connection failed, or the wait ran out.
    None(String),
}

/// The snooper's protocols: value sync, and Identify only when asked for.
#[derive(libp2p::swarm::NetworkBehaviour)]
#[behaviour(prelude = "libp2p::swarm::derive_prelude")]
struct SnooperBehaviour {
    sync: request_response::Behaviour<RawCodec>,
    /// Malachite closes a connection whose broadcast stream fails, so a peer that means to stay
    /// speaks it.
    broadcast: libp2p_scatter::Behaviour,
    identify: Toggle<identify::Behaviour>,
}

/// A swarm speaking value sync to one node. Without Identify the node learns who it is only
/// from the Noise handshake, and Malachite never decides whether to keep it.
pub struct SyncSnooper {
    swarm: Swarm<SnooperBehaviour>,
    node: PeerId,
    addr: Multiaddr,
}

impl std::fmt::Debug for SyncSnooper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncSnooper")
            .field("peer_id", self.swarm.local_peer_id())
            .finish_non_exhaustive()
    }
}

impl SyncSnooper {
    /// A snooper with secret `secret` dialing `node` at `addr` (which names `node`); with
    /// `identify` it also answers Identify as a Malachite peer would.
    pub fn dial(
        secret: [u8; 32],
        node: PeerId,
        addr: Multiaddr,
        identify: bool,
    ) -> anyhow::Result<Self> {
        let keypair = Keypair::ed25519_from_bytes(secret)?;
        let config = request_response::Config::default()
            .with_request_timeout(Duration::from_secs(10))
            .with_max_concurrent_streams(8);
        let sync = request_response::Behaviour::with_codec(
            RawCodec::LengthPrefixed,
            [(
                StreamProtocol::new(SYNC_PROTOCOL),
                ProtocolSupport::Outbound,
            )],
            config,
        );
        let identify = identify.then(|| {
            identify::Behaviour::new(identify::Config::new(
                CONSENSUS_PROTOCOL.to_string(),
                keypair.public(),
            ))
        });
        let behaviour = SnooperBehaviour {
            sync,
            broadcast: libp2p_scatter::Behaviour::new(libp2p_scatter::Config::default()),
            identify: Toggle::from(identify),
        };
        let mut swarm = crate::swarm::build(keypair, behaviour)?;
        swarm.dial(addr.clone())?;
        Ok(Self { swarm, node, addr })
    }

    /// Asks the node for the decided values of `heights` and waits up to `wait` for its
    /// answer; dials again first if the node closed the last connection (a redial loop, when
    /// called in one).
    pub async fn ask(
        &mut self,
        heights: RangeInclusive<u64>,
        wait: Duration,
    ) -> anyhow::Result<SyncAnswer> {
        let range = Height(*heights.start())..=Height(*heights.end());
        let request = EblCodec
            .encode(&Request::ValueRequest(ValueRequest::new(range)))
            .context("encode the request")?;
        if !self.swarm.is_connected(&self.node) {
            self.swarm.dial(self.addr.clone())?;
        }
        let id = self
            .swarm
            .behaviour_mut()
            .sync
            .send_request(&self.node, request.to_vec());
        let answer = tokio::time::timeout(wait, async {
            loop {
                match self.swarm.select_next_some().await {
                    SwarmEvent::Behaviour(SnooperBehaviourEvent::Sync(Event::Message {
                        message:
                            Message::Response {
                                request_id,
                                response,
                            },
                        ..
                    })) if request_id == id => return Ok(response),
                    SwarmEvent::Behaviour(SnooperBehaviourEvent::Sync(
                        Event::OutboundFailure {
                            request_id, error, ..
                        },
                    )) if request_id == id => return Err(error),
                    _ => {}
                }
            }
        })
        .await;
        Ok(match answer {
            Err(_) => SyncAnswer::None("no answer in time".into()),
            Ok(Err(e)) => SyncAnswer::None(describe(&e)),
            Ok(Ok(bytes)) => match EblCodec.decode(bytes.into()) {
                Ok(Response::ValueResponse(r)) => {
                    let first = r.start_height.0;
                    SyncAnswer::Values((first..).take(r.values.len()).collect())
                }
                Err(e) => anyhow::bail!("the node answered bytes that do not decode: {e}"),
            },
        })
    }
}

fn describe(e: &OutboundFailure) -> String {
    format!("request failed: {e}")
}

/// The snooper's gossip protocols: gossipsub on Malachite's topics, and its broadcast protocol
/// so that the node keeps the connection.
#[derive(libp2p::swarm::NetworkBehaviour)]
#[behaviour(prelude = "libp2p::swarm::derive_prelude")]
struct GossipBehaviour {
    gossip: libp2p::gossipsub::Behaviour,
    broadcast: libp2p_scatter::Behaviour,
}

/// A peer that never identifies itself and listens to a node's consensus gossip (the gap R480
/// left open, ADR 0054, closed by R482): it counts the messages it receives per topic.
pub struct GossipSnooper {
    swarm: Swarm<GossipBehaviour>,
}

impl std::fmt::Debug for GossipSnooper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GossipSnooper")
            .field("peer_id", self.swarm.local_peer_id())
            .finish_non_exhaustive()
    }
}

impl GossipSnooper {
    /// A snooper with secret `secret` subscribed to Malachite's consensus topics, dialing
    /// `addr`.
    pub fn dial(secret: [u8; 32], addr: Multiaddr) -> anyhow::Result<Self> {
        use libp2p::gossipsub::{self, IdentTopic, MessageAuthenticity, ValidationMode};
        let keypair = Keypair::ed25519_from_bytes(secret)?;
        let config = gossipsub::ConfigBuilder::default()
            .max_transmit_size(MAX_GOSSIP)
            .validation_mode(ValidationMode::Permissive)
            .build()?;
        let mut gossip =
            gossipsub::Behaviour::new(MessageAuthenticity::Signed(keypair.clone()), config)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        for topic in ["/consensus", "/proposal_parts", "/liveness"] {
            gossip.subscribe(&IdentTopic::new(topic))?;
        }
        let behaviour = GossipBehaviour {
            gossip,
            broadcast: libp2p_scatter::Behaviour::new(libp2p_scatter::Config::default()),
        };
        let mut swarm = crate::swarm::build(keypair, behaviour)?;
        swarm.dial(addr)?;
        Ok(Self { swarm })
    }

    /// The messages received per topic during `window`.
    pub async fn listen(&mut self, window: Duration) -> std::collections::BTreeMap<String, usize> {
        let mut counts = std::collections::BTreeMap::new();
        let end = tokio::time::Instant::now() + window;
        while let Ok(event) = tokio::time::timeout_at(end, self.swarm.select_next_some()).await {
            if let SwarmEvent::Behaviour(GossipBehaviourEvent::Gossip(
                libp2p::gossipsub::Event::Message { message, .. },
            )) = event
            {
                *counts.entry(message.topic.to_string()).or_default() += 1;
            }
        }
        counts
    }
}
