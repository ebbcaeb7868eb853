//! Serves the HTTP gateway (`ebl-gateway`) of this node and its `GET /metrics` on a TCP
//! address, within the edge's bounds ([`crate::edge`], R200–R202), with graceful shutdown.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use ebl_gateway::GatewayConfig;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use crate::api::GatewayBridge;
pub use crate::api_config::{ApiKeyEntry, ApiSection, RateLimitSection, WebhooksSection};
use crate::edge::EdgeLimits;
use crate::handle::NodeHandle;
use crate::tls::TlsSettings;

/// What [`ApiServer::start_with`] adds to a plain gateway.
#[derive(Debug, Default)]
pub struct ServeOptions {
    /// Unlocked custodial keys (see [`crate::custody::unlock`]); none: custodial routes 503.
    pub custodial_keys: Vec<crate::custody::HeldKey>,
    /// Where API keys made over `/v1/admin/api-keys` persist (hashed); none: memory only.
    pub api_key_file: Option<std::path::PathBuf>,
    /// HTTPS, with member mTLS when it has client roots; none: plain HTTP.
    pub tls: Option<TlsSettings>,
    /// R201, R202: connection cap and timeouts ([`ApiSection::edge_limits`]).
    pub limits: EdgeLimits,
    /// R250: the custodial journal (every custodially signed entry, synced before it is
    /// submitted, replayed at start); none: a crash loses custodial entries still pending.
    pub custody_journal: Option<std::path::PathBuf>,
}

/// A running gateway server.
#[derive(Debug)]
pub struct ApiServer {
    /// The bound address (useful with port 0).
    pub addr: SocketAddr,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

impl ApiServer {
    /// Binds `addr` and serves the gateway over `handle` until [`ApiServer::stop`].
    pub async fn start(
        handle: NodeHandle,
        addr: &str,
        config: GatewayConfig,
    ) -> anyhow::Result<ApiServer> {
        Self::start_with(handle, addr, config, ServeOptions::default()).await
    }

    /// [`ApiServer::start`] with custodial keys and a file for managed API keys (ADR 0012), over
    /// TLS when `options.tls` is set (ADR 0014).
    pub async fn start_with(
        handle: NodeHandle,
        addr: &str,
        config: GatewayConfig,
        options: ServeOptions,
    ) -> anyhow::Result<ApiServer> {
        let tls = options.tls;
        // R143 (b): the custodial keys also prove body requests for their organisations.
        let bridge: Arc<dyn ebl_gateway::NodeApi> =
            Arc::new(GatewayBridge::new(handle.clone()).with_party_keys(&options.custodial_keys));
        let custodian: Option<Arc<dyn ebl_gateway::custody::Custodian>> = if options
            .custodial_keys
            .is_empty()
        {
            None
        } else {
            let chain = handle.status().await?.ledger.chain;
            let custodian =
                crate::custody::NodeCustodian::new(bridge.clone(), chain, options.custodial_keys);
            Some(Arc::new(match &options.custody_journal {
                None => custodian,
                Some(path) => replay_journal(custodian, path).await?,
            }))
        };
        let static_keys = config.api_keys.values().cloned();
        let registry = match options.api_key_file {
            Some(file) => ebl_gateway::admin::ApiKeyRegistry::open(static_keys, file)?,
            None => ebl_gateway::admin::ApiKeyRegistry::in_memory(static_keys),
        };
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("bind the gateway on {addr}"))?;
        let addr = listener.local_addr()?;
        // `/metrics` sits beside the gateway's routes, outside its key checks (see metrics).
        let metrics = crate::metrics::router(handle.clone());
        let reads = handle.committed().clone();
        let router =
            ebl_gateway::router_with_registry(bridge, custodian, Arc::new(registry), config)
                .merge(metrics);
        let (shutdown, stopped) = oneshot::channel::<()>();
        let (router, acceptor) = match tls {
            None => (router, None),
            Some(tls) => {
                let acceptor = TlsAcceptor::from(Arc::new(tls.server_config()?));
                let gate = axum::middleware::from_fn_with_state(reads, crate::tls::member_gate);
                (router.layer(gate), Some(acceptor))
            }
        };
        let metrics = handle.metrics().edge().clone();
        let limits = options.limits;
        let task = tokio::spawn(crate::edge::serve(
            listener, acceptor, router, limits, metrics, stopped,
        ));
        tracing::info!(%addr, "gateway listening");
        Ok(ApiServer {
            addr,
            shutdown,
            task,
        })
    }

    /// Stops accepting requests and waits for those in flight.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.shutdown.send(());
        self.task
            .await
            .context("gateway task")?
            .context("gateway server")
    }
}

/// R250: opens the custodial journal at `path`, resubmits what it holds that the ledger has not
/// decided, and returns the custodian writing to it. Runs before the gateway listens, so no new
/// custodial entry can take a sequence a journaled one needs.
async fn replay_journal(
    custodian: crate::custody::NodeCustodian,
    path: &std::path::Path,
) -> anyhow::Result<crate::custody::NodeCustodian> {
    let (journal, found) = ebl_gateway::custody_journal::CustodyJournal::open(path)
        .with_context(|| format!("open the custodial journal {}", path.display()))?;
    let custodian = custodian.with_journal(journal);
    if !found.is_empty() {
        let report = custodian
            .replay(found)
            .await
            .map_err(|e| anyhow::anyhow!("replay the custodial journal: {e}"))?;
        tracing::info!(
            settled = report.settled,
            pending = report.pending,
            refused = report.refused,
            "custodial journal replayed"
        );
    }
    Ok(custodian)
}
