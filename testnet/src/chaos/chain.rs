//! Reads every node's chain through its gateway, as the regulator (R237: entry bodies and
//! signers are shown to that role only), into the checker's terms.

use std::collections::BTreeMap;

use ebl_ledger::entry::Body;
use serde_json::Value;

use super::check::{ChainBlock, ChainEntry};
use crate::error::{Result, TestnetError};
use crate::http::Client;
use crate::state::TestnetState;

/// Blocks `1..=height` of node `node`.
pub fn read(
    client: &Client,
    state: &TestnetState,
    node: usize,
    height: u64,
) -> Result<Vec<ChainBlock>> {
    let info = &state.nodes[node];
    let orgs: BTreeMap<&str, &str> = state
        .orgs
        .iter()
        .map(|o| (o.public_key.as_str(), o.id.as_str()))
        .collect();
    (1..=height)
        .map(|h| {
            let url = format!("{}/v1/blocks/{h}", info.gateway_url);
            let reply = client.get(&url, &info.admin_api_key)?;
            if reply.status != 200 {
                return Err(bad(&info.name, h, &format!("HTTP {}", reply.status)));
            }
            block(&reply.body, &orgs).map_err(|why| bad(&info.name, h, &why))
        })
        .collect()
}

fn bad(node: &str, height: u64, why: &str) -> TestnetError {
    TestnetError::unexpected("chaos", format!("{node}: block {height}: {why}"))
}

/// One block of `GET /v1/blocks/{height}` as the regulator reads it.
fn block(v: &Value, orgs: &BTreeMap<&str, &str>) -> std::result::Result<ChainBlock, String> {
    let text = |v: &Value, k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| format!("no {k}"))
    };
    let entries = v
        .get("entries")
        .and_then(Value::as_array)
        .ok_or("no entries")?
        .iter()
        .map(|e| {
            let signer = text(e, "signer")?;
            let actor = match e.get("act_for").and_then(Value::as_str) {
                Some(org) => org.to_string(),
                None => orgs
                    .get(signer.as_str())
                    .map_or_else(|| signer.clone(), |o| (*o).to_string()),
            };
            let body: Body = serde_json::from_value(e.get("body").cloned().unwrap_or_default())
                .map_err(|err| format!("entry body: {err}"))?;
            Ok(ChainEntry {
                id: text(e, "id")?,
                applied: text(e, "result")? == "APPLIED",
                actor,
                sequence: e
                    .get("sequence")
                    .and_then(Value::as_u64)
                    .ok_or("no sequence")?,
                signer,
                body,
            })
        })
        .collect::<std::result::Result<Vec<_>, String>>()?;
    Ok(ChainBlock {
        height: v.get("height").and_then(Value::as_u64).ok_or("no height")?,
        hash: text(v, "hash")?,
        entries,
    })
}
