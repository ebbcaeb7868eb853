//! A node beside a [`Cluster`] that is not one of its validators: a member organisation's
//! follower node (admitted by the ledger) or a stranger's (refused), dialing every member's
//! consensus address.

use anyhow::Context as _;
use ebl_node::consensus::BlockLimits;
use ebl_node::consensus::faults::FaultPlan;
use ebl_node::run::fast_timeouts;
use ebl_node::{Node, NodeSettings};
use tempfile::TempDir;

use crate::{Cluster, free_port};

/// A running outsider node and its data.
#[derive(Debug)]
pub struct Outsider {
    /// The node.
    pub node: Node,
    /// Its consensus peer id (R150: the peer id of its key).
    pub peer_id: libp2p::PeerId,
    _dir: TempDir,
}

impl Outsider {
    /// Starts a node whose consensus key is `secret` (an organisation's key for a member's
    /// node), dialing every member of `c`.
    pub async fn start(c: &Cluster, name: &str, secret: [u8; 32]) -> anyhow::Result<Self> {
        Self::start_faulty(c, name, secret, FaultPlan::default()).await
    }

    /// [`Outsider::start`] for a node that misbehaves as `faults` says (R193: a member
    /// publishing junk proposal parts).
    pub async fn start_faulty(
        c: &Cluster,
        name: &str,
        secret: [u8; 32],
        faults: FaultPlan,
    ) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let settings = NodeSettings {
            moniker: name.to_string(),
            data_dir: dir.path().join(name),
            consensus_secret: secret,
            node_secret: secret,
            listen_addr: format!("/ip4/127.0.0.1/tcp/{}", free_port()?).parse()?,
            persistent_peers: c.consensus_addrs(&[])?,
            timeouts: fast_timeouts(),
            mempool: Default::default(),
            limits: BlockLimits::default(),
            gossip: None,
            faults,
        };
        let peer_id = libp2p::identity::Keypair::ed25519_from_bytes(secret)?
            .public()
            .to_peer_id();
        let node = Node::start(settings, &c.net.genesis)
            .await
            .with_context(|| format!("start {name}"))?;
        Ok(Self {
            node,
            peer_id,
            _dir: dir,
        })
    }

    /// The outsider's last block height.
    pub async fn height(&self) -> anyhow::Result<u64> {
        Ok(self.node.handle().read(|l| l.head().height).await?)
    }

    /// Stops the node.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.node.stop().await
    }
}
