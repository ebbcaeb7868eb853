//! [`ProposalClock`]: when this node first held each complete proposal of the current height,
//! for the commit-latency histogram.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::consensus::BlockId;

/// Most proposals timed per height (a flood of rounds cannot grow memory).
pub const MAX_TIMED: usize = 64;

/// Instants at which proposals of the current height became complete here.
#[derive(Debug, Default)]
pub struct ProposalClock {
    held: BTreeMap<BlockId, Instant>,
}

impl ProposalClock {
    /// Block `id` is complete and executed now (the first time counts).
    pub fn held(&mut self, id: BlockId) {
        if self.held.len() < MAX_TIMED || self.held.contains_key(&id) {
            self.held.entry(id).or_insert_with(Instant::now);
        }
    }

    /// Block `id` was committed: its latency, if timed; forgets the height's proposals.
    pub fn committed(&mut self, id: BlockId) -> Option<Duration> {
        let latency = self.held.get(&id).map(Instant::elapsed);
        self.held.clear();
        latency
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_block_has_a_latency_and_the_height_is_then_forgotten() {
        let mut clock = ProposalClock::default();
        let id = BlockId([7; 32]);
        clock.held(id);
        assert!(clock.committed(id).is_some());
        assert!(clock.committed(id).is_none());
    }

    #[test]
    fn an_unseen_block_has_no_latency() {
        let mut clock = ProposalClock::default();
        let id = BlockId([1; 32]);
        assert!(clock.committed(id).is_none());
    }
}
