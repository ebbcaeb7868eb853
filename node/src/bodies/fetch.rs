//! The requesting side (R142, R143, R145): a body this node lacks is asked of its connected
//! member nodes, with the proof that it asks for `party`; the first body that hashes to the id
//! is stored and returned.

use std::collections::BTreeMap;

use ebl_ledger::hash::DocumentId;
use ebl_ledger::ids::OrgId;
use ed25519_dalek::SigningKey;
use libp2p::futures::StreamExt as _;
use libp2p::futures::stream::FuturesUnordered;

use super::protocol::{BodyRequest, BodyResponse, Proof, signed_request};
use super::serve::{facts_blocking, runs_as};
use super::store::BodyError;
use super::{FETCH_TIMEOUT, MAX_ASKED};
use crate::handle::NodeHandle;

/// Keys of organisations this node's custodian holds (R143 b), by organisation.
#[derive(Default)]
pub struct PartyKeys {
    keys: BTreeMap<OrgId, Vec<SigningKey>>,
}

impl std::fmt::Debug for PartyKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the keys.
        f.debug_set().entries(self.keys.keys()).finish()
    }
}

impl PartyKeys {
    /// The keys held for organisations (a key of another organisation acting for `org` is kept
    /// too, but only `org`'s registered key can prove a request).
    pub fn new(held: impl IntoIterator<Item = (OrgId, SigningKey)>) -> Self {
        let mut keys: BTreeMap<OrgId, Vec<SigningKey>> = BTreeMap::new();
        for (org, key) in held {
            keys.entry(org).or_default().push(key);
        }
        PartyKeys { keys }
    }

    /// The held key of `org` whose public key is `registered`, if any.
    pub(crate) fn key_of(
        &self,
        org: &OrgId,
        registered: &ebl_ledger::crypto::PublicKey,
    ) -> Option<&SigningKey> {
        self.keys
            .get(org)?
            .iter()
            .find(|k| k.verifying_key().to_bytes() == registered.0)
    }
}

/// Why a body could not be fetched (not "nobody had it": that is `Ok(None)`).
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The body store failed.
    #[error(transparent)]
    Store(#[from] BodyError),
    /// Committed state could not be read.
    #[error("ledger read: {0}")]
    Ledger(String),
}

/// R142: the body of `id` for `party`: the local copy, else the first good copy a connected
/// member node serves (R145: it must hash to `id`), which is stored. `None` when this node
/// cannot prove it asks for `party` (R143), runs no swarm, or nobody answered with the body
/// within [`FETCH_TIMEOUT`].
pub async fn document_body(
    handle: &NodeHandle,
    keys: &PartyKeys,
    id: DocumentId,
    party: OrgId,
) -> Result<Option<Vec<u8>>, FetchError> {
    let store = &handle.bodies.store;
    if let Some(body) = store.get(id).await? {
        return Ok(Some(body));
    }
    let Some(link) = handle.gossip() else {
        return Ok(None);
    };
    let Some(request) = request_for(handle, keys, id, party).await? else {
        return Ok(None);
    };
    let peers: Vec<_> = link
        .connected_peers()
        .await
        .into_iter()
        .take(MAX_ASKED)
        .collect();
    let mut asks: FuturesUnordered<_> = peers
        .into_iter()
        .map(|peer| {
            let request = request.clone();
            async move { (peer, link.ask_body(peer, request).await) }
        })
        .collect();
    let first_good = async {
        while let Some((peer, answer)) = asks.next().await {
            match answer {
                Ok(BodyResponse::Found(body)) => match store.put(id, body.clone()).await {
                    Ok(()) => return Ok(Some(body)),
                    // Checked at the edge already; a second check costs one hash.
                    Err(BodyError::WrongHash | BodyError::TooLarge { .. }) => continue,
                    Err(e) => return Err(FetchError::Store(e)),
                },
                Ok(other) => tracing::debug!(%peer, ?other, "peer did not serve the body"),
                Err(e) => tracing::debug!(%peer, error = %e, "body request failed"),
            }
        }
        Ok(None)
    };
    match tokio::time::timeout(FETCH_TIMEOUT, first_good).await {
        Ok(result) => result,
        Err(_) => Ok(None),
    }
}

/// R143: the request this node can make for `party`: with [`Proof::Connection`] when the
/// ledger says the node runs as `party`, else signed with a held key of `party`; `None` when
/// it can do neither (or `party` is not an admitted organisation).
async fn request_for(
    handle: &NodeHandle,
    keys: &PartyKeys,
    id: DocumentId,
    party: OrgId,
) -> Result<Option<BodyRequest>, FetchError> {
    let Some(link) = handle.gossip() else {
        return Ok(None);
    };
    let reads = handle.committed().clone();
    let asked_for = party.clone();
    let facts = tokio::task::spawn_blocking(move || facts_blocking(&reads, &id, &asked_for))
        .await
        .map_err(|e| FetchError::Ledger(e.to_string()))?
        .map_err(|e| FetchError::Ledger(e.to_string()))?;
    let Some(org) = facts.party else {
        return Ok(None);
    };
    let me = link.local_peer_id;
    if runs_as(&me, &org, facts.validators.as_ref()) {
        return Ok(Some(BodyRequest {
            document: id,
            party,
            proof: Proof::Connection,
        }));
    }
    let chain = &handle.bodies.chain;
    Ok(keys
        .key_of(&party, &org.key)
        .map(|key| signed_request(chain, &me, id, party.clone(), key)))
}
