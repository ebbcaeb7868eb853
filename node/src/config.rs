//! `config.toml` and the key files written by `ebl-node init`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use ebl_ledger::genesis::Genesis;
use serde::{Deserialize, Serialize};

use crate::consensus::BlockLimits;
use crate::mempool::MempoolConfig;
use crate::run::{NodeSettings, fast_timeouts};

/// The node's configuration file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Display name.
    pub moniker: String,
    /// Data directory (ledger, WAL), relative to the config file.
    pub data_dir: PathBuf,
    /// Genesis document (JSON), relative to the config file.
    pub genesis_file: PathBuf,
    /// Consensus key file (64 hex characters: the Ed25519 secret).
    pub consensus_key_file: PathBuf,
    /// libp2p node key file (64 hex characters: the Ed25519 secret).
    pub node_key_file: PathBuf,
    /// Networking.
    pub p2p: P2pSection,
    /// Consensus.
    #[serde(default)]
    pub consensus: ConsensusSection,
    /// Mempool.
    #[serde(default)]
    pub mempool: MempoolSection,
    /// HTTP gateway; no gateway when absent.
    #[serde(default)]
    pub api: Option<crate::api_server::ApiSection>,
    /// Entry gossip (R110–R119); no gossip swarm when absent.
    #[serde(default)]
    pub gossip: Option<GossipSection>,
}

/// `[gossip]`: our own libp2p swarm for entry gossip, beside the consensus one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GossipSection {
    /// Listen address, e.g. `/ip4/0.0.0.0/tcp/27001`.
    pub listen_addr: String,
    /// Gossip addresses of the other member nodes (multiaddrs), redialled while disconnected.
    pub peers: Vec<String>,
}

impl Default for GossipSection {
    fn default() -> Self {
        GossipSection {
            listen_addr: DEFAULT_GOSSIP_LISTEN.into(),
            peers: Vec::new(),
        }
    }
}

/// Default gossip listen address (the consensus swarm's default port + [`GOSSIP_PORT_OFFSET`]).
pub const DEFAULT_GOSSIP_LISTEN: &str = "/ip4/0.0.0.0/tcp/28000";

/// How far above the consensus port `init` puts the gossip port.
pub const GOSSIP_PORT_OFFSET: u16 = 1_000;

impl GossipSection {
    /// The section `init` writes: the consensus listen address with its TCP port moved up by
    /// [`GOSSIP_PORT_OFFSET`] (the default address when that address has no usable TCP port).
    pub fn beside(consensus_listen: &str) -> Self {
        use libp2p::multiaddr::Protocol;
        let Ok(addr) = consensus_listen.parse::<libp2p::Multiaddr>() else {
            return Self::default();
        };
        let mut moved = false;
        let gossip: libp2p::Multiaddr = addr
            .iter()
            .map(|p| match p {
                Protocol::Tcp(port) if port != 0 => {
                    moved = true;
                    Protocol::Tcp(port.saturating_add(GOSSIP_PORT_OFFSET))
                }
                other => other,
            })
            .collect();
        if !moved {
            return Self::default();
        }
        GossipSection {
            listen_addr: gossip.to_string(),
            peers: Vec::new(),
        }
    }

    /// The parsed settings.
    pub fn settings(&self) -> anyhow::Result<crate::p2p::GossipSettings> {
        Ok(crate::p2p::GossipSettings {
            listen_addr: self.listen_addr.parse().context("gossip.listen_addr")?,
            peers: self
                .peers
                .iter()
                .map(|p| p.parse())
                .collect::<Result<_, _>>()
                .context("gossip.peers")?,
        })
    }
}

/// `[p2p]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct P2pSection {
    /// libp2p listen address, e.g. `/ip4/0.0.0.0/tcp/27000`.
    pub listen_addr: String,
    /// Peers to keep connected to (multiaddrs), each best ending in `/p2p/<peer id>` of the
    /// peer's consensus key (R153).
    #[serde(default)]
    pub persistent_peers: Vec<String>,
}

/// `[consensus]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConsensusSection {
    /// Propose timeout of round 0, in milliseconds.
    pub timeout_propose_ms: u64,
    /// Prevote and precommit timeouts, in milliseconds.
    pub timeout_vote_ms: u64,
    /// Most entries per proposed block.
    pub max_block_entries: usize,
    /// Most bytes of entries per proposed block.
    pub max_block_bytes: usize,
    /// Shortest time between two blocks, in milliseconds (0: as fast as consensus goes).
    pub block_interval_ms: u64,
    /// R194: how far behind this node's clock a live proposal's block time may be, in
    /// milliseconds (at least `timeout_propose_ms`).
    pub max_time_lag_ms: u64,
}

impl Default for ConsensusSection {
    fn default() -> Self {
        let t = fast_timeouts();
        let limits = BlockLimits::default();
        ConsensusSection {
            timeout_propose_ms: u64::try_from(t.propose.as_millis()).unwrap_or(u64::MAX),
            timeout_vote_ms: u64::try_from(t.prevote.as_millis()).unwrap_or(u64::MAX),
            max_block_entries: limits.max_entries,
            max_block_bytes: limits.max_bytes,
            block_interval_ms: limits
                .block_interval
                .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            max_time_lag_ms: u64::try_from(limits.max_time_lag.as_millis()).unwrap_or(u64::MAX),
        }
    }
}

/// `[mempool]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MempoolSection {
    /// Most entries held.
    pub max_entries: usize,
    /// Most bytes held.
    pub max_bytes: usize,
    /// Most entries per signer.
    pub max_per_signer: usize,
}

impl Default for MempoolSection {
    fn default() -> Self {
        let m = MempoolConfig::default();
        MempoolSection {
            max_entries: m.max_entries,
            max_bytes: m.max_bytes,
            max_per_signer: m.max_per_signer,
        }
    }
}

/// Reads a 32-byte secret written as hex.
pub fn read_secret(path: &Path) -> anyhow::Result<[u8; 32]> {
    let text = std::fs::read_to_string(path).with_context(|| format!("read {}", path.display()))?;
    let bytes = hex::decode(text.trim()).context("key file is not hex")?;
    bytes
        .try_into()
        .map_err(|_| anyhow::anyhow!("{}: key must be 32 bytes", path.display()))
}

/// Writes a 32-byte secret as hex, readable by the owner only.
pub fn write_secret(path: &Path, secret: &[u8; 32]) -> anyhow::Result<()> {
    std::fs::write(path, hex::encode(secret))
        .with_context(|| format!("write {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

/// A fresh random 32-byte secret.
pub fn random_secret() -> [u8; 32] {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
}

impl ConfigFile {
    /// Reads a config file.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        Self::load_with_env(path, std::env::vars())
    }

    /// [`ConfigFile::load`] with `EBL_NODE__SECTION__KEY` overrides taken from `vars`
    /// (see [`crate::config_env`]).
    pub fn load_with_env(
        path: &Path,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("read {}", path.display()))?;
        Self::parse(&text, &path.display().to_string(), vars)
    }

    /// The configuration in `text` (named `origin` in errors) with `EBL_NODE__*` overrides
    /// from `vars`: a typed configuration or an error, whatever the text.
    pub fn parse(
        text: &str,
        origin: &str,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<Self> {
        let mut value: toml::Value =
            toml::from_str(text).with_context(|| format!("parse {origin}"))?;
        crate::config_env::apply(&mut value, vars)?;
        value
            .try_into()
            .with_context(|| format!("{origin} with EBL_NODE__* overrides"))
    }

    /// Settings and genesis, with paths resolved against the config file's folder.
    pub fn settings(&self, config_path: &Path) -> anyhow::Result<(NodeSettings, Genesis)> {
        let base = config_path.parent().unwrap_or(Path::new("."));
        let genesis_text =
            std::fs::read_to_string(base.join(&self.genesis_file)).context("read genesis file")?;
        let genesis: Genesis = serde_json::from_str(&genesis_text).context("parse genesis")?;
        // R194: a bound below the propose timeout would refuse honest proposals.
        anyhow::ensure!(
            self.consensus.max_time_lag_ms >= self.consensus.timeout_propose_ms,
            "consensus.max_time_lag_ms ({}) must be at least consensus.timeout_propose_ms ({})",
            self.consensus.max_time_lag_ms,
            self.consensus.timeout_propose_ms
        );
        let mut timeouts = fast_timeouts();
        timeouts.propose = Duration::from_millis(self.consensus.timeout_propose_ms);
        timeouts.prevote = Duration::from_millis(self.consensus.timeout_vote_ms);
        timeouts.precommit = Duration::from_millis(self.consensus.timeout_vote_ms);
        let settings = NodeSettings {
            moniker: self.moniker.clone(),
            data_dir: base.join(&self.data_dir),
            consensus_secret: read_secret(&base.join(&self.consensus_key_file))?,
            node_secret: read_secret(&base.join(&self.node_key_file))?,
            listen_addr: self.p2p.listen_addr.parse().context("p2p.listen_addr")?,
            persistent_peers: self
                .p2p
                .persistent_peers
                .iter()
                .map(|p| p.parse())
                .collect::<Result<_, _>>()
                .context("p2p.persistent_peers")?,
            timeouts,
            mempool: MempoolConfig {
                max_entries: self.mempool.max_entries,
                max_bytes: self.mempool.max_bytes,
                max_per_signer: self.mempool.max_per_signer,
                ..MempoolConfig::default()
            },
            limits: BlockLimits {
                max_entries: self.consensus.max_block_entries,
                max_bytes: self.consensus.max_block_bytes,
                block_interval: (self.consensus.block_interval_ms > 0)
                    .then(|| Duration::from_millis(self.consensus.block_interval_ms)),
                max_time_lag: Duration::from_millis(self.consensus.max_time_lag_ms),
                ..BlockLimits::default()
            },
            gossip: self
                .gossip
                .as_ref()
                .map(GossipSection::settings)
                .transpose()?,
            #[cfg(feature = "byzantine")]
            faults: Default::default(),
        };
        Ok((settings, genesis))
    }
}
