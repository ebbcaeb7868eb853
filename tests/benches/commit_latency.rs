//! Commit latency of four in-process validators (real Malachite over libp2p on 127.0.0.1,
//! RocksDB in temp dirs): entries submitted at a few fixed rates, latency from `submit` to the
//! block that contains them being committed on validator 0, p50/p99, and blocks per second.
//!
//! `cargo bench -p ebl-tests --bench commit_latency` (about a minute). Entries are eBL ISSUEs by
//! two carriers, each carrier submitting to one node (0 and 2), so an entry waits for that
//! node's turn as proposer (no entry gossip in this slice).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    clippy::cast_sign_loss
)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use ebl_ledger::block::Outcome;
use ebl_ledger::entry::SignedEntry;
use ebl_tests::Cluster;
use ebl_tests::entries::issue;
use tokio::time::MissedTickBehavior;

/// (entries per second, entries) per phase: each phase submits for 5–10 s.
const PHASES: [(u32, usize); 3] = [(20, 200), (100, 500), (400, 1_600)];

/// Longest wait for a phase's entries to commit after the last submission.
const DRAIN: Duration = Duration::from_secs(60);

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64) * p).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() -> anyhow::Result<()> {
    if !ebl_tests::bench_requested() {
        return Ok(());
    }
    let mut c = Cluster::start().await?;
    c.wait_height(2, Duration::from_secs(60)).await?;
    println!(
        "| rate (entries/s) | entries | p50 latency (ms) | p99 latency (ms) | blocks/s | entries/s committed | failed |"
    );
    println!("|---|---|---|---|---|---|---|");
    let mut serial = 0usize;
    for (rate, count) in PHASES {
        // Signed beforehand: signing is the client's cost, not the network's.
        let mut entries: Vec<(usize, SignedEntry)> = Vec::with_capacity(count);
        for k in 0..count {
            serial += 1;
            let (signer, node) = if k % 2 == 0 {
                ("CARRIER", 0)
            } else {
                ("CARRIER2", 2)
            };
            let body = issue(&format!("BENCH-{serial}"), "SHIPPER");
            entries.push((node, c.net.sign(signer, body)));
        }
        let mut blocks = c.handle(0).subscribe_blocks();
        let first_height = c.height(0).await?;
        let handles = [c.handle(0), c.handle(1), c.handle(2)];
        let started = Instant::now();
        let submitter = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1) / rate);
            tick.set_missed_tick_behavior(MissedTickBehavior::Burst);
            let mut sent = Vec::with_capacity(entries.len());
            for (node, entry) in entries {
                tick.tick().await;
                let id = entry.id();
                let at = Instant::now();
                handles[node].submit(entry).await?;
                sent.push((id, at));
            }
            Ok::<_, anyhow::Error>(sent)
        });
        let mut committed = BTreeMap::new();
        let mut failed = 0usize;
        let deadline = tokio::time::Instant::now()
            + Duration::from_secs(u64::from(count as u32 / rate))
            + DRAIN;
        while committed.len() < count {
            let block = tokio::time::timeout_at(deadline, blocks.recv()).await??;
            let now = Instant::now();
            for (entry, result) in block.block.entries.iter().zip(&block.results) {
                committed.entry(entry.id()).or_insert(now);
                failed += usize::from(matches!(result.outcome, Outcome::Failed { .. }));
            }
        }
        let elapsed = started.elapsed();
        let sent = submitter.await??;
        let mut latencies: Vec<Duration> = sent
            .iter()
            .map(|(id, at)| committed[id].saturating_duration_since(*at))
            .collect();
        latencies.sort();
        let blocks_made = c.height(0).await? - first_height;
        println!(
            "| {rate} | {count} | {:.0} | {:.0} | {:.2} | {:.0} | {failed} |",
            ms(percentile(&latencies, 0.50)),
            ms(percentile(&latencies, 0.99)),
            blocks_made as f64 / elapsed.as_secs_f64(),
            count as f64 / elapsed.as_secs_f64(),
        );
    }
    c.shutdown().await?;
    Ok(())
}
