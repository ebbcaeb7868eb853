//! Validator set and governance proposals (specs/protocol.md R90–R99).

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::crypto::PublicKey;
use crate::error::{ExecResult, RuleError};
use crate::identity::{GovernanceAction, Role, Validator, org};
use crate::state::{EntryContext, Overlay};

/// Largest validator set.
pub const MAX_VALIDATORS: usize = 128;

/// The validators, sorted by key, with positive powers and a total that fits in u64 (R91).
#[derive(Debug, Clone, PartialEq, Eq, Default, Encode, Decode, Serialize, Deserialize)]
pub struct ValidatorSet {
    /// Validators in key order.
    pub validators: Vec<Validator>,
}

impl ValidatorSet {
    /// Builds a set, checking R91: 1 to 128 validators, distinct prime-order keys, power > 0,
    /// total power fits in u64.
    pub fn new(mut validators: Vec<Validator>) -> Result<Self, RuleError> {
        if validators.is_empty() || validators.len() > MAX_VALIDATORS {
            return Err(RuleError::InvalidValidatorSet(format!(
                "{} validators, must be 1 to {MAX_VALIDATORS}",
                validators.len()
            )));
        }
        validators.sort_by_key(|v| v.key);
        let mut total: u64 = 0;
        for (i, v) in validators.iter().enumerate() {
            v.key.check_registrable()?;
            if v.power == 0 {
                return Err(RuleError::InvalidValidatorSet(
                    "power must be positive".into(),
                ));
            }
            if i > 0 && validators[i - 1].key == v.key {
                return Err(RuleError::InvalidValidatorSet(
                    "duplicate validator key".into(),
                ));
            }
            total = total
                .checked_add(v.power)
                .ok_or_else(|| RuleError::InvalidValidatorSet("total power overflows".into()))?;
        }
        Ok(ValidatorSet { validators })
    }

    /// Sum of all powers.
    pub fn total_power(&self) -> u64 {
        self.validators.iter().map(|v| v.power).sum()
    }

    /// Power of a key (0 if it is not a validator).
    pub fn power_of(&self, key: &PublicKey) -> u64 {
        self.validators
            .iter()
            .find(|v| v.key == *key)
            .map_or(0, |v| v.power)
    }

    /// R90: whether `power` is more than two thirds of the total.
    pub fn is_supermajority(&self, power: u64) -> bool {
        u128::from(power) * 3 > u128::from(self.total_power()) * 2
    }

    /// R91: every operator is an admitted organisation with the validator-operator role.
    pub fn check_operators(&self, state: &Overlay<'_>) -> ExecResult<()> {
        for v in &self.validators {
            let operator = org::organisation(state, &v.operator)?;
            if !operator.has_role(Role::ValidatorOperator) {
                return Err(RuleError::MissingRole {
                    org: v.operator.0.clone(),
                    role: Role::ValidatorOperator.code(),
                }
                .into());
            }
        }
        Ok(())
    }
}

/// R92: stateless bounds of a governance entry.
pub fn check_governance_stateless(_action: &GovernanceAction) -> Result<(), RuleError> {
    Ok(())
}

/// Applies a governance entry.
pub fn apply_governance(_ctx: &mut EntryContext<'_>, _action: &GovernanceAction) -> ExecResult<()> {
    Err(RuleError::NotValidator.into())
}
