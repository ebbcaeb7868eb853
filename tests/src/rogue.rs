//! A member node gone bad, for tests: a swarm with the node's own behaviour (gate, gossipsub,
//! `/ebl/body/1`) under a key of the test's choosing, that answers every body request with the
//! same bytes, whatever the document.

use std::time::Duration;

use anyhow::Context as _;
use ebl_ledger::entry::ChainRef;
use ebl_node::bodies::BodyResponse;
use ebl_node::p2p::behaviour::{self, BehaviourEvent};
use libp2p::futures::StreamExt as _;
use libp2p::identity::Keypair;
use libp2p::request_response::{Event, Message};
use libp2p::swarm::SwarmEvent;
use libp2p::{Multiaddr, PeerId, noise, tcp, yamux};
use tokio::task::JoinHandle;

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
        let mut behaviour = behaviour::build(&keypair, &behaviour::entry_topic(chain))?;
        behaviour.gate.allow_peer(node);
        let mut swarm = libp2p::SwarmBuilder::with_existing_identity(keypair)
            .with_tokio()
            .with_tcp(
                tcp::Config::default().nodelay(true),
                noise::Config::new,
                yamux::Config::default,
            )?
            .with_behaviour(|_| behaviour)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(300)))
            .build();
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
