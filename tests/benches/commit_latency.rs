//! Commit latency of four in-process validators (real Malachite over libp2p on 127.0.0.1,
//! RocksDB in temp dirs, entry gossip): entries submitted at a few fixed rates, latency from
//! each entry's scheduled submission time to the block that contains it being committed on
//! validator 0, p50/p99, and blocks per second.
//!
//! `cargo bench -p ebl-tests --bench commit_latency` (about a minute). Knobs:
//! - `EBL_BENCH_PHASES=rate:count,...` (default `20:200,100:500,400:1600`);
//! - `EBL_BENCH_MIX=carriers` (default: eBL ISSUEs by two carriers, submitted to nodes 0 and 2)
//!   or `all` (ISSUEs by the carriers and verification receipts by every other pilot
//!   organisation, each signer submitting to one of the four nodes, so no signer's sequence
//!   window (R104) limits the rate).
//!
//! Each node gets its own submitter task, which sends its entries in order at their scheduled
//! times (open loop: a slow answer delays the next send, and that delay counts as latency).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    clippy::cast_sign_loss
)]

use std::collections::BTreeMap;
use std::time::Duration;

use ebl_ledger::block::Outcome;
use ebl_ledger::entry::SignedEntry;
use ebl_ledger::hash::EntryId;
use ebl_tests::Cluster;
use ebl_tests::entries::{doc, issue, receipt};
use tokio::time::Instant;

/// Longest wait for a phase's entries to commit after the last submission.
const DRAIN: Duration = Duration::from_secs(60);

/// Documents issued before the phases, for the receipts of the `all` mix to name.
const WARM_DOCS: usize = 20;

/// Signers of the `all` mix besides the two carriers (every pilot organisation).
const RECEIPT_SIGNERS: [&str; 9] = [
    "SHIPPER",
    "BANK",
    "CONSIGNEE",
    "BUYER2",
    "GDSW",
    "SGSW",
    "MSA",
    "MPA",
    "CLASS",
];

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64) * p).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

fn phases() -> Vec<(u32, usize)> {
    let text =
        std::env::var("EBL_BENCH_PHASES").unwrap_or_else(|_| "20:200,100:500,400:1600".into());
    text.split(',')
        .map(|p| {
            let (rate, count) = p.split_once(':').expect("rate:count");
            (
                rate.trim().parse().expect("rate"),
                count.trim().parse().expect("count"),
            )
        })
        .collect()
}

/// (signer, node) of the `k`-th entry of a phase, and its body.
fn pick(
    all: bool,
    signers: &[&'static str],
    k: usize,
    serial: usize,
) -> (&'static str, usize, ebl_ledger::entry::Body) {
    if !all {
        let (signer, node) = if k.is_multiple_of(2) {
            ("CARRIER", 0)
        } else {
            ("CARRIER2", 2)
        };
        return (signer, node, issue(&format!("BENCH-{serial}"), "SHIPPER"));
    }
    let i = k % signers.len();
    let signer = signers[i];
    let body = if signer.starts_with("CARRIER") {
        issue(&format!("BENCH-{serial}"), "SHIPPER")
    } else {
        receipt(doc(&format!("WARM-{}", serial % WARM_DOCS)), "BENCH")
    };
    (signer, i % 4, body)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() -> anyhow::Result<()> {
    if !ebl_tests::bench_requested() {
        return Ok(());
    }
    let all = std::env::var("EBL_BENCH_MIX").is_ok_and(|m| m == "all");
    let mut signers = vec!["CARRIER", "CARRIER2"];
    signers.extend(RECEIPT_SIGNERS);
    let mut c = Cluster::start().await?;
    c.wait_height(2, Duration::from_secs(60)).await?;
    if all {
        let mut blocks = c.handle(0).subscribe_blocks();
        let mut ids = Vec::new();
        for w in 0..WARM_DOCS {
            let entry = c
                .net
                .sign("CARRIER", issue(&format!("WARM-{w}"), "SHIPPER"));
            ids.push(entry.id());
            c.handle(0).submit(entry).await?;
        }
        let mut seen = 0;
        while seen < ids.len() {
            let block = tokio::time::timeout(DRAIN, blocks.recv()).await??;
            seen += block.block.entries.len();
        }
    }
    println!(
        "| rate (entries/s) | entries | p50 latency (ms) | p99 latency (ms) | blocks/s | entries/s committed | failed |"
    );
    println!("|---|---|---|---|---|---|---|");
    let mut serial = 0usize;
    for (rate, count) in phases() {
        // Signed beforehand: signing is the client's cost, not the network's.
        let mut per_node: [Vec<(usize, SignedEntry)>; 4] = Default::default();
        for k in 0..count {
            serial += 1;
            let (signer, node, body) = pick(all, &signers, k, serial);
            per_node[node].push((k, c.net.sign(signer, body)));
        }
        let mut blocks = c.handle(0).subscribe_blocks();
        let first_height = c.height(0).await?;
        let started = Instant::now();
        let step = Duration::from_secs(1) / rate;
        let mut submitters = Vec::new();
        for (node, entries) in per_node.into_iter().enumerate() {
            let handle = c.handle(node);
            submitters.push(tokio::spawn(async move {
                let mut sent: Vec<(EntryId, Instant)> = Vec::with_capacity(entries.len());
                for (k, entry) in entries {
                    let at = started + step * k as u32;
                    tokio::time::sleep_until(at).await;
                    sent.push((entry.id(), at));
                    handle.submit(entry).await?;
                }
                Ok::<_, anyhow::Error>(sent)
            }));
        }
        let mut committed = BTreeMap::new();
        let mut failed = 0usize;
        let deadline = started + Duration::from_secs(u64::from(count as u32 / rate)) + DRAIN;
        while committed.len() < count {
            let block = tokio::time::timeout_at(deadline, blocks.recv()).await??;
            let now = Instant::now();
            for (entry, result) in block.block.entries.iter().zip(&block.results) {
                committed.entry(entry.id()).or_insert(now);
                failed += usize::from(matches!(result.outcome, Outcome::Failed { .. }));
            }
        }
        let elapsed = started.elapsed();
        let mut latencies: Vec<Duration> = Vec::with_capacity(count);
        for s in submitters {
            for (id, at) in s.await?? {
                latencies.push(committed[&id].saturating_duration_since(at));
            }
        }
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
