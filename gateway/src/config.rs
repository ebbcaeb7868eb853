//! Gateway configuration, passed in by the node: API keys (stored as SHA-256 hashes), limits.

use std::collections::BTreeMap;
use std::time::Duration;

use sha2::{Digest, Sha256};

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// Queries, verification and proofs.
    Read,
    /// Submitting signed entries.
    Submit,
    /// Custodial signing: the node signs for the custodial identity the key is bound to
    /// (ADR 0012).
    Custodial,
    /// Everything, including administration, except [`Scope::Regulator`].
    Admin,
    /// R235: reads the title of every eBL (holder, endorsee, history, events), each read
    /// logged; never implied by another scope, `admin` included (ADR 0031).
    Regulator,
    /// R325: another eBL platform sending envelopes by DCSA PINT (`/v3/envelopes…`,
    /// `/v3/receiver-validation`).
    Pint,
}

impl Scope {
    /// The scope's name in configuration and errors.
    pub fn name(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Submit => "submit",
            Scope::Custodial => "custodial",
            Scope::Admin => "admin",
            Scope::Regulator => "regulator",
            Scope::Pint => "pint",
        }
    }

    /// Parses a scope name.
    pub fn from_name(name: &str) -> Option<Scope> {
        [
            Scope::Read,
            Scope::Submit,
            Scope::Custodial,
            Scope::Admin,
            Scope::Regulator,
            Scope::Pint,
        ]
        .into_iter()
        .find(|s| s.name() == name)
    }
}

/// One API key: a name for logs, the SHA-256 of the secret and its scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// Who holds the key (logged, never the secret).
    pub name: String,
    /// SHA-256 of the secret as sent by the client.
    pub secret_sha256: [u8; 32],
    /// Scopes; `Admin` implies every other scope but `Regulator` (R235).
    pub scopes: Vec<Scope>,
    /// The custodial identity (node keystore name) this key acts as; custodial routes need one
    /// (ADR 0012).
    pub identity: Option<String>,
    /// The organisation a key without custody acts for (e.g. a bank's read-only trade-finance
    /// system): it reads the document bodies of that organisation's documents (R160, ADR 0018).
    /// A key bound to an `identity` acts for the identity's organisation instead.
    pub org: Option<ebl_ledger::ids::OrgId>,
}

impl ApiKey {
    /// A key from its clear secret (for tests and provisioning tools; configs store the hash).
    pub fn from_secret(name: &str, secret: &str, scopes: &[Scope]) -> Self {
        ApiKey {
            name: name.into(),
            secret_sha256: hash_secret(secret),
            scopes: scopes.to_vec(),
            identity: None,
            org: None,
        }
    }

    /// The same key bound to custodial identity `identity` (ADR 0012).
    pub fn with_identity(mut self, identity: &str) -> Self {
        self.identity = Some(identity.into());
        self
    }

    /// The same key bound to organisation `org` without custody (R160, ADR 0018).
    pub fn with_org(mut self, org: ebl_ledger::ids::OrgId) -> Self {
        self.org = Some(org);
        self
    }

    /// Whether the key has `scope`. R235: the regulator's full read is only ever given by
    /// name, so a member holding a gateway's admin key does not read every title.
    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
            || (scope != Scope::Regulator && self.scopes.contains(&Scope::Admin))
    }
}

/// SHA-256 of an API key secret.
pub fn hash_secret(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Token bucket per key.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Requests a key may make at once.
    pub burst: u32,
    /// Tokens added per second.
    pub per_second: f64,
}

/// Everything the gateway is configured with.
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    /// Accepted keys, by SHA-256 of the secret.
    pub api_keys: BTreeMap<[u8; 32], ApiKey>,
    /// Per-key rate limit.
    pub rate_limit: RateLimit,
    /// Largest request body (413 above).
    pub body_limit: usize,
    /// Longest a request may take (including `?wait=final`).
    pub request_timeout: Duration,
    /// Longest `?wait=final` may wait.
    pub max_wait: Duration,
    /// Largest number of records a list or scan returns.
    pub max_list: usize,
    /// Webhook targets (none by default); delivered by a task started with the router.
    pub webhooks: Vec<crate::webhooks::WebhookConfig>,
    /// Webhook retry schedule.
    pub webhook_retry: crate::webhooks::RetryPolicy,
    /// R204: which addresses webhook receivers may have (none private by default).
    pub webhook_targets: crate::webhooks::TargetPolicy,
    /// R203: most event streams per client and in total.
    pub streams: crate::streams::StreamLimits,
    /// Folder keeping webhook subscriptions made through the API and every subscription's
    /// delivery cursor, so deliveries resume after a restart; in memory when `None`.
    pub webhook_state_dir: Option<std::path::PathBuf>,
    /// Journal of the DCSA memory (BREQ/REFU verdicts, surrender request references), so it
    /// survives a restart; in memory when `None`.
    pub dcsa_journal: Option<std::path::PathBuf>,
    /// Base URL of the public verification page, without a trailing slash; QR codes point to
    /// `{public_base_url}/?ebl=<id>` or `/?cert=<administration>/<utn>`.
    pub public_base_url: String,
    /// DCSA endpoints: key bindings to custodial identities, party directory (ADR 0013).
    pub dcsa: crate::dcsa::DcsaConfig,
    /// DCSA PINT: this network as a platform (ADR 0036); off when `None`.
    pub pint: Option<crate::platform::PintSettings>,
}

impl GatewayConfig {
    /// A configuration with these keys and the default limits.
    pub fn with_keys(keys: impl IntoIterator<Item = ApiKey>) -> Self {
        GatewayConfig {
            api_keys: keys.into_iter().map(|k| (k.secret_sha256, k)).collect(),
            ..GatewayConfig::default()
        }
    }
}

impl Default for GatewayConfig {
    fn default() -> Self {
        GatewayConfig {
            api_keys: BTreeMap::new(),
            rate_limit: RateLimit {
                burst: 50,
                per_second: 20.0,
            },
            body_limit: 256 * 1024,
            request_timeout: Duration::from_secs(35),
            max_wait: Duration::from_secs(30),
            max_list: 1000,
            webhooks: Vec::new(),
            webhook_retry: crate::webhooks::RetryPolicy::default(),
            webhook_targets: crate::webhooks::TargetPolicy::default(),
            streams: crate::streams::StreamLimits::default(),
            webhook_state_dir: None,
            dcsa_journal: None,
            public_base_url: "http://127.0.0.1:8080".into(),
            dcsa: crate::dcsa::DcsaConfig::default(),
            pint: None,
        }
    }
}
