//! The testnet folder's `testnet.json`: what `up` created and where everything runs. Written by
//! `up` (and updated by `kill` / `restart`), read by `status`, `scenario` and `bench`, so each
//! subcommand is a separate process that finds the running network from the folder alone.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// File name of the state inside the testnet folder.
pub const STATE_FILE: &str = "testnet.json";

/// The whole testnet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestnetState {
    /// Chain id of the genesis.
    pub chain_id: String,
    /// The testnet folder (absolute).
    pub root: PathBuf,
    /// The `ebl-node` binary the nodes run.
    pub node_binary: PathBuf,
    /// Nodes, by index (`kill I`, `logs I` use this index).
    pub nodes: Vec<NodeInfo>,
    /// Member organisations and where their custodial keys live.
    pub orgs: Vec<OrgInfo>,
    /// R434: the namespaces, links and delayer of an `up --netns` testnet (absent on 127.0.0.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub netns: Option<crate::netns::NetnsRecord>,
}

/// One `ebl-node` process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeInfo {
    /// Index in `nodes`.
    pub index: usize,
    /// Moniker, e.g. `node0-GDSW`.
    pub name: String,
    /// The organisation operating it.
    pub operator: String,
    /// Whether its key is in the validator set.
    pub validator: bool,
    /// Node home (config.toml, keys, data, log).
    pub home: PathBuf,
    /// Gateway base URL, e.g. `http://127.0.0.1:18080`.
    pub gateway_url: String,
    /// The node's admin API key (all scopes, `regulator` included; no custodial identity).
    pub admin_api_key: String,
    /// Process id while running (None after `kill`).
    pub pid: Option<u32>,
}

/// A member organisation of the testnet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgInfo {
    /// Organisation id (certificate CN), e.g. `CARRIER`.
    pub id: String,
    /// Roles (certificate OU), e.g. `["CARRIER"]`.
    pub roles: Vec<String>,
    /// Country (certificate C).
    pub country: String,
    /// Index of the node whose custodian holds this organisation's signing key.
    pub node: usize,
    /// API key bound to the organisation's custodial identity on that node (custodial, read and
    /// submit scopes).
    pub api_key: String,
    /// Hex of the organisation's Ed25519 public key.
    pub public_key: String,
    /// File holding the 32-byte secret key as 64 hex characters (0600), for clients that sign
    /// their own entries (the benchmark pre-signs with it).
    pub secret_key_file: PathBuf,
}

/// Why the state file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// No testnet in this folder.
    #[error("no testnet in {0} (run `ebl-testnet up` first)")]
    Missing(PathBuf),
    /// Reading or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not a testnet state.
    #[error("{path} is not a testnet state: {source}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: serde_json::Error,
    },
}

impl TestnetState {
    /// Reads `DIR/testnet.json`.
    pub fn load(dir: &Path) -> Result<Self, StateError> {
        let path = dir.join(STATE_FILE);
        let text = match std::fs::read(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StateError::Missing(dir.to_path_buf()));
            }
            Err(source) => return Err(StateError::Io { path, source }),
        };
        serde_json::from_slice(&text).map_err(|source| StateError::Corrupt { path, source })
    }

    /// Writes `ROOT/testnet.json` atomically (temporary file, then rename).
    pub fn save(&self) -> Result<(), StateError> {
        let path = self.root.join(STATE_FILE);
        let tmp = self.root.join(format!("{STATE_FILE}.tmp"));
        let io = |source| StateError::Io {
            path: path.clone(),
            source,
        };
        let text = serde_json::to_vec_pretty(self).map_err(|e| io(std::io::Error::other(e)))?;
        std::fs::write(&tmp, text).map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)
    }

    /// The network namespace node `index` runs in, if the testnet is namespaced.
    pub fn namespace_of(&self, index: usize) -> Option<String> {
        self.netns.as_ref().map(|n| n.layout.node_namespace(index))
    }

    /// The organisation `id`, if it is a member.
    pub fn org(&self, id: &str) -> Option<&OrgInfo> {
        self.orgs.iter().find(|o| o.id == id)
    }
}
