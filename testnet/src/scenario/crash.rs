//! Step 8 of the pilot: a node is killed with SIGKILL mid-scenario, restarted, and must end with
//! the same last block hash and state root as the others at a common height.
// A command-line tool: its results go to stdout.
#![allow(clippy::print_stdout)]

use std::time::{Duration, Instant};

use serde_json::Value;

use super::ctx::{Ctx, POLL_BOUND};
use crate::error::{Result, TestnetError};
use crate::ops;

/// Kills node `victim` (SIGKILL); returns the highest height any node had just before.
pub fn kill(ctx: &mut Ctx, victim: usize) -> Result<u64> {
    let before = heights(ctx).into_iter().flatten().max().unwrap_or(0);
    println!(
        "\n8. {} is killed with SIGKILL mid-scenario",
        ctx.node_name(victim)
    );
    ops::kill(&mut ctx.state, victim)?;
    println!("  ✓ killed at height {before}; the other nodes go on");
    Ok(before)
}

fn heights(ctx: &Ctx) -> Vec<Option<u64>> {
    ops::statuses(&ctx.state).iter().map(|s| s.height).collect()
}

fn block(ctx: &Ctx, node: usize, height: u64) -> Result<(String, String)> {
    let info = &ctx.state.nodes[node];
    let url = format!("{}/v1/blocks/{height}", info.gateway_url);
    let reply = ctx.client.get(&url, &info.admin_api_key)?;
    let hash = reply.body.get("hash").and_then(Value::as_str);
    match (reply.status, hash) {
        (200, Some(hash)) => Ok((
            hash.to_string(),
            crate::ops::text(&reply.body["header"], "state_root"),
        )),
        _ => Err(TestnetError::unexpected(
            "8",
            format!(
                "block {height} on {}: HTTP {} {}",
                info.name, reply.status, reply.body
            ),
        )),
    }
}

/// Restarts node `victim`, waits (bounded) until it has passed the height the network had when
/// it was killed (`before`) and the one the others have at its restart, and compares block hash
/// and state root at the lowest height all nodes have.
pub fn restart_and_compare(ctx: &mut Ctx, victim: usize, before: u64) -> Result<()> {
    println!(
        "\n8b. {} is restarted and catches up",
        ctx.node_name(victim)
    );
    let target = heights(ctx)
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(0)
        .max(before);
    ops::restart(&mut ctx.state, victim, POLL_BOUND)?;
    let start = Instant::now();
    loop {
        let all = heights(ctx);
        let caught_up = all
            .get(victim)
            .copied()
            .flatten()
            .is_some_and(|h| h > target);
        if caught_up && all.iter().all(Option::is_some) {
            break;
        }
        if start.elapsed() >= POLL_BOUND {
            return Err(TestnetError::unexpected(
                "8",
                format!(
                    "{} did not pass height {target} within {} s (heights {all:?})",
                    ctx.node_name(victim),
                    POLL_BOUND.as_secs()
                ),
            ));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let common = heights(ctx).into_iter().flatten().min().unwrap_or(0);
    let (hash, root) = block(ctx, victim, common)?;
    for node in (0..ctx.state.nodes.len()).filter(|&n| n != victim) {
        let (other_hash, other_root) = block(ctx, node, common)?;
        if other_hash != hash || other_root != root {
            return Err(TestnetError::unexpected(
                "8",
                format!(
                    "at height {common} {} has block {hash} (state root {root}) but {} has {other_hash} (state root {other_root})",
                    ctx.node_name(victim),
                    ctx.node_name(node)
                ),
            ));
        }
    }
    println!(
        "  ✓ {} passed height {target}; at height {common} every node has block {hash}, state root {root}",
        ctx.node_name(victim)
    );
    Ok(())
}
