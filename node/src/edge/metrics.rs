//! Counters of the gateway's network edge (R200–R202), registered with the node's metrics
//! (`ebl_gateway_*` at `GET /metrics`).

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use super::activity::Expiry;

/// Label of `ebl_gateway_connections_timed_out`: which timeout closed the connection.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabel {
    /// `header_read` or `idle`.
    pub reason: String,
}

/// Handles into the edge's series; clones share them. `Default` gives unregistered series
/// (tests read them directly).
#[derive(Clone, Debug, Default)]
pub struct EdgeMetrics {
    /// R200: failed `accept` calls.
    pub accept_errors: Counter,
    /// Connections accepted and served.
    pub accepted: Counter,
    /// R201: connections closed at once because the cap was reached.
    pub refused: Counter,
    /// Connections open now.
    pub open: Gauge,
    /// R202: connections closed by a timeout, by reason.
    pub timed_out: Family<ReasonLabel, Counter>,
}

impl EdgeMetrics {
    /// The series, registered in `registry`.
    pub fn register(registry: &mut Registry) -> Self {
        let metrics = EdgeMetrics::default();
        registry.register(
            "gateway_accept_errors",
            "Failed accepts of the gateway listener, each followed by a backoff (R200)",
            metrics.accept_errors.clone(),
        );
        registry.register(
            "gateway_connections_accepted",
            "Gateway connections accepted and served",
            metrics.accepted.clone(),
        );
        registry.register(
            "gateway_connections_refused",
            "Gateway connections closed at once because max_connections were open (R201)",
            metrics.refused.clone(),
        );
        registry.register(
            "gateway_connections_open",
            "Gateway connections open",
            metrics.open.clone(),
        );
        registry.register(
            "gateway_connections_timed_out",
            "Gateway connections closed by the header-read or idle timeout (R202)",
            metrics.timed_out.clone(),
        );
        // Both reasons are scraped from the start, at 0.
        for why in [Expiry::HeaderRead, Expiry::Idle] {
            let _ = metrics.timed_out.get_or_create(&label(why));
        }
        metrics
    }

    /// Connections the watchdog closed for `why` so far.
    pub fn timed_out(&self, why: Expiry) -> u64 {
        self.timed_out.get_or_create(&label(why)).get()
    }

    pub(crate) fn on_timeout(&self, why: Expiry) {
        self.timed_out.get_or_create(&label(why)).inc();
    }
}

fn label(why: Expiry) -> ReasonLabel {
    ReasonLabel {
        reason: why.label().into(),
    }
}
