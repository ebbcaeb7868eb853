//! `ebl-node snapshot export | import` (R420–R426, ADR 0047; OPERATIONS.md "Snapshots").

use std::path::PathBuf;

use clap::Subcommand;
use ebl_node::config::ConfigFile;

#[derive(Subcommand, Debug)]
pub enum SnapshotCommand {
    /// Writes a consistent copy of a stopped node's ledger into OUT (a RocksDB checkpoint),
    /// checked against the chain, and prints its height, block hash and state root. A running
    /// node is snapshotted through its admin API: `POST /v1/admin/snapshots`.
    Export {
        /// Path of the node's config.toml.
        #[arg(long)]
        config: PathBuf,
        /// New folder for the snapshot (must not exist).
        #[arg(long)]
        out: PathBuf,
    },
    /// Restores a snapshot into a stopped node whose ledger folder is absent or empty: the
    /// snapshot's blocks, certificates and state are checked first; the node then follows
    /// the chain from the snapshot's height.
    Import {
        /// Path of the node's config.toml.
        #[arg(long)]
        config: PathBuf,
        /// The snapshot folder (from `export` or the admin API).
        #[arg(long)]
        from: PathBuf,
    },
}

/// Runs a snapshot command and prints what the snapshot holds as one JSON line.
pub fn run(command: &SnapshotCommand) -> anyhow::Result<()> {
    let (config, action) = match command {
        SnapshotCommand::Export { config, .. } => (config, "exported"),
        SnapshotCommand::Import { config, .. } => (config, "imported"),
    };
    let (settings, genesis) = ConfigFile::load(config)?.settings(config)?;
    let facts = match command {
        SnapshotCommand::Export { out, .. } => {
            ebl_node::snapshot::export_stopped(&settings.data_dir, &genesis, out)?
        }
        SnapshotCommand::Import { from, .. } => {
            ebl_node::snapshot::import(from, &settings.data_dir, &genesis)?
        }
    };
    let line = serde_json::json!({
        "snapshot": action,
        "height": facts.height,
        "block_hash": facts.block_hash.to_hex(),
        "state_root": facts.state_root.to_hex(),
        "records": facts.records,
    });
    let mut out = std::io::stdout().lock();
    std::io::Write::write_all(&mut out, format!("{line}\n").as_bytes())?;
    Ok(())
}
