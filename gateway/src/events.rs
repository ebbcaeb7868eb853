//! Committed-ledger events for `GET /v1/events` (SSE) and webhooks: one `block` event per final
//! block and one `entry` event per entry in it, followed from [`NodeApi::subscribe`].
//!
//! # Design
//!
//! Event ids are `"{height}:{ordinal}"` (ordinal 0 = the block, i + 1 = its i-th entry), so a
//! client resumes after the last id it saw. Blocks are always read with [`NodeApi::block`]: the
//! subscription only says how far the head is, so a lagging receiver re-reads the gap instead of
//! losing events. Parties are the organisations an entry's body names (`to`, `endorsee`, ...)
//! plus `act_for`; the acting organisation of a bare signer key is not resolved (left for later).

use std::sync::Arc;

use ebl_ledger::block::{BlockHeader, Outcome};
use ebl_ledger::entry::{Body, DocumentRef};
use ebl_ledger::hash::DocumentId;
use ebl_ledger::identity::GrantAction;
use ebl_ledger::storage::StoredBlock;
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};

use crate::node::{NodeApi, NodeError};

/// Most blocks replayed for a `Last-Event-ID` resumption.
pub const MAX_REPLAY: u64 = 1000;

/// Body fields that name an organisation.
const PARTY_FIELDS: [&str; 7] = [
    "to",
    "issue_to",
    "consignee",
    "endorsee",
    "nominee",
    "administration",
    "authority",
];

/// One event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Block height.
    pub height: u64,
    /// 0 for the block, i + 1 for its i-th entry.
    pub ordinal: u64,
    /// Document (eBL id in hex, or `ADMINISTRATION/UTN`), for entry events.
    pub document: Option<String>,
    /// Organisations the entry names.
    pub parties: Vec<String>,
    /// The eBL whose title the event reveals (an eBL action, a receipt about an eBL, a grant
    /// scoped to an eBL): who receives it is decided by R236.
    pub ebl: Option<DocumentId>,
    /// The JSON sent to clients.
    pub json: Value,
}

impl Event {
    /// `"{height}:{ordinal}"`.
    pub fn id(&self) -> String {
        format!("{}:{}", self.height, self.ordinal)
    }
}

/// Optional filters: an event passes if it names `party` and is about `document`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct Filter {
    /// Organisation id.
    pub party: Option<String>,
    /// eBL id (hex) or `ADMINISTRATION/UTN`.
    pub document: Option<String>,
}

impl Filter {
    /// Whether `event` passes (block events pass only an empty filter: they name no party).
    pub fn matches(&self, event: &Event) -> bool {
        let party = self
            .party
            .as_ref()
            .is_none_or(|p| event.parties.iter().any(|q| q == p));
        let document = self.document.as_ref().is_none_or(|d| {
            event
                .document
                .as_ref()
                .is_some_and(|e| e.eq_ignore_ascii_case(d))
        });
        party && document
    }
}

/// Parses a `Last-Event-ID` (`"h:o"` or `"h"`) into (height, ordinal).
pub fn parse_id(text: &str) -> Option<(u64, u64)> {
    let mut parts = text.trim().splitn(2, ':');
    let height = parts.next()?.parse().ok()?;
    let ordinal = parts.next().map_or(Ok(0), str::parse).ok()?;
    Some((height, ordinal))
}

fn collect_parties(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match v.as_str() {
                    Some(s) if PARTY_FIELDS.contains(&k.as_str()) => out.push(s.to_string()),
                    _ => collect_parties(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_parties(v, out)),
        _ => {}
    }
}

fn document_of(body: &Body, act_for: Option<&str>) -> Option<String> {
    use ebl_ledger::cert::CertAction;
    match body {
        Body::Ebl(a) => Some(a.document().to_hex()),
        Body::Certificate(CertAction::Issue(issue)) => Some(match act_for {
            Some(admin) => format!("{admin}/{}", issue.utn),
            None => issue.utn.clone(),
        }),
        Body::Certificate(CertAction::FlagChange { imo_number, .. }) => {
            Some(format!("IMO{imo_number}"))
        }
        Body::Certificate(a) => {
            let c = a.certificate(&ebl_ledger::ids::OrgId(String::new()))?;
            Some(format!("{}/{}", c.administration.0, c.utn))
        }
        Body::Verification(r) => Some(match &r.subject {
            DocumentRef::Ebl { id } => id.to_hex(),
            DocumentRef::Certificate(c) => format!("{}/{}", c.administration.0, c.utn),
            DocumentRef::Attested(a) => format!("{}/{}", a.authority.0, a.number),
        }),
        Body::Grant(_) | Body::Governance(_) => None,
        Body::Attested(a) => {
            // ISSUE names no authority: it is the signer's own or `act_for`'s.
            let authority = ebl_ledger::ids::OrgId(act_for.unwrap_or_default().to_string());
            let r = a.certificate(&authority);
            Some(if r.authority.0.is_empty() {
                r.number
            } else {
                format!("{}/{}", r.authority.0, r.number)
            })
        }
    }
}

/// R236: the eBL an entry body reveals the title of, if any.
fn ebl_of(body: &Body) -> Option<DocumentId> {
    match body {
        Body::Ebl(a) => Some(a.document()),
        Body::Verification(r) => match &r.subject {
            DocumentRef::Ebl { id } => Some(*id),
            DocumentRef::Certificate(_) | DocumentRef::Attested(_) => None,
        },
        Body::Grant(GrantAction::Create(terms)) => match &terms.document {
            Some(DocumentRef::Ebl { id }) => Some(*id),
            _ => None,
        },
        // A trade certificate may name the eBL of its shipment, but reveals nothing of its
        // title (holder, endorsee): R236 does not gate it.
        Body::Certificate(_)
        | Body::Attested(_)
        | Body::Grant(GrantAction::Revoke { .. })
        | Body::Governance(_) => None,
    }
}

/// The events of one stored block, block event first.
pub fn block_events(stored: &StoredBlock) -> Vec<Event> {
    let header = &stored.block.header;
    let (height, hash, time) = (header.height, header.hash().to_hex(), header.time);
    let mut events = vec![Event {
        height,
        ordinal: 0,
        document: None,
        parties: Vec::new(),
        ebl: None,
        json: json!({
            "id": format!("{height}:0"), "type": "block", "height": height, "hash": hash,
            "time": time.to_rfc3339(), "entry_count": stored.block.entries.len(),
        }),
    }];
    for (i, (e, r)) in stored.block.entries.iter().zip(&stored.results).enumerate() {
        let body = &e.entry().body;
        let act_for = e.entry().act_for.as_ref().map(|o| o.0.clone());
        let mut parties = Vec::new();
        collect_parties(
            &serde_json::to_value(body).unwrap_or(Value::Null),
            &mut parties,
        );
        parties.extend(act_for.clone());
        parties.sort();
        parties.dedup();
        let document = document_of(body, act_for.as_deref());
        let (result, code) = match &r.outcome {
            Outcome::Applied => ("APPLIED", None),
            Outcome::Failed { code, .. } => ("FAILED", Some(code.clone())),
        };
        let ordinal = i as u64 + 1;
        events.push(Event {
            height,
            ordinal,
            json: json!({
                "id": format!("{height}:{ordinal}"), "type": "entry", "height": height,
                "block_hash": hash, "time": time.to_rfc3339(), "entry_id": e.id().to_hex(),
                "action": body.action_kind().code(), "document": document,
                "parties": parties, "act_for": act_for, "result": result, "code": code,
            }),
            document,
            parties,
            ebl: ebl_of(body),
        });
    }
    events
}

/// Sends every event after `after` (or, if `None`, of blocks that become final after `blocks`
/// was subscribed) to `tx` until `tx` closes or the node fails. Replay is bounded by
/// [`MAX_REPLAY`] blocks. Callers subscribe before spawning this, so no block is missed.
pub async fn follow(
    node: Arc<dyn NodeApi>,
    blocks: broadcast::Receiver<Arc<BlockHeader>>,
    after: Option<(u64, u64)>,
    tx: mpsc::Sender<Event>,
) -> Result<(), NodeError> {
    follow_replaying(node, blocks, after, tx, MAX_REPLAY).await
}

/// [`follow`], replaying at most `max_replay` blocks before the head (webhook subscriptions
/// replay everything since their durable cursor: `u64::MAX`).
pub async fn follow_replaying(
    node: Arc<dyn NodeApi>,
    mut blocks: broadcast::Receiver<Arc<BlockHeader>>,
    after: Option<(u64, u64)>,
    tx: mpsc::Sender<Event>,
    max_replay: u64,
) -> Result<(), NodeError> {
    let mut head = 0;
    // `None` until the first block after the subscription tells where "now" is.
    let mut next = match after {
        Some((h, _)) => {
            head = node.status().await?.height;
            Some(h.max(head.saturating_sub(max_replay)))
        }
        None => None,
    };
    loop {
        while let Some(height) = next.filter(|n| *n <= head) {
            let Some(stored) = node.block(height).await? else {
                break;
            };
            for event in block_events(&stored) {
                if after.is_some_and(|s| (event.height, event.ordinal) <= s) {
                    continue;
                }
                if tx.send(event).await.is_err() {
                    return Ok(());
                }
            }
            next = Some(height + 1);
        }
        tokio::select! {
            received = blocks.recv() => match received {
                Ok(header) => {
                    head = head.max(header.height);
                    next.get_or_insert(header.height);
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    head = node.status().await?.height;
                    next.get_or_insert(head);
                }
                Err(broadcast::error::RecvError::Closed) => return Ok(()),
            },
            () = tx.closed() => return Ok(()),
        }
    }
}
