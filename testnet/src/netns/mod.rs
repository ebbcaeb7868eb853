//! Separate hosts and a WAN corridor (R430–R439, ADR 0048): `ebl-testnet up --netns` runs each
//! node in its own Linux network namespace with its own address, and `--wan corridor` puts
//! 30–60 ms one way and 0.5 % loss between the China and the Singapore group.
//!
//! - [`layout`]: names, addresses and the commands that build it (pure);
//! - [`profile`]: the WAN profiles (pure);
//! - [`schedule`]: the delayer's bounded queue and release times (pure);
//! - [`host`]: running the commands, the root check, teardown (edge);
//! - [`delayer`]: the NFQUEUE loop of `ebl-testnet wan-delay` (edge);
//! - [`rounds`]: block intervals and decision rounds of a chain (`ebl-testnet block-times`).

pub mod delayer;
pub mod host;
pub mod layout;
pub mod profile;
pub mod rounds;
pub mod schedule;

use serde::{Deserialize, Serialize};

pub use layout::{Group, Layout};
pub use profile::WanProfile;

/// What a namespaced testnet created, kept in testnet.json before anything is created, so that
/// `down` removes it whatever happened after (R434).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetnsRecord {
    /// Names and addresses.
    pub layout: Layout,
    /// The WAN profile between the groups (none: all nodes on a LAN).
    pub wan: Option<WanProfile>,
    /// The delayer's pid while it runs.
    pub delayer_pid: Option<u32>,
}

/// Why a namespaced testnet could not be built or removed.
#[derive(Debug, thiserror::Error)]
pub enum NetnsError {
    /// R430: not root.
    #[error(
        "`--netns` creates network namespaces, bridges and firewall rules and needs root (effective uid {euid}); run it with sudo, or leave out --netns for a 127.0.0.1 testnet"
    )]
    NotRoot {
        /// This process's effective user id.
        euid: u32,
    },
    /// A tool (`ip`, `iptables-legacy`) could not be run.
    #[error("cannot run {tool}: {source} (scripts/setup.sh installs iproute2 and iptables)")]
    Tool {
        /// The tool.
        tool: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A command failed.
    #[error("`{command}` failed: {stderr}")]
    Command {
        /// The command line.
        command: String,
        /// What it said.
        stderr: String,
    },
    /// R431: something of the same name or range exists already.
    #[error("{0} exists already")]
    Exists(String),
    /// The delayer did not come up.
    #[error("the WAN delayer did not start: {0}")]
    Delayer(String),
}

impl NetnsError {
    /// Stable code of the error.
    pub fn code(&self) -> &'static str {
        match self {
            NetnsError::NotRoot { .. } => "NETNS_NOT_ROOT",
            NetnsError::Tool { .. } => "NETNS_TOOL",
            NetnsError::Command { .. } => "NETNS_COMMAND",
            NetnsError::Exists(_) => "NETNS_EXISTS",
            NetnsError::Delayer(_) => "NETNS_DELAYER",
        }
    }
}
