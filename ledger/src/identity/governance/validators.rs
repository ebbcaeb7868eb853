//! The validator set: who runs consensus and with what power (specs/protocol.md R90–R91).

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::crypto::PublicKey;
use crate::error::{ExecResult, RuleError, StorageError};
use crate::identity::{Role, Validator, org};
use crate::state::{Overlay, keys};

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

    /// Whether `key` is a validator of this set.
    pub fn contains(&self, key: &PublicKey) -> bool {
        self.validators.iter().any(|v| v.key == *key)
    }

    /// The current set, as stored in state. Its absence is a storage fault: genesis writes it.
    pub fn current(state: &Overlay<'_>) -> ExecResult<ValidatorSet> {
        state
            .get(&keys::validators())?
            .ok_or_else(|| StorageError::Failed("validator set missing from state".into()).into())
    }

    /// R91: every operator is an admitted, unrevoked organisation with the validator-operator
    /// role.
    pub fn check_operators(&self, state: &Overlay<'_>) -> ExecResult<()> {
        for v in &self.validators {
            let operator = org::organisation(state, &v.operator)?;
            if operator.revoked_at_height.is_some() {
                return Err(RuleError::OrganisationRevoked(v.operator.0.clone()).into());
            }
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
