//! The network actor the engine's consensus and sync actors talk to: it encodes what they
//! publish and request, hands it to the [`SwarmTask`], and decodes what the swarm hears into
//! the engine's [`NetworkEvent`]s for its subscribers.

use std::collections::{BTreeSet, HashMap, HashSet};

use bytes::Bytes;
use libp2p::Multiaddr;
use malachite::app::consensus::{LivenessMsg, SignedConsensusMsg};
use malachite::app::streaming::StreamMessage;
use malachite::app::types::codec::Codec as _;
use malachite_engine::network::{
    NetworkEvent, NetworkMsg, NetworkStateDump, PersistentPeerError, PersistentPeersOp, Status,
};
use malachite_engine::util::output_port::OutputPort;
use malachite_network::{Channel, Event, LocalNodeInfo, PeerInfo, PeerType};
use malachite_peer::PeerId;
use malachite_sync::{InboundRequestId, OutboundRequestId, RawMessage};
use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::swarm::Command;
use super::{ConsensusNetwork, Started};
use crate::consensus::EblContext;
use crate::consensus::codec::EblCodec;
use crate::consensus::parts::ProposalPart;

/// The actor's state while it runs.
pub struct NetState {
    commands: mpsc::Sender<Command>,
    task: JoinHandle<()>,
    local: libp2p::PeerId,
    moniker: String,
    listen_addr: Multiaddr,
    listen_addrs: Vec<Multiaddr>,
    peers: BTreeSet<PeerId>,
    subscriptions: HashSet<(PeerId, Channel)>,
    output: OutputPort<NetworkEvent<EblContext>>,
    /// Inbound value requests the engine holds, by the engine's id.
    inbound: HashMap<InboundRequestId, libp2p::request_response::InboundRequestId>,
}

impl std::fmt::Debug for NetState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NetState").finish_non_exhaustive()
    }
}

fn gone(what: &str) -> ActorProcessingErr {
    format!("the consensus swarm task is gone ({what})").into()
}

impl NetState {
    async fn command(&self, command: Command) -> Result<(), ActorProcessingErr> {
        self.commands
            .send(command)
            .await
            .map_err(|_| gone("command"))
    }

    async fn publish(&self, channel: Channel, data: Bytes) -> Result<(), ActorProcessingErr> {
        self.command(Command::Publish(channel, data)).await
    }
}

#[async_trait::async_trait]
impl Actor for ConsensusNetwork {
    type Msg = NetworkMsg<EblContext>;
    type State = NetState;
    type Arguments = Started;

    async fn pre_start(
        &self,
        myself: ActorRef<Self::Msg>,
        started: Started,
    ) -> Result<NetState, ActorProcessingErr> {
        let (task, info) = started.into_task(myself);
        let (tx, rx) = mpsc::channel(super::COMMAND_QUEUE);
        Ok(NetState {
            commands: tx,
            task: tokio::spawn(task.run(rx)),
            local: info.local,
            moniker: info.moniker,
            listen_addr: info.listen_addr,
            listen_addrs: Vec::new(),
            peers: BTreeSet::new(),
            subscriptions: HashSet::new(),
            output: OutputPort::with_capacity(128),
            inbound: HashMap::new(),
        })
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        msg: Self::Msg,
        state: &mut NetState,
    ) -> Result<(), ActorProcessingErr> {
        use NetworkMsg as M;
        match msg {
            M::Subscribe(subscriber) => {
                for addr in &state.listen_addrs {
                    subscriber.send(NetworkEvent::Listening(addr.clone()));
                }
                for peer in &state.peers {
                    subscriber.send(NetworkEvent::PeerConnected(*peer));
                }
                for (peer, channel) in &state.subscriptions {
                    subscriber.send(NetworkEvent::PeerSubscribed(*peer, *channel));
                }
                subscriber.subscribe_to_port(&state.output);
            }
            M::PublishConsensusMsg(msg) => {
                if let Some(data) = encoded(EblCodec.encode(&msg), "consensus message") {
                    state.publish(Channel::Consensus, data).await?;
                }
            }
            M::PublishLivenessMsg(msg) => {
                if let Some(data) = encoded(EblCodec.encode(&msg), "liveness message") {
                    state.publish(Channel::Liveness, data).await?;
                }
            }
            M::PublishProposalPart(msg) => {
                if let Some(data) = encoded(EblCodec.encode(&msg), "proposal part") {
                    state.publish(Channel::ProposalParts, data).await?;
                }
            }
            M::BroadcastStatus(status) => {
                let status = malachite_sync::Status::<EblContext> {
                    peer_id: malachite_network::PeerIdExt::from_libp2p(&state.local),
                    tip_height: status.tip_height,
                    history_min_height: status.history_min_height,
                };
                if let Some(data) = encoded(EblCodec.encode(&status), "status") {
                    state
                        .command(Command::Broadcast(Channel::Sync, data))
                        .await?;
                }
            }
            M::OutgoingRequest(peer, request, reply) => {
                if let Some(data) = encoded(EblCodec.encode(&request), "value request") {
                    let (tx, rx) = oneshot::channel();
                    state.command(Command::SyncRequest(peer, data, tx)).await?;
                    let id = rx.await.map_err(|_| gone("request id"))?;
                    // The requester may have stopped waiting: not the network's failure.
                    let _ = reply.send(OutboundRequestId::new(id));
                }
            }
            // libp2p's request-response cannot cancel an outbound request; its timeout ends
            // it and the sync actor drops a late answer.
            M::CancelRequest(_) => {}
            M::OutgoingResponse(id, response) => {
                let Some(raw) = state.inbound.remove(&id) else {
                    return Ok(()); // Already answered, cancelled or failed.
                };
                match encoded(EblCodec.encode(&response), "value response") {
                    Some(data) => state.command(Command::SyncReply(raw, data)).await?,
                    None => state.command(Command::SyncCancelReply(raw)).await?,
                }
            }
            M::CancelInboundRequest(id) => {
                if let Some(raw) = state.inbound.remove(&id) {
                    state.command(Command::SyncCancelReply(raw)).await?;
                }
            }
            M::DumpState(reply) => {
                let dump = dump_state(state).await;
                let _ = reply.send(dump);
            }
            M::UpdatePersistentPeers(op, reply) => update_peers(state, op, reply).await,
            // No validator proofs: admission is by key at the handshake (R482).
            M::UpdateValidatorSet(_) | M::ValidatorProofVerified { .. } => {}
            M::NewEvent(event) => on_event(state, event),
        }
        Ok(())
    }

    async fn post_stop(
        &self,
        _myself: ActorRef<Self::Msg>,
        state: &mut NetState,
    ) -> Result<(), ActorProcessingErr> {
        // Dropping the swarm closes the listener, so a restart can bind the port again.
        state.task.abort();
        let _ = (&mut state.task).await;
        Ok(())
    }
}

/// The encoded bytes, or `None` with the failure logged (our own message: a bug, not a peer).
fn encoded<E: std::fmt::Debug>(result: Result<Bytes, E>, what: &str) -> Option<Bytes> {
    result
        .inspect_err(|e| tracing::error!(error = ?e, "failed to encode a {what}"))
        .ok()
}

async fn update_peers(
    state: &NetState,
    op: PersistentPeersOp,
    reply: RpcReplyPort<Result<(), PersistentPeerError>>,
) {
    let (tx, rx) = oneshot::channel();
    let command = match op {
        PersistentPeersOp::Add(addr) => Command::AddPeer(addr, tx),
        PersistentPeersOp::Remove(addr) => Command::RemovePeer(addr, tx),
    };
    let result = match state.commands.send(command).await {
        Ok(()) => rx.await.unwrap_or(Err(PersistentPeerError::NetworkStopped)),
        Err(_) => Err(PersistentPeerError::NetworkStopped),
    };
    let _ = reply.send(result);
}

/// What `NodeHandle::status` and `consensus_peers` read: every connected peer passed the gate,
/// so each is reported as on the list (persistent).
async fn dump_state(state: &NetState) -> Option<NetworkStateDump> {
    let (tx, rx) = oneshot::channel();
    state.commands.send(Command::Peers(tx)).await.ok()?;
    let peers = rx.await.ok()?;
    let peers = peers
        .into_iter()
        .map(|(id, address)| {
            let info = PeerInfo {
                moniker: String::new(),
                address,
                consensus_address: None,
                consensus_public_key: None,
                peer_type: PeerType::new(true, false),
                connection_direction: None,
                score: 0.0,
                topics: HashSet::new(),
                is_explicit: false,
            };
            (id, info)
        })
        .collect();
    Some(NetworkStateDump {
        local_node: LocalNodeInfo {
            moniker: state.moniker.clone(),
            peer_id: state.local,
            listen_addr: state.listen_addr.clone(),
            consensus_address: None,
            proof_bytes: None,
            is_validator: false,
            persistent_peers_only: true,
            subscribed_topics: HashSet::new(),
        },
        peers,
        validator_set: Vec::new(),
        persistent_peer_ids: Vec::new(),
        persistent_peer_addrs: Vec::new(),
    })
}

/// Turns what the swarm heard into the engine's events. A message that does not decode is
/// dropped here: it came from an admitted member, whose signature rules judge the rest.
fn on_event(state: &mut NetState, event: Event) {
    let out = &state.output;
    match event {
        Event::Listening(addr) => {
            state.listen_addrs.push(addr.clone());
            out.send(NetworkEvent::Listening(addr));
        }
        Event::PeerConnected(peer) => {
            state.peers.insert(peer);
            out.send(NetworkEvent::PeerConnected(peer));
        }
        Event::PeerDisconnected(peer) => {
            state.peers.remove(&peer);
            state.subscriptions.retain(|(p, _)| *p != peer);
            out.send(NetworkEvent::PeerDisconnected(peer));
        }
        Event::PeerSubscribed(peer, channel) => {
            // The first subscription of a pair makes the sync actor send our status.
            if state.subscriptions.insert((peer, channel)) {
                out.send(NetworkEvent::PeerSubscribed(peer, channel));
            }
        }
        Event::PeerUnsubscribed(peer, channel) => {
            state.subscriptions.remove(&(peer, channel));
        }
        Event::LivenessMessage(_, from, data) => {
            let Some(msg) = decoded::<LivenessMsg<EblContext>>(data, from, "liveness") else {
                return;
            };
            out.send(match msg {
                LivenessMsg::Vote(vote) => NetworkEvent::Vote(from, vote),
                LivenessMsg::PolkaCertificate(c) => NetworkEvent::PolkaCertificate(from, c),
                LivenessMsg::SkipRoundCertificate(c) => NetworkEvent::RoundCertificate(from, c),
            });
        }
        Event::ConsensusMessage(Channel::Consensus, from, _, data) => {
            let Some(msg) = decoded::<SignedConsensusMsg<EblContext>>(data, from, "consensus")
            else {
                return;
            };
            out.send(match msg {
                SignedConsensusMsg::Vote(vote) => NetworkEvent::Vote(from, vote),
                SignedConsensusMsg::Proposal(p) => NetworkEvent::Proposal(from, p),
            });
        }
        Event::ConsensusMessage(Channel::ProposalParts, from, publisher, data) => {
            if let Some(msg) = decoded::<StreamMessage<ProposalPart>>(data, from, "part") {
                out.send(NetworkEvent::ProposalPart(from, publisher, msg));
            }
        }
        Event::ConsensusMessage(Channel::Sync, from, _, data) => {
            let Some(status) = decoded::<malachite_sync::Status<EblContext>>(data, from, "status")
            else {
                return;
            };
            // A status speaks for the peer that sent it, never for another.
            if status.peer_id == from {
                let status = Status::new(status.tip_height, status.history_min_height);
                out.send(NetworkEvent::Status(from, status));
            }
        }
        Event::ConsensusMessage(Channel::Liveness, ..) | Event::ValidatorProofReceived { .. } => {}
        Event::Sync(RawMessage::Request {
            request_id,
            peer,
            body,
        }) => {
            let Some(request) = decoded(body, peer, "value request") else {
                let _ = state
                    .commands
                    .try_send(Command::SyncCancelReply(request_id));
                return;
            };
            let id = InboundRequestId::new(request_id);
            state.inbound.insert(id.clone(), request_id);
            out.send(NetworkEvent::SyncRequest(id, peer, request));
        }
        Event::Sync(RawMessage::Response {
            request_id,
            peer,
            body,
        }) => {
            let response = decoded(body, peer, "value response");
            let id = OutboundRequestId::new(request_id);
            out.send(NetworkEvent::SyncResponse(id, peer, response));
        }
        Event::SyncRequestFailed {
            request_id,
            peer,
            reason,
        } => {
            let id = OutboundRequestId::new(request_id);
            out.send(NetworkEvent::SyncRequestFailed(id, peer, reason));
        }
        Event::SyncInboundRequestFailed { request_id, peer } => {
            let id = InboundRequestId::new(request_id);
            state.inbound.remove(&id);
            out.send(NetworkEvent::SyncInboundRequestFailed(id, peer));
        }
    }
}

fn decoded<T>(data: Bytes, from: PeerId, what: &str) -> Option<T>
where
    EblCodec: malachite::app::types::codec::Codec<T>,
{
    EblCodec
        .decode(data)
        .inspect_err(|e| tracing::debug!(%from, error = ?e, "undecodable {what} dropped"))
        .ok()
}
