//! `ebl-testnet flood`: a hostile member (specs/protocol.md R210–R214). A member organisation
//! runs its own node, so it need not go through an honest gateway: this speaks entry gossip to
//! the honest nodes directly, as a rogue peer under the organisation's own key (R116 admits
//! it), and publishes at a fixed rate batches of forged entries, duplicates of honest entries
//! with other signatures, entries of unregistered keys acting for a member, and junk bytes,
//! taking the modes in turn. `bench --flood-as ORG` runs it beside a benchmark run.
//! Design: specs/adr/0029-hostile-member-benchmark.md.
//!
//! - [`target`]: what the flood needs, read from the testnet folder and a gateway (blocking).
//! - [`forge`] and [`duplicates`]: the messages of each mode ([`mix`]), pure.
//! - [`links`] and [`peer`]: the swarm, its connections to the honest nodes, the schedule.
//! - [`report`]: what was sent and what could not be, per mode.
//!
//! The peer runs on a thread of its own with a one-thread runtime, so its work is measured
//! apart (`cpu_percent`) and never delays a benchmark's sends.

pub mod duplicates;
pub mod forge;
pub mod links;
pub mod mix;
pub mod peer;
pub mod report;
pub mod target;

use std::time::Duration;

pub use mix::Mode;
pub use report::FloodReport;

/// Why a flood could not run.
#[derive(Debug, thiserror::Error)]
pub enum FloodError {
    /// Bad arguments.
    #[error("bad arguments: {0}")]
    Args(String),
    /// The testnet folder is missing something the flood needs.
    #[error("testnet state: {0}")]
    State(String),
    /// The testnet has no node.
    #[error("the testnet has no nodes")]
    NoNodes,
    /// A gateway did not answer as expected.
    #[error("gateway: {0}")]
    Http(String),
    /// The swarm could not be built, or its thread not started.
    #[error("flood peer: {0}")]
    Swarm(String),
}

impl FloodError {
    /// Stable code of the error.
    pub fn code(&self) -> &'static str {
        match self {
            FloodError::Args(_) => "FLOOD_ARGS",
            FloodError::State(_) => "FLOOD_STATE",
            FloodError::NoNodes => "FLOOD_NO_NODES",
            FloodError::Http(_) => "FLOOD_HTTP",
            FloodError::Swarm(_) => "FLOOD_PEER",
        }
    }
}

/// What to flood with.
#[derive(Debug, Clone, PartialEq)]
pub struct FloodOptions {
    /// The organisation whose key the flooder uses.
    pub as_org: String,
    /// Entries per second over all modes (a junk message counts `batch`).
    pub rate: f64,
    /// Longest run; a flood beside a benchmark is stopped when the run ends.
    pub duration: Duration,
    /// Modes, in turn.
    pub mix: Vec<Mode>,
    /// Entries per message (1 ..= 512).
    pub batch: usize,
}

impl FloodOptions {
    /// Refuses rates, durations and batches that make no flood.
    pub fn check(&self) -> Result<(), FloodError> {
        if !(self.rate.is_finite() && self.rate > 0.0) {
            return Err(FloodError::Args("the flood rate must be positive".into()));
        }
        if self.duration.is_zero() {
            return Err(FloodError::Args(
                "the flood duration must be positive".into(),
            ));
        }
        if !(1..=ebl_node::p2p::batch::MAX_BATCH_ENTRIES).contains(&self.batch) {
            return Err(FloodError::Args(format!(
                "the flood batch must be 1 to {} entries",
                ebl_node::p2p::batch::MAX_BATCH_ENTRIES
            )));
        }
        if self.mix.is_empty() {
            return Err(FloodError::Args("--mix names no mode".into()));
        }
        Ok(())
    }
}

/// `ebl-testnet flood` options.
#[derive(Debug, Clone, clap::Args)]
pub struct FloodArgs {
    /// The member organisation whose key the flooder uses (its secret is DIR/keys/ORG.key).
    #[arg(long = "as", value_name = "ORG")]
    pub as_org: String,
    /// Entries per second, over all modes.
    #[arg(long, default_value_t = 5_000.0)]
    pub rate: f64,
    /// Seconds of flooding.
    #[arg(long, default_value_t = 60.0)]
    pub duration: f64,
    /// Modes, taken in turn, one per message.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "forged,duplicate,stranger,junk"
    )]
    pub mix: Vec<Mode>,
    /// Entries per message.
    #[arg(long, default_value_t = 32)]
    pub batch: usize,
    /// Print the report as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// A flood running on its own thread. Dropping it stops the flood and waits for its thread,
/// so nothing of it outlives its owner (R212).
#[derive(Debug)]
pub struct Flood {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<FloodReport, FloodError>>>,
    /// Honest nodes connected and subscribed when the flood began.
    pub peers_at_start: usize,
}

impl Flood {
    /// Reads the target, connects to the honest nodes (at most [`peer::READY_TIMEOUT`]) and
    /// starts flooding; returns once the first message may go. Blocking.
    pub fn start(
        state: &crate::state::TestnetState,
        options: FloodOptions,
    ) -> Result<Self, FloodError> {
        options.check()?;
        let target = target::prepare(state, &options.as_org)?;
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let (ready_tx, ready) = std::sync::mpsc::sync_channel(1);
        let thread = std::thread::Builder::new()
            .name("ebl-flood".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| FloodError::Swarm(format!("runtime: {e}")))?;
                runtime.block_on(peer::flood(target, options, stopped, ready_tx))
            })
            .map_err(|e| FloodError::Swarm(format!("thread: {e}")))?;
        let mut flood = Flood {
            stop: Some(stop),
            thread: Some(thread),
            peers_at_start: 0,
        };
        match ready.recv_timeout(peer::READY_TIMEOUT + Duration::from_secs(5)) {
            Ok(peers) => {
                flood.peers_at_start = peers;
                Ok(flood)
            }
            // The thread ended before it was ready: its error says why.
            Err(_) => match flood.finish() {
                Err(e) => Err(e),
                Ok(_) => Err(FloodError::Swarm("the flood ended before it began".into())),
            },
        }
    }

    /// Stops the flood now and returns its report.
    pub fn stop(mut self) -> Result<FloodReport, FloodError> {
        self.finish()
    }

    /// Waits until the flood's duration has passed and returns its report.
    pub fn wait(mut self) -> Result<FloodReport, FloodError> {
        // Keep the stop sender alive while waiting: dropping it would stop the flood.
        let stop = self.stop.take();
        let report = self.join();
        drop(stop);
        report
    }

    fn finish(&mut self) -> Result<FloodReport, FloodError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.join()
    }

    fn join(&mut self) -> Result<FloodReport, FloodError> {
        match self.thread.take() {
            Some(thread) => thread
                .join()
                .unwrap_or_else(|_| Err(FloodError::Swarm("the flood thread panicked".into()))),
            None => Err(FloodError::Swarm("the flood was already stopped".into())),
        }
    }
}

impl Drop for Flood {
    fn drop(&mut self) {
        if self.thread.is_some() {
            let _ = self.finish();
        }
    }
}

/// `ebl-testnet flood`: floods for the duration and prints the report (one JSON object with
/// `--json`, else one line).
pub fn main(state: &crate::state::TestnetState, args: &FloodArgs) -> Result<(), FloodError> {
    if !(args.duration.is_finite() && args.duration > 0.0) {
        return Err(FloodError::Args("--duration must be positive".into()));
    }
    let options = FloodOptions {
        as_org: args.as_org.clone(),
        rate: args.rate,
        duration: Duration::from_secs_f64(args.duration),
        mix: args.mix.clone(),
        batch: args.batch,
    };
    let report = Flood::start(state, options)?.wait()?;
    let text = if args.json {
        serde_json::to_string(&report).unwrap_or_default()
    } else {
        report.line()
    };
    let mut out = std::io::stdout().lock();
    let _ = std::io::Write::write_all(&mut out, format!("{}\n", text.trim_end()).as_bytes());
    Ok(())
}
