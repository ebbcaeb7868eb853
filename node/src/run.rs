//! Starting and stopping a node: open the ledger, start the Malachite engine with our context
//! and codecs, and spawn the application task that owns the ledger.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use ebl_ledger::Ledger;
use ebl_ledger::genesis::Genesis;
use ebl_ledger::storage::RocksStore;
use malachite::app::config::{ConsensusConfig, NodeConfig, ValueSyncConfig};
use malachite::app::net::Multiaddr;
use malachite::app::types::Keypair;
use malachite::app::types::core::LinearTimeouts;
use malachite::{
    ConsensusContext, EngineBuilder, EngineHandle, RequestContext, SyncContext, WalContext,
};
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;

use crate::consensus::app::{self, Outputs};
use crate::consensus::codec::EblCodec;
use crate::consensus::gated_network::GatedNetwork;
use crate::consensus::membership;
use crate::consensus::signing::{ConsensusSigner, ConsensusVerifier};
use crate::consensus::state::AppError;
use crate::consensus::undecided::UndecidedBlocks;
use crate::consensus::{AppState, BlockLimits};
use crate::handle::NodeHandle;
use crate::mempool::{Mempool, MempoolConfig};
use crate::metrics::NodeMetrics;

/// Bound of the handle's command queue.
pub const COMMAND_QUEUE: usize = 1_024;
/// Bound of the committed-block broadcast.
pub const BLOCK_BROADCAST: usize = 256;
/// Bound of the entry-fate broadcast.
pub const NOTIFICATION_BROADCAST: usize = 16_384;

/// Everything a node needs to start (what `config.toml` and the key files hold).
#[derive(Clone)]
pub struct NodeSettings {
    /// Display name.
    pub moniker: String,
    /// Where the ledger and the consensus WAL live.
    pub data_dir: PathBuf,
    /// Ed25519 secret of the validator's consensus key.
    pub consensus_secret: [u8; 32],
    /// Ed25519 secret of the libp2p node key. Not used by the consensus swarm since R150 (its
    /// identity is the consensus key, which the ledger knows); kept so existing key files and
    /// configurations load.
    pub node_secret: [u8; 32],
    /// libp2p listen address.
    pub listen_addr: Multiaddr,
    /// Peers to keep connected to; a trailing `/p2p/<peer id>` pins the peer's identity, so the
    /// address is dropped when the ledger stops admitting that key (R152, R153).
    pub persistent_peers: Vec<Multiaddr>,
    /// Consensus timeouts.
    pub timeouts: LinearTimeouts,
    /// Mempool bounds.
    pub mempool: MempoolConfig,
    /// Proposal limits.
    pub limits: BlockLimits,
    /// Entry gossip (R110–R119); `None`: no gossip swarm (a lone dev validator).
    pub gossip: Option<crate::p2p::GossipSettings>,
    /// What this node does wrong (the Byzantine test harness only; inert by default).
    #[cfg(feature = "byzantine")]
    pub faults: crate::consensus::faults::FaultPlan,
}

impl std::fmt::Debug for NodeSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeSettings")
            .field("moniker", &self.moniker)
            .field("data_dir", &self.data_dir)
            .field("listen_addr", &self.listen_addr)
            .field("persistent_peers", &self.persistent_peers)
            .field("gossip", &self.gossip)
            .finish_non_exhaustive()
    }
}

/// Timeouts for a small network on one machine or a LAN: short, so rounds move quickly.
pub fn fast_timeouts() -> LinearTimeouts {
    let ms = Duration::from_millis;
    LinearTimeouts {
        propose: ms(1_500),
        propose_delta: ms(250),
        prevote: ms(500),
        prevote_delta: ms(250),
        precommit: ms(500),
        precommit_delta: ms(250),
        rebroadcast: ms(2_000),
        max_timeout: Duration::from_secs(20),
    }
}

/// The signer the engine signs votes and proposals with: the node's consensus key, or under a
/// `byzantine` fault plan one that signs votes with a torsion component.
#[cfg_attr(not(feature = "byzantine"), allow(unused_variables))]
fn vote_signer(
    settings: &NodeSettings,
    signer: ConsensusSigner,
    chain: [u8; 32],
) -> Box<dyn malachite_signing::Signer<crate::consensus::EblContext>> {
    #[cfg(feature = "byzantine")]
    if settings.faults.torsion_votes {
        return Box::new(crate::consensus::faults::torsion::TorsionSigner::new(
            settings.consensus_secret,
            chain,
        ));
    }
    Box::new(signer)
}

/// The engine's configuration (Malachite's `NodeConfig`).
#[derive(Clone, Debug)]
struct EngineConfig {
    moniker: String,
    consensus: ConsensusConfig,
    value_sync: ValueSyncConfig,
}

impl NodeConfig for EngineConfig {
    fn moniker(&self) -> &str {
        &self.moniker
    }

    fn consensus(&self) -> &ConsensusConfig {
        &self.consensus
    }

    fn consensus_mut(&mut self) -> &mut ConsensusConfig {
        &mut self.consensus
    }

    fn value_sync(&self) -> &ValueSyncConfig {
        &self.value_sync
    }

    fn value_sync_mut(&mut self) -> &mut ValueSyncConfig {
        &mut self.value_sync
    }
}

/// The engine's configuration. Of its `p2p` section our consensus swarm reads the listen
/// address, the gossipsub mesh, the message sizes and the protocol and channel names (R482);
/// the peer list (R151) is given to the swarm directly.
fn engine_config(s: &NodeSettings) -> EngineConfig {
    let mut consensus = ConsensusConfig::default();
    consensus.p2p.listen_addr = s.listen_addr.clone();
    consensus.p2p.discovery.enabled = false;
    let value_sync = ValueSyncConfig {
        enabled: true,
        status_update_interval: Duration::from_millis(500),
        request_timeout: Duration::from_secs(5),
        batch_size: 1,
        ..ValueSyncConfig::default()
    };
    EngineConfig {
        moniker: s.moniker.clone(),
        consensus,
        value_sync,
    }
}

/// A running node.
pub struct Node {
    handle: NodeHandle,
    engine: EngineHandle,
    app: JoinHandle<Result<(), AppError>>,
    gossip: Option<crate::p2p::GossipTask>,
    membership: JoinHandle<()>,
    submissions: JoinHandle<()>,
    #[cfg(feature = "byzantine")]
    junk: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Node")
            .field("handle", &self.handle)
            .finish_non_exhaustive()
    }
}

impl Node {
    /// Opens the ledger under `settings.data_dir` (writing `genesis` if new) and starts.
    pub async fn start(settings: NodeSettings, genesis: &Genesis) -> anyhow::Result<Node> {
        let store = RocksStore::open(settings.data_dir.join("ledger")).context("open RocksDB")?;
        #[allow(unused_mut)]
        let mut ledger = Ledger::open(store, genesis).context("open ledger")?;
        // R150: the consensus swarm's identity is the consensus key, which the ledger knows.
        let keypair = Keypair::ed25519_from_bytes(settings.consensus_secret).context("node key")?;
        let local_peer = keypair.public().to_peer_id();
        // R151: the list Malachite starts with, from the ledger as opened.
        let admitted = crate::p2p::gating::allowed_keys(&ledger).context("read members")?;
        let persistent = membership::persistent_list(
            &settings.persistent_peers,
            &crate::p2p::gating::allowed_peers(&admitted),
            &local_peer,
        );
        for addr in &settings.persistent_peers {
            if membership::pinned_peer(addr).is_none() {
                tracing::warn!(%addr, "persistent peer not pinned by /p2p/<peer id>: trusted by address (R153)");
            }
        }
        // The gateway's concurrent read path; the app task stays the only writer (ADR 0014).
        let reads = crate::reads::CommittedReads::new(ledger.store().reader());
        let chain = ledger.chain().clone();
        let signer = ConsensusSigner::new(settings.consensus_secret, chain.genesis_hash.0);
        let verifier = ConsensusVerifier::new(chain.genesis_hash.0);
        let mut mempool = Mempool::new(chain.clone(), settings.mempool.clone());
        // R183: the intake reads the pooled ids off the consensus task.
        let pooled = mempool.share_ids();
        let undecided = UndecidedBlocks::open(settings.data_dir.join("undecided"))
            .context("create undecided-block dir")?;
        #[cfg(feature = "byzantine")]
        if let Some(known) = settings.faults.known_versions {
            ledger.set_known_versions(known);
        }
        #[allow(unused_mut)]
        let mut state = AppState::new(
            ledger,
            mempool,
            signer.clone(),
            settings.timeouts,
            settings.limits,
        )?
        .with_undecided(undecided)?;
        #[cfg(feature = "byzantine")]
        {
            state.faults = settings.faults.clone();
            if !state.faults.is_inert() {
                tracing::warn!(faults = ?state.faults, "byzantine fault plan in force");
            }
        }
        let ctx = state.ctx;
        let address = state.address;
        let verified = state.verified.clone();
        if !state
            .validators
            .validators
            .iter()
            .any(|v| v.address == address)
        {
            tracing::warn!(%address, "this node's consensus key is not in the validator set: it follows, never votes");
        }

        let wal = settings.data_dir.join("wal").join("consensus.wal");
        if let Some(dir) = wal.parent() {
            std::fs::create_dir_all(dir).context("create WAL dir")?;
        }
        let vote_signer = vote_signer(&settings, signer, chain.genesis_hash.0);
        let metrics = NodeMetrics::new();
        let config = engine_config(&settings);
        // R482: our own consensus swarm, which refuses a peer the ledger does not admit at
        // its handshake; R480's gate stays in front of it as a second check.
        let list: Vec<Multiaddr> = persistent.iter().cloned().collect();
        let (inner_network, tx_network) = crate::consensus::net::spawn(
            keypair,
            &settings.moniker,
            config.consensus(),
            config.value_sync(),
            &list,
        )
        .await
        .map_err(|e| anyhow::anyhow!("start the consensus network: {e}"))?;
        let network = GatedNetwork::spawn(inner_network.clone(), metrics.withheld.clone()).await;
        let network = match network {
            Ok(network) => network,
            Err(e) => {
                inner_network.stop(None);
                return Err(e);
            }
        };
        let built = EngineBuilder::new(ctx, config)
            .with_default_wal(WalContext::new(wal, EblCodec))
            .with_custom_network(network.clone(), tx_network)
            .with_default_sync(SyncContext::new(EblCodec))
            .with_default_consensus(ConsensusContext::new_validator(
                address,
                Box::new(verifier),
                vote_signer,
            ))
            .with_default_request(RequestContext::new(64))
            .build()
            .await;
        let (channels, engine) = match built {
            Ok(built) => built,
            Err(e) => {
                network.stop(None);
                anyhow::bail!("start consensus engine: {e}");
            }
        };

        let gossip_link = match &settings.gossip {
            Some(_) => Some(crate::p2p::start::link(settings.consensus_secret)?),
            None => None,
        };
        let (commands_tx, commands_rx) = mpsc::channel(COMMAND_QUEUE);
        let outputs = Outputs {
            blocks: broadcast::channel(BLOCK_BROADCAST).0,
            notifications: broadcast::channel(NOTIFICATION_BROADCAST).0,
            metrics,
        };
        // R141: bodies live beside the ledger, in a database of their own.
        let bodies = crate::bodies::Bodies {
            store: crate::bodies::BodyStore::open(settings.data_dir.join("bodies"))
                .context("open the body store")?,
            chain: chain.clone(),
        };
        let intake = crate::intake::Intake::new(
            chain.clone(),
            reads.clone(),
            pooled,
            settings.mempool.max_per_signer,
            outputs.metrics.intake.clone(),
        );
        // R451: served snapshots live beside the ledger, on its file system (hard-linked
        // checkpoints).
        let sync = std::sync::Arc::new(crate::state_sync::SyncServer::new(
            reads.store().clone(),
            settings.data_dir.join("sync"),
        ));
        // R484: the client submissions' shared signature checks.
        let (submissions, submissions_task) = crate::submissions::Submissions::start(
            verified.clone(),
            commands_tx.clone(),
            outputs.metrics.clone(),
        );
        let handle = NodeHandle {
            intake,
            submissions,
            bodies,
            commands: commands_tx,
            blocks: outputs.blocks.clone(),
            notifications: outputs.notifications.clone(),
            network: channels.net_requests.clone(),
            metrics: outputs.metrics.clone(),
            gossip: gossip_link.as_ref().map(|(link, _, _)| link.clone()),
            reads,
            verified,
            snapshots: crate::snapshot::snapshots_dir(&settings.data_dir),
            sync,
        };
        // Subscribed before the app task starts, so no committed block is missed.
        let membership = tokio::spawn(
            membership::Follower {
                node: handle.clone(),
                network: channels.net_requests.clone(),
                configured: settings.persistent_peers.clone(),
                local: local_peer,
                applied: persistent,
            }
            .run(handle.subscribe_blocks()),
        );
        #[cfg(feature = "byzantine")]
        let junk = crate::consensus::faults::junk::spawn(
            settings.faults.junk_parts_per_second,
            channels.network.clone(),
            handle.clone(),
        );
        let app = tokio::spawn(app::run(state, channels, commands_rx, outputs));
        let gossip = match (&settings.gossip, gossip_link) {
            (Some(config), Some((link, inbox, keypair))) => {
                let spawned =
                    crate::p2p::spawn(config, keypair, &chain, handle.clone(), &link, inbox).await;
                match spawned {
                    Ok(task) => Some(task),
                    Err(e) => {
                        engine.actor.stop(Some("gossip failed to start".into()));
                        membership.abort();
                        app.abort();
                        return Err(e.into());
                    }
                }
            }
            _ => None,
        };
        Ok(Node {
            handle,
            engine,
            app,
            gossip,
            membership,
            submissions: submissions_task,
            #[cfg(feature = "byzantine")]
            junk,
        })
    }

    /// The handle for the gateway and tests.
    pub fn handle(&self) -> NodeHandle {
        self.handle.clone()
    }

    /// Stops the engine and waits for the application task (which closes the ledger).
    pub async fn stop(self) -> anyhow::Result<()> {
        if let Some(gossip) = self.gossip {
            // Waits for the swarm to drop (its port is free for a restart) and for every
            // gossip judge, each holding the node's handle, to end.
            gossip.stop().await;
        }
        self.membership.abort();
        let _ = self.membership.await;
        self.submissions.abort();
        let _ = self.submissions.await;
        #[cfg(feature = "byzantine")]
        if let Some(junk) = self.junk {
            junk.abort();
            let _ = junk.await;
        }
        self.engine.actor.stop(Some("node stopped".into()));
        let _ = self.engine.handle.await;
        self.app.abort();
        match self.app.await {
            Ok(result) => result.map_err(anyhow::Error::from),
            Err(e) if e.is_cancelled() => Ok(()),
            Err(e) => Err(anyhow::anyhow!("application task failed: {e}")),
        }
    }

    /// Waits until the application task ends by itself — a fatal storage error (R19.2) or the
    /// engine stopping — and says why; [`Node::stop`] then shuts the rest down. Meant for a
    /// `select!` beside the shutdown signal, so a node that can no longer commit exits (and its
    /// service manager restarts it) instead of serving a head that no longer moves.
    pub async fn app_ended(&mut self) -> anyhow::Error {
        let result = (&mut self.app).await;
        // A finished JoinHandle must not be polled again: `stop` joins this stand-in instead.
        self.app = tokio::spawn(async { Ok(()) });
        match result {
            Ok(Ok(())) => {
                anyhow::anyhow!("the application task ended: the consensus engine stopped")
            }
            Ok(Err(e)) => anyhow::Error::from(e).context("the application task failed"),
            Err(e) => anyhow::anyhow!("the application task failed: {e}"),
        }
    }

    /// Waits until the node stops by itself (engine ended or fatal error).
    pub async fn wait(self) -> anyhow::Result<()> {
        let result = self.app.await;
        if let Some(gossip) = &self.gossip {
            gossip.abort();
        }
        self.membership.abort();
        #[cfg(feature = "byzantine")]
        if let Some(junk) = &self.junk {
            junk.abort();
        }
        self.engine.actor.stop(None);
        result
            .map_err(|e| anyhow::anyhow!("application task failed: {e}"))?
            .map_err(anyhow::Error::from)
    }
}
