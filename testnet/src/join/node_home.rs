//! Step (d) of a join: the joining node's home (R445). What the partner receives from the
//! network is its genesis file and its peers (each member node's consensus and gossip
//! addresses, the consensus one pinned to the peer id of that node's consensus key); the rest
//! is the partner's own: its keys, its custodial keystore and its API keys.
//!
//! Until its validator key is in the validator set the node runs with its organisation key as
//! its network identity (R445): the members' nodes admit the keys of validators and of active
//! organisations only (R116, R150), so a key the ledger does not know yet would be refused.

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use ebl_gateway::config::hash_secret;
use ebl_keystore::Keystore;
use ebl_ledger::crypto::PublicKey;
use ebl_node::config::{ConfigFile, random_secret, read_secret, write_secret};
use ebl_node::p2p::gating::peer_id_of;
use ed25519_dalek::SigningKey;
use serde_json::json;

use super::partner::PartnerKeys;
use crate::error::{Result, TestnetError};
use crate::home::{
    BLOCK_INTERVAL_MS, TESTNET_KDF, TESTNET_RATE_LIMIT, config_path, identity_name, mkdir,
    multiaddr, write_private,
};
use crate::ports::Ports;
use crate::state::{NodeInfo, TestnetState};

/// File of the organisation key in the joining node's home (its identity until it validates).
pub const ORG_KEY_FILE: &str = "org_key";
/// File of the validator key in the joining node's home.
pub const VALIDATOR_KEY_FILE: &str = "consensus_key";

/// A member node's addresses, as the partner receives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    /// Consensus address pinned with `/p2p/<peer id>` (R153).
    pub consensus: String,
    /// Gossip address.
    pub gossip: String,
}

/// The peers of the running network: every node's listen addresses from its config, pinned to
/// the peer id of its consensus key.
pub fn peers(state: &TestnetState) -> Result<Vec<Peer>> {
    state
        .nodes
        .iter()
        .map(|node| {
            let config = ConfigFile::load(&config_path(&node.home))
                .map_err(|e| TestnetError::Setup(format!("{}: {e:#}", node.name)))?;
            let secret = read_secret(&node.home.join(&config.consensus_key_file))
                .map_err(|e| TestnetError::Setup(format!("{}: {e:#}", node.name)))?;
            let public = PublicKey::from(SigningKey::from_bytes(&secret).verifying_key());
            let id = peer_id_of(&public)
                .ok_or_else(|| TestnetError::Setup("consensus key is not a peer id".into()))?;
            let gossip = config
                .gossip
                .map(|g| g.listen_addr)
                .ok_or_else(|| TestnetError::Setup(format!("{} has no gossip", node.name)))?;
            Ok(Peer {
                consensus: format!("{}/p2p/{id}", config.p2p.listen_addr),
                gossip,
            })
        })
        .collect()
}

/// What the home holds besides the files.
#[derive(Debug, Clone)]
pub struct JoinerHome {
    /// The node's entry in the testnet state (not yet a validator).
    pub node: NodeInfo,
    /// API key of the organisation's custodial identity on it.
    pub org_api_key: String,
}

/// Writes the joining node's home for `org` as node `index` with `ports`, the network's
/// `genesis` file and `peers`.
pub fn write(
    root: &Path,
    org: &str,
    index: usize,
    (ip, ports): (Ipv4Addr, Ports),
    genesis: &Path,
    peers: &[Peer],
    keys: &PartnerKeys,
) -> Result<JoinerHome> {
    let name = format!("node{index}-{org}");
    let home = root.join("nodes").join(&name);
    mkdir(&home)?;
    write_secret(&home.join(ORG_KEY_FILE), &keys.org_key.to_bytes())
        .map_err(TestnetError::setup("organisation key"))?;
    write_secret(
        &home.join(VALIDATOR_KEY_FILE),
        &keys.consensus_key.to_bytes(),
    )
    .map_err(TestnetError::setup("validator key"))?;
    std::fs::copy(genesis, home.join("genesis.json"))
        .map_err(TestnetError::io("copy genesis.json"))?;
    let admin_api_key = hex::encode(random_secret());
    write_private(&home.join("api_key"), &admin_api_key)?;
    let org_api_key = hex::encode(random_secret());
    let identity = identity_name(org);
    let passphrase = hex::encode(random_secret());
    write_private(&home.join("custody.pass"), &passphrase)?;
    Keystore::new(home.join("custody"))
        .create(&identity, &keys.org_key, passphrase.as_bytes(), TESTNET_KDF)
        .map_err(TestnetError::setup("custodial keystore"))?;
    let api = json!({
        "listen_addr": format!("{ip}:{}", ports.api),
        "keys": [
            {"name": "admin", "sha256": hex::encode(hash_secret(&admin_api_key)),
             "scopes": ["admin", "regulator"]},
            {"name": format!("{identity}-system"), "sha256": hex::encode(hash_secret(&org_api_key)),
             "scopes": ["read", "submit", "custodial"], "identity": identity},
        ],
        "custody": {
            "keystore_dir": "custody",
            "passphrase_file": "custody.pass",
            "identities": [{"name": identity, "org": org}],
        },
        "rate_limit": {"burst": TESTNET_RATE_LIMIT, "per_second": TESTNET_RATE_LIMIT},
    });
    let config: ConfigFile = serde_json::from_value(json!({
        "moniker": name,
        "data_dir": "data",
        "genesis_file": "genesis.json",
        // R445: the organisation key is the node's identity until it validates.
        "consensus_key_file": ORG_KEY_FILE,
        "node_key_file": ORG_KEY_FILE,
        "p2p": {
            "listen_addr": multiaddr(ip, ports.p2p),
            "persistent_peers": peers.iter().map(|p| p.consensus.clone()).collect::<Vec<_>>(),
        },
        "consensus": {"block_interval_ms": BLOCK_INTERVAL_MS},
        "api": api,
        "gossip": {
            "listen_addr": multiaddr(ip, ports.gossip),
            "peers": peers.iter().map(|p| p.gossip.clone()).collect::<Vec<_>>(),
        },
    }))
    .map_err(TestnetError::setup("node config"))?;
    save_config(&home, &config)?;
    Ok(JoinerHome {
        node: NodeInfo {
            index,
            name,
            operator: org.to_string(),
            validator: false,
            home,
            gateway_url: format!("http://{ip}:{}", ports.api),
            admin_api_key,
            pid: None,
        },
        org_api_key,
    })
}

/// R446: once its validator key is in the set, the node signs with it: its config names the
/// validator key (the caller restarts it).
pub fn use_validator_key(home: &Path) -> Result<()> {
    let path = config_path(home);
    let mut config = ConfigFile::load(&path).map_err(|e| TestnetError::Setup(format!("{e:#}")))?;
    config.consensus_key_file = PathBuf::from(VALIDATOR_KEY_FILE);
    save_config(home, &config)
}

fn save_config(home: &Path, config: &ConfigFile) -> Result<()> {
    let text = toml::to_string_pretty(config).map_err(TestnetError::setup("config.toml"))?;
    let path = config_path(home);
    std::fs::write(&path, text).map_err(TestnetError::io(format!("write {}", path.display())))
}
