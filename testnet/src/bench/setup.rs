//! Before timing: the chain, every organisation's key and next sequence, and a few documents
//! for the receipts to name (issued and made final first).

use std::time::Duration;

use ebl_ledger::entry::ChainRef;
use ebl_ledger::hash::{DocumentId, Hash32};
use ed25519_dalek::SigningKey;

use super::BenchError;
use super::client::{Http, get_json, post_json};
use super::workload::{Signer, document, issue, request_body};
use crate::state::TestnetState;

/// Documents issued before the run for the receipts.
pub const WARM_DOCS: usize = 16;

/// The chain the testnet runs (from gateway 0's `/v1/status`).
pub async fn chain(http: &Http, state: &TestnetState) -> Result<ChainRef, BenchError> {
    let node = state.nodes.first().ok_or(BenchError::NoNodes)?;
    let url = format!("{}/v1/status", node.gateway_url);
    let (status, body) = get_json(http, &url, &node.admin_api_key).await?;
    let genesis = body["genesis_hash"].as_str().and_then(Hash32::from_hex);
    match (status, body["chain_id"].as_str(), genesis) {
        (200, Some(id), Some(genesis_hash)) => Ok(ChainRef {
            chain_id: id.to_string(),
            genesis_hash,
        }),
        _ => Err(BenchError::Http(format!(
            "{url}: status {status}, body {body}"
        ))),
    }
}

/// Every organisation with a readable key, at the gateway of the node holding it, with its
/// next sequence number from that gateway.
pub async fn signers(http: &Http, state: &TestnetState) -> Result<Vec<Signer>, BenchError> {
    let mut out = Vec::new();
    for org in &state.orgs {
        let node = state
            .nodes
            .get(org.node)
            .ok_or_else(|| BenchError::State(format!("org {} names node {}", org.id, org.node)))?;
        let text = std::fs::read_to_string(&org.secret_key_file)
            .map_err(|e| BenchError::State(format!("{}: {e}", org.secret_key_file.display())))?;
        let mut secret = [0u8; 32];
        hex::decode_to_slice(text.trim(), &mut secret).map_err(|e| {
            BenchError::State(format!(
                "{}: not 64 hex digits ({e})",
                org.secret_key_file.display()
            ))
        })?;
        let mut signer = Signer {
            org: org.id.clone(),
            key: SigningKey::from_bytes(&secret),
            gateway: org.node,
            carrier: org.roles.iter().any(|r| r == "CARRIER"),
            next_sequence: 0,
        };
        signer.next_sequence =
            next_sequence(http, &node.gateway_url, &org.api_key, &signer).await?;
        out.push(signer);
    }
    if out.is_empty() {
        return Err(BenchError::State("the testnet has no organisations".into()));
    }
    Ok(out)
}

/// The next sequence number of `signer`'s key, as the gateway sees it.
pub async fn next_sequence(
    http: &Http,
    gateway: &str,
    key: &str,
    signer: &Signer,
) -> Result<u64, BenchError> {
    let url = format!(
        "{gateway}/v1/accounts/{}/sequence",
        signer.public().to_hex()
    );
    let (status, body) = get_json(http, &url, key).await?;
    body["next_sequence"]
        .as_u64()
        .filter(|_| status == 200)
        .ok_or_else(|| BenchError::Http(format!("{url}: status {status}, body {body}")))
}

/// Who the carriers issue to: a trade party if there is one, else any non-carrier.
pub fn holder(state: &TestnetState) -> Option<String> {
    let trade = state
        .orgs
        .iter()
        .find(|o| o.roles.iter().any(|r| r == "TRADE_PARTY"));
    let other = state
        .orgs
        .iter()
        .find(|o| !o.roles.iter().any(|r| r == "CARRIER"));
    trade.or(other).map(|o| o.id.clone())
}

/// Issues [`WARM_DOCS`] eBLs by the first carrier and waits (bounded) until they are final.
pub async fn warm_documents(
    http: &Http,
    state: &TestnetState,
    signers: &mut [Signer],
    chain: &ChainRef,
    tag: &str,
    holder: &str,
) -> Result<Vec<DocumentId>, BenchError> {
    let carrier = signers
        .iter_mut()
        .find(|s| s.carrier)
        .ok_or_else(|| BenchError::State("no carrier organisation to issue documents".into()))?;
    let node = state
        .nodes
        .get(carrier.gateway)
        .ok_or(BenchError::NoNodes)?;
    let key = state
        .org(&carrier.org)
        .map(|o| o.api_key.clone())
        .unwrap_or_default();
    let mut docs = Vec::new();
    let mut last = String::new();
    for i in 0..WARM_DOCS {
        let reference = format!("{tag}-W{i}");
        let entry = carrier.sign(chain, issue(&reference, holder));
        last = entry.id().to_hex();
        let url = format!("{}/v1/entries", node.gateway_url);
        let (status, answer) = post_json(http, &url, &key, request_body(&entry)).await?;
        if !(200..300).contains(&status) {
            return Err(BenchError::Http(format!(
                "{url}: warm-up entry refused ({status}): {answer}"
            )));
        }
        docs.push(document(&reference));
    }
    let url = format!(
        "{}/v1/entries/{last}?wait=final&timeout_ms=30000",
        node.gateway_url
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    loop {
        let (_, body) = get_json(http, &url, &key).await?;
        match body["status"].as_str() {
            Some("final") => return Ok(docs),
            Some("failed" | "rejected") => {
                return Err(BenchError::Http(format!("warm-up entry {last}: {body}")));
            }
            _ if tokio::time::Instant::now() > deadline => {
                return Err(BenchError::Http(format!(
                    "warm-up entry {last} not final in 90 s"
                )));
            }
            _ => {}
        }
    }
}
