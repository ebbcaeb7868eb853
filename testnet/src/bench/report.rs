//! What a run reports: the `--json` object and the human summary.

use serde::Serialize;

/// Issue 6's targets on the reference machine (2 cores, 4 validators).
pub mod targets {
    /// Committed entries per second, sustained.
    pub const COMMITTED_PER_SEC: f64 = 5_000.0;
    /// p99 finality latency, milliseconds.
    pub const P99_MS: f64 = 1_000.0;
    /// Entries accepted but never final.
    pub const LOST: u64 = 0;
}

/// CPU and memory of one node process over the run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeUsage {
    /// Node name (moniker).
    pub name: String,
    /// Process id.
    pub pid: u32,
    /// CPU time used during the run over its wall time, in percent of one core.
    pub cpu_percent: f64,
    /// Resident memory at the end of the run, MiB.
    pub rss_mib: f64,
}

/// The result of one run at one offered rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Offered load, entries per second (the schedule's rate).
    pub offered_per_sec: f64,
    /// Entries the generator actually sent per second (below `offered_per_sec` when the
    /// generator or the gateways could not keep up).
    pub sent_per_sec: f64,
    /// Final entries per second, over the span from the first send to the last finality.
    pub committed_per_sec: f64,
    /// Finality latency (scheduled send → final event) percentiles, ms; 0 with no final entry.
    pub p50_ms: f64,
    /// 95th percentile, ms.
    pub p95_ms: f64,
    /// 99th percentile, ms.
    pub p99_ms: f64,
    /// Largest, ms.
    pub max_ms: f64,
    /// Entries scheduled.
    pub submitted: u64,
    /// Entries a gateway accepted (202/200).
    pub accepted: u64,
    /// Entries final (applied or failed).
    pub committed: u64,
    /// Final entries whose execution failed (their code is in the block result).
    pub failed: u64,
    /// Entries a gateway refused for good (e.g. `BAD_SIGNATURE`, `REPLAY`); with `--no-retry`
    /// also those refused for now (`SEQUENCE_GAP`, `MEMPOOL_FULL`, 503, no answer), as before
    /// R170.
    pub rejected: u64,
    /// With `--no-retry`, entries refused with 429 (rate limit); 0 otherwise (they are resent).
    pub throttled: u64,
    /// Resend attempts (R170): sends of an entry after an earlier send of it was refused for
    /// now; an entry resent three times counts three.
    pub retried: u64,
    /// Entries still refused for now when sending stopped (end of the duration plus the drain
    /// window), R170: never accepted, so not `lost`.
    pub unsent: u64,
    /// Entries accepted but not final when the run ended (after the drain wait).
    pub lost: u64,
    /// Seconds of scheduled sending.
    pub duration_secs: f64,
    /// Single signature verifications (R171) per second on this machine (all cores, this run).
    pub verify_bound_per_sec: f64,
    /// The same divided by the number of validators: each verifies every entry once, so
    /// signature checking alone caps the network near this many entries per second.
    pub verify_bound_entries_per_sec: f64,
    /// R477: the smallest of the samples whose median is `verify_bound_per_sec`.
    pub verify_bound_min_per_sec: f64,
    /// R477: the largest of those samples.
    pub verify_bound_max_per_sec: f64,
    /// Issue 16's measure: `committed_per_sec / verify_bound_entries_per_sec` (0 without a
    /// bound).
    pub ratio_to_verify_bound: f64,
    /// Per node process.
    pub nodes: Vec<NodeUsage>,
    /// Refusals by reason (problem code, `HTTP_<status>`, or `SEND_FAILED`), one per refusing
    /// answer: an entry refused for now and then resent counts once per refusal.
    pub refusals: std::collections::BTreeMap<String, u64>,
    /// `--batch-ms`: each stream's tick for `POST /v1/entries/batch`, ms; 0 when every entry
    /// was its own `POST /v1/entries`.
    pub batch_ms: u64,
    /// Whether issue 6's targets are met by this run.
    pub targets_met: bool,
    /// The hostile member beside the run (`--flood-as`, R214); absent for a quiet run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flood: Option<crate::flood::FloodReport>,
}

impl Report {
    /// Whether this run meets issue 6's targets (committed rate, p99, nothing lost).
    pub fn meets_targets(&self) -> bool {
        self.committed_per_sec >= targets::COMMITTED_PER_SEC
            && self.p99_ms <= targets::P99_MS
            && self.lost == targets::LOST
            && self.committed > 0
    }

    /// A short human summary, one line per fact.
    pub fn summary(&self) -> String {
        let sending = match self.batch_ms {
            0 => "one request per entry".to_string(),
            ms => format!("batches every {ms} ms per stream"),
        };
        let mut out = format!(
            "offered {:.0}/s ({sending}), sent {:.0}/s, committed {:.0}/s over {:.0} s\n\
             finality p50 {:.0} ms, p95 {:.0} ms, p99 {:.0} ms, max {:.0} ms\n\
             submitted {}, accepted {}, committed {} ({} failed), rejected {}, throttled {}, lost {}\n\
             retried {}, unsent {}\n\
             verify bound {:.0}/s (samples {:.0}–{:.0}), {:.0} entries/s over the validators, \
             committed/bound {:.3}\n",
            self.offered_per_sec,
            self.sent_per_sec,
            self.committed_per_sec,
            self.duration_secs,
            self.p50_ms,
            self.p95_ms,
            self.p99_ms,
            self.max_ms,
            self.submitted,
            self.accepted,
            self.committed,
            self.failed,
            self.rejected,
            self.throttled,
            self.lost,
            self.retried,
            self.unsent,
            self.verify_bound_per_sec,
            self.verify_bound_min_per_sec,
            self.verify_bound_max_per_sec,
            self.verify_bound_entries_per_sec,
            self.ratio_to_verify_bound,
        );
        for (why, n) in &self.refusals {
            out.push_str(&format!("  refused {why}: {n}\n"));
        }
        for n in &self.nodes {
            out.push_str(&format!(
                "  {} (pid {}): cpu {:.0} %, rss {:.0} MiB\n",
                n.name, n.pid, n.cpu_percent, n.rss_mib
            ));
        }
        if let Some(flood) = &self.flood {
            out.push_str(&flood.line());
        }
        out.push_str(&format!(
            "targets (≥ {:.0}/s, p99 ≤ {:.0} ms, 0 lost): {}\n",
            targets::COMMITTED_PER_SEC,
            targets::P99_MS,
            if self.targets_met { "met" } else { "NOT met" }
        ));
        out
    }
}

#[cfg(test)]
pub(crate) fn sample() -> Report {
    Report {
        offered_per_sec: 1_000.0,
        sent_per_sec: 998.0,
        committed_per_sec: 990.0,
        p50_ms: 300.0,
        p95_ms: 600.0,
        p99_ms: 800.0,
        max_ms: 900.0,
        submitted: 10_000,
        accepted: 10_000,
        committed: 10_000,
        failed: 0,
        rejected: 0,
        throttled: 0,
        retried: 0,
        unsent: 0,
        lost: 0,
        duration_secs: 10.0,
        verify_bound_per_sec: 40_000.0,
        verify_bound_entries_per_sec: 10_000.0,
        verify_bound_min_per_sec: 36_000.0,
        verify_bound_max_per_sec: 43_000.0,
        ratio_to_verify_bound: 0.099,
        nodes: vec![NodeUsage {
            name: "node0".into(),
            pid: 42,
            cpu_percent: 55.0,
            rss_mib: 120.0,
        }],
        refusals: std::collections::BTreeMap::new(),
        batch_ms: 0,
        targets_met: false,
        flood: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_report_has_the_fields_issue_6_names() {
        let value = serde_json::to_value(sample()).unwrap_or_default();
        for field in [
            "offered_per_sec",
            "committed_per_sec",
            "p50_ms",
            "p95_ms",
            "p99_ms",
            "rejected",
            "lost",
            "verify_bound_per_sec",
            "verify_bound_min_per_sec",
            "verify_bound_max_per_sec",
            "ratio_to_verify_bound",
            "batch_ms",
            "retried",
            "unsent",
        ] {
            assert!(value.get(field).is_some_and(|v| v.is_number()), "{field}");
        }
        assert!(value["nodes"][0]["cpu_percent"].is_number());
        assert!(value["targets_met"].is_boolean());
    }

    #[test]
    fn targets_are_met_only_with_rate_latency_and_nothing_lost() {
        let mut r = sample();
        assert!(!r.meets_targets(), "990/s is below 5,000/s");
        r.committed_per_sec = 5_100.0;
        assert!(r.meets_targets());
        r.lost = 1;
        assert!(!r.meets_targets());
        r.lost = 0;
        r.p99_ms = 1_200.0;
        assert!(!r.meets_targets());
    }

    #[test]
    fn the_summary_says_whether_the_targets_are_met() {
        let r = sample();
        assert!(r.summary().contains("NOT met"));
        assert!(r.summary().contains("node0 (pid 42)"));
        assert!(r.summary().contains("retried 0, unsent 0"));
    }
}
