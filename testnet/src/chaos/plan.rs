//! The chaos soak's fault schedule (R361): a pure function of the seed, so a run that found a
//! violation is rerun with the same faults at the same offsets.

use std::time::Duration;

use rand::{Rng as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// A kind of fault the soak injects into one validator's process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// SIGKILL, then a restart on the same data folder.
    Kill,
    /// SIGSTOP, then SIGCONT: the process is frozen, its sockets stay open.
    Pause,
}

/// One fault: at `at` after the start, node `node` suffers `kind` for `hold`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Fault {
    /// Offset from the start of the workload.
    #[serde(serialize_with = "millis")]
    pub at: Duration,
    /// What happens.
    pub kind: FaultKind,
    /// Which node.
    pub node: usize,
    /// How long the node stays down or frozen.
    #[serde(serialize_with = "millis")]
    pub hold: Duration,
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Shortest and longest quiet time between two faults, and hold time of one fault.
const GAP_MS: (u64, u64) = (1_000, 4_000);
const HOLD_MS: (u64, u64) = (500, 5_000);
/// The last fault heals this long before the end, so the network settles inside the run.
const TAIL: Duration = Duration::from_secs(3);

/// R361: the faults of a run of `duration` over `nodes` validators. One node at a time is
/// faulty (with 4 validators f = 1, so the others keep deciding); kinds rotate at random
/// among `kinds`; nothing is planned when `kinds` is empty or there are fewer than 2 nodes.
pub fn plan(seed: u64, duration: Duration, nodes: usize, kinds: &[FaultKind]) -> Vec<Fault> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut faults = Vec::new();
    if kinds.is_empty() || nodes < 2 {
        return faults;
    }
    let end = duration.saturating_sub(TAIL);
    let mut at = Duration::from_millis(rng.gen_range(GAP_MS.0..=GAP_MS.1));
    loop {
        let hold = Duration::from_millis(rng.gen_range(HOLD_MS.0..=HOLD_MS.1));
        if at + hold > end {
            return faults;
        }
        faults.push(Fault {
            at,
            kind: kinds[rng.gen_range(0..kinds.len())],
            node: rng.gen_range(0..nodes),
            hold,
        });
        at += hold + Duration::from_millis(rng.gen_range(GAP_MS.0..=GAP_MS.1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOTH: [FaultKind; 2] = [FaultKind::Kill, FaultKind::Pause];

    #[test]
    fn the_same_seed_gives_the_same_faults_and_another_seed_others() {
        let d = Duration::from_secs(120);
        assert_eq!(plan(7, d, 4, &BOTH), plan(7, d, 4, &BOTH));
        assert_ne!(plan(7, d, 4, &BOTH), plan(8, d, 4, &BOTH));
        assert!(plan(7, d, 4, &BOTH).len() >= 10);
    }

    #[test]
    fn faults_never_overlap_use_only_the_chosen_kinds_and_heal_before_the_end() {
        let d = Duration::from_secs(300);
        let faults = plan(3, d, 4, &[FaultKind::Pause]);
        for pair in faults.windows(2) {
            assert!(pair[0].at + pair[0].hold < pair[1].at);
        }
        for f in &faults {
            assert_eq!(f.kind, FaultKind::Pause);
            assert!(f.node < 4);
            assert!(f.at + f.hold + TAIL <= d);
        }
    }

    #[test]
    fn no_kinds_a_single_node_or_a_short_run_plan_nothing() {
        let d = Duration::from_secs(60);
        assert!(plan(1, d, 4, &[]).is_empty());
        assert!(plan(1, d, 1, &BOTH).is_empty());
        assert!(plan(1, Duration::from_secs(3), 4, &BOTH).is_empty());
    }
}
