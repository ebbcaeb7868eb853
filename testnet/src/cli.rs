//! The command line of `ebl-testnet` (clap). Each subcommand is one variant of [`Command`] and
//! one arm of [`run`]; a new subcommand (e.g. `bench`) adds both and its own module.
// A command-line tool: its results go to stdout.
#![allow(clippy::print_stdout)]

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::error::{Result, TestnetError};
use crate::ops;
use crate::up::{UpOptions, up};

/// `ebl-testnet`: a local N-node eBL ledger network on 127.0.0.1.
#[derive(Parser, Debug)]
#[command(
    name = "ebl-testnet",
    version,
    about = "Local eBL ledger testnet, pilot scenario and benchmark"
)]
pub struct Cli {
    /// The testnet folder (all state, keys, configs, data and logs). The default is hidden
    /// and git-ignored, and is not `./testnet`, which from the repository root is this
    /// tool's own source folder.
    #[arg(
        long,
        global = true,
        default_value = ".testnet",
        env = "EBL_TESTNET_DIR"
    )]
    pub dir: PathBuf,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Creates the consortium (root CA, organisations, genesis), writes node homes, starts the
    /// nodes and waits until blocks are final on all.
    Up {
        /// Number of validators (one node each).
        #[arg(long, default_value_t = 4)]
        validators: usize,
        /// First port: node I gets gateway P+I, consensus P+N+I, gossip P+2N+I (default: free
        /// ports chosen by the OS).
        #[arg(long)]
        base_port: Option<u16>,
        /// The ebl-node binary (default: next to this executable).
        #[arg(long, env = crate::process::NODE_BIN_ENV)]
        node_bin: Option<PathBuf>,
        /// Bound on the wait for final blocks, in seconds.
        #[arg(long, default_value_t = 90)]
        timeout: u64,
        /// A pilot organisation to leave out of genesis so that it can join the running
        /// network later with `ebl-testnet join ORG` (repeat for several), e.g. SGSW.
        #[arg(long, value_name = "ORG")]
        late: Vec<String>,
        /// Each node in its own Linux network namespace with its own 10.x address (needs root;
        /// R430). Gateways are reached from the host through a route the tool adds.
        #[arg(long)]
        netns: bool,
        /// WAN profile between the China (CN operators) and the Singapore group (the others):
        /// `corridor` = 30–60 ms one way and 0.5 % loss (R433). Needs --netns.
        #[arg(long, value_enum, requires = "netns")]
        wan: Option<crate::netns::WanProfile>,
    },
    /// Heights, peers and last block hash of every node.
    Status,
    /// Stops every node (SIGTERM, bounded wait, SIGKILL).
    Down {
        /// Also remove the testnet folder.
        #[arg(long)]
        clean: bool,
    },
    /// Kills node I with SIGKILL.
    Kill {
        /// Node index.
        index: usize,
    },
    /// Restarts node I (stopping it first if it runs).
    Restart {
        /// Node index.
        index: usize,
    },
    /// Runs a scenario against the running testnet.
    Scenario {
        /// Which scenario.
        #[command(subcommand)]
        which: Scenario,
    },
    /// Open-loop throughput and finality benchmark against the running testnet (issue 6).
    Bench(crate::bench::BenchArgs),
    /// A seeded soak: racing transfers among the pilot organisations while validators are
    /// killed and frozen, then a checker of every chain against what the client was told;
    /// prints a JSON report and exits non-zero on any violation (R360–R369).
    Chaos(crate::chaos::ChaosArgs),
    /// A hostile member: floods the honest nodes' entry gossip with forged, duplicate,
    /// stranger and junk batches under an organisation's key (R210–R214).
    Flood(crate::flood::FloodArgs),
    /// Prints node I's log.
    Logs {
        /// Node index.
        index: usize,
        /// Keep printing what is appended.
        #[arg(long, short)]
        follow: bool,
    },
    /// A partner joins the running network (R440–R449): its keys and CSR, the CA's
    /// certificate, admission by the members' vote, its node syncing as a follower, and a
    /// second vote making it a validator; each step printed as it runs.
    Join(crate::join::JoinArgs),
    /// The WAN corridor's delayer (started by `up --netns --wan` in the router namespace).
    #[command(hide = true)]
    WanDelay(crate::netns::delayer::DelayArgs),
    /// Block intervals (median, p95, max) and blocks decided after round 0 of node I's latest
    /// blocks, as JSON (R437).
    BlockTimes(crate::netns::rounds::BlockTimesArgs),
}

/// The scenarios of `ebl-testnet scenario`.
#[derive(Subcommand, Debug, Clone, PartialEq, Eq)]
pub enum Scenario {
    /// The China–Singapore pilot of issue 6 (eight steps through different nodes' gateways).
    Pilot,
    /// One bill between two independent networks by DCSA PINT 3.0 (issue 14); starts its own
    /// two dev networks under `<dir>/pint` and stops them at the end.
    Pint {
        /// Kill the sending platform's node (SIGKILL) between sending and recording the answer.
        #[arg(long)]
        kill_sender: bool,
        /// The `ebl-node` binary (built with `--features dev`); default: next to this one.
        #[arg(long, env = "EBL_NODE_BIN")]
        node_bin: Option<std::path::PathBuf>,
    },
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Up {
            validators,
            base_port,
            node_bin,
            timeout,
            late,
            netns,
            wan,
        } => {
            let state = up(&UpOptions {
                validators,
                dir: cli.dir,
                base_port,
                node_bin,
                timeout: Duration::from_secs(timeout),
                late,
                netns,
                wan,
            })?;
            crate::summary::print_up(&state);
            Ok(())
        }
        Command::Status => ops::print_status(&ops::load(&cli.dir)?),
        Command::Down { clean } => ops::down(ops::load(&cli.dir)?, clean),
        Command::Kill { index } => {
            let mut state = ops::load(&cli.dir)?;
            ops::kill(&mut state, index)?;
            println!("killed node {index}");
            Ok(())
        }
        Command::Restart { index } => {
            let mut state = ops::load(&cli.dir)?;
            ops::restart(&mut state, index, Duration::from_secs(60))?;
            println!("restarted node {index}");
            Ok(())
        }
        Command::Scenario {
            which: Scenario::Pilot,
        } => {
            crate::scenario::pilot(ops::load(&cli.dir)?)?;
            Ok(())
        }
        Command::Scenario {
            which:
                Scenario::Pint {
                    kill_sender,
                    node_bin,
                },
        } => crate::scenario::pint::run(&crate::scenario::pint::PintOptions {
            dir: cli.dir.join("pint"),
            node_bin: crate::process::node_binary(node_bin)?,
            kill_sender,
        }),
        Command::Logs { index, follow } => ops::logs(&ops::load(&cli.dir)?, index, follow),
        Command::Bench(args) => Ok(crate::bench::main(&ops::load(&cli.dir)?, &args)?),
        Command::Chaos(args) => crate::chaos::main(ops::load(&cli.dir)?, &args),
        Command::Flood(args) => Ok(crate::flood::main(&ops::load(&cli.dir)?, &args)?),
        Command::Join(args) => crate::join::main(ops::load(&cli.dir)?, &args),
        Command::WanDelay(args) => {
            crate::netns::delayer::main(&args).map_err(TestnetError::io("wan-delay"))
        }
        Command::BlockTimes(args) => crate::netns::rounds::main(&ops::load(&cli.dir)?, &args),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::Cli;

    #[test]
    fn the_default_folder_is_not_the_crate_s_source_folder_and_is_git_ignored() {
        // The environment overrides the default; this test reads the default itself.
        if std::env::var_os("EBL_TESTNET_DIR").is_some() {
            return;
        }
        let cli = Cli::try_parse_from(["ebl-testnet", "status"]).unwrap();
        assert_eq!(cli.dir, std::path::PathBuf::from(".testnet"));
        let ignore = include_str!("../../.gitignore");
        assert!(ignore.lines().any(|l| l.trim() == "/.testnet"));
    }

    #[test]
    fn an_unknown_wan_profile_and_a_wan_without_netns_are_refused() {
        let parse = |args: &[&str]| Cli::try_parse_from(args).map(|_| ()).map_err(|e| e.kind());
        assert!(parse(&["ebl-testnet", "up", "--netns", "--wan", "corridor"]).is_ok());
        assert_eq!(
            parse(&["ebl-testnet", "up", "--netns", "--wan", "moon"]),
            Err(clap::error::ErrorKind::InvalidValue)
        );
        assert_eq!(
            parse(&["ebl-testnet", "up", "--wan", "corridor"]),
            Err(clap::error::ErrorKind::MissingRequiredArgument)
        );
    }

    #[test]
    fn a_folder_given_on_the_command_line_wins() {
        let cli = Cli::try_parse_from(["ebl-testnet", "--dir", "/tmp/x", "status"]).unwrap();
        assert_eq!(cli.dir, std::path::PathBuf::from("/tmp/x"));
    }
}
