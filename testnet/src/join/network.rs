//! The running network as a joining partner and the members see it through the gateways: the
//! chain reference, submit keys, signing and submitting entries, and reading status.

use std::time::{Duration, Instant};

use ebl_ledger::entry::{Body, ChainRef, Entry, SignedEntry};
use ebl_ledger::hash::Hash32;
use ed25519_dalek::SigningKey;
use serde_json::{Value, json};

use crate::error::{Result, TestnetError};
use crate::http::{Client, Reply};
use crate::state::TestnetState;

/// How long a `?wait=final` submission may wait.
pub const WAIT_FINAL_MS: u64 = 20_000;

/// The network and a client.
#[derive(Debug)]
pub struct Network {
    /// The testnet (the joining node is added to it).
    pub state: TestnetState,
    /// HTTP client.
    pub client: Client,
    /// Chain id and genesis hash.
    pub chain: ChainRef,
    /// Per node, a key with the `submit` scope, made on first use.
    submit_keys: Vec<Option<String>>,
}

/// What a submission came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Final and applied at this height.
    Final(u64),
    /// Refused before a block (intake) or failed in one, with the ledger's code.
    Refused(String),
}

impl Network {
    /// The network of `state`, reading the chain reference from node 0.
    pub fn new(state: TestnetState) -> Result<Self> {
        let client = Client::new(Duration::from_millis(WAIT_FINAL_MS + 10_000));
        let status = get(&client, &state, 0, "/v1/status")?.body;
        let genesis_hash = status
            .get("genesis_hash")
            .and_then(Value::as_str)
            .and_then(Hash32::from_hex)
            .ok_or_else(|| {
                TestnetError::unexpected("join", format!("no genesis_hash in {status}"))
            })?;
        let chain = ChainRef {
            chain_id: state.chain_id.clone(),
            genesis_hash,
        };
        let submit_keys = vec![None; state.nodes.len()];
        Ok(Network {
            state,
            client,
            chain,
            submit_keys,
        })
    }

    /// `GET path` on node `node` with its admin key.
    pub fn get(&self, node: usize, path: &str) -> Result<Reply> {
        get(&self.client, &self.state, node, path)
    }

    /// The status of node `node`, when it answers.
    pub fn status(&self, node: usize) -> Option<Value> {
        self.get(node, "/v1/status")
            .ok()
            .filter(|r| r.status == 200)
            .map(|r| r.body)
    }

    /// The final height of node `node` (0 when it does not answer).
    pub fn height(&self, node: usize) -> u64 {
        self.status(node)
            .and_then(|s| s.get("height").and_then(Value::as_u64))
            .unwrap_or(0)
    }

    /// Signs `body` with `key` at its next sequence (as node `node` sees it).
    pub fn sign(&self, node: usize, key: &SigningKey, body: Body) -> Result<SignedEntry> {
        let public = hex::encode(key.verifying_key().as_bytes());
        let sequence = self
            .get(node, &format!("/v1/accounts/{public}/sequence"))?
            .body
            .get("next_sequence")
            .and_then(Value::as_u64)
            .ok_or_else(|| TestnetError::unexpected("join", "no next_sequence for the signer"))?;
        Ok(Entry {
            chain: self.chain.clone(),
            signer: key.verifying_key().into(),
            sequence,
            act_for: None,
            body,
            remark: None,
        }
        .sign(key))
    }

    /// Submits `entry` to node `node` and waits until it is final or refused.
    pub fn submit(&mut self, node: usize, entry: &SignedEntry) -> Result<Outcome> {
        let key = self.submit_key(node)?;
        let url = format!(
            "{}/v1/entries?wait=final&timeout_ms={WAIT_FINAL_MS}",
            self.node_url(node)?
        );
        let reply = self
            .client
            .post(&url, &key, &json!({"entry": hex::encode(entry.encode())}))?;
        outcome(&reply)
    }

    /// Signs `body` with `key` and submits it to node `node`.
    pub fn sign_and_submit(
        &mut self,
        node: usize,
        key: &SigningKey,
        body: Body,
    ) -> Result<Outcome> {
        let entry = self.sign(node, key, body)?;
        self.submit(node, &entry)
    }

    fn node_url(&self, node: usize) -> Result<String> {
        self.state
            .nodes
            .get(node)
            .map(|n| n.gateway_url.clone())
            .ok_or_else(|| TestnetError::Usage(format!("no node {node}")))
    }

    /// A `submit` key on node `node`, made with its admin key on first use.
    fn submit_key(&mut self, node: usize) -> Result<String> {
        if self.submit_keys.len() < self.state.nodes.len() {
            self.submit_keys.resize(self.state.nodes.len(), None);
        }
        if let Some(Some(key)) = self.submit_keys.get(node) {
            return Ok(key.clone());
        }
        let info = &self.state.nodes[node];
        let url = format!("{}/v1/admin/api-keys", info.gateway_url);
        // Unique per run: a key name is taken once per node, and joins (and tests) run again.
        let name = format!(
            "join-{}",
            hex::encode(&ebl_node::config::random_secret()[..6])
        );
        let body = json!({"name": name, "scopes": ["submit"]});
        let reply = self.client.post(&url, &info.admin_api_key, &body)?;
        match reply.body.get("secret").and_then(Value::as_str) {
            Some(secret) if reply.status == 201 => {
                self.submit_keys[node] = Some(secret.to_string());
                Ok(secret.to_string())
            }
            _ => Err(TestnetError::unexpected(
                "join",
                format!(
                    "{}: creating a submit key: HTTP {} {}",
                    info.name, reply.status, reply.body
                ),
            )),
        }
    }

    /// Polls until `done` holds (bounded by `bound`); `what` names the condition in errors.
    pub fn wait_until(
        &self,
        what: &str,
        bound: Duration,
        done: impl Fn(&Self) -> bool,
    ) -> Result<Duration> {
        let start = Instant::now();
        while !done(self) {
            if start.elapsed() >= bound {
                return Err(TestnetError::Timeout {
                    what: what.to_string(),
                    seconds: bound.as_secs(),
                });
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(start.elapsed())
    }
}

fn get(client: &Client, state: &TestnetState, node: usize, path: &str) -> Result<Reply> {
    let info = state
        .nodes
        .get(node)
        .ok_or_else(|| TestnetError::Usage(format!("no node {node}")))?;
    client.get(&format!("{}{path}", info.gateway_url), &info.admin_api_key)
}

/// The outcome of a `?wait=final` answer.
pub fn outcome(reply: &Reply) -> Result<Outcome> {
    let status = reply.body.get("status").and_then(Value::as_str);
    match (
        reply.status,
        status,
        reply.body.get("height").and_then(Value::as_u64),
    ) {
        (200, Some("final"), Some(height)) => Ok(Outcome::Final(height)),
        (400..=499, _, _) if reply.code().is_some() => Ok(Outcome::Refused(
            reply.code().unwrap_or_default().to_string(),
        )),
        _ => Err(TestnetError::unexpected(
            "join",
            format!("unexpected answer HTTP {} {}", reply.status, reply.body),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_answers_give_heights_and_refusals_their_codes() {
        let reply = |status, body| Reply { status, body };
        assert_eq!(
            outcome(&reply(200, json!({"status": "final", "height": 9}))).ok(),
            Some(Outcome::Final(9))
        );
        assert_eq!(
            outcome(&reply(
                422,
                json!({"status": "rejected", "code": "UNKNOWN_SIGNER"})
            ))
            .ok(),
            Some(Outcome::Refused("UNKNOWN_SIGNER".into()))
        );
        assert!(outcome(&reply(202, json!({"status": "pending"}))).is_err());
    }
}
