//! Catch-up time for a chain of N entries, state sync against replay (BENCHMARKS.md "State
//! sync vs replay"; R450–R459, ADR 0050).
//!
//! `cargo run --release -p ebl-ledger --features testkit,rocksdb --example state_sync_vs_replay
//! -- ENTRIES [PER_BLOCK] [RUNS] [DIR]` (defaults 100000, 1000, 3, a temporary folder).
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::print_stdout,
    missing_docs
)]

use ebl_ledger::testkit::sync_bench::{measure, median};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |i: usize, default: u64| -> u64 {
        args.get(i)
            .map(|a| a.parse().expect("a number"))
            .unwrap_or(default)
    };
    let entries = number(0, 100_000);
    let per_block = number(1, 1000);
    let runs = usize::try_from(number(2, 3)).expect("runs");
    let temp = tempfile::tempdir().expect("temporary folder");
    let dir = args
        .get(3)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| temp.path().to_path_buf());
    #[allow(clippy::disallowed_methods)] // the benchmark's own clock, outside the ledger
    let m = measure(&dir, entries, per_block, runs, std::time::Instant::now);
    let ms = |d: std::time::Duration| d.as_millis();
    println!(
        "{{\"entries\":{},\"blocks\":{},\"records\":{},\"snapshot_bytes\":{},\"generate_ms\":{},\
         \"export_ms\":{},\"replay_ms\":{:?},\"state_sync_ms\":{:?},\"replay_median_ms\":{},\
         \"state_sync_median_ms\":{}}}",
        m.entries,
        m.blocks,
        m.records,
        m.snapshot_bytes,
        ms(m.generate),
        ms(m.export),
        m.replay.iter().map(|d| ms(*d)).collect::<Vec<_>>(),
        m.state_sync.iter().map(|d| ms(*d)).collect::<Vec<_>>(),
        ms(median(&m.replay)),
        ms(median(&m.state_sync)),
    );
}
