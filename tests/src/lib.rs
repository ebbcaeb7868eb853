//! Multi-node in-process tests: a [`Cluster`] of validators in one process, with real Malachite
//! consensus over libp2p on 127.0.0.1 and RocksDB in temporary folders.
//!
//! # Design
//!
//! The cluster signs entries with the ledger's [`TestNetwork`] (pilot consortium, four validator
//! keys) and submits them through each node's [`NodeHandle`]. Tests wait for conditions (a
//! height reached, an entry final) with bounded timeouts, never for a fixed time.

pub mod byzantine;
pub mod entries;
pub mod governance;
pub mod outsider;
pub mod probe;
pub mod raw_codec;
pub mod relay;
pub mod rogue;
pub mod single;
pub mod snooper;
pub mod swarm;

use std::future::Future;
use std::net::TcpListener;
use std::time::Duration;

use anyhow::{Context as _, bail};
use ebl_ledger::hash::{EntryId, Hash32};
use ebl_ledger::storage::Storage;
use ebl_ledger::testkit::TestNetwork;
use ebl_node::consensus::BlockLimits;
use ebl_node::mempool::{Notification, Status};
use ebl_node::p2p::GossipSettings;
use ebl_node::run::fast_timeouts;
use ebl_node::{Node, NodeHandle, NodeSettings};
use relay::Relay;
use tempfile::TempDir;

/// One validator of the cluster: its settings and, while running, the node.
#[derive(Debug)]
pub struct Member {
    /// Start settings (reused on restart: same data dir, keys and port).
    pub settings: NodeSettings,
    /// The running node, if any.
    pub node: Option<Node>,
}

/// Validators in one process.
#[derive(Debug)]
pub struct Cluster {
    /// The pilot network (signing, genesis).
    pub net: TestNetwork,
    /// The validators.
    pub members: Vec<Member>,
    /// Relays between members, if started with [`Cluster::start_relayed`].
    pub links: Vec<Link>,
    _dir: TempDir,
}

/// The relay through which member `from` dials member `to`.
#[derive(Debug)]
pub struct Link {
    /// Dialing member.
    pub from: usize,
    /// Dialed member.
    pub to: usize,
    /// The relay.
    pub relay: Relay,
}

/// Lowest port [`free_port`] hands out.
const LOWEST_PORT: u32 = 10_000;

/// A TCP port on 127.0.0.1 that is free now, below the kernel's ephemeral range. A port from
/// `bind(0)` lies inside that range, where an outgoing connection of a test running in
/// parallel (its nodes dialling each other) can take it as its local end between our release
/// and the node's bind ("gossip listen on …" in CI). Ports are walked one by one from a start
/// drawn per process, so one process never hands out a port twice and two processes meet
/// only if their walks overlap.
pub fn free_port() -> anyhow::Result<u16> {
    static START: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    static WALKED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let high = ephemeral_start().max(LOWEST_PORT + 1_000);
    let span = high - LOWEST_PORT;
    let start = *START.get_or_init(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        (std::process::id().wrapping_mul(2_654_435_761) ^ nanos) % span
    });
    for _ in 0..span {
        let step = WALKED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let port = u16::try_from(LOWEST_PORT + (start + step) % span)?;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return Ok(port);
        }
    }
    anyhow::bail!("no free port between {LOWEST_PORT} and {high}")
}

/// The first port of the kernel's ephemeral range, 32768 when unknown.
fn ephemeral_start() -> u32 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|t| t.split_whitespace().next().and_then(|p| p.parse().ok()))
        .unwrap_or(32_768)
}

/// Logs for a test run, filtered by `RUST_LOG` (default: warnings).
pub fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_test_writer()
        .try_init();
}

/// Polls `check` every 50 ms until it yields `Some`, for at most `timeout`.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(v) = check().await {
            return Ok(v);
        }
        if tokio::time::Instant::now() >= deadline {
            bail!("timed out after {timeout:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

impl Cluster {
    /// Starts the pilot's four validators.
    pub async fn start() -> anyhow::Result<Self> {
        Self::start_with(false).await
    }

    /// Starts the pilot's four validators, each dialing the others through a [`Relay`], so
    /// the test can partition them ([`Cluster::partition`]).
    pub async fn start_relayed() -> anyhow::Result<Self> {
        Self::start_with(true).await
    }

    async fn start_with(relayed: bool) -> anyhow::Result<Self> {
        Self::start_custom(TestNetwork::pilot(), relayed, |_, _| {}).await
    }

    /// Starts the validators of `net` (e.g. one whose genesis sets other block caps), each
    /// with its settings adjusted by `tweak(i, settings)` first (a fault plan, a time bound).
    pub async fn start_custom(
        net: TestNetwork,
        relayed: bool,
        tweak: impl Fn(usize, &mut NodeSettings),
    ) -> anyhow::Result<Self> {
        init_logs();
        let dir = tempfile::tempdir()?;
        let ports: Vec<u16> = (0..net.validator_keys.len())
            .map(|_| free_port())
            .collect::<Result<_, _>>()?;
        let gossip_ports: Vec<u16> = (0..net.validator_keys.len())
            .map(|_| free_port())
            .collect::<Result<_, _>>()?;
        let addr = |p: u16| format!("/ip4/127.0.0.1/tcp/{p}").parse();
        // R153: consensus peers are pinned to their consensus key's peer id.
        let pinned = |p: u16, j: usize| -> anyhow::Result<libp2p::Multiaddr> {
            let a: libp2p::Multiaddr = format!("/ip4/127.0.0.1/tcp/{p}").parse()?;
            Ok(a.with(libp2p::multiaddr::Protocol::P2p(consensus_peer_id(
                &net, j,
            )?)))
        };
        let mut members = Vec::new();
        let mut links = Vec::new();
        for (i, key) in net.validator_keys.iter().enumerate() {
            let mut peers = Vec::new();
            for (j, port) in ports.iter().enumerate().filter(|(j, _)| *j != i) {
                let mut port = *port;
                if relayed {
                    let relay = Relay::start(([127, 0, 0, 1], port).into()).await?;
                    port = relay.port();
                    links.push(Link {
                        from: i,
                        to: j,
                        relay,
                    });
                }
                peers.push(pinned(port, j)?);
            }
            let gossip_peers = gossip_ports
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, p)| addr(*p))
                .collect::<Result<_, _>>()?;
            let mut node_secret = [0u8; 32];
            node_secret[0] = u8::try_from(i + 1)?;
            node_secret[31] = 0x5a;
            let settings = NodeSettings {
                moniker: format!("v{i}"),
                data_dir: dir.path().join(format!("v{i}")),
                consensus_secret: key.to_bytes(),
                node_secret,
                listen_addr: addr(ports[i])?,
                persistent_peers: peers,
                timeouts: fast_timeouts(),
                mempool: Default::default(),
                limits: BlockLimits {
                    block_interval: Some(Duration::from_millis(150)),
                    ..BlockLimits::default()
                },
                gossip: Some(GossipSettings {
                    listen_addr: addr(gossip_ports[i])?,
                    peers: gossip_peers,
                }),
                faults: Default::default(),
            };
            let mut settings = settings;
            tweak(i, &mut settings);
            members.push(Member {
                settings,
                node: None,
            });
        }
        let mut cluster = Cluster {
            net,
            members,
            links,
            _dir: dir,
        };
        for i in 0..cluster.members.len() {
            cluster.restart(i).await?;
        }
        Ok(cluster)
    }

    /// The handle of validator `i` (which must be running).
    pub fn handle(&self, i: usize) -> NodeHandle {
        match &self.members[i].node {
            Some(node) => node.handle(),
            None => panic!("validator {i} is stopped"),
        }
    }

    /// Stops validator `i`.
    pub async fn stop(&mut self, i: usize) -> anyhow::Result<()> {
        if let Some(node) = self.members[i].node.take() {
            node.stop().await?;
        }
        Ok(())
    }

    /// Starts validator `i` again on its data.
    pub async fn restart(&mut self, i: usize) -> anyhow::Result<()> {
        // In one process, tasks of the stopped node may still hold its RocksDB for a moment
        // after `stop` (a separate process would have exited): wait, bounded, for the lock.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let settings = self.members[i].settings.clone();
            match Node::start(settings, &self.net.genesis).await {
                Ok(node) => {
                    self.members[i].node = Some(node);
                    return Ok(());
                }
                Err(e)
                    if format!("{e:#}").contains("lock hold by current process")
                        && tokio::time::Instant::now() < deadline =>
                {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => return Err(e).with_context(|| format!("start validator {i}")),
            }
        }
    }

    /// Waits until every running validator has `n` gossip peers subscribed to the entry topic.
    pub async fn wait_gossip_mesh(&self, n: usize, timeout: Duration) -> anyhow::Result<()> {
        wait_for(&format!("{n} gossip peers everywhere"), timeout, || async {
            for i in self.running() {
                let link = self.handle(i).gossip()?.clone();
                if link.peers().await.len() < n {
                    return None;
                }
            }
            Some(())
        })
        .await
    }

    /// The address validator `i`'s entry gossip swarm listens on (it must run one).
    pub fn gossip_addr(&self, i: usize) -> libp2p::Multiaddr {
        match &self.members[i].settings.gossip {
            Some(gossip) => gossip.listen_addr.clone(),
            None => panic!("validator {i} runs no entry gossip"),
        }
    }

    /// Indices of the running validators.
    pub fn running(&self) -> Vec<usize> {
        (0..self.members.len())
            .filter(|i| self.members[*i].node.is_some())
            .collect()
    }

    /// Height of validator `i`'s last block.
    pub async fn height(&self, i: usize) -> anyhow::Result<u64> {
        Ok(self.handle(i).read(|l| l.head().height).await?)
    }

    /// State root of validator `i` at `height` (None if it has no such block).
    pub async fn state_root_at(&self, i: usize, height: u64) -> anyhow::Result<Option<Hash32>> {
        let block = self
            .handle(i)
            .read(move |l| l.store().block(height).map(|b| b.map(|b| b.block.header)))
            .await??;
        Ok(block.map(|h| h.state_root))
    }

    /// Waits until every running validator has committed `height`.
    pub async fn wait_height(&self, height: u64, timeout: Duration) -> anyhow::Result<()> {
        wait_for(&format!("height {height} everywhere"), timeout, || async {
            for i in self.running() {
                if self.height(i).await.ok()? < height {
                    return None;
                }
            }
            Some(())
        })
        .await
    }

    /// Waits until every running validator reports the same state root at `height`, and
    /// returns it.
    pub async fn agreed_root(&self, height: u64, timeout: Duration) -> anyhow::Result<Hash32> {
        self.wait_height(height, timeout).await?;
        let mut roots = Vec::new();
        for i in self.running() {
            let root = self
                .state_root_at(i, height)
                .await?
                .with_context(|| format!("validator {i} has no block {height}"))?;
            roots.push(root);
        }
        let first = roots[0];
        anyhow::ensure!(
            roots.iter().all(|r| *r == first),
            "state roots differ at height {height}: {roots:?}"
        );
        Ok(first)
    }

    /// Starts a second node with validator `i`'s consensus key (its own data dir and ports),
    /// dialing the members in `dial`: an equivocating validator, since the two instances sign
    /// whatever their own views make them sign. Its consensus identity is validator `i`'s
    /// (R150), so the members admit it as they admit `i`; it runs no entry gossip, whose port
    /// would otherwise be validator `i`'s.
    pub async fn start_twin(&self, i: usize, dial: &[usize]) -> anyhow::Result<Node> {
        let mut settings = self.members[i].settings.clone();
        settings.moniker = format!("v{i}-twin");
        settings.data_dir = self._dir.path().join(format!("v{i}-twin"));
        settings.node_secret[0] = 0x40 | u8::try_from(i + 1)?;
        settings.listen_addr = format!("/ip4/127.0.0.1/tcp/{}", free_port()?).parse()?;
        settings.gossip = None;
        let skip: Vec<usize> = (0..self.members.len())
            .filter(|j| !dial.contains(j))
            .collect();
        settings.persistent_peers = self.consensus_addrs(&skip)?;
        Node::start(settings, &self.net.genesis)
            .await
            .with_context(|| format!("start the twin of validator {i}"))
    }

    /// The members' consensus addresses pinned to their peer ids, except those in `skip`.
    pub fn consensus_addrs(&self, skip: &[usize]) -> anyhow::Result<Vec<libp2p::Multiaddr>> {
        let mut out = Vec::new();
        for (j, m) in self.members.iter().enumerate() {
            if !skip.contains(&j) {
                let id = consensus_peer_id(&self.net, j)?;
                out.push(
                    m.settings
                        .listen_addr
                        .clone()
                        .with_p2p(id)
                        .map_err(|a| anyhow::anyhow!("{a} already names a peer"))?,
                );
            }
        }
        Ok(out)
    }

    /// Cuts every link between a member of `a` and a member of `b` (both directions).
    pub fn partition(&self, a: &[usize], b: &[usize]) {
        for link in &self.links {
            let across = (a.contains(&link.from) && b.contains(&link.to))
                || (b.contains(&link.from) && a.contains(&link.to));
            if across {
                link.relay.cut();
            }
        }
    }

    /// Opens every link again.
    pub fn heal(&self) {
        for link in &self.links {
            link.relay.heal();
        }
    }

    /// Validator `i`'s consensus round at its current height, read from its metrics.
    pub fn round(&self, i: usize) -> Option<i64> {
        let text = self.handle(i).metrics().encode();
        text.lines()
            .find_map(|l| l.strip_prefix("ebl_round "))
            .and_then(|v| v.trim().parse().ok())
    }

    /// Stops every validator.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        for i in 0..self.members.len() {
            self.stop(i).await?;
        }
        Ok(())
    }
}

/// The consensus peer id of validator `j` (R150: its consensus key).
pub fn consensus_peer_id(net: &TestNetwork, j: usize) -> anyhow::Result<libp2p::PeerId> {
    let key = net.validator_keys.get(j).context("no such validator")?;
    Ok(
        libp2p::identity::Keypair::ed25519_from_bytes(key.to_bytes())?
            .public()
            .to_peer_id(),
    )
}

/// Waits for the fate of `ids` on a notification subscription; returns (id, status) in the
/// order they came.
pub async fn wait_fates(
    rx: &mut tokio::sync::broadcast::Receiver<Notification>,
    ids: &[EntryId],
    timeout: Duration,
) -> anyhow::Result<Vec<(EntryId, Status)>> {
    let mut out: Vec<(EntryId, Status)> = Vec::new();
    let deadline = tokio::time::Instant::now() + timeout;
    while out.len() < ids.len() {
        let note = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .context("timed out waiting for entry fates")??;
        if ids.contains(&note.id) && !out.iter().any(|(id, _)| *id == note.id) {
            out.push((note.id, note.status));
        }
    }
    Ok(out)
}

/// The height at which an entry became final or was rejected.
pub fn decided_height(status: &Status) -> Option<u64> {
    match status {
        Status::Final { height } | Status::Rejected { height, .. } => Some(*height),
        Status::Evicted { .. } => None,
    }
}

/// Whether a `harness = false` benchmark binary should run its measurement: only under
/// `cargo bench` (which passes `--bench`). Test runners list and run every target
/// (`--list`, or no flag under `cargo test --all-targets`); the benchmark then does nothing,
/// so `cargo nextest run --all-targets` never starts a minute-long load run.
pub fn bench_requested() -> bool {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        // The libtest listing format with no tests in it.
        return false;
    }
    args.iter().any(|a| a == "--bench")
}
