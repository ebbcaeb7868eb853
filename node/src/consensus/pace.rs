//! R157: how many entries this node puts in a block it proposes, from how fast it has been
//! executing blocks.
//!
//! A proposal is useful only if the other validators receive and re-execute it before their
//! propose timeout; otherwise they prevote nil, the round is lost, and under load the backlog
//! grows while nothing commits (measured: a 2,000-entry block took 0.9 s to build on a loaded
//! machine, its round timed out and the height took 8 s). So the proposer caps a block at what
//! it expects to execute within a budget, a quarter of the propose timeout (building,
//! streaming and re-executing must all fit in it). The cap only limits what this node
//! proposes; a received block is judged by the genesis caps (R191), so validators need not
//! agree on their paces.
//!
//! Pure: the caller measures durations (the clock stays at the edge) and feeds them here.

use std::time::Duration;

/// Blocks with fewer entries say little about the per-entry cost (fixed costs dominate).
pub const MIN_SAMPLE_ENTRIES: usize = 50;

/// The cap never goes below this, so a slow spell cannot starve the chain.
pub const MIN_BLOCK_ENTRIES: usize = 100;

/// The execution pace observed on this node: a moving average of nanoseconds per entry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExecutionPace {
    nanos_per_entry: Option<u64>,
}

impl ExecutionPace {
    /// Records that executing `entries` entries took `took` (building a block or re-executing
    /// a received one). Recent blocks weigh one quarter.
    pub fn observe(&mut self, entries: usize, took: Duration) {
        if entries < MIN_SAMPLE_ENTRIES {
            return;
        }
        let count = u64::try_from(entries).unwrap_or(u64::MAX);
        let nanos = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        let sample = (nanos / count).max(1);
        self.nanos_per_entry = Some(match self.nanos_per_entry {
            None => sample,
            Some(old) => old.saturating_mul(3).saturating_add(sample) / 4,
        });
    }

    /// The most entries to propose: what fits `budget` at the observed pace, between
    /// [`MIN_BLOCK_ENTRIES`] and `configured` (the configured limit when nothing was observed).
    pub fn cap(&self, budget: Duration, configured: usize) -> usize {
        let Some(per_entry) = self.nanos_per_entry else {
            return configured;
        };
        let budget = u64::try_from(budget.as_nanos()).unwrap_or(u64::MAX);
        let fits = usize::try_from(budget / per_entry.max(1)).unwrap_or(usize::MAX);
        fits.clamp(MIN_BLOCK_ENTRIES.min(configured), configured)
    }

    /// The observed pace, if any.
    pub fn per_entry(&self) -> Option<Duration> {
        self.nanos_per_entry.map(Duration::from_nanos)
    }
}

/// R157: the building budget for a propose timeout: a quarter of it.
pub fn build_budget(propose_timeout: Duration) -> Duration {
    propose_timeout / 4
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: fn(u64) -> Duration = Duration::from_millis;

    #[test]
    fn without_observations_the_configured_limit_holds() {
        let pace = ExecutionPace::default();
        assert_eq!(pace.cap(MS(375), 2_000), 2_000);
        assert_eq!(pace.per_entry(), None);
    }

    #[test]
    fn a_slow_pace_caps_the_block_to_what_fits_the_budget() {
        let mut pace = ExecutionPace::default();
        // 1,000 entries in 450 ms: 450 µs each; 375 ms fits 833.
        pace.observe(1_000, MS(450));
        assert_eq!(pace.cap(MS(375), 2_000), 833);
        // A fast machine is capped by the configuration, never above it.
        let mut fast = ExecutionPace::default();
        fast.observe(1_000, MS(20));
        assert_eq!(fast.cap(MS(375), 2_000), 2_000);
    }

    #[test]
    fn the_average_moves_a_quarter_toward_each_new_block() {
        let mut pace = ExecutionPace::default();
        pace.observe(100, Duration::from_micros(100 * 400));
        pace.observe(100, Duration::from_micros(100 * 800));
        assert_eq!(pace.per_entry(), Some(Duration::from_micros(500)));
    }

    #[test]
    fn small_blocks_are_not_samples_and_the_cap_has_a_floor() {
        let mut pace = ExecutionPace::default();
        pace.observe(MIN_SAMPLE_ENTRIES - 1, Duration::from_secs(10));
        assert_eq!(pace.per_entry(), None);
        pace.observe(1_000, Duration::from_secs(100));
        assert_eq!(pace.cap(MS(375), 2_000), MIN_BLOCK_ENTRIES);
        // The floor never lifts the cap above a smaller configured limit.
        assert_eq!(pace.cap(MS(375), 10), 10);
    }

    #[test]
    fn the_budget_is_a_quarter_of_the_propose_timeout() {
        assert_eq!(build_budget(MS(1_500)), MS(375));
    }
}
