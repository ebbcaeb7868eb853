//! The consensus validator set, built from the ledger's validator set in state.

use ebl_ledger::identity::ValidatorSet as LedgerValidators;
use malachite::app::types::core::{self, VotingPower};
use malachite_ed25519 as ed;

use super::context::EblContext;
use super::types::Address;

/// One validator: address (= consensus key), key and power.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Validator {
    /// Address.
    pub address: Address,
    /// Ed25519 key as Malachite verifies it.
    pub public_key: ed::PublicKey,
    /// Voting power.
    pub power: VotingPower,
}

/// The validators of one height, sorted by address (the ledger keeps them sorted by key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidatorSet {
    /// Validators by address.
    pub validators: Vec<Validator>,
    total: VotingPower,
}

/// Why a ledger validator set cannot be used by consensus.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid validator set: {0}")]
pub struct ValidatorSetError(pub String);

impl ValidatorSet {
    /// The consensus view of the ledger's validator set.
    pub fn from_ledger(set: &LedgerValidators) -> Result<Self, ValidatorSetError> {
        let mut validators = Vec::with_capacity(set.validators.len());
        let mut total: u64 = 0;
        for v in &set.validators {
            let public_key =
                ed::PublicKey::from_bytes(v.key.0).map_err(|e| ValidatorSetError(e.to_string()))?;
            total = total
                .checked_add(v.power)
                .ok_or_else(|| ValidatorSetError("total power overflows".into()))?;
            validators.push(Validator {
                address: Address::from(v.key),
                public_key,
                power: v.power,
            });
        }
        if validators.is_empty() {
            return Err(ValidatorSetError("no validators".into()));
        }
        validators.sort_by_key(|v| v.address);
        Ok(ValidatorSet { validators, total })
    }
}

impl core::Validator<EblContext> for Validator {
    fn address(&self) -> &Address {
        &self.address
    }

    fn public_key(&self) -> &ed::PublicKey {
        &self.public_key
    }

    fn voting_power(&self) -> VotingPower {
        self.power
    }
}

impl core::ValidatorSet<EblContext> for ValidatorSet {
    fn count(&self) -> usize {
        self.validators.len()
    }

    fn total_voting_power(&self) -> VotingPower {
        self.total
    }

    fn get_by_address(&self, address: &Address) -> Option<&Validator> {
        self.validators
            .binary_search_by_key(address, |v| v.address)
            .ok()
            .and_then(|i| self.validators.get(i))
    }

    fn get_by_index(&self, index: usize) -> Option<&Validator> {
        self.validators.get(index)
    }
}
