//! Series of the node's entry intake (R182–R184): what it answered before any signature work,
//! and how many signatures it handed on to be verified.

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;

use super::CodeLabel;

/// Handles into the intake's series.
#[derive(Clone, Debug, Default)]
pub struct IntakeMetrics {
    signature_checks: Counter,
    refused: Family<CodeLabel, Counter>,
}

impl IntakeMetrics {
    /// Registers the series in `registry`.
    pub fn register(registry: &mut Registry) -> Self {
        let metrics = IntakeMetrics::default();
        registry.register(
            "intake_signature_checks",
            "Entries whose signature the intake (handle, gossip) handed on to verification",
            metrics.signature_checks.clone(),
        );
        registry.register(
            "intake_refused",
            "Entries answered before any signature work (R182-R184), by code",
            metrics.refused.clone(),
        );
        metrics
    }

    /// `n` entries go on to signature verification.
    pub fn on_signature_checks(&self, n: usize) {
        self.signature_checks.inc_by(n as u64);
    }

    /// An entry was answered with `code` before any signature work.
    pub fn on_refused(&self, code: &str) {
        self.refused
            .get_or_create(&CodeLabel {
                code: code.to_string(),
            })
            .inc();
    }

    /// Entries handed on to signature verification so far.
    pub fn signature_checks(&self) -> u64 {
        self.signature_checks.get()
    }
}
