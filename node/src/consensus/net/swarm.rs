//! The task that owns the consensus swarm: it carries out the network actor's commands and
//! hands the actor what the swarm hears, as Malachite's network [`Event`]s.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use bytes::Bytes;
use libp2p::futures::StreamExt as _;
use libp2p::request_response::{InboundFailure, InboundRequestId, Message, OutboundRequestId};
use libp2p::swarm::{ConnectionId, SwarmEvent};
use libp2p::{Multiaddr, Swarm, gossipsub};
use malachite_engine::network::NetworkMsg;
use malachite_engine::network::NetworkRef;
use malachite_network::{Channel, ChannelNames, Event, PeerIdExt as _, PersistentPeerError};
use malachite_peer::PeerId;
use tokio::sync::{mpsc, oneshot};

use super::behaviour::{Behaviour, BehaviourEvent};
use super::peers::{PeerList, outbound_failure_reason};
use crate::consensus::EblContext;

/// How often configured peers without a connection are dialled again.
pub const REDIAL_INTERVAL: Duration = Duration::from_secs(2);
/// Inbound value requests waiting for the engine's answer, across all peers; more are dropped
/// unanswered (value sync already bounds them per peer, this bounds the node).
pub const MAX_OPEN_REQUESTS: usize = 1_024;

/// What the network actor asks of the swarm.
#[derive(Debug)]
pub enum Command {
    /// Publish on a gossipsub channel.
    Publish(Channel, Bytes),
    /// Send to every connected peer subscribed to the broadcast channel (value-sync status).
    Broadcast(Channel, Bytes),
    /// A value request to a peer; answers the request's id.
    SyncRequest(PeerId, Bytes, oneshot::Sender<OutboundRequestId>),
    /// The answer to an inbound value request.
    SyncReply(InboundRequestId, Bytes),
    /// Drop an inbound value request unanswered (releases its stream).
    SyncCancelReply(InboundRequestId),
    /// Add an entry to the peer list (R151).
    AddPeer(Multiaddr, oneshot::Sender<Result<(), PersistentPeerError>>),
    /// Remove an entry from the peer list (R152).
    RemovePeer(Multiaddr, oneshot::Sender<Result<(), PersistentPeerError>>),
    /// The connected peers, with the address of one connection each.
    Peers(oneshot::Sender<Vec<(libp2p::PeerId, Multiaddr)>>),
}

/// The swarm's owner.
pub struct SwarmTask {
    pub(super) swarm: Swarm<Behaviour>,
    pub(super) names: ChannelNames,
    pub(super) list: PeerList,
    /// Dials under way, by connection.
    pub(super) dialing: BTreeMap<ConnectionId, Multiaddr>,
    /// Open connections, with the peer and the address each reached.
    pub(super) open: BTreeMap<ConnectionId, (libp2p::PeerId, Multiaddr)>,
    /// Inbound value requests the engine has not answered yet.
    pub(super) replies: HashMap<InboundRequestId, malachite_sync::ResponseChannel>,
    pub(super) actor: NetworkRef<EblContext>,
}

impl std::fmt::Debug for SwarmTask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SwarmTask").finish_non_exhaustive()
    }
}

impl SwarmTask {
    /// Runs until the command channel closes (the actor stopped) or the actor is gone.
    pub async fn run(mut self, mut commands: mpsc::Receiver<Command>) {
        let mut redial = tokio::time::interval(REDIAL_INTERVAL);
        loop {
            let delivered = tokio::select! {
                event = self.swarm.select_next_some() => self.on_swarm_event(event),
                command = commands.recv() => match command {
                    Some(command) => {
                        self.on_command(command);
                        true
                    }
                    None => return,
                },
                _ = redial.tick() => {
                    self.redial();
                    true
                }
            };
            if !delivered {
                return;
            }
        }
    }

    /// Hands `event` to the actor; false when the actor is gone.
    fn emit(&self, event: Event) -> bool {
        self.actor.cast(NetworkMsg::NewEvent(event)).is_ok()
    }

    fn on_command(&mut self, command: Command) {
        let behaviour = self.swarm.behaviour_mut();
        match command {
            Command::Publish(channel, data) => {
                let topic = channel.to_gossipsub_topic(&self.names);
                if let Err(e) = behaviour.gossipsub.publish(topic, data) {
                    // No peer yet, or a duplicate: consensus re-sends what it must.
                    tracing::debug!(%channel, error = %e, "consensus message not published");
                }
            }
            Command::Broadcast(channel, data) => {
                let topic = channel.to_broadcast_topic(&self.names);
                behaviour.broadcast.broadcast(&topic, data);
            }
            Command::SyncRequest(peer, data, reply) => {
                let id = behaviour.sync.send_request(peer.to_libp2p(), data);
                let _ = reply.send(id);
            }
            Command::SyncReply(id, data) => {
                if let Some(channel) = self.replies.remove(&id)
                    && behaviour.sync.send_response(channel, data).is_err()
                {
                    tracing::debug!(%id, "value response not sent: the stream is gone");
                }
            }
            Command::SyncCancelReply(id) => {
                self.replies.remove(&id);
            }
            Command::AddPeer(addr, reply) => {
                let result = self.list.add(&addr, &mut behaviour.gate);
                if result.is_ok() {
                    self.redial();
                }
                let _ = reply.send(result);
            }
            Command::RemovePeer(addr, reply) => {
                let connected_there = self.peer_at(&addr);
                let gate = &mut self.swarm.behaviour_mut().gate;
                let _ = reply.send(self.list.remove(&addr, gate, connected_there));
            }
            Command::Peers(reply) => {
                let mut peers: BTreeMap<libp2p::PeerId, Multiaddr> = BTreeMap::new();
                for (peer, addr) in self.open.values() {
                    peers.entry(*peer).or_insert_with(|| addr.clone());
                }
                let _ = reply.send(peers.into_iter().collect());
            }
        }
    }

    /// The peer connected at a dial target `addr`, if any.
    fn peer_at(&self, addr: &Multiaddr) -> Option<libp2p::PeerId> {
        let want = super::gate::transport_part(addr);
        self.open
            .values()
            .find(|(_, at)| super::gate::transport_part(at) == want)
            .map(|(peer, _)| *peer)
    }

    /// Dials every dial target with no connection and no dial under way.
    fn redial(&mut self) {
        let targets: Vec<Multiaddr> = self.list.dial_targets().cloned().collect();
        for addr in targets {
            let want = super::gate::transport_part(&addr);
            let busy = self.dialing.values().any(|a| *a == addr)
                || self
                    .open
                    .values()
                    .any(|(_, at)| super::gate::transport_part(at) == want);
            let pinned_connected = crate::consensus::membership::pinned_peer(&addr)
                .is_some_and(|peer| self.swarm.is_connected(&peer));
            if busy || pinned_connected {
                continue;
            }
            match crate::p2p::transport::dial_from_fresh_port(&mut self.swarm, &addr) {
                Ok(id) => {
                    self.dialing.insert(id, addr);
                }
                Err(e) => tracing::debug!(%addr, error = %e, "consensus dial refused"),
            }
        }
    }

    /// Handles one swarm event; false when the actor is gone.
    fn on_swarm_event(&mut self, event: SwarmEvent<BehaviourEvent>) -> bool {
        match event {
            SwarmEvent::NewListenAddr { address, .. } => self.emit(Event::Listening(address)),
            SwarmEvent::ConnectionEstablished {
                peer_id,
                connection_id,
                endpoint,
                num_established,
                ..
            } => {
                let addr = match self.dialing.remove(&connection_id) {
                    Some(target) => target,
                    None => endpoint.get_remote_address().clone(),
                };
                self.open.insert(connection_id, (peer_id, addr));
                if num_established.get() == 1 {
                    self.emit(Event::PeerConnected(PeerId::from_libp2p(&peer_id)))
                } else {
                    // libp2p-scatter announces subscriptions on one connection only; say it
                    // again so the peer keeps hearing our status (as Malachite does).
                    self.announce_sync();
                    true
                }
            }
            SwarmEvent::ConnectionClosed {
                peer_id,
                connection_id,
                num_established,
                ..
            } => {
                self.open.remove(&connection_id);
                if num_established == 0 {
                    self.emit(Event::PeerDisconnected(PeerId::from_libp2p(&peer_id)))
                } else {
                    self.announce_sync();
                    true
                }
            }
            SwarmEvent::OutgoingConnectionError { connection_id, .. } => {
                self.dialing.remove(&connection_id);
                true
            }
            SwarmEvent::Behaviour(BehaviourEvent::Gossipsub(event)) => self.on_gossip(event),
            SwarmEvent::Behaviour(BehaviourEvent::Broadcast(event)) => self.on_broadcast(event),
            SwarmEvent::Behaviour(BehaviourEvent::Sync(event)) => self.on_sync(event),
            _ => true,
        }
    }

    /// Subscribes the status broadcast to the sync channel (again).
    pub(super) fn announce_sync(&mut self) {
        let topic = Channel::Sync.to_broadcast_topic(&self.names);
        self.swarm.behaviour_mut().broadcast.subscribe(topic);
    }

    fn on_gossip(&mut self, event: gossipsub::Event) -> bool {
        let gossipsub::Event::Message {
            propagation_source,
            message,
            ..
        } = event
        else {
            return true;
        };
        let Some(channel) = Channel::from_gossipsub_topic_hash(&message.topic, &self.names) else {
            return true;
        };
        let from = PeerId::from_libp2p(&propagation_source);
        let data = Bytes::from(message.data);
        self.emit(if channel == Channel::Liveness {
            Event::LivenessMessage(channel, from, data)
        } else {
            let published_by = message.source.as_ref().map(PeerId::from_libp2p);
            Event::ConsensusMessage(channel, from, published_by, data)
        })
    }

    fn on_broadcast(&mut self, event: libp2p_scatter::Event) -> bool {
        use libp2p_scatter::Event as E;
        let sync_topic = Channel::Sync.to_broadcast_topic(&self.names);
        match event {
            E::Subscribed(peer, topic) if topic == sync_topic => self.emit(Event::PeerSubscribed(
                PeerId::from_libp2p(&peer),
                Channel::Sync,
            )),
            E::Unsubscribed(peer, topic) if topic == sync_topic => self.emit(
                Event::PeerUnsubscribed(PeerId::from_libp2p(&peer), Channel::Sync),
            ),
            E::Received(peer, topic, data) if topic == sync_topic => self.emit(
                Event::ConsensusMessage(Channel::Sync, PeerId::from_libp2p(&peer), None, data),
            ),
            _ => true,
        }
    }

    fn on_sync(&mut self, event: malachite_sync::Event) -> bool {
        use malachite_sync::Event as E;
        use malachite_sync::RawMessage;
        match event {
            E::Message { peer, message, .. } => match message {
                Message::Request {
                    request_id,
                    request,
                    channel,
                } => {
                    if self.replies.len() >= MAX_OPEN_REQUESTS {
                        tracing::debug!(%peer, "value request dropped: too many open");
                        return true;
                    }
                    self.replies.insert(request_id, channel);
                    self.emit(Event::Sync(RawMessage::Request {
                        request_id,
                        peer: PeerId::from_libp2p(&peer),
                        body: request.0,
                    }))
                }
                Message::Response {
                    request_id,
                    response,
                } => self.emit(Event::Sync(RawMessage::Response {
                    request_id,
                    peer: PeerId::from_libp2p(&peer),
                    body: response.0,
                })),
            },
            E::ResponseSent { .. } => true,
            E::OutboundFailure {
                request_id,
                peer,
                error,
                ..
            } => self.emit(Event::SyncRequestFailed {
                request_id,
                peer: PeerId::from_libp2p(&peer),
                reason: outbound_failure_reason(&error),
            }),
            E::InboundFailure {
                request_id,
                peer,
                error,
                ..
            } => {
                self.replies.remove(&request_id);
                // Only a closed connection is news to the engine (it tracks the request).
                if matches!(error, InboundFailure::ConnectionClosed) {
                    self.emit(Event::SyncInboundRequestFailed {
                        request_id,
                        peer: PeerId::from_libp2p(&peer),
                    })
                } else {
                    true
                }
            }
        }
    }
}
