//! A one-validator node, as `ebl-node dev` runs it: the pilot consortium in which only the first
//! validator operator keeps that role, started on 127.0.0.1 with RocksDB in a given directory.

use std::path::PathBuf;
use std::time::Duration;

use ebl_ledger::testkit::TestNetwork;
use ebl_node::NodeSettings;
use ebl_node::consensus::BlockLimits;
use ebl_node::run::fast_timeouts;

/// The pilot consortium with one validator operator (the first), as `ebl-node dev` runs it.
pub fn one_validator_network() -> TestNetwork {
    TestNetwork::one_validator_pilot()
}

/// Settings of `net`'s only validator: data under `data_dir`, consensus on a free loopback port,
/// no gossip, a block every `block_interval` when entries wait.
pub fn single_validator_settings(
    net: &TestNetwork,
    moniker: &str,
    data_dir: PathBuf,
    block_interval: Duration,
) -> anyhow::Result<NodeSettings> {
    let key = net.validator_keys[0].to_bytes();
    Ok(NodeSettings {
        moniker: moniker.into(),
        data_dir,
        consensus_secret: key,
        node_secret: key,
        listen_addr: "/ip4/127.0.0.1/tcp/0".parse()?,
        persistent_peers: vec![],
        gossip: None,
        timeouts: fast_timeouts(),
        mempool: Default::default(),
        limits: BlockLimits {
            block_interval: Some(block_interval),
            ..BlockLimits::default()
        },
        faults: Default::default(),
    })
}
