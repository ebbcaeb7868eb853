//! Metrics of proposal intake (R190–R194, specs/adr/0027-proposal-intake.md): what was dropped
//! or refused and why, and how much the bounded buffers hold, so tests and operators can see
//! a hostile member's traffic cost nothing but a counter.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

/// Label of the intake counters: a reason from a fixed set of our own stable labels
/// (`StreamError::label`, `Ignore::label`, `Invalidity::label`).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabel {
    /// Why.
    pub reason: &'static str,
}

/// Handles into the intake series.
#[derive(Clone, Debug, Default)]
pub struct ProposalMetrics {
    parts_dropped: Family<ReasonLabel, Counter>,
    ignored: Family<ReasonLabel, Counter>,
    invalid: Family<ReasonLabel, Counter>,
    streams: Gauge,
    buffered_bytes: Gauge,
    held_blocks: Gauge,
    later: Gauge,
}

impl ProposalMetrics {
    /// Registers the series in `registry` (prefixed `ebl_` by it).
    pub fn register(registry: &mut Registry) -> Self {
        let m = ProposalMetrics::default();
        registry.register(
            "proposal_parts_dropped",
            "Proposal parts dropped before buffering, by reason (R190, R191, R193)",
            m.parts_dropped.clone(),
        );
        registry.register(
            "proposals_ignored",
            "Complete proposal streams not handed to consensus, by reason (R190, R192)",
            m.ignored.clone(),
        );
        registry.register(
            "proposals_invalid",
            "Proposals handed to consensus as invalid, by reason (R18, R191, R194)",
            m.invalid.clone(),
        );
        registry.register(
            "proposal_streams",
            "Proposal streams being reassembled",
            m.streams.clone(),
        );
        registry.register(
            "proposal_buffered_bytes",
            "Bytes of proposal streams being reassembled",
            m.buffered_bytes.clone(),
        );
        registry.register(
            "undecided_blocks",
            "Blocks held for the height in progress (R192)",
            m.held_blocks.clone(),
        );
        registry.register(
            "later_proposals",
            "Complete proposals kept for the next height (R193)",
            m.later.clone(),
        );
        m
    }

    /// A part was dropped before buffering.
    pub fn on_part_dropped(&self, reason: &'static str) {
        self.parts_dropped
            .get_or_create(&ReasonLabel { reason })
            .inc();
    }

    /// A complete stream was ignored.
    pub fn on_ignored(&self, reason: &'static str) {
        self.ignored.get_or_create(&ReasonLabel { reason }).inc();
    }

    /// A proposal was handed to consensus as invalid.
    pub fn on_invalid(&self, reason: &'static str) {
        self.invalid.get_or_create(&ReasonLabel { reason }).inc();
    }

    /// What the buffers hold now.
    pub fn on_buffers(&self, streams: usize, bytes: usize, held: usize, later: usize) {
        let g = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        self.streams.set(g(streams));
        self.buffered_bytes.set(g(bytes));
        self.held_blocks.set(g(held));
        self.later.set(g(later));
    }
}
