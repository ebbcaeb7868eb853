//! Serves the HTTP gateway (`ebl-gateway`) of this node and its `GET /metrics` on a TCP
//! address, with graceful shutdown.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use ebl_gateway::{ApiKey, GatewayConfig, Scope};
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::api::GatewayBridge;
use crate::handle::NodeHandle;
use crate::tls::TlsSettings;
use tokio_rustls::TlsAcceptor;

/// `[api]` of `config.toml`: where the gateway listens and which keys it accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiSection {
    /// Listen address, e.g. `127.0.0.1:8080`.
    pub listen_addr: String,
    /// Accepted keys (only their SHA-256 is stored).
    #[serde(default)]
    pub keys: Vec<ApiKeyEntry>,
    /// Custodial signing keys (ADR 0012); no custodial routes when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custody: Option<crate::custody::CustodySection>,
    /// HTTPS, and member mTLS with a client CA (`[api.tls]`); plain HTTP when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<crate::tls::TlsSection>,
    /// Per-key token bucket (`[api.rate_limit]`); the gateway's default (burst 50, 20/s) when
    /// absent. A load test or a busy member gateway raises it (ADR 0021).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimitSection>,
    /// DCSA directory and issuance-response callbacks (`[api.dcsa]`, ADR 0013); the gateway's
    /// defaults when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dcsa: Option<crate::api_dcsa::DcsaSection>,
}

/// `[api.rate_limit]`: every API key's token bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitSection {
    /// Requests a key may make at once.
    pub burst: u32,
    /// Tokens added per second.
    pub per_second: u32,
}

/// One API key of `[api]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyEntry {
    /// Who holds it.
    pub name: String,
    /// SHA-256 of the secret, 64 hex digits.
    pub sha256: String,
    /// `read`, `submit`, `custodial`, `admin`.
    pub scopes: Vec<String>,
    /// Custodial identity (a name in the node keystore) the key acts as (ADR 0012).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// Organisation a key without custody acts for, e.g. a bank's read-only system: it reads
    /// the document bodies of that organisation's eBLs (R160, ADR 0018).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
}

impl ApiSection {
    /// The gateway configuration these keys give (default limits).
    pub fn gateway_config(&self) -> anyhow::Result<GatewayConfig> {
        let keys = self
            .keys
            .iter()
            .map(|k| {
                let mut hash = [0u8; 32];
                hex::decode_to_slice(&k.sha256, &mut hash).with_context(|| {
                    format!("api key `{}`: sha256 is not 64 hex digits", k.name)
                })?;
                let scopes = k
                    .scopes
                    .iter()
                    .map(|s| parse_scope(s).with_context(|| format!("api key `{}`", k.name)))
                    .collect::<anyhow::Result<Vec<_>>>()?;
                let org = k
                    .org
                    .as_deref()
                    .map(ebl_ledger::ids::OrgId::new)
                    .transpose()
                    .map_err(|e| anyhow::anyhow!("api key `{}`: org: {e}", k.name))?;
                Ok(ApiKey {
                    name: k.name.clone(),
                    secret_sha256: hash,
                    scopes,
                    identity: k.identity.clone(),
                    org,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let mut config = GatewayConfig::with_keys(keys);
        if let Some(limit) = self.rate_limit {
            if limit.per_second == 0 || limit.burst == 0 {
                anyhow::bail!("[api.rate_limit]: burst and per_second must be positive");
            }
            config.rate_limit = ebl_gateway::config::RateLimit {
                burst: limit.burst,
                per_second: f64::from(limit.per_second),
            };
        }
        Ok(config)
    }

    /// A section with one admin key for `secret`.
    pub fn with_admin_key(listen_addr: &str, secret: &str) -> Self {
        ApiSection {
            listen_addr: listen_addr.to_string(),
            keys: vec![ApiKeyEntry {
                name: "admin".into(),
                sha256: hex::encode(ebl_gateway::config::hash_secret(secret)),
                scopes: vec!["admin".into()],
                identity: None,
                org: None,
            }],
            custody: None,
            tls: None,
            rate_limit: None,
            dcsa: None,
        }
    }
}

fn parse_scope(text: &str) -> anyhow::Result<Scope> {
    Ok(match text {
        "read" => Scope::Read,
        "submit" => Scope::Submit,
        "custodial" => Scope::Custodial,
        "admin" => Scope::Admin,
        other => anyhow::bail!("unknown scope `{other}` (read, submit, custodial, admin)"),
    })
}

/// What [`ApiServer::start_with`] adds to a plain gateway.
#[derive(Debug, Default)]
pub struct ServeOptions {
    /// Unlocked custodial keys (see [`crate::custody::unlock`]); none: custodial routes 503.
    pub custodial_keys: Vec<crate::custody::HeldKey>,
    /// Where API keys made over `/v1/admin/api-keys` persist (hashed); none: memory only.
    pub api_key_file: Option<std::path::PathBuf>,
    /// HTTPS, with member mTLS when it has client roots; none: plain HTTP.
    pub tls: Option<TlsSettings>,
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
        let custodian: Option<Arc<dyn ebl_gateway::custody::Custodian>> =
            if options.custodial_keys.is_empty() {
                None
            } else {
                let chain = handle.status().await?.ledger.chain;
                Some(Arc::new(crate::custody::NodeCustodian::new(
                    bridge.clone(),
                    chain,
                    options.custodial_keys,
                )))
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
        let task = match tls {
            None => tokio::spawn(async move {
                // The peer address feeds the public routes' per-client rate limits.
                let service = router.into_make_service_with_connect_info::<SocketAddr>();
                axum::serve(listener, service)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await
            }),
            Some(tls) => {
                let acceptor = TlsAcceptor::from(Arc::new(tls.server_config()?));
                let router = router.layer(axum::middleware::from_fn_with_state(
                    reads,
                    crate::tls::member_gate,
                ));
                tokio::spawn(crate::tls_serve::serve(listener, acceptor, router, stopped))
            }
        };
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
