//! Member nodes gone bad, for tests: [`RogueBodyServer`], a swarm with the node's own behaviour
//! (gate, gossipsub, `/ebl/body/1`) under a key of the test's choosing, that answers every body
//! request with the same bytes, whatever the document; [`RawAsker`], which puts any bytes on a
//! `/ebl/body/1` stream.

use std::time::Duration;

use anyhow::Context as _;
use ebl_ledger::entry::ChainRef;
use ebl_node::bodies::BodyResponse;
use ebl_node::p2p::behaviour::{self, BehaviourEvent};
use libp2p::futures::StreamExt as _;
use libp2p::identity::Keypair;
use libp2p::request_response::{Event, Message};
use libp2p::swarm::SwarmEvent;
use libp2p::{Multiaddr, PeerId};
use tokio::task::JoinHandle;

use crate::raw_codec::RawCodec;

/// The running rogue; aborted when dropped.
#[derive(Debug)]
pub struct RogueBodyServer {
    /// Its peer id.
    pub peer_id: PeerId,
    task: JoinHandle<()>,
}

impl Drop for RogueBodyServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl RogueBodyServer {
    /// Starts a rogue with secret `secret` on `chain`'s topic that dials `node` at `addr` and
    /// answers every body request with `Found(body)`.
    pub fn start(
        secret: [u8; 32],
        chain: &ChainRef,
        node: PeerId,
        addr: Multiaddr,
        body: Vec<u8>,
    ) -> anyhow::Result<Self> {
        let keypair = Keypair::ed25519_from_bytes(secret)?;
        let peer_id = keypair.public().to_peer_id();
        let mut behaviour = behaviour::build(&behaviour::entry_topic(chain))?;
        behaviour.gate.allow_peer(node);
        let mut swarm = crate::swarm::build(keypair, behaviour)?;
        swarm.dial(addr).context("dial")?;
        let task = tokio::spawn(async move {
            loop {
                let event = swarm.select_next_some().await;
                if let SwarmEvent::Behaviour(BehaviourEvent::Bodies(Event::Message {
                    message: Message::Request { channel, .. },
                    ..
                })) = event
                {
                    let answer = BodyResponse::Found(body.clone());
                    let _ = swarm.behaviour_mut().bodies.send_response(channel, answer);
                }
            }
        });
        Ok(RogueBodyServer { peer_id, task })
    }
}

/// A swarm that sends raw bytes as body requests to one node and hands back the raw answers.
pub struct RawAsker {
    swarm: libp2p::Swarm<libp2p::request_response::Behaviour<RawCodec>>,
    node: PeerId,
}

impl std::fmt::Debug for RawAsker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawAsker")
            .field("peer_id", self.swarm.local_peer_id())
            .finish_non_exhaustive()
    }
}

impl RawAsker {
    /// An asker with secret `secret`, dialing `node` at `addr`.
    pub fn start(secret: [u8; 32], node: PeerId, addr: Multiaddr) -> anyhow::Result<Self> {
        use libp2p::request_response::{Config, ProtocolSupport};
        let keypair = Keypair::ed25519_from_bytes(secret)?;
        let protocols = [(ebl_node::bodies::protocol::PROTOCOL, ProtocolSupport::Full)];
        let behaviour = libp2p::request_response::Behaviour::with_codec(
            RawCodec::ToEnd,
            protocols,
            Config::default().with_request_timeout(Duration::from_secs(10)),
        );
        let mut swarm = crate::swarm::build(keypair, behaviour)?;
        swarm.dial(addr).context("dial")?;
        Ok(RawAsker { swarm, node })
    }

    /// Drives the swarm until it is connected to the node (at most `timeout`).
    pub async fn wait_connected(&mut self, timeout: Duration) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + timeout;
        while !self.swarm.is_connected(&self.node) {
            tokio::time::timeout_at(deadline, self.swarm.select_next_some())
                .await
                .context("not connected in time")?;
        }
        Ok(())
    }

    /// Sends `bytes` as a request and waits (at most `timeout`) for the answer: the raw
    /// response, or the failure's text.
    pub async fn ask(
        &mut self,
        bytes: Vec<u8>,
        timeout: Duration,
    ) -> anyhow::Result<Result<Vec<u8>, String>> {
        let id = self.swarm.behaviour_mut().send_request(&self.node, bytes);
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let event = tokio::time::timeout_at(deadline, self.swarm.select_next_some())
                .await
                .context("no answer in time")?;
            match event {
                SwarmEvent::Behaviour(Event::Message {
                    message:
                        Message::Response {
                            request_id,
                            response,
                        },
                    ..
                }) if request_id == id => return Ok(Ok(response)),
                SwarmEvent::Behaviour(Event::OutboundFailure {
                    request_id, error, ..
                }) if request_id == id => {
                    return Ok(Err(error.to_string()));
                }
                _ => {}
            }
        }
    }
}
