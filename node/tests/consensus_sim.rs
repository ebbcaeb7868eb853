//! R460–R466: the seeded consensus simulation — same seed, same trace; faults the checker
//! must catch; and a sweep of seeds within the CI budget.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod sim;

use sim::network::Faults;
use sim::{SimConfig, run};

/// R466: seeds the sweep runs by default (`EBL_SIM_SEEDS` sets another count).
const DEFAULT_SEEDS: u64 = 200;

#[test]
fn a_seed_runs_to_agreement_and_progress() {
    let report = run(SimConfig::standard(7));
    assert!(report.violations.is_empty(), "{:?}", report.violations);
    assert!(
        report.heads.iter().filter(|(h, _)| *h >= 2).count() >= 3,
        "{:?}",
        report.heads
    );
}

/// R464: the same seed twice gives the same trace, byte for byte, and the same state roots.
#[test]
fn same_seed_gives_identical_trace_and_roots() {
    let a = run(SimConfig::standard(42));
    let b = run(SimConfig::standard(42));
    assert_eq!(a.trace, b.trace);
    assert_eq!(a.trace_hash, b.trace_hash);
    assert_eq!(a.heads, b.heads);
    assert!(!a.trace.is_empty());
}

#[test]
fn different_seeds_give_different_traces() {
    let a = run(SimConfig::standard(1));
    let b = run(SimConfig::standard(2));
    assert_ne!(a.trace_hash, b.trace_hash);
}

/// R463: a replica whose committed block differs is reported.
#[test]
fn checker_reports_a_tampered_block() {
    let report = run(SimConfig::standard(3));
    let mut chains = report.chains.clone();
    assert!(sim::check::violations(&chains, 1).is_empty());
    chains[2][0].hash = ebl_ledger::hash::Hash32::sha256(b"forged");
    let found = sim::check::violations(&chains, 1);
    assert!(
        found.iter().any(|v| v.contains("different blocks")),
        "{found:?}"
    );
    let mut chains = report.chains;
    chains[1][0].state_root = ebl_ledger::hash::Hash32::sha256(b"forged");
    let found = sim::check::violations(&chains, 1);
    assert!(found.iter().any(|v| v.contains("state roots")), "{found:?}");
}

/// R463: an entry sequence or a bill transfer applied twice is reported.
#[test]
fn checker_reports_a_double_application() {
    let report = run(SimConfig::standard(4));
    let mut chains = report.chains;
    let bill = sim::workload::bill(0);
    chains[0][0].transferred.push(bill);
    chains[0][1].transferred.push(bill);
    chains[0][0].applied.push(([9; 32], 5));
    chains[0][1].applied.push(([9; 32], 5));
    let found = sim::check::violations(&chains, 1);
    assert!(
        found.iter().any(|v| v.contains("transferred twice")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|v| v.contains("applied twice")),
        "{found:?}"
    );
}

/// R463: a network that loses every message makes no progress, and the check says so.
#[test]
fn checker_reports_no_progress_when_every_message_is_lost() {
    let mut config = SimConfig::standard(5);
    config.duration_ms = 5_000;
    config.heal_ms = 0;
    config.faults = Faults {
        loss_per_mille: 1000,
        ..Faults::default()
    };
    let report = run(config);
    assert!(
        report
            .violations
            .iter()
            .any(|v| v.contains("least progress")),
        "{:?}",
        report.violations
    );
}

/// R465, R466: many seeds, each checked; `EBL_SIM_SEEDS=N` runs N (from `EBL_SIM_FIRST`).
#[test]
fn seed_sweep_keeps_agreement() {
    let count = std::env::var("EBL_SIM_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_SEEDS);
    let first: u64 = std::env::var("EBL_SIM_FIRST")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000);
    let started = std::time::Instant::now();
    let mut heights = 0;
    let mut failed = Vec::new();
    let mut histogram = std::collections::BTreeMap::new();
    for seed in first..first + count {
        let report = run(SimConfig::standard(seed));
        if !report.violations.is_empty() {
            failed.push((seed, report.violations.clone()));
        }
        let least = report
            .heads
            .iter()
            .map(|(h, _)| h)
            .min()
            .copied()
            .unwrap_or(0);
        heights += least;
        *histogram.entry(least).or_insert(0u32) += 1;
    }
    eprintln!("least height per run: {histogram:?}");
    eprintln!(
        "sim sweep: {count} seeds from {first}, {heights} heights (least per run summed), {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(
        failed.is_empty(),
        "{} seeds failed (replay one: EBL_SIM_SEEDS=1 EBL_SIM_FIRST=<seed>): {failed:?}",
        failed.len()
    );
}

#[test]
#[ignore = "prints one run's trace for a person to read"]
fn print_a_trace() {
    let var = |k: &str, d: u64| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let mut config = SimConfig::standard(var("EBL_SIM_FIRST", 7));
    config.faults.loss_per_mille = u32::try_from(var("LOSS", 10)).unwrap_or(u32::MAX);
    config.faults.crashes = u32::try_from(var("CRASHES", 2)).unwrap_or(u32::MAX);
    config.duration_ms = var("MS", config.duration_ms);
    let report = run(config);
    for line in &report.trace {
        eprintln!("{line}");
    }
    eprintln!(
        "heads {:?}\nviolations {:?}",
        report.heads, report.violations
    );
}

/// Without faults the replicas decide a height per network round trip or so.
#[test]
fn a_clean_network_makes_steady_progress() {
    let mut config = SimConfig::standard(11);
    config.faults = Faults {
        loss_per_mille: 0,
        duplicate_per_mille: 0,
        crashes: 0,
        ..Faults::default()
    };
    config.min_height = 20;
    config.duration_ms = 5_000;
    let report = run(config);
    assert!(report.violations.is_empty(), "{:?}", report.violations);
}

#[test]
#[ignore = "explores how faults slow progress"]
fn explore_faults() {
    let var = |k: &str, d: u64| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let mut histogram = std::collections::BTreeMap::new();
    for seed in 0..var("N", 50) {
        let mut config = SimConfig::standard(seed);
        config.faults.loss_per_mille = u32::try_from(var("LOSS", 10)).unwrap_or(u32::MAX);
        config.faults.crashes = u32::try_from(var("CRASHES", 2)).unwrap_or(u32::MAX);
        config.duration_ms = var("MS", 6_000);
        let report = run(config);
        let least = report.heads.iter().map(|(h, _)| *h).min().unwrap_or(0);
        *histogram.entry(least).or_insert(0u32) += 1;
        if least < 2 {
            eprintln!("seed {seed}: least height {least}");
        }
    }
    eprintln!("least heights: {histogram:?}");
}
