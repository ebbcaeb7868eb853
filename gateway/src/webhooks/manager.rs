//! The running webhook subscriptions: start, add, remove (see the module docs of `webhooks`).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use rand::RngCore as _;
use sha2::{Digest as _, Sha256};
use tokio::task::JoinHandle;

use super::log::DeliveryLog;
use super::store::{Store, Subscription};
use super::target::{TargetError, TargetPolicy, check_url_target};
use super::worker::Worker;
use super::{RetryPolicy, WebhookConfig, client};
use crate::events::Filter;
use crate::node::NodeApi;

/// Most subscriptions managed through the API.
pub const MAX_MANAGED: usize = 100;
/// Longest receiver URL.
const MAX_URL: usize = 2048;
/// Shortest caller-chosen secret.
const MIN_SECRET: usize = 16;

/// Why a subscription could not be added or removed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// Not an absolute `http://` or `https://` URL with a host.
    #[error("the webhook URL must be an absolute http:// or https:// URL: {0}")]
    InvalidUrl(String),
    /// The secret is too short.
    #[error("a webhook secret must have at least {MIN_SECRET} characters")]
    WeakSecret,
    /// R204: the host is, or resolves to, an address webhooks may not reach.
    #[error(
        "webhooks may not be delivered to {address} ({range} address); the operator can allow \
         it with [api.webhooks] allowed_target_cidrs or allow_private_targets"
    )]
    TargetForbidden {
        /// The refused address.
        address: std::net::IpAddr,
        /// Its range's name.
        range: &'static str,
    },
    /// R204: the host resolves to no address, so it cannot be checked.
    #[error("the webhook host does not resolve: {0}")]
    TargetUnresolvable(String),
    /// [`MAX_MANAGED`] reached.
    #[error("at most {MAX_MANAGED} webhooks can be managed through the API")]
    TooMany,
    /// No such subscription.
    #[error("no webhook with id `{0}`")]
    Unknown(String),
    /// Configured in the node's configuration, not deletable through the API.
    #[error("webhook `{0}` is configured by the operator; remove it from the configuration")]
    Configured(String),
    /// The node did not answer.
    #[error("{0}")]
    Node(crate::node::NodeError),
    /// The state folder could not be written.
    #[error("could not save webhooks: {0}")]
    Storage(String),
}

impl WebhookError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            WebhookError::InvalidUrl(_) => "INVALID_WEBHOOK_URL",
            WebhookError::WeakSecret => "WEAK_WEBHOOK_SECRET",
            WebhookError::TargetForbidden { .. } => "WEBHOOK_TARGET_FORBIDDEN",
            WebhookError::TargetUnresolvable(_) => "WEBHOOK_TARGET_UNRESOLVABLE",
            WebhookError::TooMany => "TOO_MANY_WEBHOOKS",
            WebhookError::Unknown(_) => "UNKNOWN_WEBHOOK",
            WebhookError::Configured(_) => "CONFIGURED_WEBHOOK",
            WebhookError::Node(_) => "NODE_UNAVAILABLE",
            WebhookError::Storage(_) => "WEBHOOK_STORAGE",
        }
    }
}

struct Running {
    subscription: Subscription,
    task: JoinHandle<()>,
}

/// The running subscriptions; dropping it stops every task.
pub struct WebhookHandle {
    node: Arc<dyn NodeApi>,
    retry: RetryPolicy,
    /// The delivery log.
    pub log: Arc<DeliveryLog>,
    store: Store,
    agent: ureq::Agent,
    targets: TargetPolicy,
    running: Mutex<BTreeMap<String, Running>>,
}

impl std::fmt::Debug for WebhookHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookHandle").finish_non_exhaustive()
    }
}

impl Drop for WebhookHandle {
    fn drop(&mut self) {
        for running in self.lock().values() {
            running.task.abort();
        }
    }
}

/// Starts the configured subscriptions (`hooks`) and those saved in `state_dir`, each from its
/// saved cursor (needs a tokio runtime). Every delivery, of these too, reaches only the
/// addresses `targets` permits (R204).
pub fn spawn(
    node: Arc<dyn NodeApi>,
    hooks: Vec<WebhookConfig>,
    retry: RetryPolicy,
    log: Arc<DeliveryLog>,
    state_dir: Option<PathBuf>,
    targets: TargetPolicy,
) -> Result<WebhookHandle, WebhookError> {
    let storage = |e: std::io::Error| WebhookError::Storage(e.to_string());
    let store = Store::open(state_dir).map_err(storage)?;
    let handle = WebhookHandle {
        node,
        retry,
        log,
        store: store.clone(),
        agent: client::guarded_agent(targets.clone()),
        targets,
        running: Mutex::new(BTreeMap::new()),
    };
    for hook in hooks {
        let digest = Sha256::digest(format!("{}\n{:?}", hook.url, hook.filter).as_bytes());
        handle.start(Subscription {
            id: format!("config-{}", hex::encode(&digest[..8])),
            url: hook.url,
            secret: hook.secret,
            filter: hook.filter,
            managed: false,
            reader: hook.reader,
        });
    }
    for subscription in store.load().map_err(storage)? {
        handle.start(subscription);
    }
    Ok(handle)
}

impl WebhookHandle {
    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, Running>> {
        self.running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn start(&self, subscription: Subscription) {
        let worker = Worker {
            node: self.node.clone(),
            subscription: subscription.clone(),
            retry: self.retry,
            log: self.log.clone(),
            store: self.store.clone(),
            agent: self.agent.clone(),
            blocks: Some(self.node.subscribe()),
            start: None,
            derive: None,
        };
        let task = tokio::spawn(worker.run());
        let id = subscription.id.clone();
        if let Some(old) = self.lock().insert(id, Running { subscription, task }) {
            old.task.abort();
        }
    }

    /// Every subscription, configured first, by id.
    pub fn list(&self) -> Vec<Subscription> {
        let mut all: Vec<Subscription> = self
            .lock()
            .values()
            .map(|r| r.subscription.clone())
            .collect();
        all.sort_by_key(|s| (s.managed, s.id.clone()));
        all
    }

    /// The last event subscription `id` finished (`(height, ordinal)`), if recorded.
    pub fn cursor(&self, id: &str) -> Option<(u64, u64)> {
        self.store.cursor(id)
    }

    /// Adds a managed subscription (with a generated secret when none is given); it receives
    /// the events of blocks final after the current head that `reader` may receive (R236).
    pub async fn add(
        &self,
        url: &str,
        secret: Option<String>,
        filter: Filter,
        reader: crate::privacy::Reader,
    ) -> Result<Subscription, WebhookError> {
        let parsed = check_url(url)?;
        let secret = match secret {
            Some(s) if s.chars().count() < MIN_SECRET => return Err(WebhookError::WeakSecret),
            Some(s) => s,
            None => format!("whsec_{}", random_hex()),
        };
        // R204: judged on every address the host has now; deliveries judge again.
        check_url_target(&parsed, &self.targets)
            .await
            .map_err(|e| match e {
                TargetError::Forbidden(address, range) => WebhookError::TargetForbidden {
                    address,
                    range: range.name(),
                },
                TargetError::Unresolvable(why) => WebhookError::TargetUnresolvable(why),
            })?;
        let subscription = Subscription {
            id: format!("wh_{}", &random_hex()[..24]),
            url: url.to_string(),
            secret,
            filter,
            managed: true,
            reader,
        };
        let mut managed: Vec<Subscription> =
            self.list().into_iter().filter(|s| s.managed).collect();
        if managed.len() >= MAX_MANAGED {
            return Err(WebhookError::TooMany);
        }
        // "From now on" is fixed before answering: an event final after the 201 is delivered
        // even if the task starts later.
        let head = self.node.status().await.map_err(WebhookError::Node)?.height;
        let storage = |e: std::io::Error| WebhookError::Storage(e.to_string());
        self.store
            .save_cursor(&subscription.id, (head, u64::MAX))
            .map_err(storage)?;
        managed.push(subscription.clone());
        self.store.save(&managed).map_err(storage)?;
        self.start(subscription.clone());
        Ok(subscription)
    }

    /// Stops and forgets a managed subscription.
    pub fn remove(&self, id: &str) -> Result<(), WebhookError> {
        let mut running = self.lock();
        match running.get(id) {
            None => return Err(WebhookError::Unknown(id.to_string())),
            Some(r) if !r.subscription.managed => {
                return Err(WebhookError::Configured(id.to_string()));
            }
            Some(_) => {}
        }
        let managed: Vec<Subscription> = running
            .values()
            .filter(|r| r.subscription.managed && r.subscription.id != id)
            .map(|r| r.subscription.clone())
            .collect();
        self.store
            .save(&managed)
            .map_err(|e| WebhookError::Storage(e.to_string()))?;
        if let Some(r) = running.remove(id) {
            r.task.abort();
        }
        drop(running);
        self.store.remove_cursor(id);
        Ok(())
    }
}

/// R204: an absolute `http(s)://` URL with a host and without credentials.
fn check_url(url: &str) -> Result<url::Url, WebhookError> {
    let bad = || WebhookError::InvalidUrl(url.chars().take(200).collect());
    if url.len() > MAX_URL {
        return Err(bad());
    }
    let parsed = url::Url::parse(url).map_err(|_| bad())?;
    let scheme_ok = matches!(parsed.scheme(), "http" | "https");
    let host_ok = parsed.host_str().is_some_and(|h| !h.is_empty());
    // Credentials in the URL would be logged with it; the HMAC secret authenticates instead.
    let no_credentials = parsed.username().is_empty() && parsed.password().is_none();
    if scheme_ok && host_ok && no_credentials {
        Ok(parsed)
    } else {
        Err(bad())
    }
}

fn random_hex() -> String {
    let mut bytes = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_and_https_urls_with_a_host_are_accepted() {
        assert!(check_url("http://127.0.0.1:9000/hook").is_ok());
        assert!(check_url("https://bank.example/ebl/events?x=1").is_ok());
    }

    #[test]
    fn other_schemes_relative_urls_and_credentials_are_refused() {
        for url in [
            "ftp://bank.example/hook",
            "/hook",
            "bank.example/hook",
            "http://user:pw@bank.example/hook",
            "https://user@bank.example/hook",
            "file:///etc/passwd",
            "gopher://127.0.0.1:6379/_INFO",
            "",
        ] {
            assert_eq!(
                check_url(url).map_err(|e| e.code()),
                Err("INVALID_WEBHOOK_URL"),
                "{url}"
            );
        }
        let long = format!("https://bank.example/{}", "a".repeat(MAX_URL));
        assert!(check_url(&long).is_err());
    }
}
