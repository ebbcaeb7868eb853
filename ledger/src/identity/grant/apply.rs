//! Creating and revoking grants (specs/protocol.md R28–R29).

use crate::error::{ExecResult, RuleError};
use crate::hash::Hash32;
use crate::identity::grant::{GrantRecord, MAX_LIVE_GRANTS, grant, grant_id, grants_of};
use crate::identity::org::{active_organisation, owner_of_key};
use crate::identity::{GrantAction, GrantTerms, Grantee};
use crate::ids::OrgId;
use crate::state::{EntryContext, keys};

/// Applies a grant entry (R28–R29).
pub fn apply_grant(ctx: &mut EntryContext<'_>, action: &GrantAction) -> ExecResult<()> {
    let grantor = grantor(ctx)?;
    match action {
        GrantAction::Create(terms) => create(ctx, &grantor, terms),
        GrantAction::Revoke { grant } => revoke(ctx, &grantor, grant),
    }
}

/// R28: the grantor is the signer's own, active organisation. A grant entry may not act for
/// anyone else, so a grantee can never re-delegate what it was given.
fn grantor(ctx: &EntryContext<'_>) -> ExecResult<OrgId> {
    if ctx.act_for.is_some() {
        return Err(RuleError::NotAuthorized.into());
    }
    let own = owner_of_key(&ctx.state, &ctx.signer)?.ok_or(RuleError::UnknownSigner)?;
    active_organisation(ctx, &own)?;
    Ok(own)
}

/// R28: a new grant names an active grantee organisation other than the grantor (or a key) and
/// ends after the block time; R29: the grantor keeps at most [`MAX_LIVE_GRANTS`] live grants.
fn create(ctx: &mut EntryContext<'_>, grantor: &OrgId, terms: &GrantTerms) -> ExecResult<()> {
    if let Grantee::Organisation(org) = &terms.grantee {
        if org == grantor {
            return Err(
                RuleError::invalid("grantee", "an organisation cannot grant to itself").into(),
            );
        }
        active_organisation(ctx, org)?;
    }
    if terms.valid_until <= ctx.time {
        return Err(RuleError::invalid("valid_until", "must be later than the block time").into());
    }
    let mut ids = live_grants(ctx, grantor)?;
    if ids.len() >= MAX_LIVE_GRANTS {
        return Err(RuleError::invalid(
            "grant",
            format!("the grantor already has {MAX_LIVE_GRANTS} live grants"),
        )
        .into());
    }
    let id = grant_id(&ctx.entry_id);
    let record = GrantRecord {
        id,
        grantor: grantor.clone(),
        terms: terms.clone(),
        created_at_height: ctx.height,
        created_at: ctx.time,
        revoked_at_height: None,
        revoked_at: None,
    };
    ctx.state.put(keys::grant(&id), &record);
    ids.push(id);
    ctx.state.put(keys::grants_of(grantor), &ids);
    Ok(())
}

/// R28: only the grantor revokes, once; the grant stays stored (for history and proofs) and
/// leaves the grantor's list.
fn revoke(ctx: &mut EntryContext<'_>, grantor: &OrgId, id: &Hash32) -> ExecResult<()> {
    let mut record = grant(&ctx.state, id)?.ok_or(RuleError::UnknownGrant)?;
    if record.grantor != *grantor {
        return Err(RuleError::NotAuthorized.into());
    }
    if record.revoked_at_height.is_some() {
        return Err(RuleError::GrantRevoked.into());
    }
    record.revoked_at_height = Some(ctx.height);
    record.revoked_at = Some(ctx.time);
    ctx.state.put(keys::grant(id), &record);
    let ids = live_grants(ctx, grantor)?;
    ctx.state.put(keys::grants_of(grantor), &ids);
    Ok(())
}

/// R29: the grantor's list without revoked or expired grants, in creation order. Pruned
/// whenever the list is written, so it never holds more than [`MAX_LIVE_GRANTS`] ids.
fn live_grants(ctx: &EntryContext<'_>, grantor: &OrgId) -> ExecResult<Vec<Hash32>> {
    let mut live = Vec::new();
    for id in grants_of(&ctx.state, grantor)? {
        if let Some(record) = grant(&ctx.state, &id)?
            && record.is_live(ctx.time)
        {
            live.push(id);
        }
    }
    Ok(live)
}
