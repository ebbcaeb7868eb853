//! The chaos soak's workload (R360): to-order eBLs issued by the carrier from the DCSA sample,
//! then rounds of transfers among the trading organisations, each signed by the holder of the
//! moment with its own key and sent to a node chosen at random. Half the rounds race two
//! transfers of one bill under the same account sequence through two different nodes, so at
//! most one may ever apply.

use std::time::{Duration, Instant};

use ebl_ledger::ebl::EblAction;
use ebl_ledger::entry::{Body, ChainRef, Entry};
use ebl_ledger::hash::{DocumentId, Hash32};
use ebl_ledger::ids::OrgId;
use ed25519_dalek::SigningKey;
use rand::Rng as _;
use rand::seq::SliceRandom as _;
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use super::check::{Answer, Submission};
use crate::error::{Result, TestnetError};
use crate::http::Reply;
use crate::scenario::ctx::Ctx;

/// The organisations the bills move among (each may hold a bill, R40).
pub const TRADERS: [&str; 4] = ["SHIPPER", "BANK", "CONSIGNEE", "BUYER2"];

/// How long one submission waits for finality; a frozen or dead node costs no more.
const WAIT_MS: u64 = 4_000;

/// A bill of the workload and the holder the client last saw.
#[derive(Debug, Clone)]
pub struct Bill {
    /// Document id.
    pub id: DocumentId,
    /// Believed holder.
    pub holder: String,
}

/// Issues `count` bills to the shipper through the carrier's node (DCSA ISS, answer ISSU),
/// before any fault, and waits until each is final.
pub fn issue(ctx: &Ctx, count: usize, tag: &str) -> Result<Vec<Bill>> {
    (0..count)
        .map(|i| {
            let reference = format!("CH{tag}{i:03}");
            let (bill, _) = crate::scenario::ebl::issue_to(ctx, "chaos", &reference, TRADERS[0])?;
            Ok(Bill {
                id: bill.id,
                holder: TRADERS[0].to_string(),
            })
        })
        .collect()
}

/// The rounds' shared material.
#[derive(Debug)]
pub struct Workload<'a> {
    ctx: &'a Ctx,
    chain: ChainRef,
    /// Per node, the key this run created there to submit with (scope `submit`).
    submit_keys: Vec<String>,
    /// The name of those keys.
    key_name: String,
    /// Every submission so far.
    pub submissions: Vec<Submission>,
    /// Rounds played.
    pub rounds: u64,
}

impl<'a> Workload<'a> {
    /// A workload on `ctx`'s testnet: reads the genesis hash and creates, on every node, an
    /// API key named `chaos-<tag>` to submit the signed entries with.
    pub fn new(ctx: &'a Ctx, tag: &str) -> Result<Self> {
        let key_name = format!("chaos-{tag}");
        let mut submit_keys = Vec::new();
        for node in &ctx.state.nodes {
            let url = format!("{}/v1/admin/api-keys", node.gateway_url);
            let body = json!({"name": key_name, "scopes": ["submit"]});
            let reply = ctx.client.post(&url, &node.admin_api_key, &body)?;
            match reply.body.get("secret").and_then(Value::as_str) {
                Some(secret) if reply.status == 201 => submit_keys.push(secret.to_string()),
                _ => {
                    return Err(TestnetError::unexpected(
                        "chaos",
                        format!(
                            "{}: creating a submit key: HTTP {} {}",
                            node.name, reply.status, reply.body
                        ),
                    ));
                }
            }
        }
        let status = admin_get(ctx, 0, "/v1/status")?.body;
        let genesis_hash = status
            .get("genesis_hash")
            .and_then(Value::as_str)
            .and_then(Hash32::from_hex)
            .ok_or_else(|| TestnetError::unexpected("chaos", format!("status {status}")))?;
        Ok(Workload {
            ctx,
            chain: ChainRef {
                chain_id: ctx.state.chain_id.clone(),
                genesis_hash,
            },
            submit_keys,
            key_name,
            submissions: Vec::new(),
            rounds: 0,
        })
    }

    /// Deletes the submit keys this run created (R369); returns the nodes that kept theirs.
    pub fn remove_keys(&self) -> Vec<String> {
        self.ctx
            .state
            .nodes
            .iter()
            .filter(|node| {
                let url = format!("{}/v1/admin/api-keys/{}", node.gateway_url, self.key_name);
                let reply = self
                    .ctx
                    .client
                    .call("DELETE", &url, &node.admin_api_key, None);
                !matches!(reply, Ok(r) if r.status == 200 || r.status == 204)
            })
            .map(|node| node.name.clone())
            .collect()
    }

    /// One round on a bill chosen by `rng`: one transfer, or two racing ones.
    pub fn round(&mut self, bills: &mut [Bill], rng: &mut ChaCha8Rng) -> Result<()> {
        let nodes = self.ctx.state.nodes.len();
        let bill = &mut bills[rng.gen_range(0..bills.len())];
        let holder = bill.holder.clone();
        let key = self.ctx.signing_key(&holder)?;
        let Some(sequence) = self.next_sequence(&key, rng.gen_range(0..nodes)) else {
            return Ok(()); // No node answered: a fault is in progress; try again next round.
        };
        let mut others: Vec<&str> = TRADERS.iter().copied().filter(|t| *t != holder).collect();
        others.shuffle(rng);
        let racing = nodes > 1 && rng.gen_bool(0.5);
        let mut targets: Vec<usize> = (0..nodes).collect();
        targets.shuffle(rng);
        let sends: Vec<(usize, &str)> = targets
            .into_iter()
            .zip(others)
            .take(if racing { 2 } else { 1 })
            .collect();
        let round = self.rounds;
        self.rounds += 1;
        let this = &*self;
        let answers = std::thread::scope(|s| {
            let handles: Vec<_> = sends
                .iter()
                .map(|(node, to)| {
                    let entry = this.transfer(&key, sequence, bill.id, to);
                    s.spawn(move || (entry.id().to_hex(), this.submit(*node, &entry)))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| (String::new(), Answer::NoAnswer))
                })
                .collect::<Vec<_>>()
        });
        for ((node, to), (id, answer)) in sends.iter().zip(answers) {
            if matches!(answer, Answer::Final { .. }) {
                bill.holder = (*to).to_string();
            }
            self.submissions.push(Submission {
                round,
                id,
                bill: bill.id.to_hex(),
                node: *node,
                answer,
            });
        }
        if !self
            .submissions
            .iter()
            .rev()
            .take(sends.len())
            .any(|s| matches!(s.answer, Answer::Final { .. }))
        {
            self.refresh_holder(bill, rng.gen_range(0..nodes));
        }
        Ok(())
    }

    fn transfer(
        &self,
        key: &SigningKey,
        sequence: u64,
        bill: DocumentId,
        to: &str,
    ) -> ebl_ledger::entry::SignedEntry {
        Entry {
            chain: self.chain.clone(),
            signer: key.verifying_key().into(),
            sequence,
            act_for: None,
            body: Body::Ebl(EblAction::Transfer {
                document: bill,
                to: OrgId(to.to_string()),
            }),
            remark: None,
        }
        .sign(key)
    }

    fn submit(&self, node: usize, entry: &ebl_ledger::entry::SignedEntry) -> Answer {
        let Ok(url) = self.ctx.url(node) else {
            return Answer::NoAnswer;
        };
        let url = format!("{url}/v1/entries?wait=final&timeout_ms={WAIT_MS}");
        let key = &self.submit_keys[node];
        match self
            .ctx
            .client
            .post(&url, key, &json!({"entry": hex::encode(entry.encode())}))
        {
            Ok(reply) => answer(&reply),
            Err(_) => Answer::NoAnswer,
        }
    }

    /// The signer's next sequence as node `first` (or the next node that answers) sees it.
    fn next_sequence(&self, key: &SigningKey, first: usize) -> Option<u64> {
        let public = hex::encode(key.verifying_key().as_bytes());
        let nodes = self.ctx.state.nodes.len();
        (0..nodes).map(|k| (first + k) % nodes).find_map(|node| {
            let path = format!("/v1/accounts/{public}/sequence");
            let reply = admin_get(self.ctx, node, &path).ok()?;
            reply.body.get("next_sequence").and_then(Value::as_u64)
        })
    }

    /// After a round without a final answer, the holder as node `node` reads it.
    fn refresh_holder(&self, bill: &mut Bill, node: usize) {
        let path = format!("/v1/ebls/{}", bill.id);
        if let Ok(reply) = admin_get(self.ctx, node, &path)
            && reply.status == 200
            && let Some(holder) = reply.body.get("holder").and_then(Value::as_str)
        {
            bill.holder = holder.to_string();
        }
    }
}

/// `GET path` on node `node` with its admin key (the `regulator` scope reads every title).
fn admin_get(ctx: &Ctx, node: usize, path: &str) -> Result<Reply> {
    let info = &ctx.state.nodes[node];
    ctx.client
        .get(&format!("{}{path}", info.gateway_url), &info.admin_api_key)
}

/// What a gateway answer tells the client.
pub fn answer(reply: &Reply) -> Answer {
    let status = reply.body.get("status").and_then(Value::as_str);
    let height = reply.body.get("height").and_then(Value::as_u64);
    match (reply.status, status, height) {
        (200, Some("final"), Some(height)) => Answer::Final { height },
        (200 | 202, _, _) => Answer::Accepted,
        (code, _, _) => Answer::Failed {
            code: reply
                .code()
                .map_or_else(|| format!("HTTP {code}"), str::to_string),
        },
    }
}

/// Runs rounds until `until`.
pub fn run_until(
    workload: &mut Workload<'_>,
    bills: &mut [Bill],
    rng: &mut ChaCha8Rng,
    until: Instant,
) -> Result<()> {
    while Instant::now() < until {
        workload.round(bills, rng)?;
        // A short pause keeps the client from spinning while no node answers.
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}
