//! Applying an approved proposal (specs/protocol.md R97–R99).

use crate::error::{ExecResult, RuleError};
use crate::identity::governance::ValidatorSet;
use crate::identity::{Proposal, Validator, org};
use crate::ids::OrgId;
use crate::state::{Overlay, keys};
use crate::time::Timestamp;

/// Applies `proposal` to `state` at block `time`/`height`. Called on a scratch overlay when the
/// proposal is opened (R94) and on a child overlay when it is approved (R97), so that a failure
/// never leaves partial writes.
pub fn execute(
    state: &mut Overlay<'_>,
    proposal: &Proposal,
    time: Timestamp,
    height: u64,
) -> ExecResult<()> {
    match proposal {
        // R98: admitted at the block time and height, by the same rules as genesis (R21–R22).
        Proposal::AdmitOrganisation {
            certificate_der,
            profile,
        } => {
            org::admit(state, certificate_der, profile.as_ref(), time, height)?;
            Ok(())
        }
        Proposal::RevokeOrganisation { org, .. } => revoke_organisation(state, org, height),
        Proposal::AddValidator { validator } => {
            let mut validators = ValidatorSet::current(state)?.validators;
            validators.push(validator.clone());
            replace_set(state, validators)
        }
        Proposal::RemoveValidator { key } => {
            let mut validators = ValidatorSet::current(state)?.validators;
            let before = validators.len();
            validators.retain(|v| v.key != *key);
            if validators.len() == before {
                return Err(not_a_validator());
            }
            replace_set(state, validators)
        }
        Proposal::SetValidatorPower { key, power } => {
            let mut validators = ValidatorSet::current(state)?.validators;
            let validator = validators
                .iter_mut()
                .find(|v| v.key == *key)
                .ok_or_else(not_a_validator)?;
            validator.power = *power;
            replace_set(state, validators)
        }
        Proposal::ScheduleProtocolUpgrade {
            version,
            activation_height,
        } => crate::protocol_version::schedule_upgrade(state, *version, *activation_height, height),
        // R382: the organisation must exist and not be revoked.
        Proposal::SetOrganisationProfile { org, profile } => org::set_profile(state, org, profile),
    }
}

fn not_a_validator() -> crate::error::ExecError {
    RuleError::InvalidValidatorSet("the key is not a validator".into()).into()
}

/// R99: the new set must satisfy R91 (1–128 distinct prime-order keys, positive powers, an
/// active operator with the validator-operator role).
fn replace_set(state: &mut Overlay<'_>, validators: Vec<Validator>) -> ExecResult<()> {
    let set = ValidatorSet::new(validators)?;
    set.check_operators(state)?;
    state.put(keys::validators(), &set);
    Ok(())
}

/// R98: revocation is recorded on the organisation; from then on nothing it signs or is named
/// in is accepted (R23). An organisation that still operates a validator is not revoked: its
/// validators must be removed first, so the set never has a revoked operator.
fn revoke_organisation(state: &mut Overlay<'_>, id: &OrgId, height: u64) -> ExecResult<()> {
    let mut record = org::organisation(state, id)?;
    if record.revoked_at_height.is_some() {
        return Err(RuleError::OrganisationRevoked(id.0.clone()).into());
    }
    let set = ValidatorSet::current(state)?;
    if set.validators.iter().any(|v| v.operator == *id) {
        return Err(RuleError::InvalidValidatorSet(format!(
            "`{id}` operates a validator; remove it first"
        ))
        .into());
    }
    record.revoked_at_height = Some(height);
    state.put(keys::organisation(id), &record);
    Ok(())
}
