//! Standing: whether an entry's signer may have anything recorded at all
//! (specs/protocol.md R180–R181, specs/adr/0026-entry-intake.md).
//!
//! # Design
//!
//! One pure predicate over a state and a block time, used by execution (R181: before the
//! sequence, so an entry without standing writes nothing, not even `seq/<key>`), by the node's
//! intake (R182: the handle and gossip judge it on committed state before any signature work)
//! and by the proposer (R182: entries whose standing is gone leave the pool at reap time).
//! Standing is deliberately coarser than authority: it says that the signer is someone the
//! consortium answers for (a member's key, a validator's key, or a grantee named by a live
//! grant of the organisation acted for); whether that grant covers the particular action stays
//! R27's business at execution, after the sequence is consumed (R9).
//!
//! Cost: at most four records and one grant list of at most [`MAX_LIVE_GRANTS`] grants, so a
//! judgment is bounded whatever the entry.
//!
//! [`MAX_LIVE_GRANTS`]: crate::identity::grant::MAX_LIVE_GRANTS

use crate::crypto::PublicKey;
use crate::entry::Entry;
use crate::error::{ExecResult, RuleError};
use crate::identity::governance::ValidatorSet;
use crate::identity::org::{Organisation, owner_of_key};
use crate::identity::{Grantee, grant};
use crate::ids::OrgId;
use crate::state::{Overlay, StateReader, keys};
use crate::time::Timestamp;

/// R180: whether `signer`, acting for `act_for` (or for itself), has standing at `time` on
/// `state`. `Ok(())` when it does; a rule error saying why not (R181 codes: `UNKNOWN_SIGNER`,
/// the R23 codes of the signer's own organisation, `UNKNOWN_ORGANISATION` or the R23 codes of
/// the organisation acted for, `NOT_AUTHORIZED` when no live grant of it names the signer);
/// a storage error when state cannot be read.
pub fn check_standing(
    state: &Overlay<'_>,
    signer: &PublicKey,
    act_for: Option<&OrgId>,
    time: Timestamp,
) -> ExecResult<()> {
    let own = owner_of_key(state, signer)?;
    // (a) a key of an organisation that is active now.
    let own_inactive = match &own {
        Some(org) => match active(state, org, time)? {
            Ok(_) => return Ok(()),
            Err(why) => Some(why),
        },
        None => None,
    };
    // (a) a validator key of the current set.
    if ValidatorSet::current(state)?.contains(signer) {
        return Ok(());
    }
    let Some(grantor) = act_for else {
        return Err(own_inactive.unwrap_or(RuleError::UnknownSigner).into());
    };
    if own.as_ref() == Some(grantor) {
        // Acting for its own inactive organisation: R23 answers, not a grant.
        return Err(own_inactive.unwrap_or(RuleError::UnknownSigner).into());
    }
    // (b) the organisation acted for is active and one of its live grants names the signer.
    active(state, grantor, time)??;
    if names_signer(state, grantor, signer, own.as_ref(), time)? {
        Ok(())
    } else {
        Err(RuleError::NotAuthorized.into())
    }
}

/// R180 for a whole entry, on any committed state (a node's store, a store reader) at `time`
/// (for the node: the head's block time).
pub fn entry_standing(state: &dyn StateReader, entry: &Entry, time: Timestamp) -> ExecResult<()> {
    check_standing(
        &Overlay::new(state),
        &entry.signer,
        entry.act_for.as_ref(),
        time,
    )
}

/// The organisation `org`, if it exists and is active at `time` (R23); the rule error that
/// refuses it otherwise. Storage errors come out as the outer error.
fn active(
    state: &Overlay<'_>,
    org: &OrgId,
    time: Timestamp,
) -> ExecResult<Result<Organisation, RuleError>> {
    let Some(record) = state.get::<Organisation>(&keys::organisation(org))? else {
        return Ok(Err(RuleError::UnknownOrganisation(org.0.clone())));
    };
    Ok(record.check_active(time).map(|()| record))
}

/// Whether a live grant of `grantor` (not revoked, `time` inside its window) names `signer`
/// or its organisation as grantee.
fn names_signer(
    state: &Overlay<'_>,
    grantor: &OrgId,
    signer: &PublicKey,
    signer_org: Option<&OrgId>,
    time: Timestamp,
) -> ExecResult<bool> {
    for id in grant::grants_of(state, grantor)? {
        let Some(record) = grant::grant(state, &id)? else {
            continue;
        };
        let live = record.revoked_at_height.is_none()
            && record.grantor == *grantor
            && record.terms.valid_from <= time
            && time <= record.terms.valid_until;
        let named = match &record.terms.grantee {
            Grantee::Key(key) => key == signer,
            Grantee::Organisation(org) => signer_org == Some(org),
        };
        if live && named {
            return Ok(true);
        }
    }
    Ok(false)
}
