//! Grants: an organisation lets a key or another organisation act for it, within limits
//! (specs/protocol.md R25–R29).
//!
//! # Design
//!
//! A grant is created and revoked by the grantor's own key only (R28): authority flows one step,
//! from an organisation to its grantee, and never further, so a grantee can never re-delegate.
//! Grants are stored by id (`grant/<id>`) and listed per grantor (`grants-of/<org>`, at most
//! [`MAX_LIVE_GRANTS`] live ids), so that [`covers`] reads a bounded number of records.

mod apply;
mod check;

pub use apply::apply_grant;
pub use check::{MAX_GRANT_ACTIONS, MAX_GRANT_KINDS, check_grant_stateless};

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::crypto::PublicKey;
use crate::entry::{ActionKind, DocumentRef};
use crate::error::ExecResult;
use crate::hash::{EntryId, Hash32, domain};
use crate::identity::{DocumentKind, GrantTerms, Grantee};
use crate::ids::OrgId;
use crate::state::{EntryContext, Overlay, keys};
use crate::time::Timestamp;

/// Most live (unrevoked, unexpired) grants one grantor may have (R29).
pub const MAX_LIVE_GRANTS: usize = 256;

/// What an entry asks a grant to cover.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The organisation the signer acts for.
    pub grantor: &'a OrgId,
    /// The signing key.
    pub signer: &'a PublicKey,
    /// The signer's own organisation, if the key belongs to one.
    pub signer_org: Option<&'a OrgId>,
    /// The action.
    pub kind: ActionKind,
    /// The document kind acted on.
    pub document_kind: Option<DocumentKind>,
    /// The document acted on.
    pub document: Option<&'a DocumentRef>,
}

/// A grant as stored in state (R28).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct GrantRecord {
    /// Grant id ([`grant_id`] of the creating entry).
    pub id: Hash32,
    /// The organisation that gave it.
    pub grantor: OrgId,
    /// What it allows.
    pub terms: GrantTerms,
    /// Height of the creating block.
    pub created_at_height: u64,
    /// Time of the creating block.
    pub created_at: Timestamp,
    /// Height of the revoking block, if revoked.
    pub revoked_at_height: Option<u64>,
    /// Time of the revoking block, if revoked.
    pub revoked_at: Option<Timestamp>,
}

impl GrantRecord {
    /// Whether the grant may still be used at `time` or later: not revoked, not yet past its
    /// window. Such grants count against [`MAX_LIVE_GRANTS`].
    pub fn is_live(&self, time: Timestamp) -> bool {
        self.revoked_at_height.is_none() && time <= self.terms.valid_until
    }

    /// R27: whether this grant covers `request` at `time`.
    pub fn covers(&self, request: &Request<'_>, time: Timestamp) -> bool {
        if self.revoked_at_height.is_some() || self.grantor != *request.grantor {
            return false;
        }
        if time < self.terms.valid_from || time > self.terms.valid_until {
            return false;
        }
        let grantee_matches = match &self.terms.grantee {
            Grantee::Key(key) => key == request.signer,
            Grantee::Organisation(org) => request.signer_org == Some(org),
        };
        if !grantee_matches || !self.terms.actions.contains(&request.kind) {
            return false;
        }
        if let Some(kind) = request.document_kind
            && !self.terms.document_kinds.contains(&kind)
        {
            return false;
        }
        match &self.terms.document {
            None => true,
            Some(only) => request.document == Some(only),
        }
    }

    /// R233: whether this grant lets organisation `reader` read the title of eBL `document`
    /// of the grantor at `time`: live in its window, `READ_TITLE` among its actions, the eBL
    /// kind among its kinds, granted to `reader` itself, and for every document or this one.
    /// A read grant gives no power to sign: no entry has the `READ_TITLE` action kind.
    pub fn lets_read(&self, reader: &OrgId, document: &DocumentRef, time: Timestamp) -> bool {
        if self.revoked_at_height.is_some()
            || time < self.terms.valid_from
            || time > self.terms.valid_until
        {
            return false;
        }
        let kind = document.kind();
        self.terms.grantee == Grantee::Organisation(reader.clone())
            && self.terms.actions.contains(&ActionKind::EblReadTitle)
            && self.terms.document_kinds.contains(&kind)
            && self
                .terms
                .document
                .as_ref()
                .is_none_or(|only| only == document)
    }
}

/// R28: the id of the grant created by entry `entry`.
pub fn grant_id(entry: &EntryId) -> Hash32 {
    Hash32::tagged(domain::GRANT_ID, &entry.0)
}

/// The grant ids listed for `grantor` (live ones, plus any that lapsed since the list was last
/// written).
pub fn grants_of(state: &Overlay<'_>, grantor: &OrgId) -> ExecResult<Vec<Hash32>> {
    Ok(state.get(&keys::grants_of(grantor))?.unwrap_or_default())
}

/// Reads a grant record.
pub fn grant(state: &Overlay<'_>, id: &Hash32) -> ExecResult<Option<GrantRecord>> {
    state.get(&keys::grant(id))
}

/// R27: whether a live grant of `request.grantor` covers the request at the block time.
pub fn covers(ctx: &EntryContext<'_>, request: &Request<'_>) -> ExecResult<bool> {
    for id in grants_of(&ctx.state, request.grantor)? {
        if let Some(record) = grant(&ctx.state, &id)?
            && record.covers(request, ctx.time)
        {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests;
