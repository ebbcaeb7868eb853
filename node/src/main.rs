//! `ebl-node`: the validator node binary (`init`, `start`, `dev`).

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use ebl_gateway::GatewayConfig;
use ebl_node::Node;
use ebl_node::api_server::{ApiSection, ApiServer, ServeOptions};
use ebl_node::config::{
    ConfigFile, ConsensusSection, MempoolSection, P2pSection, random_secret, write_secret,
};

mod dev_command;
mod snapshot_command;
mod state_sync_command;

#[derive(Parser, Debug)]
#[command(name = "ebl-node", version, about = "eBL ledger validator node")]
struct Cli {
    /// Log format.
    #[arg(long, value_enum, default_value_t = LogFormat::Human, global = true)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum LogFormat {
    Human,
    Json,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Writes a node key, a consensus key and a config.toml with defaults into HOME.
    Init {
        /// Folder for the config, keys and data.
        #[arg(long, default_value = ".ebl-node")]
        home: PathBuf,
        /// Node name.
        #[arg(long, default_value = "validator")]
        moniker: String,
        /// libp2p listen address.
        #[arg(long, default_value = "/ip4/0.0.0.0/tcp/27000")]
        listen: String,
        /// Genesis document (JSON), copied into HOME when given.
        #[arg(long)]
        genesis: Option<PathBuf>,
        /// HTTP gateway listen address; an admin API key is written to HOME/api_key.
        #[arg(long, default_value = "127.0.0.1:8080")]
        api: String,
    },
    /// Starts a node from its config file.
    Start {
        /// Path of config.toml.
        #[arg(long)]
        config: PathBuf,
    },
    /// Custodial signing keys in an encrypted keystore (ADR 0012); the passphrase comes from
    /// EBL_NODE_KEYSTORE_PASSPHRASE or --passphrase-file.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Consistent copies of a node's ledger, and restoring one (R420–R426).
    Snapshot {
        #[command(subcommand)]
        command: snapshot_command::SnapshotCommand,
    },
    /// A single-validator development network with data under ./data, ready in seconds. Only
    /// in a build with the `dev` feature (`./scripts/run.sh`): it runs the ledger's test CA
    /// and test keys, which a validator build leaves out (R205).
    Dev {
        /// Data folder.
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// HTTP gateway listen address.
        #[arg(long, default_value = "127.0.0.1:8080")]
        api: String,
        /// Chain id of a new dev network (an existing data folder keeps its own).
        #[arg(long)]
        chain_id: Option<String>,
        /// DCSA PINT trust file: the dev network becomes the platform it names.
        #[arg(long)]
        pint_trust: Option<PathBuf>,
        /// `CODE=FILE`: the API key (in FILE) presented to PINT platform CODE; repeatable.
        #[arg(long = "pint-partner")]
        pint_partners: Vec<String>,
    },
    /// Fills a stopped node's empty ledger from a member's recent snapshot, every chunk,
    /// header and certificate and the state root checked first (R450–R459); the node then
    /// follows the chain from the snapshot's height when started.
    StateSync(state_sync_command::StateSyncArgs),
}

#[derive(Subcommand, Debug)]
enum KeysCommand {
    /// Creates (or imports) a custodial key and prints the config lines that use it.
    Add {
        /// Keystore directory (the `keystore_dir` of `[api.custody]`).
        #[arg(long)]
        keystore: PathBuf,
        /// Identity name (what API keys are bound to).
        #[arg(long)]
        name: String,
        /// The organisation the key signs for.
        #[arg(long)]
        org: String,
        /// Import this 32-byte Ed25519 secret (64 hex characters in a file) instead of
        /// generating one.
        #[arg(long)]
        import: Option<PathBuf>,
        /// Read the passphrase from this file instead of EBL_NODE_KEYSTORE_PASSPHRASE.
        #[arg(long)]
        passphrase_file: Option<PathBuf>,
    },
    /// Lists the identities of a keystore with their public keys (no passphrase needed).
    List {
        /// Keystore directory.
        #[arg(long)]
        keystore: PathBuf,
    },
}

fn keys(command: KeysCommand) -> anyhow::Result<()> {
    match command {
        KeysCommand::Add {
            keystore,
            name,
            org,
            import,
            passphrase_file,
        } => {
            ebl_ledger::ids::OrgId::new(org.as_str()).context("--org")?;
            let section = ebl_node::custody::CustodySection {
                keystore_dir: keystore.clone(),
                passphrase_env: None,
                passphrase_file,
                identities: Vec::new(),
            };
            let passphrase = section.passphrase(Path::new("."))?;
            let key = match import {
                Some(path) => {
                    ed25519_dalek::SigningKey::from_bytes(&ebl_node::config::read_secret(&path)?)
                }
                None => ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng),
            };
            let store = ebl_keystore::Keystore::new(&keystore);
            store.create(
                &name,
                &key,
                passphrase.as_bytes(),
                ebl_keystore::KdfParams::for_new_files(),
            )?;
            let public = hex::encode(key.verifying_key().as_bytes());
            tracing::info!(%name, %org, public_key = %public, "custodial key added");
            let mut out = std::io::stdout().lock();
            std::io::Write::write_all(
                &mut out,
                format!(
                    "public_key = \"{public}\"\n# in [api.custody] of config.toml:\n\
                     identities = [{{ name = \"{name}\", org = \"{org}\" }}]\n\
                     # then bind an API key: POST /v1/admin/api-keys \
                     {{\"name\": \"...\", \"scopes\": [\"custodial\"], \"identity\": \"{name}\"}}\n"
                )
                .as_bytes(),
            )?;
            Ok(())
        }
        KeysCommand::List { keystore } => {
            let list = ebl_keystore::Keystore::new(&keystore).list()?;
            let mut out = std::io::stdout().lock();
            for identity in list {
                std::io::Write::write_all(
                    &mut out,
                    format!("{}\t{}\n", identity.name, identity.public_key.to_hex()).as_bytes(),
                )?;
            }
            Ok(())
        }
    }
}

/// What the node logs unless `RUST_LOG` says otherwise (R481).
///
/// gossipsub's codec logs a warning for every invalid message it decodes (a bad or unwanted
/// signature, a missing field), before peer scoring can graylist the sender, so a member could
/// write the node's log at its own rate (before R482, on the consensus port, any stranger
/// could: ADR 0054). Those lines are off; gossipsub still counts the invalid messages
/// in the peer's score, and the node logs its own verdicts (R113).
fn default_log_filter(command: &Command) -> &'static str {
    match command {
        // A single-validator dev network has no peer to gossip to: the engine's per-block
        // "no peers subscribed" errors would drown the log, so dev hides them.
        Command::Dev { .. } => {
            "info,arc_malachitebft_network=off,arc_malachitebft_core_consensus=warn,libp2p_gossipsub::protocol=error"
        }
        _ => "info,libp2p_gossipsub::protocol=error",
    }
}

fn init_logging(format: LogFormat, default_filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Human => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

fn init(
    home: &Path,
    moniker: String,
    listen: String,
    genesis: Option<PathBuf>,
    api: &str,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(home).with_context(|| format!("create {}", home.display()))?;
    let config_path = home.join("config.toml");
    anyhow::ensure!(
        !config_path.exists(),
        "{} exists already",
        config_path.display()
    );
    let consensus_key = random_secret();
    write_secret(&home.join("consensus_key"), &consensus_key)?;
    write_secret(&home.join("node_key"), &random_secret())?;
    if let Some(genesis) = genesis {
        std::fs::copy(&genesis, home.join("genesis.json")).context("copy genesis")?;
    }
    let config = ConfigFile {
        moniker,
        data_dir: "data".into(),
        genesis_file: "genesis.json".into(),
        consensus_key_file: "consensus_key".into(),
        node_key_file: "node_key".into(),
        gossip: Some(ebl_node::config::GossipSection::beside(&listen)),
        p2p: P2pSection {
            listen_addr: listen,
            persistent_peers: vec![],
        },
        consensus: ConsensusSection::default(),
        mempool: MempoolSection::default(),
        api: Some(ApiSection::with_admin_key(api, &api_secret(home)?)),
    };
    std::fs::write(&config_path, toml::to_string_pretty(&config)?)?;
    let public = ed25519_dalek::SigningKey::from_bytes(&consensus_key).verifying_key();
    tracing::info!(
        config = %config_path.display(),
        consensus_key = %hex::encode(public.as_bytes()),
        "initialised; put the consensus key in the genesis validator set"
    );
    Ok(())
}

/// The admin API key of a home or data folder: read from `api_key`, or made and written there
/// (owner-only) on first use.
fn api_secret(home: &Path) -> anyhow::Result<String> {
    secret_at(&home.join("api_key"))
}

/// The hex secret stored at `path`, created (random, 0600) on first use.
fn secret_at(path: &Path) -> anyhow::Result<String> {
    if path.exists() {
        return Ok(hex::encode(ebl_node::config::read_secret(path)?));
    }
    let secret = random_secret();
    write_secret(path, &secret)?;
    Ok(hex::encode(secret))
}

async fn run_until_signal(
    node: Node,
    api: Option<(String, GatewayConfig, ServeOptions)>,
) -> anyhow::Result<()> {
    let handle = node.handle();
    let status = handle.status().await?;
    tracing::info!(
        chain = %status.ledger.chain.chain_id,
        height = status.ledger.height,
        validators = status.ledger.validators.len(),
        "node started"
    );
    let server = match api {
        Some((addr, config, options)) => {
            Some(ApiServer::start_with(handle, &addr, config, options).await?)
        }
        None => None,
    };
    let mut node = node;
    let failed = tokio::select! {
        signal = shutdown_signal() => {
            tracing::info!(signal = signal?, "stopping");
            None
        }
        // R19.2: a node that cannot go on (e.g. a corrupt record) stops, and says why.
        why = node.app_ended() => {
            tracing::error!(error = format!("{why:#}"), "the node stops");
            Some(why)
        }
    };
    if let Some(server) = server {
        server.stop().await?;
    }
    node.stop().await?;
    failed.map_or(Ok(()), Err)
}

/// Waits for SIGINT (Ctrl-C) or SIGTERM (what service managers and container runtimes send):
/// either stops the node cleanly (gateway drained, consensus and storage closed).
async fn shutdown_signal() -> anyhow::Result<&'static str> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).context("listen for SIGTERM")?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result.map(|()| "SIGINT").context("wait for ctrl-c"),
            _ = term.recv() => Ok("SIGTERM"),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.context("wait for ctrl-c")?;
        Ok("ctrl-c")
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_logging(cli.log_format, default_log_filter(&cli.command));
    match cli.command {
        Command::Init {
            home,
            moniker,
            listen,
            genesis,
            api,
        } => init(&home, moniker, listen, genesis, &api),
        Command::Keys { command } => keys(command),
        Command::Snapshot { command } => snapshot_command::run(&command),
        Command::StateSync(args) => state_sync_command::run(&args),
        Command::Start { config } => {
            let file = ConfigFile::load(&config)?;
            let (settings, genesis) = file.settings(&config)?;
            let api = match &file.api {
                Some(section) => {
                    let base = config.parent().unwrap_or(Path::new("."));
                    let custodial_keys = match &section.custody {
                        Some(custody) => ebl_node::custody::unlock(custody, base)?,
                        None => Vec::new(),
                    };
                    let options = ServeOptions {
                        custodial_keys,
                        api_key_file: Some(settings.data_dir.join("api_keys.json")),
                        tls: section.tls.as_ref().map(|t| t.load(base)).transpose()?,
                        limits: section.edge_limits()?,
                        custody_journal: Some(settings.data_dir.join("custody.journal")),
                    };
                    let mut config = section.gateway_config()?;
                    if let Some(dcsa) = &section.dcsa {
                        config.dcsa = dcsa.to_config(base)?;
                    }
                    if let Some(pint) = &section.pint {
                        let set = section.dcsa.as_ref().is_some_and(|d| d.platform.is_some());
                        let settings = pint.to_settings(base, &options.custodial_keys)?;
                        ebl_node::api_pint::apply(&mut config, settings, set)?;
                    }
                    config.webhook_state_dir = Some(settings.data_dir.join("webhooks"));
                    config.dcsa_journal = Some(settings.data_dir.join("dcsa.jsonl"));
                    Some((section.listen_addr.clone(), config, options))
                }
                None => None,
            };
            run_until_signal(Node::start(settings, &genesis).await?, api).await
        }
        Command::Dev {
            data,
            api,
            chain_id,
            pint_trust,
            pint_partners,
        } => {
            let pint = dev_command::DevPint::from_args(pint_trust, &pint_partners)?;
            dev_command::run(&data, &api, chain_id.as_deref(), pint).await
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;

    /// Whether a warning of `target` is written under the default log filter of `args`.
    fn logged(args: &[&str], target: &str) -> bool {
        let cli = Cli::try_parse_from(args).unwrap();
        let filter = tracing_subscriber::EnvFilter::new(default_log_filter(&cli.command));
        let buffer = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
        let sink = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(move || WriteTo(sink.clone()))
            .finish();
        tracing::subscriber::with_default(subscriber, || match target {
            "libp2p_gossipsub::protocol" => {
                tracing::warn!(target: "libp2p_gossipsub::protocol", "Invalid signature");
            }
            "libp2p_gossipsub::behaviour" => {
                tracing::warn!(target: "libp2p_gossipsub::behaviour", "Send Queue full");
            }
            _ => tracing::warn!("the node's own warning"),
        });
        !buffer.lock().unwrap().is_empty()
    }

    struct WriteTo(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for WriteTo {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_peers_invalid_gossip_messages_do_not_write_the_log_and_other_warnings_do() {
        let start = ["ebl-node", "start", "--config", "node.toml"];
        let dev = ["ebl-node", "dev", "--data", "somewhere"];
        for args in [&start[..], &dev[..]] {
            assert!(!logged(args, "libp2p_gossipsub::protocol"), "{args:?}");
            assert!(logged(args, "libp2p_gossipsub::behaviour"), "{args:?}");
            assert!(logged(args, "ebl_node"), "{args:?}");
        }
    }

    #[test]
    fn dev_is_a_command_in_every_build() {
        let cli = Cli::try_parse_from(["ebl-node", "dev", "--data", "somewhere"]).unwrap();
        assert!(matches!(cli.command, Command::Dev { .. }));
    }

    /// R205: a default build — what a validator runs — has no dev network, and says so.
    #[cfg(not(feature = "dev"))]
    #[tokio::test]
    async fn dev_is_refused_in_a_build_without_the_dev_feature() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let refused = dev_command::run(&data, "127.0.0.1:0", None, dev_command::DevPint::default())
            .await
            .unwrap_err()
            .to_string();
        assert!(refused.contains("--features dev"), "{refused}");
        assert!(refused.contains("./scripts/run.sh"), "{refused}");
        assert!(!data.exists(), "nothing is written");
    }
}
