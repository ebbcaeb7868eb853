//! What every pilot step uses: the testnet state, an HTTP client, and helpers that act as an
//! organisation through the gateway of the node holding its key, each checking the answer.

use std::time::{Duration, Instant};

use ebl_ledger::entry::{Body, ChainRef, Entry};
use ebl_ledger::hash::Hash32;
use ed25519_dalek::SigningKey;
use serde_json::{Value, json};

use crate::error::{Result, TestnetError};
use crate::http::{Client, Reply};
use crate::state::{OrgInfo, TestnetState};

/// How long a `?wait=final` request may wait (the gateway caps it at its own maximum).
pub const WAIT_FINAL_MS: u64 = 20_000;

/// Bound on polling for a condition on another node (propagation, catch-up).
pub const POLL_BOUND: Duration = Duration::from_secs(60);

/// The scenario's view of the running testnet.
#[derive(Debug)]
pub struct Ctx {
    /// The testnet (updated by the crash step).
    pub state: TestnetState,
    /// HTTP client (requests bounded by the wait above plus slack).
    pub client: Client,
}

impl Ctx {
    /// A context over `state`.
    pub fn new(state: TestnetState) -> Self {
        Ctx {
            state,
            client: Client::new(Duration::from_millis(WAIT_FINAL_MS + 10_000)),
        }
    }

    /// The organisation `id`.
    pub fn org(&self, id: &str) -> Result<&OrgInfo> {
        self.state
            .org(id)
            .ok_or_else(|| TestnetError::Usage(format!("the testnet has no organisation {id}")))
    }

    /// Gateway URL of node `i`.
    pub fn url(&self, i: usize) -> Result<&str> {
        self.state
            .nodes
            .get(i)
            .map(|n| n.gateway_url.as_str())
            .ok_or_else(|| TestnetError::Usage(format!("no node {i}")))
    }

    /// Name of node `i` for messages.
    pub fn node_name(&self, i: usize) -> String {
        self.state
            .nodes
            .get(i)
            .map_or_else(|| format!("node{i}"), |n| n.name.clone())
    }

    /// `POST` as organisation `org` on the node holding its key.
    pub fn post_as(&self, org: &str, path: &str, body: &Value) -> Result<Reply> {
        let info = self.org(org)?;
        let url = format!("{}{path}", self.url(info.node)?);
        self.client.post(&url, &info.api_key, body)
    }

    /// `GET` as organisation `org` on node `node`.
    pub fn get_as(&self, org: &str, node: usize, path: &str) -> Result<Reply> {
        let info = self.org(org)?;
        let url = format!("{}{path}", self.url(node)?);
        self.client.get(&url, &info.api_key)
    }

    /// A custodial action as `org` that must become final: returns the height.
    pub fn custodial_final(&self, step: &str, org: &str, path: &str, body: &Value) -> Result<u64> {
        let path = format!("{path}?wait=final&timeout_ms={WAIT_FINAL_MS}");
        let reply = self.post_as(org, &path, body)?;
        final_height(step, &format!("{org} {path}"), &reply)
    }

    /// Polls `GET path` as `org` on `node` until `done` holds for the body (bounded).
    pub fn poll(
        &self,
        step: &str,
        org: &str,
        node: usize,
        path: &str,
        what: &str,
        done: impl Fn(&Value) -> bool,
    ) -> Result<Value> {
        let start = Instant::now();
        loop {
            let reply = self.get_as(org, node, path)?;
            if reply.status == 200 && done(&reply.body) {
                return Ok(reply.body);
            }
            if start.elapsed() >= POLL_BOUND {
                return Err(TestnetError::unexpected(
                    step,
                    format!(
                        "{what} not seen on {} within {} s; last answer {} {}",
                        self.node_name(node),
                        POLL_BOUND.as_secs(),
                        reply.status,
                        reply.body
                    ),
                ));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// `org`'s own key, from its key file (`DIR/keys/ORG.key`).
    pub fn signing_key(&self, org: &str) -> Result<SigningKey> {
        let info = self.org(org)?;
        let text = std::fs::read_to_string(&info.secret_key_file).map_err(TestnetError::io(
            format!("read {}", info.secret_key_file.display()),
        ))?;
        let mut secret = [0u8; 32];
        hex::decode_to_slice(text.trim(), &mut secret)
            .map_err(|e| TestnetError::Usage(format!("{}: {e}", info.secret_key_file.display())))?;
        Ok(SigningKey::from_bytes(&secret))
    }

    /// Signs `body` with `org`'s own key (its key file: a client that signs for itself) and
    /// submits it to node `node` with `POST /v1/entries?wait=final`; returns the height.
    pub fn sign_and_submit(&self, step: &str, org: &str, node: usize, body: Body) -> Result<u64> {
        let info = self.org(org)?;
        let key = self.signing_key(org)?;
        let status = self.get_as(org, node, "/v1/status")?.body;
        let genesis_hash = status
            .get("genesis_hash")
            .and_then(Value::as_str)
            .and_then(Hash32::from_hex)
            .ok_or_else(|| {
                TestnetError::unexpected(step, format!("no genesis_hash in {status}"))
            })?;
        let public = hex::encode(key.verifying_key().as_bytes());
        let sequence = self
            .get_as(org, node, &format!("/v1/accounts/{public}/sequence"))?
            .body
            .get("next_sequence")
            .and_then(Value::as_u64)
            .ok_or_else(|| TestnetError::unexpected(step, "no next_sequence for the signer"))?;
        let entry = Entry {
            chain: ChainRef {
                chain_id: self.state.chain_id.clone(),
                genesis_hash,
            },
            signer: key.verifying_key().into(),
            sequence,
            act_for: None,
            body,
            remark: None,
        }
        .sign(&key);
        let path = format!("/v1/entries?wait=final&timeout_ms={WAIT_FINAL_MS}");
        let url = format!("{}{path}", self.url(node)?);
        let reply = self.client.post(
            &url,
            &info.api_key,
            &json!({"entry": hex::encode(entry.encode())}),
        )?;
        final_height(step, &format!("{org} POST {path}"), &reply)
    }
}

/// The height of a `final` answer; anything else is unexpected.
pub fn final_height(step: &str, what: &str, reply: &Reply) -> Result<u64> {
    let height = reply.body.get("height").and_then(Value::as_u64);
    match (
        reply.status,
        reply.body.get("status").and_then(Value::as_str),
        height,
    ) {
        (200, Some("final"), Some(h)) => Ok(h),
        _ => Err(TestnetError::unexpected(
            step,
            format!(
                "{what}: expected final, got HTTP {} {}",
                reply.status, reply.body
            ),
        )),
    }
}

/// A text field of a JSON object, or "".
pub fn field<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_final_answer_gives_its_height() {
        let reply = Reply {
            status: 200,
            body: json!({"id": "ab", "status": "final", "height": 7}),
        };
        assert_eq!(final_height("2", "transfer", &reply).ok(), Some(7));
    }

    #[test]
    fn a_rejection_or_a_timeout_is_an_unexpected_result_naming_the_step() {
        for reply in [
            Reply {
                status: 422,
                body: json!({"code": "NOT_HOLDER"}),
            },
            Reply {
                status: 202,
                body: json!({"status": "pending"}),
            },
        ] {
            match final_height("6", "surrender", &reply) {
                Err(TestnetError::Unexpected { step, detail }) => {
                    assert_eq!(step, "6");
                    assert!(detail.contains("surrender"), "{detail}");
                }
                other => panic!("expected Unexpected, got {other:?}"),
            }
        }
    }
}
