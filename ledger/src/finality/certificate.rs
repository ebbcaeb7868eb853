//! Commit certificates: the precommit signatures that made a block final (R132, R133).

use std::collections::BTreeMap;

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::block::BlockHeader;
use crate::crypto::{PublicKey, Signature};
use crate::hash::{BlockHash, Hash32};
use crate::identity::Validator;

use super::FinalityError;
use super::vote::{SignedVote, VoteData, VoteKind};

/// One precommit of a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct CommitSignature {
    /// The validator's consensus key.
    pub validator: PublicKey,
    /// Its signature over the precommit for the certificate's block.
    pub signature: Signature,
}

/// The precommits of one block at one round: what a node stores with each final block and
/// serves in proof bundles.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct CommitCertificate {
    /// Block height.
    pub height: u64,
    /// Round in which the block was decided.
    pub round: u32,
    /// Hash of the committed block's header.
    pub block: BlockHash,
    /// Precommit signatures.
    pub signatures: Vec<CommitSignature>,
}

/// What a verified certificate established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FinalityProof {
    /// Power of the validators whose signatures verified.
    pub signed_power: u64,
    /// Power of the whole trusted set.
    pub total_power: u64,
    /// Number of valid signatures.
    pub signers: usize,
}

impl CommitCertificate {
    /// The precommit a signature of this certificate signs.
    pub fn precommit(&self, validator: PublicKey) -> VoteData {
        VoteData {
            kind: VoteKind::Precommit,
            height: self.height,
            round: self.round,
            block: Some(self.block),
            validator,
        }
    }

    /// R132–R133: checks that this certificate makes `header` final under `validators` (the
    /// set the verifier trusts for that height): same height and block hash; every signer in
    /// the set, at most once, with a signature that verifies; and the signers' power more
    /// than 2/3 of the set's total power.
    pub fn verify_header(
        &self,
        chain: &Hash32,
        header: &BlockHeader,
        validators: &[Validator],
    ) -> Result<FinalityProof, FinalityError> {
        if self.height != header.height {
            return Err(FinalityError::WrongHeight {
                certificate: self.height,
                header: header.height,
            });
        }
        let hash = header.hash();
        if self.block != hash {
            return Err(FinalityError::WrongBlock {
                certificate: self.block.to_hex(),
                header: hash.to_hex(),
            });
        }
        self.verify(chain, validators)
    }

    /// R133: the signature and power check of [`Self::verify_header`] alone.
    pub fn verify(
        &self,
        chain: &Hash32,
        validators: &[Validator],
    ) -> Result<FinalityProof, FinalityError> {
        let powers: BTreeMap<PublicKey, u64> =
            validators.iter().map(|v| (v.key, v.power)).collect();
        let total = validators
            .iter()
            .try_fold(0u64, |sum, v| sum.checked_add(v.power))
            .filter(|total| *total > 0 && powers.len() == validators.len())
            .ok_or(FinalityError::InvalidValidatorSet)?;
        let mut seen = BTreeMap::new();
        let mut signed = 0u64;
        for sig in &self.signatures {
            let power = *powers
                .get(&sig.validator)
                .ok_or_else(|| FinalityError::UnknownValidator(sig.validator.to_hex()))?;
            if seen.insert(sig.validator, ()).is_some() {
                return Err(FinalityError::DuplicateSignature(sig.validator.to_hex()));
            }
            SignedVote {
                vote: self.precommit(sig.validator),
                signature: sig.signature,
            }
            .verify(chain)?;
            // Cannot overflow: the sum of distinct members' powers is at most `total`.
            signed = signed.saturating_add(power);
        }
        // signed > 2/3 total, without overflow.
        if u128::from(signed) * 3 <= u128::from(total) * 2 {
            return Err(FinalityError::InsufficientPower { signed, total });
        }
        Ok(FinalityProof {
            signed_power: signed,
            total_power: total,
            signers: seen.len(),
        })
    }
}
