//! R437: how consensus fares over the corridor, from the chain itself: the interval between
//! consecutive blocks' times and the round each block was decided in (a round above 0 means a
//! timeout fired). `ebl-testnet block-times` prints it; the numbers of ADR 0048 come from it.
// A command-line tool: its results go to stdout.
#![allow(clippy::print_stdout)]

use std::time::Duration;

use ebl_ledger::finality::CommitCertificate;
use serde::Serialize;
use serde_json::Value;

use crate::error::{Result, TestnetError};
use crate::http::Client;
use crate::state::TestnetState;

/// One final block as the summary needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockTime {
    /// Height.
    pub height: u64,
    /// Header time, Unix milliseconds.
    pub time_ms: u64,
    /// Round it was decided in.
    pub round: u32,
}

/// Block intervals and rounds of a run of consecutive blocks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Blocks read.
    pub blocks: usize,
    /// Median interval between consecutive blocks, ms.
    pub interval_p50_ms: u64,
    /// 95th percentile of the intervals, ms.
    pub interval_p95_ms: u64,
    /// Longest interval, ms.
    pub interval_max_ms: u64,
    /// Blocks decided in a round above 0 (a propose or vote timeout fired).
    pub later_rounds: usize,
    /// Highest round seen.
    pub max_round: u32,
}

fn percentile(sorted: &[u64], p: usize) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (sorted.len() * p).div_ceil(100).clamp(1, sorted.len());
    sorted[rank - 1]
}

impl Summary {
    /// The summary of `blocks` (in height order; intervals only between consecutive heights).
    pub fn of(blocks: &[BlockTime]) -> Summary {
        let mut intervals: Vec<u64> = blocks
            .windows(2)
            .filter(|w| w[1].height == w[0].height + 1)
            .map(|w| w[1].time_ms.saturating_sub(w[0].time_ms))
            .collect();
        intervals.sort_unstable();
        Summary {
            blocks: blocks.len(),
            interval_p50_ms: percentile(&intervals, 50),
            interval_p95_ms: percentile(&intervals, 95),
            interval_max_ms: intervals.last().copied().unwrap_or(0),
            later_rounds: blocks.iter().filter(|b| b.round > 0).count(),
            max_round: blocks.iter().map(|b| b.round).max().unwrap_or(0),
        }
    }
}

/// Arguments of `ebl-testnet block-times`.
#[derive(clap::Args, Debug, Clone)]
pub struct BlockTimesArgs {
    /// The node whose chain is read.
    #[arg(long, default_value_t = 0)]
    pub node: usize,
    /// How many of the latest blocks.
    #[arg(long, default_value_t = 200)]
    pub last: u64,
}

fn block(client: &Client, url: &str, key: &str, height: u64) -> Result<BlockTime> {
    let reply = client.get(&format!("{url}/v1/blocks/{height}"), key)?;
    let bad = |what: &str| TestnetError::Setup(format!("block {height}: {what}"));
    let time_ms = reply
        .body
        .pointer("/header/time")
        .and_then(Value::as_u64)
        .ok_or_else(|| bad("no header time"))?;
    let hex_cert = reply
        .body
        .get("commit_certificate")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("no commit certificate"))?;
    let bytes = hex::decode(hex_cert).map_err(|e| bad(&e.to_string()))?;
    // The gateway serves the certificate as the node stores it (Malachite's form).
    let cert: CommitCertificate = ebl_node::consensus::codec::portable_certificate(&bytes)
        .ok_or_else(|| bad("the commit certificate does not decode"))?;
    Ok(BlockTime {
        height,
        time_ms,
        round: cert.round,
    })
}

/// Reads the latest `args.last` blocks of a node and prints their [`Summary`] as JSON.
pub fn main(state: &TestnetState, args: &BlockTimesArgs) -> Result<()> {
    let node = state
        .nodes
        .get(args.node)
        .ok_or_else(|| TestnetError::Usage(format!("no node {}", args.node)))?;
    let client = Client::new(Duration::from_secs(5));
    let status = crate::up::node_status(&client, state, args.node)
        .ok_or_else(|| TestnetError::Usage(format!("{} does not answer", node.name)))?;
    let tip = status.get("height").and_then(Value::as_u64).unwrap_or(0);
    let first = tip.saturating_sub(args.last).max(1);
    let blocks = (first..=tip)
        .map(|h| block(&client, &node.gateway_url, &node.admin_api_key, h))
        .collect::<Result<Vec<_>>>()?;
    let summary = Summary::of(&blocks);
    let text = serde_json::to_string(&summary).map_err(TestnetError::setup("summary"))?;
    println!("{text}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(height: u64, time_ms: u64, round: u32) -> BlockTime {
        BlockTime {
            height,
            time_ms,
            round,
        }
    }

    #[test]
    fn intervals_and_later_rounds_are_summarised() {
        let blocks: Vec<BlockTime> = (1..=40)
            .map(|h| {
                at(
                    h,
                    h * 200 + if h == 40 { 1_800 } else { 0 },
                    u32::from(h == 40),
                )
            })
            .collect();
        let s = Summary::of(&blocks);
        assert_eq!(s.blocks, 40);
        assert_eq!(s.interval_p50_ms, 200);
        assert_eq!(
            s.interval_p95_ms, 200,
            "one slow interval of 39 is above the p95 (nearest rank 38)"
        );
        assert_eq!(s.interval_max_ms, 2_000);
        assert_eq!((s.later_rounds, s.max_round), (1, 1));
    }

    #[test]
    fn a_gap_in_heights_is_not_an_interval_and_no_blocks_give_zeros() {
        let s = Summary::of(&[at(1, 0, 0), at(5, 9_000, 0)]);
        assert_eq!(s.interval_max_ms, 0);
        assert_eq!(Summary::of(&[]).interval_p50_ms, 0);
    }
}
