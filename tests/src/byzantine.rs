//! Common steps of the Byzantine harness (`tests/tests/byzantine_*.rs`,
//! specs/adr/0027-proposal-intake.md): a cluster with one faulty validator, the intake metrics
//! of a node, and a watch on the bounded buffers while the honest validators commit.

use std::time::Duration;

use anyhow::Context as _;
use ebl_ledger::testkit::TestNetwork;
use ebl_node::consensus::faults::FaultPlan;
use ebl_node::consensus::held::MAX_BLOCKS_PER_HEIGHT;
use ebl_node::consensus::later::MAX_LATER_PROPOSALS;
use ebl_node::consensus::parts::MAX_STREAMS;
use ebl_node::{NodeHandle, NodeSettings};

use crate::Cluster;

/// The faulty validator's index.
pub const BYZANTINE: usize = 3;

/// The honest validators.
pub const HONEST: [usize; 3] = [0, 1, 2];

/// The sum of the series of `handle`'s metrics whose name (with labels, if given) is
/// `series`, e.g. `ebl_proposals_ignored_total{reason="equivocation"}`; 0 when absent.
pub fn metric(handle: &NodeHandle, series: &str) -> f64 {
    handle
        .metrics()
        .encode()
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix(series)?;
            let value = rest.strip_prefix(' ').or_else(|| {
                // `name` given without labels: take every labelled series of it.
                rest.strip_prefix('{')
                    .and_then(|r| r.split_once("} ").map(|(_, v)| v))
            })?;
            value.trim().parse::<f64>().ok()
        })
        .sum()
}

/// The sum of `series` over the nodes `of`.
pub fn metric_sum(c: &Cluster, of: &[usize], series: &str) -> f64 {
    of.iter().map(|i| metric(&c.handle(*i), series)).sum()
}

/// Starts `net`'s four validators with `faults` for [`BYZANTINE`]; `tweak` adjusts every
/// validator's settings first (the same for all).
pub async fn start_with_byzantine(
    net: TestNetwork,
    faults: FaultPlan,
    tweak: impl Fn(&mut NodeSettings),
) -> anyhow::Result<Cluster> {
    Cluster::start_custom(net, false, |i, settings| {
        tweak(settings);
        if i == BYZANTINE {
            settings.faults = faults.clone();
        }
    })
    .await
}

/// The largest values the bounded buffers of the watched nodes reached.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Peaks {
    /// Proposal streams being reassembled.
    pub streams: f64,
    /// Bytes of those streams.
    pub buffered_bytes: f64,
    /// Blocks held for one height (R192).
    pub undecided: f64,
    /// Complete proposals kept for the next height (R193).
    pub later: f64,
}

impl Peaks {
    fn observe(&mut self, handle: &NodeHandle) {
        let m = |s: &str| metric(handle, s);
        self.streams = self.streams.max(m("ebl_proposal_streams"));
        self.buffered_bytes = self.buffered_bytes.max(m("ebl_proposal_buffered_bytes"));
        self.undecided = self.undecided.max(m("ebl_undecided_blocks"));
        self.later = self.later.max(m("ebl_later_proposals"));
    }

    /// R192, R193: within the documented bounds (`max_bytes` bytes buffered in all).
    pub fn assert_bounded(&self, max_bytes: f64) {
        eprintln!("buffer peaks on the honest nodes: {self:?}");
        assert!(self.streams <= MAX_STREAMS as f64, "{self:?}");
        assert!(self.buffered_bytes <= max_bytes, "{self:?}");
        assert!(self.undecided <= MAX_BLOCKS_PER_HEIGHT as f64, "{self:?}");
        assert!(self.later <= MAX_LATER_PROPOSALS as f64, "{self:?}");
    }
}

/// Waits, at most `timeout`, until every node of `honest` has committed `more` blocks past
/// the highest height any of them has now, sampling the buffers of `honest` every 50 ms;
/// returns the height reached and the peaks seen.
pub async fn commit_while_watching(
    c: &Cluster,
    honest: &[usize],
    more: u64,
    timeout: Duration,
) -> anyhow::Result<(u64, Peaks)> {
    let mut start = 0;
    for &i in honest {
        start = start.max(c.height(i).await?);
    }
    let target = start + more;
    let deadline = tokio::time::Instant::now() + timeout;
    let mut peaks = Peaks::default();
    loop {
        let mut lowest = u64::MAX;
        for &i in honest {
            peaks.observe(&c.handle(i));
            lowest = lowest.min(c.height(i).await?);
        }
        if lowest >= target {
            let took = timeout.saturating_sub(deadline - tokio::time::Instant::now());
            eprintln!("honest validators committed {start} -> {target} in {took:?}");
            return Ok((target, peaks));
        }
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "honest validators at {lowest} after {timeout:?}, wanted {target} (from {start})"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The block header validator `i` committed at `height`.
pub async fn header_at(
    c: &Cluster,
    i: usize,
    height: u64,
) -> anyhow::Result<ebl_ledger::block::BlockHeader> {
    use ebl_ledger::storage::Storage;
    c.handle(i)
        .read(move |l| l.store().block(height).map(|b| b.map(|b| b.block.header)))
        .await??
        .with_context(|| format!("validator {i} has no block {height}"))
}
