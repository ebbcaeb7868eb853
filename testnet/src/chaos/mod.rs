//! `ebl-testnet chaos`: a seeded soak of racing transfers while validators are killed and
//! frozen, then a checker of what the chains hold against what the client was told
//! (specs/protocol.md §9w, R360–R369; ADR 0041). Prints one JSON report; any violation is a
//! non-zero exit.
// A command-line tool: its report goes to stdout.
#![allow(clippy::print_stdout)]

pub mod chain;
pub mod check;
pub mod inject;
pub mod plan;
pub mod stall;
pub mod workload;

#[cfg(test)]
mod check_tests;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rand::SeedableRng as _;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::error::{Result, TestnetError};
use crate::http::Client;
use crate::scenario::ctx::Ctx;
use crate::state::TestnetState;
use check::{Findings, Submission};
use plan::{Fault, FaultKind};

/// `ebl-testnet chaos` options.
#[derive(clap::Args, Debug, Clone)]
pub struct ChaosArgs {
    /// How long the workload and the faults run, in seconds.
    #[arg(long, default_value_t = 60)]
    pub duration: u64,
    /// Seed of the fault schedule and of the workload's choices.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Faults to inject (comma-separated); `--faults` with no value runs the workload without
    /// faults.
    #[arg(long, value_delimiter = ',', num_args = 0.., default_value = "kill,pause")]
    pub faults: Vec<FaultKind>,
    /// Number of bills the transfers race over.
    #[arg(long, default_value_t = 6)]
    pub bills: usize,
    /// Bound on the network settling after the last fault, in seconds.
    #[arg(long, default_value_t = 90)]
    pub settle: u64,
}

/// The JSON report (R367).
#[derive(Debug, Serialize)]
pub struct Report {
    /// The seed: the same seed replays the same faults at the same offsets.
    pub seed: u64,
    /// Workload duration, seconds.
    pub duration_s: u64,
    /// Faults carried out, by kind.
    pub faults_injected: BTreeMap<FaultKind, u64>,
    /// The schedule.
    pub fault_plan: Vec<Fault>,
    /// Bills and rounds of the workload.
    pub bills: usize,
    /// Rounds played (half of them race two transfers).
    pub rounds: u64,
    /// Submissions sent.
    pub submissions: usize,
    /// Longest time no node's height grew, milliseconds.
    pub longest_stall_ms: u64,
    /// The height every node reached and was compared up to.
    pub final_height: u64,
    /// What the checker found.
    #[serde(flatten)]
    pub findings: Findings,
    /// True when nothing was violated.
    pub ok: bool,
}

/// Runs the soak on the testnet of `state` and prints the report; an error when a check fails.
pub fn main(state: TestnetState, args: &ChaosArgs) -> Result<()> {
    let running = state.nodes.iter().filter(|n| n.pid.is_some()).count();
    if running < state.nodes.len() {
        return Err(TestnetError::Usage(format!(
            "only {running} of {} nodes run; `ebl-testnet restart I` first",
            state.nodes.len()
        )));
    }
    let report = soak(state, args)?;
    let text = serde_json::to_string_pretty(&report)
        .map_err(|e| TestnetError::Setup(format!("report JSON: {e}")))?;
    println!("{text}");
    if report.ok {
        Ok(())
    } else {
        Err(TestnetError::unexpected(
            "chaos",
            format!(
                "{} violation(s), listed in the report",
                report.findings.violations.len()
            ),
        ))
    }
}

fn soak(mut state: TestnetState, args: &ChaosArgs) -> Result<Report> {
    let duration = Duration::from_secs(args.duration);
    let mut kinds = args.faults.clone();
    kinds.sort();
    kinds.dedup();
    let faults = plan::plan(args.seed, duration, state.nodes.len(), &kinds);
    let tag = run_tag(args.seed);
    // Requests to a frozen node give up after the wait for finality plus slack.
    let ctx = Ctx {
        state: state.clone(),
        client: Client::new(Duration::from_secs(8)),
    };
    let mut bills = workload::issue(&ctx, args.bills.max(1), &tag)?;
    let mut work = workload::Workload::new(&ctx, &tag)?;
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let stop = AtomicBool::new(false);
    let start = Instant::now();
    let (injected, settled, stall, played) = std::thread::scope(|s| {
        let faults = &faults;
        let stop = &stop;
        let state = &mut state;
        let injector = s.spawn(move || inject::run(state, faults, start, stop));
        let monitor = s.spawn(|| stall::watch(&ctx.state, stop));
        let played = workload::run_until(&mut work, &mut bills, &mut rng, start + duration);
        // The injector stops early only when the workload failed; it heals what it did.
        if played.is_err() {
            stop.store(true, Ordering::Relaxed);
        }
        let injected = injector.join();
        let settled = settle(&ctx, Duration::from_secs(args.settle));
        stop.store(true, Ordering::Relaxed);
        (injected, settled, monitor.join(), played)
    });
    state.save()?;
    played?;
    let panicked = |what: &str| TestnetError::Setup(format!("the {what} panicked"));
    let injected = injected.map_err(|_| panicked("fault injector"))??;
    let longest_stall = stall.map_err(|_| panicked("height monitor"))?;
    settled?;
    let (final_height, findings) = check_all(&ctx, &work.submissions)?;
    let kept = work.remove_keys();
    if !kept.is_empty() {
        eprintln!("chaos: the submit key chaos-{tag} could not be deleted on {kept:?}");
    }
    Ok(Report {
        seed: args.seed,
        duration_s: args.duration,
        faults_injected: injected,
        fault_plan: faults,
        bills: bills.len(),
        rounds: work.rounds,
        submissions: work.submissions.len(),
        longest_stall_ms: u64::try_from(longest_stall.as_millis()).unwrap_or(u64::MAX),
        final_height,
        ok: findings.violations.is_empty(),
        findings,
    })
}

/// A tag unique to this run, for bill references and key names (≤ 12 characters).
fn run_tag(seed: u64) -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!("{:X}{:02X}", secs & 0xFF_FFFF, seed & 0xFF)
}

/// Waits (bounded) until every node answers and their heights are within one block of each
/// other (a node that lags further is still catching up).
fn settle(ctx: &Ctx, bound: Duration) -> Result<()> {
    let start = Instant::now();
    loop {
        let heights: Option<Vec<u64>> = stall::heights(&ctx.state).into_iter().collect();
        if let Some(h) = heights
            && h.iter().max().unwrap_or(&0) - h.iter().min().unwrap_or(&0) <= 1
        {
            return Ok(());
        }
        if start.elapsed() >= bound {
            return Err(TestnetError::Timeout {
                what: "the nodes to agree on one head after the faults".into(),
                seconds: bound.as_secs(),
            });
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// Reads every node's chain up to the lowest head and runs the checker (R362–R366).
/// How long the checker waits for every node to hold the highest height a final answer named.
const CATCH_UP: Duration = Duration::from_secs(30);

fn check_all(ctx: &Ctx, submissions: &[Submission]) -> Result<(u64, Findings)> {
    // R362, R365: an answer names the height it is final at. The chains are read up to the lowest
    // head, so wait (bounded) until every node holds the highest such height: otherwise a node
    // one block behind at this instant makes a final entry look lost.
    let needed = submissions
        .iter()
        .filter_map(|s| match s.answer {
            check::Answer::Final { height } => Some(height),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    let deadline = Instant::now() + CATCH_UP;
    let height = loop {
        let lowest = stall::heights(&ctx.state)
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(0);
        if lowest >= needed || Instant::now() >= deadline {
            break lowest;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let client = Client::new(Duration::from_secs(10));
    let chains = (0..ctx.state.nodes.len())
        .map(|node| chain::read(&client, &ctx.state, node, height))
        .collect::<Result<Vec<_>>>()?;
    let mut findings = Findings::default();
    check::compare_chains(&chains, &mut findings);
    if let Some(first) = chains.first() {
        check::check_history(first, submissions, &mut findings);
    }
    Ok((height, findings))
}
