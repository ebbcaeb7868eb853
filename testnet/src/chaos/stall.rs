//! The longest stall of a soak (R367): how long, at most, no node's height grew.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::state::TestnetState;

/// Every node's height, `None` for a node that is down or does not answer. The fault injector
/// restarts nodes under new pids and saves them in the state file, so it is read afresh.
pub fn heights(state: &TestnetState) -> Vec<Option<u64>> {
    let current = TestnetState::load(&state.root).unwrap_or_else(|_| state.clone());
    crate::ops::statuses(&current)
        .iter()
        .map(|s| s.height)
        .collect()
}

/// How often the heights are sampled.
const SAMPLE: Duration = Duration::from_millis(250);

/// Samples every node's height until `stop` is set; returns the longest time the highest of
/// them did not grow.
pub fn watch(state: &TestnetState, stop: &AtomicBool) -> Duration {
    let mut best = 0;
    let mut since = Instant::now();
    let mut longest = Duration::ZERO;
    while !stop.load(Ordering::Relaxed) {
        let top = heights(state).into_iter().flatten().max().unwrap_or(0);
        if top > best {
            best = top;
            since = Instant::now();
        }
        longest = longest.max(since.elapsed());
        std::thread::sleep(SAMPLE);
    }
    longest
}
