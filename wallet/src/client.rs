//! A small blocking client of the `ebl-gateway` HTTP API (ADR 0009, `specs/openapi.yaml`):
//! chain status, sequence numbers, submission with an optional wait for finality, queries,
//! online verification and proof bundles.
//!
//! `ureq` 2 with rustls: one synchronous request at a time suits a CLI, and no OpenSSL is
//! linked. Every failure becomes a [`WalletError`] whose exit code and hint tell the operator
//! what to do: unreachable (exit 5), API key refused (exit 6), the ledger's rejection with its
//! code (exit 1).

use std::time::Duration;

use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::{ChainRef, SignedEntry};
use ebl_ledger::hash::{EntryId, Hash32};
use serde_json::{Value, json};

use crate::WalletError;

/// How often one request is retried after HTTP 429 before the error is reported.
pub const RATE_LIMIT_RETRIES: u32 = 10;
/// The longest `Retry-After` the wallet honours in one wait, in seconds.
const MAX_RETRY_AFTER_SECS: u64 = 30;

/// What a submission ended in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    /// Accepted, not final yet (or the wait timed out).
    Pending(EntryId),
    /// Final and applied at this height.
    Final(EntryId, u64),
}

/// A gateway at a base URL, with an optional API key.
#[derive(Debug, Clone)]
pub struct Gateway {
    base: String,
    api_key: Option<String>,
    agent: ureq::Agent,
}

impl Gateway {
    /// A client of the gateway at `base` (e.g. `http://127.0.0.1:8080`).
    pub fn new(base: &str, api_key: Option<String>) -> Self {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(Duration::from_secs(5))
            // Longer than the gateway's maximum wait for finality (30 s by default).
            .timeout(Duration::from_secs(90))
            .build();
        Gateway {
            base: base.trim_end_matches('/').to_string(),
            api_key,
            agent,
        }
    }

    /// The base URL.
    pub fn url(&self) -> &str {
        &self.base
    }

    fn request(&self, method: &str, path: &str) -> ureq::Request {
        let req = self.agent.request(method, &format!("{}{path}", self.base));
        match &self.api_key {
            Some(key) => req.set("Authorization", &format!("Bearer {key}")),
            None => req,
        }
    }

    fn finish(
        &self,
        result: Result<ureq::Response, ureq::Error>,
    ) -> Result<(u16, Value), WalletError> {
        match result {
            Ok(resp) => {
                let status = resp.status();
                let body = resp.into_string().unwrap_or_default();
                Ok((status, serde_json::from_str(&body).unwrap_or(Value::Null)))
            }
            Err(ureq::Error::Status(status, resp)) => {
                let body: Value = serde_json::from_str(&resp.into_string().unwrap_or_default())
                    .unwrap_or_default();
                Err(problem(status, &body))
            }
            Err(ureq::Error::Transport(t)) => Err(WalletError::GatewayUnreachable {
                url: self.base.clone(),
                reason: t.to_string(),
            }),
        }
    }

    /// Sends a request, waiting out the gateway's rate limit: on 429 it sleeps for the
    /// `Retry-After` seconds (capped) and tries again, at most [`RATE_LIMIT_RETRIES`] times.
    /// Safe because every request the wallet makes is idempotent (reads, verification, and
    /// submissions of a signed entry, which the node dedups by entry id), and a 429 is refused
    /// before it reaches the node.
    fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(u16, Value), WalletError> {
        let mut tries = 0;
        loop {
            let req = self.request(method, path);
            let result = match body {
                Some(body) => req.send_json(body.clone()),
                None => req.call(),
            };
            match result {
                Err(ureq::Error::Status(429, resp)) if tries < RATE_LIMIT_RETRIES => {
                    tries += 1;
                    let secs = resp
                        .header("Retry-After")
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .unwrap_or(1)
                        .clamp(1, MAX_RETRY_AFTER_SECS);
                    std::thread::sleep(Duration::from_secs(secs));
                }
                result => return self.finish(result),
            }
        }
    }

    /// `GET path` → JSON.
    pub fn get(&self, path: &str) -> Result<Value, WalletError> {
        self.send("GET", path, None).map(|(_, v)| v)
    }

    /// `POST path` with a JSON body → (status, JSON).
    pub fn post(&self, path: &str, body: &Value) -> Result<(u16, Value), WalletError> {
        self.send("POST", path, Some(body))
    }

    /// The network's chain id and genesis hash (`GET /v1/status`).
    pub fn chain(&self) -> Result<ChainRef, WalletError> {
        let status = self.get("/v1/status")?;
        let bad = |what: &str| unexpected(&format!("/v1/status has no valid `{what}`"));
        let chain_id = status["chain_id"].as_str().ok_or_else(|| bad("chain_id"))?;
        let genesis_hash = status["genesis_hash"]
            .as_str()
            .and_then(Hash32::from_hex)
            .ok_or_else(|| bad("genesis_hash"))?;
        Ok(ChainRef {
            chain_id: chain_id.to_string(),
            genesis_hash,
        })
    }

    /// The next sequence number of `key`.
    pub fn next_sequence(&self, key: &PublicKey) -> Result<u64, WalletError> {
        let v = self.get(&format!("/v1/accounts/{}/sequence", key.to_hex()))?;
        v["next_sequence"]
            .as_u64()
            .ok_or_else(|| unexpected("the sequence answer has no `next_sequence`"))
    }

    /// Submits `entry`; with `wait`, waits up to that long for finality. A rejection (or a
    /// final failure) is [`WalletError::Rejected`] with the ledger's code.
    pub fn submit(
        &self,
        entry: &SignedEntry,
        wait: Option<Duration>,
    ) -> Result<Submitted, WalletError> {
        let path = match wait {
            Some(d) => format!("/v1/entries?wait=final&timeout_ms={}", d.as_millis()),
            None => "/v1/entries".to_string(),
        };
        let (_, body) = self.post(&path, &json!({ "entry": hex::encode(entry.encode()) }))?;
        settled(entry.id(), &body)
    }

    /// `GET /v1/entries/{id}`, waiting up to `wait` for finality when given.
    pub fn entry_status(
        &self,
        id: &EntryId,
        wait: Option<Duration>,
    ) -> Result<Submitted, WalletError> {
        let path = match wait {
            Some(d) => format!(
                "/v1/entries/{}?wait=final&timeout_ms={}",
                id.to_hex(),
                d.as_millis()
            ),
            None => format!("/v1/entries/{}", id.to_hex()),
        };
        settled(*id, &self.get(&path)?)
    }
}

/// Reads a status view (`{"status": "final", "height": ..}`).
fn settled(id: EntryId, body: &Value) -> Result<Submitted, WalletError> {
    match body["status"].as_str() {
        Some("final") => Ok(Submitted::Final(
            id,
            body["height"].as_u64().unwrap_or_default(),
        )),
        Some("pending") => Ok(Submitted::Pending(id)),
        Some("failed" | "rejected") => Err(WalletError::Rejected {
            code: body["code"].as_str().unwrap_or("UNKNOWN").to_string(),
            detail: body["message"].as_str().unwrap_or_default().to_string(),
            entry_id: Some(id.to_hex()),
        }),
        _ => Err(unexpected(&format!("unexpected entry status: {body}"))),
    }
}

fn unexpected(what: &str) -> WalletError {
    WalletError::Gateway {
        status: 200,
        code: "UNEXPECTED_ANSWER".into(),
        detail: what.into(),
    }
}

/// Maps a problem+json answer to an error.
fn problem(status: u16, body: &Value) -> WalletError {
    let code = body["code"].as_str().unwrap_or("HTTP_ERROR").to_string();
    let detail = body["detail"]
        .as_str()
        .map_or_else(|| format!("HTTP {status}"), str::to_string);
    match status {
        401 | 403 => WalletError::GatewayAuth {
            status,
            code,
            detail,
        },
        422 => WalletError::Rejected {
            code,
            detail,
            entry_id: body["entry_id"].as_str().map(str::to_string),
        },
        _ => WalletError::Gateway {
            status,
            code,
            detail,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ExitCode;

    fn answer(status: u16, code: &str) -> WalletError {
        problem(
            status,
            &json!({"code": code, "detail": "because", "entry_id": "ab"}),
        )
    }

    #[test]
    fn problems_map_to_exit_codes_that_say_what_to_do() {
        let e = answer(422, "NOT_HOLDER");
        assert_eq!(
            (e.code(), e.exit_code()),
            ("NOT_HOLDER".into(), ExitCode::Failed)
        );
        assert!(e.to_string().contains("because"));
        assert_eq!(answer(401, "UNAUTHORIZED").exit_code(), ExitCode::Auth);
        assert!(answer(403, "FORBIDDEN").hint().unwrap().contains("scope"));
        assert_eq!(
            answer(503, "NODE_UNAVAILABLE").exit_code(),
            ExitCode::Unreachable
        );
        assert_eq!(
            answer(404, "UNKNOWN_DOCUMENT").exit_code(),
            ExitCode::Failed
        );
    }

    #[test]
    fn settled_statuses_are_read_and_failures_carry_the_ledger_code() {
        let id = Hash32::sha256(b"entry");
        let fin = settled(id, &json!({"status": "final", "height": 7})).unwrap();
        assert_eq!(fin, Submitted::Final(id, 7));
        let pending = settled(id, &json!({"status": "pending"})).unwrap();
        assert_eq!(pending, Submitted::Pending(id));
        let failed = settled(id, &json!({"status": "failed", "code": "NOT_HOLDER"}));
        assert_eq!(failed.unwrap_err().code(), "NOT_HOLDER");
        assert!(settled(id, &json!({})).is_err());
    }

    #[test]
    fn nothing_listening_is_unreachable() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        drop(listener);
        let err = Gateway::new(&url, None).chain().unwrap_err();
        assert_eq!(err.exit_code(), ExitCode::Unreachable);
    }
}
