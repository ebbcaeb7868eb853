//! The testnet folder on disk: per-node homes (config.toml, keys, genesis, custodial keystore,
//! data, log), the PKI and the organisations' key files.
//!
//! ```text
//! DIR/testnet.json            state (state.rs)
//! DIR/genesis.json            the genesis every node copies
//! DIR/pki/root-ca.pem, root-ca.key (0600), pki/<ORG>.pem
//! DIR/keys/<ORG>.key          32-byte secret as hex, 0600 (OrgInfo::secret_key_file)
//! DIR/nodes/node<I>-<OP>/     config.toml, genesis.json, consensus_key, node_key, api_key,
//!                             custody/ (keystore), custody.pass, data/, node.log
//! ```

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use ebl_gateway::config::hash_secret;
use ebl_keystore::{KdfParams, Keystore};
use ebl_ledger::crypto::PublicKey;
use ebl_node::config::{ConfigFile, random_secret, write_secret};
use ebl_node::p2p::gating::peer_id_of;
use serde_json::json;

use crate::error::{Result, TestnetError};
use crate::genesis::{Consortium, Member};
use crate::ports::Ports;
use crate::state::{NodeInfo, OrgInfo};

/// argon2id cost of the custodial keystores. A testnet writes every secret key in the clear
/// beside it (`keys/`), so a costly KDF would protect nothing and only slow `up` and each node
/// start on a 2-core machine.
pub(crate) const TESTNET_KDF: KdfParams = KdfParams {
    m_cost_kib: 8 * 1024,
    t_cost: 1,
    p_cost: 1,
};

/// Per-API-key token bucket of the testnet gateways (burst and refill per second).
pub const TESTNET_RATE_LIMIT: u32 = 1_000_000;

/// Shortest time between blocks on the testnet, in milliseconds: blocks keep coming (so
/// "final" is seen quickly) without flooding logs.
pub(crate) const BLOCK_INTERVAL_MS: u64 = 200;

/// The custodial identity name of an organisation (its id in lower case).
pub fn identity_name(org: &str) -> String {
    org.to_lowercase()
}

pub(crate) fn write_private(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(TestnetError::io(format!("write {}", path.display())))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(TestnetError::io(format!("chmod {}", path.display())))?;
    }
    Ok(())
}

pub(crate) fn mkdir(path: &Path) -> Result<()> {
    std::fs::create_dir_all(path).map_err(TestnetError::io(format!("create {}", path.display())))
}

pub(crate) fn multiaddr(ip: Ipv4Addr, port: u16) -> String {
    format!("/ip4/{ip}/tcp/{port}")
}

/// Writes the PKI, the genesis and the organisations' key files; returns the organisations'
/// part of the state (API keys filled in by [`write_node`]).
pub fn write_consortium(root: &Path, c: &Consortium) -> Result<Vec<OrgInfo>> {
    let pki = root.join("pki");
    let keys = root.join("keys");
    mkdir(&pki)?;
    mkdir(&keys)?;
    let genesis =
        serde_json::to_string_pretty(&c.genesis).map_err(TestnetError::setup("genesis"))?;
    let path = root.join("genesis.json");
    std::fs::write(&path, genesis).map_err(TestnetError::io("write genesis.json"))?;
    let path = pki.join("root-ca.pem");
    std::fs::write(&path, &c.root_pem).map_err(TestnetError::io("write root-ca.pem"))?;
    // R442: the testnet plays the consortium CA when a partner joins later.
    write_private(&pki.join("root-ca.key"), &hex::encode(c.root_secret))?;
    c.members
        .iter()
        .map(|m| {
            let id = &m.spec.id;
            let pem = pki.join(format!("{id}.pem"));
            std::fs::write(&pem, &m.certificate_pem)
                .map_err(TestnetError::io(format!("write {}", pem.display())))?;
            let secret_key_file = keys.join(format!("{id}.key"));
            write_private(&secret_key_file, &hex::encode(m.key.to_bytes()))?;
            Ok(OrgInfo {
                id: id.clone(),
                roles: m.spec.roles.iter().map(|r| r.code().to_string()).collect(),
                country: m.spec.country.clone(),
                node: m.host,
                api_key: String::new(),
                public_key: hex::encode(m.key.verifying_key().as_bytes()),
                secret_key_file,
            })
        })
        .collect()
}

/// Writes node `index`'s home: keys, genesis, custodial keystore with the keys of the
/// organisations it hosts, and config.toml with an admin key and one API key per hosted
/// organisation bound to its custodial identity. Fills in those organisations' `api_key`.
/// Node `j` listens on `addresses[j]` (127.0.0.1 for all, or its own namespace's address, R431).
pub fn write_node(
    root: &Path,
    c: &Consortium,
    index: usize,
    (ports, addresses): (&[Ports], &[Ipv4Addr]),
    orgs: &mut [OrgInfo],
) -> Result<NodeInfo> {
    let operator = c
        .operators
        .get(index)
        .ok_or_else(|| TestnetError::Setup(format!("no operator for node {index}")))?;
    let name = format!("node{index}-{operator}");
    let home = root.join("nodes").join(&name);
    mkdir(&home)?;
    let own = ports[index];
    let at = |j: usize| addresses.get(j).copied().unwrap_or(Ipv4Addr::LOCALHOST);
    let own_ip = at(index);
    let key = c
        .validator_keys
        .get(index)
        .ok_or_else(|| TestnetError::Setup(format!("no consensus key for node {index}")))?;
    write_secret(&home.join("consensus_key"), &key.to_bytes())
        .map_err(TestnetError::setup("consensus key"))?;
    // The node key is the consensus key: the consensus swarm's identity is the consensus key
    // (ADR 0019), so peers can be pinned to its peer id whichever key a node version uses.
    write_secret(&home.join("node_key"), &key.to_bytes())
        .map_err(TestnetError::setup("node key"))?;
    std::fs::copy(root.join("genesis.json"), home.join("genesis.json"))
        .map_err(TestnetError::io("copy genesis.json"))?;
    let admin_api_key = hex::encode(random_secret());
    write_private(&home.join("api_key"), &admin_api_key)?;
    let mut keys = vec![json!({
        "name": "admin",
        "sha256": hex::encode(hash_secret(&admin_api_key)),
        // The operator's key of a local testnet also reads every title (R235), for the flood
        // and benchmark tools that rebuild entries from blocks and follow every event.
        "scopes": ["admin", "regulator"],
    })];
    let mut api = json!({"listen_addr": format!("{own_ip}:{}", own.api)});
    let hosted: Vec<&Member> = c.members.iter().filter(|m| m.host == index).collect();
    if !hosted.is_empty() {
        let passphrase = hex::encode(random_secret());
        write_private(&home.join("custody.pass"), &passphrase)?;
        let store = Keystore::new(home.join("custody"));
        let mut identities = Vec::new();
        for m in &hosted {
            let identity = identity_name(&m.spec.id);
            store
                .create(&identity, &m.key, passphrase.as_bytes(), TESTNET_KDF)
                .map_err(TestnetError::setup("custodial keystore"))?;
            identities.push(json!({"name": identity, "org": m.spec.id}));
            let secret = hex::encode(random_secret());
            keys.push(json!({
                "name": format!("{identity}-system"),
                "sha256": hex::encode(hash_secret(&secret)),
                "scopes": ["read", "submit", "custodial"],
                "identity": identity,
            }));
            if let Some(info) = orgs.iter_mut().find(|o| o.id == m.spec.id) {
                info.api_key = secret;
            }
        }
        api["custody"] = json!({
            "keystore_dir": "custody",
            "passphrase_file": "custody.pass",
            "identities": identities,
        });
    }
    api["keys"] = json!(keys);
    // ADR 0021: one organisation key carries thousands of entries/s under `ebl-testnet bench`;
    // the gateway's default bucket (burst 50, 20/s) would measure the limiter, not the ledger.
    api["rate_limit"] = json!({"burst": TESTNET_RATE_LIMIT, "per_second": TESTNET_RATE_LIMIT});
    let others = |f: fn(&Ports) -> u16| -> Vec<String> {
        ports
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != index)
            .map(|(j, p)| multiaddr(at(j), f(p)))
            .collect()
    };
    // R153: consensus peers pinned to the peer id of their consensus key (`/p2p/<id>`), so
    // the membership-gated consensus swarm recognises inbound members by identity.
    let pinned = ports
        .iter()
        .zip(&c.validator_keys)
        .enumerate()
        .filter(|(j, _)| *j != index)
        .map(|(j, (p, k))| {
            let id = peer_id_of(&PublicKey::from(k.verifying_key()))
                .ok_or_else(|| TestnetError::Setup("consensus key is not a peer id".into()))?;
            Ok(format!("{}/p2p/{id}", multiaddr(at(j), p.p2p)))
        })
        .collect::<Result<Vec<_>>>()?;
    // Written as JSON and read back through the node's own `ConfigFile`: the node's types check
    // every field (they refuse unknown ones), and fields the node adds later keep their defaults.
    let config: ConfigFile = serde_json::from_value(json!({
        "moniker": name,
        "data_dir": "data",
        "genesis_file": "genesis.json",
        "consensus_key_file": "consensus_key",
        "node_key_file": "node_key",
        "p2p": {"listen_addr": multiaddr(own_ip, own.p2p), "persistent_peers": pinned},
        "consensus": {"block_interval_ms": BLOCK_INTERVAL_MS},
        "api": api,
        "gossip": {"listen_addr": multiaddr(own_ip, own.gossip), "peers": others(|p| p.gossip)},
    }))
    .map_err(TestnetError::setup("node config"))?;
    let text = toml::to_string_pretty(&config).map_err(TestnetError::setup("config.toml"))?;
    let path = home.join("config.toml");
    std::fs::write(&path, text).map_err(TestnetError::io("write config.toml"))?;
    Ok(NodeInfo {
        index,
        name,
        operator: operator.clone(),
        validator: true,
        home,
        gateway_url: format!("http://{own_ip}:{}", own.api),
        admin_api_key,
        pid: None,
    })
}

/// `config.toml` of a node home.
pub fn config_path(home: &Path) -> PathBuf {
    home.join("config.toml")
}

/// The log file of a node home.
pub fn log_path(home: &Path) -> PathBuf {
    home.join("node.log")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orgs::Plan;

    #[test]
    fn a_node_home_holds_a_config_the_node_accepts_with_its_hosted_organisations() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let plan = Plan::new(2).unwrap_or_else(|e| panic!("{e}"));
        let c = crate::genesis::build(&plan, time::OffsetDateTime::now_utc())
            .unwrap_or_else(|e| panic!("{e}"));
        let mut orgs = write_consortium(dir.path(), &c).unwrap_or_else(|e| panic!("{e}"));
        let ports = crate::ports::allocate(2, Some(30_000)).unwrap_or_else(|e| panic!("{e}"));
        let node = write_node(dir.path(), &c, 1, (&ports, &[]), &mut orgs)
            .unwrap_or_else(|e| panic!("{e}"));
        let path = config_path(&node.home);
        let config = ConfigFile::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let (settings, genesis) = config.settings(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(genesis, c.genesis);
        assert_eq!(settings.persistent_peers.len(), 1);
        let api = config.api.unwrap_or_else(|| panic!("no [api]"));
        let custody = api.custody.unwrap_or_else(|| panic!("no [api.custody]"));
        let held: Vec<&str> = custody.identities.iter().map(|i| i.org.as_str()).collect();
        assert!(
            held.contains(&"CONSIGNEE") && held.contains(&"SGSW"),
            "{held:?}"
        );
        assert!(
            !held.contains(&"CARRIER"),
            "the carrier's key is on GDSW's node"
        );
        let unlocked =
            ebl_node::custody::unlock(&custody, &node.home).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(unlocked.len(), held.len());
        let consignee = orgs
            .iter()
            .find(|o| o.id == "CONSIGNEE")
            .unwrap_or_else(|| panic!("no CONSIGNEE"));
        assert_eq!(consignee.node, 1);
        assert_eq!(
            api.keys.len(),
            held.len() + 1,
            "an admin key and one per hosted organisation"
        );
    }

    #[test]
    fn organisation_secret_keys_are_readable_by_the_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let plan = Plan::new(1).unwrap_or_else(|e| panic!("{e}"));
        let c = crate::genesis::build(&plan, time::OffsetDateTime::now_utc())
            .unwrap_or_else(|e| panic!("{e}"));
        let orgs = write_consortium(dir.path(), &c).unwrap_or_else(|e| panic!("{e}"));
        for org in &orgs {
            let mode = std::fs::metadata(&org.secret_key_file)
                .map(|m| m.permissions().mode() & 0o777)
                .unwrap_or_default();
            assert_eq!(mode, 0o600, "{}", org.id);
        }
    }
}
