//! Double-vote evidence: one validator signing two different values for the same height,
//! round and vote kind (R134).

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::hash::Hash32;
use crate::identity::Validator;

use super::FinalityError;
use super::vote::SignedVote;

/// Two conflicting signed votes of one validator.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct DoubleVote {
    /// One vote.
    pub first: SignedVote,
    /// The conflicting vote.
    pub second: SignedVote,
}

impl DoubleVote {
    /// R134: evidence is valid when both votes are by the same member of `validators`, for the
    /// same height, round and kind, for different values (a block and nil count as
    /// different), and both signatures verify on this chain.
    pub fn verify(&self, chain: &Hash32, validators: &[Validator]) -> Result<(), FinalityError> {
        let (a, b) = (&self.first.vote, &self.second.vote);
        if a.validator != b.validator {
            return Err(FinalityError::NotConflicting("different validators"));
        }
        if a.height != b.height || a.round != b.round {
            return Err(FinalityError::NotConflicting("different height or round"));
        }
        if a.kind != b.kind {
            return Err(FinalityError::NotConflicting("different vote kinds"));
        }
        if a.block == b.block {
            return Err(FinalityError::NotConflicting("same value"));
        }
        if !validators.iter().any(|v| v.key == a.validator) {
            return Err(FinalityError::UnknownValidator(a.validator.to_hex()));
        }
        self.first.verify(chain)?;
        self.second.verify(chain)
    }

    /// The offending validator's key.
    pub fn validator(&self) -> crate::crypto::PublicKey {
        self.first.vote.validator
    }

    /// Height of the offence.
    pub fn height(&self) -> u64 {
        self.first.vote.height
    }
}
