//! `[api]` of `config.toml`: where the gateway listens, which keys it accepts, and the bounds
//! of its network edge (R200–R204, specs/adr/0028-network-edges-and-build-features.md).

use std::time::Duration;

use anyhow::Context as _;
use ebl_gateway::{ApiKey, GatewayConfig, Scope};
use serde::{Deserialize, Serialize};

use crate::edge::EdgeLimits;

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
    /// DCSA PINT (`[api.pint]`, ADR 0036); this gateway is no PINT platform when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pint: Option<crate::api_pint::PintSection>,
    /// R201: connections served at once; more are closed at once.
    #[serde(default = "defaults::max_connections")]
    pub max_connections: usize,
    /// R202: seconds a client has for the TLS handshake and each request's head.
    #[serde(default = "defaults::header_read_timeout_secs")]
    pub header_read_timeout_secs: u64,
    /// R202: seconds a keep-alive connection may stay silent between requests.
    #[serde(default = "defaults::idle_timeout_secs")]
    pub idle_timeout_secs: u64,
    /// R203: event streams (`/v1/events`) one API key or member organisation may hold open.
    #[serde(default = "defaults::max_event_streams_per_client")]
    pub max_event_streams_per_client: usize,
    /// R203: event streams open on the whole gateway.
    #[serde(default = "defaults::max_event_streams")]
    pub max_event_streams: usize,
    /// R204: which webhook receivers beyond public addresses are allowed (`[api.webhooks]`);
    /// none when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhooks: Option<WebhooksSection>,
}

/// `[api.webhooks]`: R204 allowances for receivers on non-public addresses.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebhooksSection {
    /// Allow every address, loopback and cloud metadata included (a receiver on the operator's
    /// own machine or network; never on a node whose admin keys other members hold).
    pub allow_private_targets: bool,
    /// Networks allowed although not public, e.g. `["10.20.0.0/24"]`.
    pub allowed_target_cidrs: Vec<String>,
}

/// Defaults of the edge keys (also what `ebl-node init` writes).
mod defaults {
    use crate::edge::EdgeLimits;

    pub(super) fn max_connections() -> usize {
        EdgeLimits::default().max_connections
    }
    pub(super) fn header_read_timeout_secs() -> u64 {
        EdgeLimits::default().header_read_timeout.as_secs()
    }
    pub(super) fn idle_timeout_secs() -> u64 {
        EdgeLimits::default().idle_timeout.as_secs()
    }
    pub(super) fn max_event_streams_per_client() -> usize {
        ebl_gateway::streams::StreamLimits::default().per_client
    }
    pub(super) fn max_event_streams() -> usize {
        ebl_gateway::streams::StreamLimits::default().total
    }
}

/// Longest timeout the edge keys accept, in seconds (an hour).
const MAX_TIMEOUT_SECS: u64 = 3600;

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
    /// `read`, `submit`, `custodial`, `admin`, `regulator` (R235: reads every title, audited;
    /// never implied by `admin`).
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
    /// This section with the `EBL_NODE__API__...` variables of `vars` applied, as `ebl-node
    /// start` applies them to `config.toml` ([`crate::config_env`]); for `ebl-node dev`, whose
    /// section is built in code (e.g. `EBL_NODE__API__RATE_LIMIT__PER_SECOND=1000` for a load
    /// or conformance run). Variables of other sections are ignored here.
    pub fn with_env_overrides(
        self,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<Self> {
        let mut document = toml::Table::new();
        document.insert("api".into(), toml::Value::try_from(&self)?);
        let mut document = toml::Value::Table(document);
        let api_vars = vars
            .into_iter()
            .filter(|(name, _)| name.starts_with("EBL_NODE__API__"));
        crate::config_env::apply(&mut document, api_vars)?;
        let api = document
            .get("api")
            .cloned()
            .context("the [api] section disappeared")?;
        Ok(api.try_into()?)
    }

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
        if self.max_event_streams_per_client == 0 || self.max_event_streams == 0 {
            anyhow::bail!(
                "[api]: max_event_streams_per_client and max_event_streams must be positive"
            );
        }
        config.streams = ebl_gateway::streams::StreamLimits {
            per_client: self.max_event_streams_per_client,
            total: self.max_event_streams,
        };
        config.webhook_targets = self.webhook_targets()?;
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

    /// R204: the webhook target policy of `[api.webhooks]` (public addresses only without it).
    pub fn webhook_targets(&self) -> anyhow::Result<ebl_gateway::webhooks::TargetPolicy> {
        let Some(section) = &self.webhooks else {
            return Ok(ebl_gateway::webhooks::TargetPolicy::default());
        };
        let allowed = section
            .allowed_target_cidrs
            .iter()
            .map(|text| {
                text.parse().with_context(|| {
                    format!("[api.webhooks] allowed_target_cidrs: `{text}` is not a CIDR")
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(ebl_gateway::webhooks::TargetPolicy {
            allow_private: section.allow_private_targets,
            allowed,
        })
    }

    /// R201, R202: the bounds of the listener.
    pub fn edge_limits(&self) -> anyhow::Result<EdgeLimits> {
        if self.max_connections == 0 {
            anyhow::bail!("[api] max_connections must be positive");
        }
        let seconds = |key: &str, secs: u64| -> anyhow::Result<Duration> {
            if !(1..=MAX_TIMEOUT_SECS).contains(&secs) {
                anyhow::bail!("[api] {key} must be 1 to {MAX_TIMEOUT_SECS} seconds");
            }
            Ok(Duration::from_secs(secs))
        };
        Ok(EdgeLimits {
            max_connections: self.max_connections,
            header_read_timeout: seconds(
                "header_read_timeout_secs",
                self.header_read_timeout_secs,
            )?,
            idle_timeout: seconds("idle_timeout_secs", self.idle_timeout_secs)?,
        })
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
            pint: None,
            max_connections: defaults::max_connections(),
            header_read_timeout_secs: defaults::header_read_timeout_secs(),
            idle_timeout_secs: defaults::idle_timeout_secs(),
            max_event_streams_per_client: defaults::max_event_streams_per_client(),
            max_event_streams: defaults::max_event_streams(),
            webhooks: None,
        }
    }
}

fn parse_scope(text: &str) -> anyhow::Result<Scope> {
    Ok(match text {
        "read" => Scope::Read,
        "submit" => Scope::Submit,
        "custodial" => Scope::Custodial,
        "admin" => Scope::Admin,
        // R235: full read of every title, each read audited; never implied by `admin`.
        "regulator" => Scope::Regulator,
        other => {
            anyhow::bail!("unknown scope `{other}` (read, submit, custodial, admin, regulator)")
        }
    })
}

#[cfg(test)]
#[path = "api_config_tests.rs"]
mod tests;
