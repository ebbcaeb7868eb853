//! Organisation records and the authority check every action makes
//! (specs/protocol.md R22–R24, R26).

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::crypto::PublicKey;
use crate::entry::{ActionKind, DocumentRef};
use crate::error::{ExecResult, RuleError};
use crate::hash::Hash32;
use crate::identity::profile::OrgProfile;
use crate::identity::x509::{OrgCertificate, RootCa, parse_organisation};
use crate::identity::{DocumentKind, Role, grant};
use crate::ids::OrgId;
use crate::state::{EntryContext, Overlay, keys};
use crate::time::Timestamp;

/// A member organisation, as stored in state.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct Organisation {
    /// Id (certificate CN).
    pub id: OrgId,
    /// Legal name (certificate O).
    pub name: String,
    /// Country (certificate C).
    pub country: String,
    /// Roles (certificate OU).
    pub roles: Vec<Role>,
    /// Organisation key (certificate subject key).
    pub key: PublicKey,
    /// Certificate validity start.
    pub not_before: Timestamp,
    /// Certificate validity end.
    pub not_after: Timestamp,
    /// SHA-256 of the certificate DER.
    pub certificate_fingerprint: Hash32,
    /// The certificate, for offline re-verification.
    pub certificate_der: Vec<u8>,
    /// Height at which it was admitted.
    pub admitted_at_height: u64,
    /// Height at which governance revoked it, if it did.
    pub revoked_at_height: Option<u64>,
    /// Display names and local zone (R380–R382).
    pub profile: OrgProfile,
}

impl Organisation {
    /// Whether it has `role`.
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// R23: an organisation may act at `time` only while not revoked and inside its
    /// certificate's validity.
    pub fn check_active(&self, time: Timestamp) -> Result<(), RuleError> {
        if self.revoked_at_height.is_some() {
            return Err(RuleError::OrganisationRevoked(self.id.0.clone()));
        }
        if time < self.not_before {
            return Err(RuleError::CertNotYetValid(self.id.0.clone()));
        }
        if time > self.not_after {
            return Err(RuleError::CertExpired(self.id.0.clone()));
        }
        Ok(())
    }
}

/// R22: admits an organisation from its certificate at `time`/`height`: it must chain to a
/// stored root, be valid then, and its id and key must be new. R381: with `profile`, or else
/// the default profile of its certificate's O name.
pub fn admit(
    state: &mut Overlay<'_>,
    der: &[u8],
    profile: Option<&OrgProfile>,
    time: Timestamp,
    height: u64,
) -> ExecResult<Organisation> {
    let roots: Vec<RootCa> = state.get(&keys::root_cas())?.unwrap_or_default();
    let facts: OrgCertificate = parse_organisation(der, &roots, time)?;
    if state.get_raw(&keys::organisation(&facts.id))?.is_some() {
        return Err(RuleError::DuplicateOrganisation(facts.id.0).into());
    }
    if state
        .get_raw(&keys::organisation_key(&facts.key))?
        .is_some()
    {
        return Err(
            RuleError::invalid("certificate", "key already belongs to an organisation").into(),
        );
    }
    let profile = match profile {
        Some(p) => {
            p.check()?;
            p.clone()
        }
        None => OrgProfile::default_for(&facts.name),
    };
    let org = Organisation {
        id: facts.id,
        name: facts.name,
        country: facts.country,
        roles: facts.roles,
        key: facts.key,
        not_before: facts.not_before,
        not_after: facts.not_after,
        certificate_fingerprint: facts.fingerprint,
        certificate_der: der.to_vec(),
        admitted_at_height: height,
        revoked_at_height: None,
        profile,
    };
    state.put(keys::organisation(&org.id), &org);
    state.put(keys::organisation_key(&org.key), &org.id);
    Ok(org)
}

/// R382: replaces the profile of an organisation that is not revoked (genesis profiles and
/// `SET_ORGANISATION_PROFILE`). Certificates already issued keep the zone they recorded.
pub fn set_profile(state: &mut Overlay<'_>, id: &OrgId, profile: &OrgProfile) -> ExecResult<()> {
    profile.check()?;
    let mut record = organisation(state, id)?;
    if record.revoked_at_height.is_some() {
        return Err(RuleError::OrganisationRevoked(id.0.clone()).into());
    }
    record.profile = profile.clone();
    state.put(keys::organisation(id), &record);
    Ok(())
}

/// Reads an organisation.
pub fn organisation(state: &Overlay<'_>, org: &OrgId) -> ExecResult<Organisation> {
    state
        .get::<Organisation>(&keys::organisation(org))?
        .ok_or_else(|| RuleError::UnknownOrganisation(org.0.clone()).into())
}

/// R23: reads an organisation that may take part at the block time (a recipient of a transfer,
/// a named endorsee, a grantee).
pub fn active_organisation(ctx: &EntryContext<'_>, org: &OrgId) -> ExecResult<Organisation> {
    let record = organisation(&ctx.state, org)?;
    record.check_active(ctx.time)?;
    Ok(record)
}

/// R24: `org` must have `role`.
pub fn require_role(ctx: &EntryContext<'_>, org: &OrgId, role: Role) -> ExecResult<()> {
    let record = organisation(&ctx.state, org)?;
    if !record.has_role(role) {
        return Err(RuleError::MissingRole {
            org: org.0.clone(),
            role: role.code(),
        }
        .into());
    }
    Ok(())
}

/// The organisation that owns `key`, if any.
pub fn owner_of_key(state: &Overlay<'_>, key: &PublicKey) -> ExecResult<Option<OrgId>> {
    state.get::<OrgId>(&keys::organisation_key(key))
}

/// R26: decides for whom the signer acts. Without `act_for`, the signer's own organisation; with
/// it, that organisation, if it is the signer's own or if one of its grants covers the signer
/// (key or organisation), the action, the document kind and the document at the block time.
/// The acting organisation must be active (R23).
pub fn authorize(
    ctx: &EntryContext<'_>,
    kind: ActionKind,
    document_kind: Option<DocumentKind>,
    document: Option<&DocumentRef>,
) -> ExecResult<OrgId> {
    let own = owner_of_key(&ctx.state, &ctx.signer)?;
    let actor = match (&ctx.act_for, &own) {
        (Some(org), _) => org.clone(),
        (None, Some(org)) => org.clone(),
        (None, None) => return Err(RuleError::UnknownSigner.into()),
    };
    active_organisation(ctx, &actor)?;
    if own.as_ref() == Some(&actor) {
        return Ok(actor);
    }
    if let Some(own_org) = &own {
        // A grant to an organisation is usable only while that organisation is itself active.
        active_organisation(ctx, own_org)?;
    }
    let request = grant::Request {
        grantor: &actor,
        signer: &ctx.signer,
        signer_org: own.as_ref(),
        kind,
        document_kind,
        document,
    };
    if grant::covers(ctx, &request)? {
        Ok(actor)
    } else {
        Err(RuleError::NotAuthorized.into())
    }
}
