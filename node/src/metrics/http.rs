//! `GET /metrics`: the registry in the OpenMetrics text format. Public, like the gateway's
//! `/health` (it reveals counts and timings, no entry or party data); put it behind the
//! operator's network policy if that is too much.

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use malachite::NetworkRequest;

use super::NodeMetrics;
use crate::handle::NodeHandle;

/// Content type: `prometheus-client` writes the OpenMetrics text format, which Prometheus
/// scrapes natively (the classic text format plus a final `# EOF`).
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// A router with only `GET /metrics`, to merge with the gateway's.
pub fn router(handle: NodeHandle) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(handle)
}

async fn scrape(State(handle): State<NodeHandle>) -> impl IntoResponse {
    let metrics: &NodeMetrics = handle.metrics();
    if let Ok(Some(dump)) = NetworkRequest::dump_state(&handle.network).await {
        metrics.set_peers(dump.peers.len());
    }
    metrics.sync_regulator_reads();
    // R473: a few RocksDB property reads, no I/O.
    match handle.reads.store().family_sizes() {
        Ok(sizes) => metrics.set_storage(&sizes),
        Err(e) => tracing::warn!(error = %e, "cannot read the store's column family sizes"),
    }
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], metrics.encode())
}
