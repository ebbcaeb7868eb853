//! R461: the simulated network and clock — one ordered queue of timed events, every choice
//! (delay, loss, duplication, crash times) drawn from one seeded ChaCha generator, so a seed
//! fixes the whole run.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use malachite::app::types::core::Timeout;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::replica::NetMsg;

/// How hostile the network is.
#[derive(Debug, Clone, Copy)]
pub struct Faults {
    /// Shortest and longest delay of a message, in ms (reordering comes from the spread).
    pub delay_ms: (u64, u64),
    /// Chance a message is lost, in per mille.
    pub loss_per_mille: u32,
    /// Chance a message is delivered twice, in per mille.
    pub duplicate_per_mille: u32,
    /// Crash-restarts in a run (never two replicas down at once), between 10 % and 60 % of it.
    pub crashes: u32,
    /// How long a crashed replica stays down, at most, in ms.
    pub max_down_ms: u64,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            delay_ms: (5, 120),
            loss_per_mille: 10,
            duplicate_per_mille: 20,
            crashes: 2,
            max_down_ms: 2_000,
        }
    }
}

/// Something that happens at a simulated time.
#[derive(Debug)]
pub enum Event {
    Deliver {
        from: usize,
        to: usize,
        msg: NetMsg,
    },
    Timer {
        replica: usize,
        incarnation: u64,
        timeout: Timeout,
        id: u64,
    },
    Crash {
        replica: usize,
    },
    Restart {
        replica: usize,
    },
    SyncTick {
        replica: usize,
    },
    Submit {
        replica: usize,
        msg: NetMsg,
    },
}

/// The event queue: by time, then by insertion order (so equal times are deterministic).
#[derive(Default)]
pub struct Queue {
    heap: BinaryHeap<Reverse<(u64, u64, usize)>>,
    events: Vec<Option<Event>>,
    seq: u64,
}

impl Queue {
    pub fn push(&mut self, at_ms: u64, event: Event) {
        self.seq += 1;
        self.events.push(Some(event));
        self.heap
            .push(Reverse((at_ms, self.seq, self.events.len() - 1)));
    }

    pub fn pop(&mut self) -> Option<(u64, Event)> {
        let Reverse((at, _, slot)) = self.heap.pop()?;
        let event = self.events.get_mut(slot)?.take()?;
        Some((at, event))
    }
}

/// What the network did with one message to one receiver.
pub enum Fate {
    Lost,
    Delivered(Vec<u64>),
}

/// Draws the fate of one message sent at `now`.
pub fn fate(rng: &mut ChaCha8Rng, faults: &Faults, now: u64) -> Fate {
    if rng.gen_range(0..1000) < faults.loss_per_mille {
        return Fate::Lost;
    }
    let (lo, hi) = faults.delay_ms;
    let mut times = vec![now + rng.gen_range(lo..=hi)];
    if rng.gen_range(0..1000) < faults.duplicate_per_mille {
        times.push(now + rng.gen_range(lo..=hi));
    }
    Fate::Delivered(times)
}
