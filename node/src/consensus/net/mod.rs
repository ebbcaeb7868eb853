//! The consensus network: our own swarm and network actor in place of Malachite's, so that a
//! peer is admitted or refused when its Noise handshake names it, before any protocol runs
//! (R482, specs/adr/0056-our-own-consensus-swarm.md).
//!
//! Malachite 0.8.2's network actor builds its swarm itself, with no connection gate; a peer
//! that never identified heard every live vote and proposal part (ADR 0054). The engine takes
//! any actor that answers its network messages (`EngineBuilder::with_custom_network`), so this
//! module provides one:
//! - [`behaviour`]: the protocols, named and set as Malachite's (wire-compatible), behind the
//!   [`gate::Gate`];
//! - [`peers`]: the peer list the membership follower keeps in step with the ledger;
//! - [`swarm`]: the task that owns the swarm;
//! - [`actor`]: the engine-facing actor (encode, decode, subscribers).

pub mod actor;
pub mod behaviour;
pub mod gate;
pub mod peers;
pub mod swarm;

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use libp2p::identity::Keypair;
use libp2p::{Multiaddr, Swarm};
use malachite::app::config::{ConsensusConfig, ValueSyncConfig};
use malachite_engine::network::NetworkRef;
use malachite_network::{Channel, ChannelNames};
use ractor::Actor;
use tokio::sync::mpsc;

use self::behaviour::Behaviour;
use self::peers::PeerList;
use crate::consensus::EblContext;

/// Bound of the actor's command queue to the swarm task.
pub const COMMAND_QUEUE: usize = 1_024;
/// How long an idle connection stays open (Malachite's setting).
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// The network actor.
#[derive(Debug)]
pub struct ConsensusNetwork;

/// What the actor starts with: the swarm, listening and subscribed, with its gate filled.
pub struct Started {
    swarm: Swarm<Behaviour>,
    names: ChannelNames,
    list: PeerList,
    moniker: String,
    listen_addr: Multiaddr,
}

impl std::fmt::Debug for Started {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Started").finish_non_exhaustive()
    }
}

/// Why the consensus network could not start.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    /// Transport or behaviour setup failed.
    #[error("consensus swarm: {0}")]
    Swarm(String),
    /// The listen address cannot be used.
    #[error("consensus listen on {addr}: {reason}")]
    Listen {
        /// The address.
        addr: Multiaddr,
        /// Why.
        reason: String,
    },
    /// The actor did not start.
    #[error("consensus network actor: {0}")]
    Actor(String),
}

fn swarm_err(e: impl std::fmt::Display) -> NetError {
    NetError::Swarm(e.to_string())
}

/// Builds the swarm with `list` (R151) in its gate, listens on the configured address,
/// subscribes to the consensus channels and starts the actor. Returns the actor and the
/// sender the engine's channels use.
pub async fn spawn(
    keypair: Keypair,
    moniker: &str,
    consensus: &ConsensusConfig,
    value_sync: &ValueSyncConfig,
    list: &[Multiaddr],
) -> Result<
    (
        NetworkRef<EblContext>,
        mpsc::Sender<malachite::NetworkMsg<EblContext>>,
    ),
    NetError,
> {
    let behaviour =
        behaviour::build(&keypair, moniker, consensus, value_sync).map_err(swarm_err)?;
    let mut swarm = crate::p2p::transport::tcp_swarm(keypair, behaviour, IDLE_TIMEOUT)
        .map_err(NetError::Swarm)?;
    let mut peers = PeerList::default();
    for addr in list {
        // Duplicates in the configuration are harmless.
        let _ = peers.add(addr, &mut swarm.behaviour_mut().gate);
    }
    let names = behaviour::channel_names(consensus);
    for channel in Channel::consensus() {
        swarm
            .behaviour_mut()
            .gossipsub
            .subscribe(&channel.to_gossipsub_topic(&names))
            .map_err(swarm_err)?;
    }
    let listen_addr = consensus.p2p.listen_addr.clone();
    swarm
        .listen_on(listen_addr.clone())
        .map_err(|e| NetError::Listen {
            addr: listen_addr.clone(),
            reason: e.to_string(),
        })?;
    let started = Started {
        swarm,
        names,
        list: peers,
        moniker: moniker.to_string(),
        listen_addr,
    };
    let (actor, _) = Actor::spawn(None, ConsensusNetwork, started)
        .await
        .map_err(|e| NetError::Actor(e.to_string()))?;
    // The engine's channels send through this queue (as Malachite's own spawn does).
    let (tx, mut rx) = mpsc::channel::<malachite::NetworkMsg<EblContext>>(1);
    let forward = actor.clone();
    tokio::spawn(async move {
        while let Some(msg) = rx.recv().await {
            if forward.cast(msg.into()).is_err() {
                break;
            }
        }
    });
    Ok((actor, tx))
}

impl Started {
    /// The swarm task, reporting to `actor`.
    fn into_task(self, actor: NetworkRef<EblContext>) -> (swarm::SwarmTask, StartedInfo) {
        let local = *self.swarm.local_peer_id();
        let mut task = swarm::SwarmTask {
            swarm: self.swarm,
            names: self.names,
            list: self.list,
            dialing: BTreeMap::new(),
            open: BTreeMap::new(),
            replies: HashMap::new(),
            actor,
        };
        task.announce_sync();
        let info = StartedInfo {
            local,
            moniker: self.moniker,
            listen_addr: self.listen_addr,
        };
        (task, info)
    }
}

/// What the actor remembers about its own node.
struct StartedInfo {
    local: libp2p::PeerId,
    moniker: String,
    listen_addr: Multiaddr,
}
