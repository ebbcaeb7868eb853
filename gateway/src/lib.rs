//! HTTP gateway for legacy systems: REST/JSON queries, entry submission, verification and
//! offline proofs over a node's [`NodeApi`].
//!
//! # Design
//!
//! - The gateway never depends on the node: it defines [`NodeApi`] (object-safe, boxed futures)
//!   and the node implements it and mounts [`router`]. Decisions in ADR 0009.
//! - Every route is under `/v1` and described in `specs/openapi.yaml`, served as JSON at
//!   `/v1/openapi.json`; a test checks that the router and the spec name the same routes.
//! - Errors are RFC 9457 problem+json with stable codes ([`error::ApiError`]); client mistakes
//!   are 4xx, internal errors are logged and returned as a bare 500.
//! - Access by API key with scopes (`read`, `submit`, `custodial`, `admin`, `regulator`) and a
//!   per-key token bucket; `/health`, `/ready` and `/v1/openapi.json` are public.
//! - An eBL's title (holder, endorsee, nominee, history, receipts, proof, chain, events) goes
//!   to its parties, to organisations a party granted `READ_TITLE` and to `regulator` keys
//!   (each read logged); everyone else gets 404 as for an unknown bill ([`privacy`], R230–R238,
//!   ADR 0031).
//! - "Final" is reported only when the node says so; submission is idempotent by entry id.
//! - `POST /v1/entries/batch` takes up to 1,000 entries in one request: decoded all or nothing,
//!   one rate-limit token per entry, one [`NodeApi::submit_batch`] call, one result per entry
//!   (R164–R169, ADR 0024).
//! - Document bodies (DCSA TransportDocuments) stay off the ledger: served to and stored by the
//!   document's parties only, by the caller's organisation ([`auth::Caller::org`]); bodies of
//!   documents the gateway issues are stored once final ([`bodies`], ADR 0018).
//! - DCSA PINT 3.0 (bills moving to and from other eBL platforms): [`pint`] is the pure protocol
//!   library (envelope checks R300–R316, what we sign R317, history mapping R318, trust R319,
//!   ADR 0036); keys are configuration by platform code, never taken from a message.
//! - Feature `testkit` adds [`testkit::LocalNode`], a TEST DOUBLE for tests of the gateway and
//!   its clients: a real ledger in memory with no consensus. It is not a node; never ship it.
//!
//! # Example
//!
//! ```ignore
//! let app = ebl_gateway::router(node, GatewayConfig::with_keys([key]));
//! axum::serve(listener, app).await?;
//! ```

pub mod admin;
pub(crate) mod admin_routes;
pub mod auth;
pub mod bodies;
pub mod config;
pub mod custody;
pub mod custody_journal;
pub mod custody_sequenced;
pub mod dcsa;
pub mod dto;
pub mod dto_attest;
pub mod dto_custodial;
pub mod dto_custodial_attest;
pub mod dto_custodial_records;
pub mod error;
pub mod events;
pub mod extract;
#[cfg(feature = "fuzzing")]
pub mod fuzz_checks;
pub mod i18n;
pub mod node;
pub mod openapi;
pub mod pint;
pub mod platform;
pub mod privacy;
pub mod ratelimit;
pub(crate) mod records;
pub(crate) mod routes;
pub mod streams;
#[cfg(feature = "testkit")]
pub mod testkit;
#[cfg(feature = "testkit")]
pub mod testkit_custody;
pub mod verify;
pub mod webhooks;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;

pub use config::{ApiKey, GatewayConfig, RateLimit, Scope};
pub use node::{ChainStatus, EntryStatus, NodeApi, NodeError, ProvenRecord, SubmitOutcome};
pub use routes::route_table;

/// What every handler gets.
#[derive(Clone)]
pub struct AppState {
    /// The node.
    pub node: Arc<dyn NodeApi>,
    /// Configuration.
    pub config: Arc<GatewayConfig>,
    /// Per-key buckets.
    pub limiter: Arc<ratelimit::RateLimiter>,
    /// Webhook deliveries (and the task, kept alive as long as the router).
    pub webhooks: Option<Arc<webhooks::WebhookHandle>>,
    /// Custodial signing, when the node holds keys for organisations.
    pub custodian: Option<Arc<dyn custody::Custodian>>,
    /// What the DCSA endpoints remember (issuance verdicts).
    pub dcsa: Arc<dcsa::store::DcsaStore>,
    /// Accepted API keys: the configuration's plus those managed at run time (ADR 0012).
    pub api_keys: Arc<admin::ApiKeyRegistry>,
    /// Permits of the document bodies waiting for their ISSUE to become final (R162).
    pub body_stores: Arc<tokio::sync::Semaphore>,
    /// DCSA issuance-response callbacks to carriers (ISS 3.0.4).
    pub dcsa_callbacks: Arc<dcsa::callback::Callbacks>,
    /// R203: the open event streams, per client and in total.
    pub streams: Arc<streams::StreamSlots>,
    /// R245: the running DCSA SUR calls to carriers (stopped when the router is dropped).
    pub surrender_calls: Arc<Vec<webhooks::DerivedHandle>>,
    /// DCSA PINT: this network as a platform, when configured.
    pub pint: Option<Arc<platform::Platform>>,
    /// R331: the PINT sender (aborted when the last clone of the state is dropped).
    pub pint_sender: Option<Arc<AbortOnDrop>>,
}

/// Aborts a background task when dropped (the PINT sender stops with its router).
#[derive(Debug)]
pub struct AbortOnDrop(pub tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").finish_non_exhaustive()
    }
}

/// Deliveries kept in the webhook log.
const DELIVERY_LOG_SIZE: usize = 1000;

/// The gateway's router over `node`. With webhooks configured it must be called inside a tokio
/// runtime; delivery stops when the last clone of the router is dropped.
pub fn router(node: Arc<dyn NodeApi>, config: GatewayConfig) -> Router {
    router_with_custodian(node, None, config)
}

/// [`router`] with custodial signing: routes that sign on an organisation's behalf use
/// `custodian` (without one they answer 503).
pub fn router_with_custodian(
    node: Arc<dyn NodeApi>,
    custodian: Option<Arc<dyn custody::Custodian>>,
    config: GatewayConfig,
) -> Router {
    let registry = admin::ApiKeyRegistry::in_memory(config.api_keys.values().cloned());
    router_with_registry(node, custodian, Arc::new(registry), config)
}

/// [`router_with_custodian`] whose keys come from `api_keys` (built by the caller, e.g. with
/// [`admin::ApiKeyRegistry::open`] so that managed keys persist); `config.api_keys` is then
/// not consulted.
pub fn router_with_registry(
    node: Arc<dyn NodeApi>,
    custodian: Option<Arc<dyn custody::Custodian>>,
    api_keys: Arc<admin::ApiKeyRegistry>,
    config: GatewayConfig,
) -> Router {
    // Keys may be added at run time: size the limiter for the registry's bound.
    let max_keys = admin::MAX_KEYS;
    let limiter = ratelimit::RateLimiter::new(config.rate_limit, max_keys);
    let body_limit = config.body_limit;
    // Deliveries need a tokio runtime; without one there is no task (and the webhook routes
    // answer 503).
    let webhooks = tokio::runtime::Handle::try_current().is_ok().then(|| {
        let log = Arc::new(webhooks::DeliveryLog::new(DELIVERY_LOG_SIZE));
        webhooks::spawn(
            node.clone(),
            config.webhooks.clone(),
            config.webhook_retry,
            log,
            config.webhook_state_dir.clone(),
            config.webhook_targets.clone(),
        )
    });
    let webhooks = match webhooks {
        Some(Ok(handle)) => Some(Arc::new(handle)),
        Some(Err(e)) => {
            tracing::error!(error = %e, "webhooks disabled");
            None
        }
        None => None,
    };
    let dcsa = match &config.dcsa_journal {
        None => dcsa::store::DcsaStore::new(config.dcsa.memory),
        Some(path) => dcsa::store::DcsaStore::open(config.dcsa.memory, path).unwrap_or_else(|e| {
            tracing::error!(error = %e, path = %path.display(),
                "DCSA journal unusable; remembering DCSA exchanges in memory only");
            dcsa::store::DcsaStore::new(config.dcsa.memory)
        }),
    };
    let dcsa = Arc::new(dcsa);
    let dcsa_callbacks = Arc::new(dcsa::callback::Callbacks::new(config.webhook_retry));
    let streams = Arc::new(streams::StreamSlots::new(config.streams));
    let mut state = AppState {
        node,
        dcsa,
        config: Arc::new(config),
        limiter: Arc::new(limiter),
        webhooks,
        custodian,
        api_keys,
        body_stores: Arc::new(tokio::sync::Semaphore::new(bodies::MAX_PENDING_STORES)),
        dcsa_callbacks,
        streams,
        surrender_calls: Arc::new(Vec::new()),
        pint: None,
        pint_sender: None,
    };
    if let Some(settings) = &state.config.pint {
        match platform::Platform::open(settings, &state.config.dcsa.platform) {
            Ok(edge) => state.pint = Some(Arc::new(edge)),
            Err(e) => tracing::error!(error = %e, "DCSA PINT disabled"),
        }
    }
    // The calls hold a clone of the state without themselves, so dropping the router stops them.
    if tokio::runtime::Handle::try_current().is_ok() {
        state.surrender_calls = Arc::new(dcsa::surrender_call::spawn(&state));
        if let Some(edge) = state.pint.clone() {
            // The sender holds a state without itself, so dropping the router stops it.
            let task = platform::outbox::spawn(state.clone(), edge);
            state.pint_sender = Some(Arc::new(AbortOnDrop(task)));
        }
    }
    routes::build(state)
        .layer(DefaultBodyLimit::max(body_limit))
        // Logs each request's method, path, status and latency (never bodies or keys).
        .layer(tower_http::trace::TraceLayer::new_for_http())
}
