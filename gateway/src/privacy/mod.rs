//! Who reads title (R230–R239, ADR 0031): anonymous callers learn an eBL's integrity, status and
//! issuer; its holder, endorsee, nominee, history and receipts go to its parties, to the
//! organisations a party granted `READ_TITLE`, and to callers with the audited `regulator`
//! scope. Everyone else is told the bill does not exist (404).
//!
//! # Design
//!
//! [`decide`] is pure: a record, the reader, the read grants of the record's parties and the
//! head block's time in, an [`Access`] out. The async edge ([`access`], [`readable_ebl`]) reads
//! the records it needs and logs each regulator read ([`audit`]). Grants are judged at the head
//! block's time, never the gateway's clock, so every gateway of the network decides alike.

mod events;

pub use events::event_visible;

use std::sync::atomic::{AtomicU64, Ordering};

use ebl_ledger::ebl::EblRecord;
use ebl_ledger::entry::DocumentRef;
use ebl_ledger::hash::{DocumentId, Hash32};
use ebl_ledger::identity::GrantRecord;
use ebl_ledger::ids::OrgId;
use ebl_ledger::state::keys;
use ebl_ledger::time::Timestamp;

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::node::NodeApi;

/// Who is reading, as far as title is concerned (R230).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Reader {
    /// No API key, or a key (or admin key) bound to no organisation and without the
    /// `regulator` scope: public facts only.
    Anonymous,
    /// A member organisation: by its certificate (mTLS) or its API key's organisation.
    Member(OrgId),
    /// A key with the `regulator` scope (its name, for the audit log): reads every title,
    /// each read logged (R235).
    Regulator(String),
}

impl Default for Reader {
    /// The least a reader can be: what a subscription saved before R236 reads as.
    fn default() -> Self {
        Reader::Anonymous
    }
}

impl Reader {
    /// R230: the reader a request's caller is (`None`: no key, the public routes).
    pub fn of(caller: Option<&Caller>) -> Reader {
        match caller {
            None => Reader::Anonymous,
            Some(c) if c.regulator => Reader::Regulator(c.name.clone()),
            Some(c) => c.org.clone().map_or(Reader::Anonymous, Reader::Member),
        }
    }
}

/// What a reader may see of one eBL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// R231: the reader is a party of the eBL (R140).
    Party,
    /// R233: a party granted the reader `READ_TITLE` (the grant's id).
    Granted(Hash32),
    /// R235: the audited full read.
    Regulator,
    /// R232: integrity, status and issuer only; title routes answer 404.
    Public,
}

impl Access {
    /// Whether the holder, endorsee, nominee, history and receipts may be shown.
    pub fn sees_title(&self) -> bool {
        !matches!(self, Access::Public)
    }
}

/// R231–R235: what `reader` may see of `record`, given the read grants of its parties
/// (`grants`; a grant whose grantor is not a party counts for nothing) at block time `time`.
pub fn decide(
    record: &EblRecord,
    reader: &Reader,
    grants: &[GrantRecord],
    time: Timestamp,
) -> Access {
    let org = match reader {
        Reader::Anonymous => return Access::Public,
        Reader::Regulator(_) => return Access::Regulator,
        Reader::Member(org) => org,
    };
    let parties = record.parties();
    if parties.contains(org) {
        return Access::Party;
    }
    let document = DocumentRef::Ebl { id: record.id };
    grants
        .iter()
        .find(|g| parties.contains(&g.grantor) && g.lets_read(org, &document, time))
        .map_or(Access::Public, |g| Access::Granted(g.id))
}

/// Most grant records read for one decision: every party may hold at most
/// `MAX_LIVE_GRANTS` (256) listed grants, and a bill names few parties; beyond this the
/// reader is refused rather than the node kept busy (R233).
const MAX_GRANTS_READ: usize = 4096;

/// A record of type `T` at `key`, if any; one that does not decode is an internal error.
async fn get<T: bincode::Decode<()>>(node: &dyn NodeApi, key: Vec<u8>) -> ApiResult<Option<T>> {
    match node.get(key).await? {
        None => Ok(None),
        Some(bytes) => ebl_ledger::codec::decode_stored(&bytes)
            .map(Some)
            .map_err(|e| ApiError::internal(&e)),
    }
}

/// The grants the parties of `record` gave; read only for a member that is not a party (the
/// only case [`decide`] looks at them).
async fn party_grants(node: &dyn NodeApi, record: &EblRecord) -> ApiResult<Vec<GrantRecord>> {
    let mut grants = Vec::new();
    let mut read = 0usize;
    for party in record.parties() {
        let ids = get::<Vec<Hash32>>(node, keys::grants_of(&party))
            .await?
            .unwrap_or_default();
        for id in ids {
            read += 1;
            if read > MAX_GRANTS_READ {
                tracing::warn!(document = %record.id, "read-grant scan cut at its bound");
                return Ok(grants);
            }
            if let Some(grant) = get::<GrantRecord>(node, keys::grant(&id)).await? {
                grants.push(grant);
            }
        }
    }
    Ok(grants)
}

/// R231–R235 at the edge: [`decide`] with the grants and the head block's time read from the
/// node only when they can change the answer.
pub async fn access(node: &dyn NodeApi, record: &EblRecord, reader: &Reader) -> ApiResult<Access> {
    if let Reader::Member(org) = reader
        && !record.is_party(org)
    {
        let time = node.status().await?.time;
        let grants = party_grants(node, record).await?;
        return Ok(decide(record, reader, &grants, time));
    }
    Ok(decide(record, reader, &[], Timestamp(0)))
}

/// R236: whether `caller` may list, delete and see the deliveries of a webhook subscription
/// that reads as `owner`. A member manages only its own organisation's subscriptions (their
/// filters and deliveries say which bills it follows); the gateway's operator (an admin key
/// bound to no organisation) and the regulator manage every one.
pub fn manages_subscription(caller: &Reader, owner: &Reader) -> bool {
    match caller {
        Reader::Member(_) => caller == owner,
        Reader::Anonymous | Reader::Regulator(_) => true,
    }
}

/// R234: the answer to a reader who may not see a bill: the same 404 as for a bill that does
/// not exist, so existence does not leak.
pub fn not_found() -> ApiError {
    ApiError::not_found("UNKNOWN_DOCUMENT", "no eBL with this document id")
}

/// Reads of a title by the `regulator` scope since the process started (R235).
static REGULATOR_READS: AtomicU64 = AtomicU64::new(0);

/// R235: the number of audited regulator reads so far (for a metrics endpoint).
pub fn regulator_reads() -> u64 {
    REGULATOR_READS.load(Ordering::Relaxed)
}

/// R235: logs a regulator's read of `document` through `route` at INFO, and counts it.
pub fn audit(reader: &Reader, route: &str, document: &str) {
    if let Reader::Regulator(name) = reader {
        REGULATOR_READS.fetch_add(1, Ordering::Relaxed);
        tracing::info!(target: "ebl_gateway::audit", caller = %name, route, document,
            "regulator read");
    }
}

/// R235: counts a regulator's receipt of one event about `document` and logs it at DEBUG: the
/// stream or subscription it flows through was logged at INFO when it opened, and one INFO
/// line per event would make the audit log the bottleneck of a busy network.
pub fn audit_event(reader: &Reader, route: &str, document: &str) {
    if let Reader::Regulator(name) = reader {
        REGULATOR_READS.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(target: "ebl_gateway::audit", caller = %name, route, document,
            "regulator event");
    }
}

/// R231–R235: eBL `id` for a reader who may see its title, else 404 `UNKNOWN_DOCUMENT`
/// whether or not it exists; a regulator's read is audited under `route`.
pub async fn readable_ebl(
    state: &AppState,
    caller: &Caller,
    id: &DocumentId,
    route: &str,
) -> ApiResult<EblRecord> {
    let reader = Reader::of(Some(caller));
    let record = crate::routes::documents::load_ebl(state, id).await?;
    if !access(state.node.as_ref(), &record, &reader)
        .await?
        .sees_title()
    {
        return Err(not_found());
    }
    audit(&reader, route, &id.to_hex());
    Ok(record)
}

#[cfg(test)]
mod tests;
