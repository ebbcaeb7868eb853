//! A process aborted at any commit failpoint reopens at a whole block that matches a replay,
//! loses no block it reported synced, applies none twice, and continues (R350–R353).
//!
//! For every name in `COMMIT_FAILPOINTS` the test runs its own binary as a child that commits
//! deterministic blocks with that failpoint armed to `abort()` on a seeded hit, then reopens
//! the store, compares it with an in-memory twin and commits the next block. The store is kept
//! across rounds, so each failpoint crashes the same chain many times. R359:
//! `EBL_FAULT_ROUNDS` sets the rounds per failpoint (default 5), `EBL_FAULT_SEED` the seed.
#![cfg(all(feature = "rocksdb", feature = "failpoints"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod fault_support;

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

use ebl_ledger::COMMIT_FAILPOINTS;
use ebl_ledger::storage::{RocksStore, Storage};
use fault_support::{Twin, commit_next, matches_twin, open_rocks};
use rand::{Rng, SeedableRng};

const DIR_ENV: &str = "EBL_FAULT_DIR";
const POINT_ENV: &str = "EBL_FAULT_POINT";
const SKIP_ENV: &str = "EBL_FAULT_SKIP";
const CHILD: &str = "fault_kill_child";
/// Blocks a child commits at most: past every seeded hit, so an unkilled child is a bug.
const CHILD_BLOCKS: u64 = 12;
/// Hits of the armed failpoint a child lets pass before it aborts: 0 ..< this.
const MAX_SKIP: u64 = 6;

fn marker(dir: &Path) -> PathBuf {
    dir.join("synced_height")
}

/// Child process: arms one failpoint to abort on its (skip+1)-th hit, then commits blocks,
/// recording each height whose commit returned (so was synced, R19) before the next.
#[test]
#[ignore = "child process of every_commit_failpoint_survives_repeated_kills"]
fn fault_kill_child() {
    let (Ok(dir), Ok(point), Ok(skip)) = (
        std::env::var(DIR_ENV),
        std::env::var(POINT_ENV),
        std::env::var(SKIP_ENV),
    ) else {
        return;
    };
    let dir = PathBuf::from(dir);
    let skip: u64 = skip.parse().unwrap();
    let hits = AtomicU64::new(0);
    fail::cfg_callback(point, move || {
        if hits.fetch_add(1, Ordering::SeqCst) >= skip {
            std::process::abort();
        }
    })
    .unwrap();
    let mut net = open_rocks(&dir.join("db"));
    for _ in 0..CHILD_BLOCKS {
        commit_next(&mut net).unwrap();
        let tmp = dir.join("synced_height.tmp");
        std::fs::write(&tmp, net.ledger.head().height.to_string()).unwrap();
        std::fs::rename(&tmp, marker(&dir)).unwrap();
    }
}

/// What the rounds of one failpoint found.
#[derive(Default)]
struct Tally {
    kills: u64,
    lost: u64,
    duplicated: u64,
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).map_or(default, |v| v.parse().expect(name))
}

/// The store's latest height, if its block is there (or the store is empty).
fn whole_head(path: &Path) -> Result<Option<u64>, String> {
    let store = RocksStore::open(path).map_err(|e| e.to_string())?;
    match store.latest_height().map_err(|e| e.to_string())? {
        None => Ok(None),
        Some(height) => match store.block(height).map_err(|e| e.to_string())? {
            Some(_) => Ok(Some(height)),
            None => Err(format!("latest height {height} without its block")),
        },
    }
}

/// One round: a child aborted at the `skip`-th hit of `point`, then the checks.
fn round(dir: &Path, point: &str, skip: u64, twin: &mut Twin, tally: &mut Tally) {
    let _ = std::fs::remove_file(marker(dir));
    let status = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", CHILD, "--ignored", "--test-threads=1"])
        .env(DIR_ENV, dir)
        .env(POINT_ENV, point)
        .env(SKIP_ENV, skip.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert_eq!(
        status.signal(),
        Some(6),
        "{point} (skip {skip}): the child was not aborted: {status}"
    );
    tally.kills += 1;
    let reported: Option<u64> = std::fs::read_to_string(marker(dir))
        .ok()
        .map(|text| text.parse().unwrap());

    // R351: the store opens at a whole block; R352: no block reported synced is lost.
    whole_head(&dir.join("db"))
        .unwrap_or_else(|why| panic!("{point} (skip {skip}): not a whole block: {why}"));
    let mut net = open_rocks(&dir.join("db"));
    let head = net.ledger.head().height;
    if reported.is_some_and(|synced| head < synced) {
        eprintln!("{point} (skip {skip}): synced block {reported:?} lost, head {head}");
        tally.lost += 1;
    }
    // R351, R353: what is there is exactly the replay, once; the chain continues.
    let continued = matches_twin(&net, twin)
        .and_then(|()| commit_next(&mut net).map_err(|e| e.to_string()))
        .and_then(|()| matches_twin(&net, twin));
    if let Err(why) = continued {
        eprintln!("{point} (skip {skip}): {why}");
        tally.duplicated += 1;
    }
}

#[test]
fn every_commit_failpoint_survives_repeated_kills() {
    let rounds = env_u64("EBL_FAULT_ROUNDS", 5);
    let seed = env_u64("EBL_FAULT_SEED", 350);
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut total = Tally::default();
    println!("failpoint | kills injected | lost | duplicated");
    for point in COMMIT_FAILPOINTS {
        let dir = tempfile::tempdir().unwrap();
        let mut twin = Twin::new();
        let mut tally = Tally::default();
        for _ in 0..rounds {
            round(
                dir.path(),
                point,
                rng.gen_range(0..MAX_SKIP),
                &mut twin,
                &mut tally,
            );
        }
        println!(
            "{point} | {} | {} | {}",
            tally.kills, tally.lost, tally.duplicated
        );
        total.kills += tally.kills;
        total.lost += tally.lost;
        total.duplicated += tally.duplicated;
    }
    println!(
        "total (seed {seed}, {rounds} rounds) | {} | {} | {}",
        total.kills, total.lost, total.duplicated
    );
    assert_eq!((total.lost, total.duplicated), (0, 0));
}
