//! Prometheus metrics of the node, served at `GET /metrics` (text exposition format) next to
//! the gateway (see [`crate::api_server`] and `specs/adr/0008-consensus-malachite.md`).
//!
//! # Design
//!
//! One [`Registry`] owned by the node (no global statics); [`NodeMetrics`] is a cheap `Clone`
//! of handles into it: the consensus task updates them in a few named calls
//! ([`NodeMetrics::on_round`], [`NodeMetrics::on_committed`], ...), the HTTP handler encodes
//! the registry. The peer count is refreshed at scrape time from the network actor.
//!
//! Commit latency (`ebl_commit_latency_seconds`): from the moment this node holds the block
//! as a complete, executed proposal — its own proposal built (proposer) or a received
//! proposal stream assembled and re-executed (others) — to the end of the block's commit to
//! storage. Blocks obtained by value sync (never proposed to this node) have no sample.

mod clock;
mod http;
mod intake;
mod proposals;

use std::sync::Arc;
use std::time::Duration;

use ebl_ledger::block::Outcome;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

pub use clock::ProposalClock;
pub use http::router;
pub use intake::IntakeMetrics;
pub use proposals::{ProposalMetrics, ReasonLabel};

use crate::consensus::CommittedBlock;
use crate::mempool::Mempool;

/// Label of `ebl_failed_entries_total`: the ledger's stable error code (a bounded set, since
/// results come from our own execution with `RuleError::code`).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CodeLabel {
    /// Error code, e.g. `NOT_HOLDER`.
    pub code: String,
}

/// Label of the storage series: a column family of the ledger store (a fixed set, R473).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct FamilyLabel {
    /// Column family name, e.g. `jmt_nodes`.
    pub family: &'static str,
}

/// Handles into the node's metric registry; clones share the same series.
#[derive(Clone)]
pub struct NodeMetrics {
    registry: Arc<Registry>,
    height: Gauge,
    round: Gauge,
    blocks: Counter,
    entries: Counter,
    failed: Family<CodeLabel, Counter>,
    storage_faults: Family<CodeLabel, Counter>,
    mempool_entries: Gauge,
    mempool_bytes: Gauge,
    peers: Gauge,
    family_bytes: Family<FamilyLabel, Gauge>,
    family_keys: Family<FamilyLabel, Gauge>,
    commit_latency: Histogram,
    execution: Histogram,
    evidence_seen: Counter,
    evidence_recorded: Counter,
    edge: crate::edge::EdgeMetrics,
    proposals: ProposalMetrics,
    mempool_signature_checks: Gauge,
    regulator_reads: Counter,
    submission_groups: Counter,
    submissions_grouped: Counter,
    submissions_waited: Counter,
    /// R182–R184: the entry intake's series.
    pub intake: IntakeMetrics,
    /// R480: network events withheld from consensus and value sync because their peer is not
    /// admitted, by kind (one per subscribed actor).
    pub withheld: Family<ReasonLabel, Counter>,
}

impl std::fmt::Debug for NodeMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeMetrics").finish_non_exhaustive()
    }
}

impl Default for NodeMetrics {
    fn default() -> Self {
        Self::new()
    }
}

impl NodeMetrics {
    /// A new registry with every series of the node, prefixed `ebl_`.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("ebl");
        let height = Gauge::default();
        let round = Gauge::default();
        let blocks = Counter::default();
        let entries = Counter::default();
        let failed = Family::<CodeLabel, Counter>::default();
        let storage_faults = Family::<CodeLabel, Counter>::default();
        let mempool_entries = Gauge::default();
        let mempool_bytes = Gauge::default();
        let peers = Gauge::default();
        // 5 ms .. ~41 s: one-machine rounds to a slow WAN round with retries.
        let commit_latency = Histogram::new(exponential_buckets(0.005, 2.0, 14));
        // 0.5 ms .. ~4 s: an empty block to a full one with signature checks.
        let execution = Histogram::new(exponential_buckets(0.0005, 2.0, 14));
        let evidence_seen = Counter::default();
        let evidence_recorded = Counter::default();
        let r = &mut registry;
        let edge = crate::edge::EdgeMetrics::register(r);
        r.register(
            "evidence_observed",
            "Double votes reported by consensus to this node",
            evidence_seen.clone(),
        );
        r.register(
            "evidence_recorded",
            "Double-vote evidence recorded by committed blocks (R138)",
            evidence_recorded.clone(),
        );
        r.register(
            "height",
            "Height of the last committed block",
            height.clone(),
        );
        r.register(
            "round",
            "Consensus round of the current height",
            round.clone(),
        );
        r.register("committed_blocks", "Blocks committed", blocks.clone());
        r.register(
            "committed_entries",
            "Entries committed (applied or failed)",
            entries.clone(),
        );
        r.register(
            "failed_entries",
            "Committed entries that broke a rule, by error code",
            failed.clone(),
        );
        r.register(
            "storage_faults",
            "Decided blocks the disk refused to store (R358), by storage error code",
            storage_faults.clone(),
        );
        r.register(
            "mempool_entries",
            "Entries in the mempool",
            mempool_entries.clone(),
        );
        r.register(
            "mempool_bytes",
            "Bytes of the entries in the mempool",
            mempool_bytes.clone(),
        );
        r.register("connected_peers", "Connected libp2p peers", peers.clone());
        let family_bytes = Family::<FamilyLabel, Gauge>::default();
        let family_keys = Family::<FamilyLabel, Gauge>::default();
        r.register(
            "storage_family_bytes",
            "Bytes of each ledger store column family: SST files plus memtable allocation (R473)",
            family_bytes.clone(),
        );
        r.register(
            "storage_family_keys",
            "RocksDB's estimate of the live keys of each ledger store column family (R473)",
            family_keys.clone(),
        );
        r.register(
            "commit_latency_seconds",
            "From holding a complete executed proposal to its commit",
            commit_latency.clone(),
        );
        r.register(
            "block_execution_seconds",
            "Executing a block (building a proposal or re-executing a received one)",
            execution.clone(),
        );
        let proposals = ProposalMetrics::register(r);
        let mempool_signature_checks = Gauge::default();
        registry.register(
            "mempool_signature_checks",
            "Entries whose signatures the pool checked itself (not verified beforehand, R155)",
            mempool_signature_checks.clone(),
        );
        let regulator_reads = Counter::default();
        registry.register(
            "gateway_regulator_reads",
            "Title reads by regulator keys (R235), each also logged under ebl_gateway::audit",
            regulator_reads.clone(),
        );
        let submission_groups = Counter::default();
        registry.register(
            "submission_groups",
            "Groups of single submissions whose signatures were decided together (R484)",
            submission_groups.clone(),
        );
        let submissions_grouped = Counter::default();
        registry.register(
            "submissions_grouped",
            "Single submissions decided in those groups (R484); divided by the groups, the \
             mean group size",
            submissions_grouped.clone(),
        );
        let submissions_waited = Counter::default();
        registry.register(
            "submissions_waited",
            "Single submissions that waited for others to share a batch equation (R484); the \
             rest were decided at once",
            submissions_waited.clone(),
        );
        let intake = IntakeMetrics::register(&mut registry);
        let withheld = Family::<ReasonLabel, Counter>::default();
        registry.register(
            "consensus_events_withheld",
            "Consensus network events from peers Malachite has not admitted, withheld from each \
             subscribed actor, by kind (R480); a value request among them is cancelled",
            withheld.clone(),
        );
        NodeMetrics {
            registry: Arc::new(registry),
            height,
            round,
            blocks,
            entries,
            failed,
            storage_faults,
            mempool_entries,
            mempool_bytes,
            peers,
            family_bytes,
            family_keys,
            commit_latency,
            execution,
            evidence_seen,
            evidence_recorded,
            edge,
            proposals,
            mempool_signature_checks,
            regulator_reads,
            submission_groups,
            submissions_grouped,
            submissions_waited,
            intake,
            withheld,
        }
    }

    /// The gateway edge's series (R200–R202).
    pub fn edge(&self) -> &crate::edge::EdgeMetrics {
        &self.edge
    }

    /// The proposal-intake series (R190–R194).
    pub fn proposals(&self) -> &ProposalMetrics {
        &self.proposals
    }

    /// R484: one group of `size` single submissions was decided together.
    pub fn submission_group(&self, size: usize) {
        self.submission_groups.inc();
        self.submissions_grouped.inc_by(size as u64);
    }

    /// R484: `n` single submissions waited for others.
    pub fn submissions_waited(&self, n: usize) {
        self.submissions_waited.inc_by(n as u64);
    }

    /// R484: single submissions that waited for others so far.
    pub fn waited_submissions(&self) -> u64 {
        self.submissions_waited.get()
    }

    /// Brings `ebl_gateway_regulator_reads_total` up to the gateway's audit count (R235), which
    /// only grows; called on every scrape.
    pub fn sync_regulator_reads(&self) {
        let audited = ebl_gateway::privacy::regulator_reads();
        let shown = self.regulator_reads.get();
        if audited > shown {
            self.regulator_reads.inc_by(audited - shown);
        }
    }

    /// The text exposition of every series.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }

    /// Consensus entered `round` (Malachite's `Round::as_i64`: -1 for nil).
    pub fn on_round(&self, round: i64) {
        self.round.set(round);
    }

    /// Consensus reported `n` double votes.
    pub fn on_evidence(&self, n: usize) {
        self.evidence_seen.inc_by(n as u64);
    }

    /// The mempool changed.
    pub fn on_mempool(&self, mempool: &Mempool) {
        self.mempool_entries.set(gauge_value(mempool.len()));
        self.mempool_bytes.set(gauge_value(mempool.bytes()));
        self.mempool_signature_checks
            .set(i64::try_from(mempool.signature_checks()).unwrap_or(i64::MAX));
    }

    /// A block was executed in `took`.
    pub fn on_executed(&self, took: Duration) {
        self.execution.observe(took.as_secs_f64());
    }

    /// `committed` was committed; `latency` as defined in the module docs, if known.
    pub fn on_committed(&self, committed: &CommittedBlock, latency: Option<Duration>) {
        self.height
            .set(i64::try_from(committed.block.header.height).unwrap_or(i64::MAX));
        self.blocks.inc();
        self.evidence_recorded
            .inc_by(committed.block.evidence.len() as u64);
        self.entries.inc_by(committed.results.len() as u64);
        for result in &committed.results {
            if let Outcome::Failed { code, .. } = &result.outcome {
                self.failed
                    .get_or_create(&CodeLabel { code: code.clone() })
                    .inc();
            }
        }
        if let Some(latency) = latency {
            self.commit_latency.observe(latency.as_secs_f64());
        }
    }

    /// R358: the disk refused a decided block (`code`: `STORAGE_NO_SPACE` or `STORAGE_IO`).
    pub fn on_storage_fault(&self, code: &str) {
        self.storage_faults
            .get_or_create(&CodeLabel {
                code: code.to_string(),
            })
            .inc();
    }

    /// The ledger head at start (before any commit of this run).
    pub fn on_start(&self, height: u64) {
        self.height.set(i64::try_from(height).unwrap_or(i64::MAX));
    }

    /// R473: the store's column family sizes, refreshed at scrape time.
    pub fn set_storage(&self, sizes: &[ebl_ledger::storage::FamilySize]) {
        let clamp = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        for size in sizes {
            let label = FamilyLabel {
                family: size.family,
            };
            self.family_bytes
                .get_or_create(&label)
                .set(clamp(size.bytes()));
            self.family_keys.get_or_create(&label).set(clamp(size.keys));
        }
    }

    /// Connected peers, refreshed at scrape time.
    pub fn set_peers(&self, peers: usize) {
        self.peers.set(gauge_value(peers));
    }
}

fn gauge_value(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod regulator_tests {
    use ebl_gateway::privacy::{Reader, audit};

    use super::NodeMetrics;

    fn shown(metrics: &NodeMetrics) -> u64 {
        let text = metrics.encode();
        let line = text
            .lines()
            .find(|l| l.starts_with("ebl_gateway_regulator_reads_total "))
            .unwrap_or_default();
        line.rsplit(' ')
            .next()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }

    #[test]
    fn a_scrape_shows_the_audited_regulator_reads() {
        let metrics = NodeMetrics::new();
        metrics.sync_regulator_reads();
        let before = shown(&metrics);
        audit(&Reader::Regulator("authority".into()), "/v1/ebls/x", "x");
        metrics.sync_regulator_reads();
        // The audit count is process-wide; other tests may read concurrently, so at least one.
        assert!(shown(&metrics) > before);
        let after = shown(&metrics);
        metrics.sync_regulator_reads();
        assert!(shown(&metrics) >= after, "a counter never goes back");
    }
}

#[cfg(test)]
mod storage_fault_tests {
    use super::NodeMetrics;

    #[test]
    fn a_scrape_counts_refused_blocks_by_storage_code() {
        let metrics = NodeMetrics::new();
        assert!(!metrics.encode().contains("ebl_storage_faults_total{"));
        metrics.on_storage_fault("STORAGE_NO_SPACE");
        metrics.on_storage_fault("STORAGE_NO_SPACE");
        metrics.on_storage_fault("STORAGE_IO");
        let text = metrics.encode();
        assert!(
            text.contains("ebl_storage_faults_total{code=\"STORAGE_NO_SPACE\"} 2"),
            "{text}"
        );
        assert!(
            text.contains("ebl_storage_faults_total{code=\"STORAGE_IO\"} 1"),
            "{text}"
        );
    }
}
