//! `ebl-testnet bench`: open-loop throughput and finality benchmark against a running testnet
//! (issue 6). Entries are signed before timing, sent at a fixed rate spread over every gateway
//! (`POST /v1/entries`, or with `--batch-ms` one `POST /v1/entries/batch` per stream and tick:
//! [`batching`], R169), entries the node refuses for now resent after a backoff ([`resend`],
//! R170), and followed to finality on gateway 0's event stream (`/v1/events`).
//! Reports committed entries/s, finality p50/p95/p99, rejected and lost counts, CPU and RSS per
//! node, and the machine's single-verification rate (R171) measured in the same run. `--plot` sweeps rates
//! and draws an SVG. Design: specs/adr/0021-throughput.md, specs/adr/0024-batch-submission.md.

pub mod batching;
pub mod client;
pub mod plot;
pub mod procfs;
pub mod report;
pub mod resend;
pub mod run;
pub mod send;
pub mod send_batch;
pub mod setup;
pub mod sse;
pub mod stats;
pub mod verify;
pub mod workload;

use std::path::PathBuf;
use std::time::Duration;

pub use report::Report;

/// Why a benchmark could not run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// The testnet state is missing or unusable.
    #[error("testnet state: {0}")]
    State(String),
    /// The testnet has no node.
    #[error("the testnet has no nodes")]
    NoNodes,
    /// A gateway did not answer as expected.
    #[error("gateway: {0}")]
    Http(String),
    /// Bad arguments.
    #[error("bad arguments: {0}")]
    Args(String),
    /// The flood beside the run (`--flood-as`) could not run.
    #[error(transparent)]
    Flood(#[from] crate::flood::FloodError),
    /// Writing the plot failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

impl From<crate::state::StateError> for BenchError {
    fn from(e: crate::state::StateError) -> Self {
        BenchError::State(e.to_string())
    }
}

/// `ebl-testnet bench` options.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// Offered load, entries per second (the largest rate of a `--plot` sweep).
    #[arg(long, default_value_t = 1_000.0)]
    pub rate: f64,
    /// Seconds of sending (per rate of a sweep).
    #[arg(long, default_value_t = 60.0)]
    pub duration: f64,
    /// Longest wait, in seconds, for finality after the last send.
    #[arg(long, default_value_t = 30)]
    pub drain: u64,
    /// Print one JSON object (an array of them for `--plot`).
    #[arg(long)]
    pub json: bool,
    /// Sweep `--steps` rates up to `--rate` and write an SVG of throughput and latency.
    #[arg(long)]
    pub plot: Option<PathBuf>,
    /// Rates of a `--plot` sweep.
    #[arg(long, default_value_t = 5)]
    pub steps: usize,
    /// Batch submission: every N ms each stream sends all its entries that are due as one
    /// `POST /v1/entries/batch` (at most 1000 each), one request of a stream in flight at a
    /// time so its batches arrive in order; latency still counts from each entry's own
    /// scheduled time. 0 (default): one `POST /v1/entries` per entry.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub batch_ms: u64,
    /// Resend entries the node refused for now (`SEQUENCE_GAP`, `MEMPOOL_FULL`, 429, 503, no
    /// answer) after a backoff of 50 ms doubling to 1 s, in sequence order before anything
    /// newly due, until the duration plus the drain window ends (R170). The default.
    #[arg(long, overrides_with = "no_retry")]
    pub retry: bool,
    /// Count refusals for now as rejected and go on with the stream's later entries (as before
    /// R170).
    #[arg(long, overrides_with = "retry")]
    pub no_retry: bool,
    /// A hostile member beside each run (R214): `ebl-testnet flood --as ORG` from just before
    /// the run's first send until its report, at `--flood-rate`.
    #[arg(long, value_name = "ORG")]
    pub flood_as: Option<String>,
    /// Entries per second of the flood beside the run.
    #[arg(long, default_value_t = 5_000.0, value_name = "N")]
    pub flood_rate: f64,
    /// Modes of the flood beside the run, taken in turn.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "forged,duplicate,stranger,junk"
    )]
    pub flood_mix: Vec<crate::flood::Mode>,
    /// Entries per message of the flood beside the run.
    #[arg(long, default_value_t = 32, value_name = "N")]
    pub flood_batch: usize,
}

impl BenchArgs {
    /// The flood beside a run of `duration` seconds plus the drain window (`None` without
    /// `--flood-as`). Its duration is only a bound: the run stops it when it reports.
    pub fn flood_options(&self) -> Option<crate::flood::FloodOptions> {
        let org = self.flood_as.clone()?;
        // The bound leaves room for the event stream to open and the final re-checks.
        let longest = self.duration + self.drain as f64 + 60.0;
        Some(crate::flood::FloodOptions {
            as_org: org,
            rate: self.flood_rate,
            duration: Duration::from_secs_f64(longest.clamp(1.0, 86_400.0)),
            mix: self.flood_mix.clone(),
            batch: self.flood_batch,
        })
    }
}

/// A short tag that makes this run's eBL references unique (a reference is at most 20
/// characters, R30s): `B` and the clock's milliseconds modulo 36^6 in base 36.
pub fn run_tag(millis: u128) -> String {
    const DIGITS: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut n = millis % 2_176_782_336;
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = DIGITS
            .get(usize::try_from(n % 36).unwrap_or(0))
            .copied()
            .unwrap_or(b'0');
        n /= 36;
    }
    format!("B{}", String::from_utf8_lossy(&out))
}

/// `ebl-testnet bench`: runs [`bench`] on a runtime of its own and prints the reports (JSON
/// on stdout with `--json`, else a summary per rate on stderr and the last one on stdout).
pub fn main(state: &crate::state::TestnetState, args: &BenchArgs) -> Result<(), BenchError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|source| BenchError::Io {
            path: PathBuf::from("<tokio runtime>"),
            source,
        })?;
    let reports = runtime.block_on(bench(state, args))?;
    let text = if args.json {
        let value = match reports.as_slice() {
            [one] => serde_json::to_value(one),
            many => serde_json::to_value(many),
        };
        value.map(|v| v.to_string()).unwrap_or_default()
    } else {
        reports.last().map(Report::summary).unwrap_or_default()
    };
    let mut out = std::io::stdout().lock();
    let _ = std::io::Write::write_all(&mut out, format!("{}\n", text.trim_end()).as_bytes());
    Ok(())
}

/// Runs the benchmark on the testnet described by `state`; returns one report per rate.
pub async fn bench(
    state: &crate::state::TestnetState,
    args: &BenchArgs,
) -> Result<Vec<Report>, BenchError> {
    if !(args.rate.is_finite()
        && args.rate > 0.0
        && args.duration.is_finite()
        && args.duration > 0.0)
    {
        return Err(BenchError::Args(
            "--rate and --duration must be positive".into(),
        ));
    }
    let rates = match args.plot {
        Some(_) => stats::sweep_rates(args.rate, args.steps),
        None => vec![args.rate],
    };
    let http = client::client(run::IN_FLIGHT_PER_GATEWAY);
    let chain = setup::chain(&http, state).await?;
    let holder = setup::holder(state)
        .ok_or_else(|| BenchError::State("no organisation to issue documents to".into()))?;
    let tag = run_tag(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis()),
    );
    let mut signers = setup::signers(&http, state).await?;
    let docs = setup::warm_documents(&http, state, &mut signers, &chain, &tag, &holder).await?;
    // R477: half of the bound's samples, taken before any load; each run adds its own half.
    let verify_before =
        verify::BoundSamples::measure(verify::SAMPLES_EACH_SIDE, verify::SAMPLE_SPAN);
    let mut reports = Vec::new();
    for (i, rate) in rates.into_iter().enumerate() {
        // Sequences of entries refused in an earlier run were not used: ask again.
        for s in signers.iter_mut() {
            let node = state.nodes.get(s.gateway).ok_or(BenchError::NoNodes)?;
            let key = state
                .org(&s.org)
                .map(|o| o.api_key.clone())
                .unwrap_or_default();
            s.next_sequence = setup::next_sequence(&http, &node.gateway_url, &key, s).await?;
        }
        let count = stats::entries_in(rate, args.duration);
        let streams = workload::prepare(
            &mut signers,
            &chain,
            count,
            &format!("{tag}-{i}"),
            &holder,
            &docs,
        )
        .ok_or_else(|| BenchError::State("nothing to sign with".into()))?;
        let plan = run::RunPlan {
            state,
            rate,
            duration: args.duration,
            drain: Duration::from_secs(args.drain),
            streams,
            gateways: signers.iter().map(|s| s.gateway).collect(),
            keys: signers
                .iter()
                .map(|s| {
                    state
                        .org(&s.org)
                        .map(|o| o.api_key.clone())
                        .unwrap_or_default()
                })
                .collect(),
            verify_before: verify_before.clone(),
            batch: (args.batch_ms > 0).then(|| Duration::from_millis(args.batch_ms)),
            retry: !args.no_retry,
        };
        // R214: the flood is set up (connected, duplicates read) before the run's clock
        // starts, runs on its own thread, and is stopped when the run has reported; nothing
        // else of the measurement changes.
        let flood = match args.flood_options() {
            Some(options) => {
                let state = state.clone();
                let started = tokio::task::spawn_blocking(move || {
                    crate::flood::Flood::start(&state, options)
                })
                .await
                .map_err(|e| BenchError::Args(format!("flood: {e}")))??;
                Some(started)
            }
            None => None,
        };
        let mut report = run::run(&http, plan).await;
        if let Some(flood) = flood {
            let flooded = tokio::task::spawn_blocking(move || flood.stop())
                .await
                .map_err(|e| BenchError::Args(format!("flood: {e}")))??;
            if let Ok(report) = &mut report {
                report.flood = Some(flooded);
            }
        }
        let report = report?;
        if !args.json && args.plot.is_some() {
            eprint!("{}", report.summary());
        }
        reports.push(report);
    }
    if let Some(path) = &args.plot {
        let sending = match args.batch_ms {
            0 => String::new(),
            ms => format!(", batches every {ms} ms"),
        };
        let caption = format!(
            "ebl-testnet bench: {} nodes, {} s per rate{sending}, {}",
            state.nodes.len(),
            args.duration,
            state.chain_id
        );
        std::fs::write(path, plot::svg(&reports, &caption)).map_err(|source| BenchError::Io {
            path: path.clone(),
            source,
        })?;
    }
    Ok(reports)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use clap::Parser as _;

    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        bench: super::BenchArgs,
    }

    fn retries(args: &[&str]) -> bool {
        let cli = Cli::try_parse_from(std::iter::once("bench").chain(args.iter().copied()));
        cli.is_ok_and(|c| !c.bench.no_retry)
    }

    #[test]
    fn resending_is_the_default_and_no_retry_turns_it_off() {
        assert!(retries(&[]));
        assert!(retries(&["--retry"]));
        assert!(!retries(&["--no-retry"]));
        // The last of the two wins.
        assert!(retries(&["--no-retry", "--retry"]));
        assert!(!retries(&["--retry", "--no-retry"]));
    }

    #[test]
    fn a_flood_beside_the_run_is_asked_for_by_its_organisation_and_bounded_by_the_run() {
        let parse = |args: &[&str]| {
            Cli::try_parse_from(std::iter::once("bench").chain(args.iter().copied()))
                .map(|c| c.bench.flood_options())
                .unwrap_or_else(|e| panic!("{e}"))
        };
        assert_eq!(
            parse(&["--flood-rate", "100"]),
            None,
            "no --flood-as, no flood"
        );
        let options = parse(&[
            "--duration",
            "10",
            "--drain",
            "5",
            "--flood-as",
            "BANK",
            "--flood-mix",
            "forged,junk",
        ])
        .unwrap_or_else(|| panic!("a flood"));
        assert_eq!(options.as_org, "BANK");
        assert_eq!(options.rate, 5_000.0);
        assert_eq!(options.batch, 32);
        assert_eq!(
            options.mix,
            vec![crate::flood::Mode::Forged, crate::flood::Mode::Junk]
        );
        assert_eq!(options.duration, Duration::from_secs(75));
    }

    #[test]
    fn run_tags_are_short_and_leave_room_for_the_entry_number() {
        assert_eq!(super::run_tag(0), "B000000");
        assert_eq!(super::run_tag(35), "B00000Z");
        let tag = super::run_tag(1_764_230_000_123);
        assert_eq!(tag.len(), 7);
        // "{tag}-{run}-{k}" for a 60 s run at 5,000/s stays within 20 characters.
        assert!(format!("{tag}-9-299999").len() <= 20);
    }
}
