//! [`EblContext`]: how our types fill Malachite's `Context`.

use malachite::app::types::core::{self, LinearTimeouts, NilOrVal, Round, VoteType};

use super::messages::{Proposal, Vote};
use super::scheme::Ed25519Scheme;
use super::types::{Address, BlockId, BlockValue, Height};
use super::validators::{Validator, ValidatorSet};
use crate::consensus::parts::ProposalPart;

/// The consensus context of one network. It carries the genesis hash, which every consensus
/// signature covers, so votes of one network never count on another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EblContext {
    /// Genesis hash of the network.
    pub chain: [u8; 32],
}

impl EblContext {
    /// The context of the network with this genesis hash.
    pub fn new(chain: [u8; 32]) -> Self {
        EblContext { chain }
    }
}

impl core::Context for EblContext {
    type Address = Address;
    type Height = Height;
    type ProposalPart = ProposalPart;
    type Proposal = Proposal;
    type Validator = Validator;
    type ValidatorSet = ValidatorSet;
    type Timeouts = LinearTimeouts;
    type Value = BlockValue;
    type Vote = Vote;
    type Extension = ();
    type SigningScheme = Ed25519Scheme;

    /// Round-robin over the validators sorted by key, shifted by height and round, so every
    /// validator proposes in turn and a failed round moves to the next one.
    fn select_proposer<'a>(
        &self,
        validator_set: &'a ValidatorSet,
        height: Height,
        round: Round,
    ) -> &'a Validator {
        let round = if round.is_defined() {
            round
        } else {
            Round::ZERO
        };
        match designated_proposer(validator_set, height, round) {
            Some(v) => v,
            // The set is never empty (ValidatorSet::from_ledger refuses it).
            None => &validator_set.validators[0],
        }
    }

    fn new_proposal(
        &self,
        height: Height,
        round: Round,
        value: BlockValue,
        pol_round: Round,
        address: Address,
    ) -> Proposal {
        Proposal {
            height,
            round,
            value,
            pol_round,
            proposer: address,
        }
    }

    fn new_prevote(
        &self,
        height: Height,
        round: Round,
        value_id: NilOrVal<BlockId>,
        address: Address,
    ) -> Vote {
        vote(VoteType::Prevote, height, round, value_id, address)
    }

    fn new_precommit(
        &self,
        height: Height,
        round: Round,
        value_id: NilOrVal<BlockId>,
        address: Address,
    ) -> Vote {
        vote(VoteType::Precommit, height, round, value_id, address)
    }
}

/// R190: the validator designated to propose at `height` and `round` (index
/// `(height + round) mod n` over the set sorted by key); `None` for a nil round or an empty set.
pub fn designated_proposer(
    validator_set: &ValidatorSet,
    height: Height,
    round: Round,
) -> Option<&Validator> {
    let round = u64::try_from(round.as_i64()).ok()?;
    let n = validator_set.validators.len() as u64;
    let index = height.0.wrapping_add(round).checked_rem(n)?;
    validator_set.validators.get(usize::try_from(index).ok()?)
}

fn vote(
    vote_type: VoteType,
    height: Height,
    round: Round,
    value: NilOrVal<BlockId>,
    validator: Address,
) -> Vote {
    Vote {
        vote_type,
        height,
        round,
        value,
        validator,
        extension: None,
    }
}
