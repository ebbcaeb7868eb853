//! Consensus votes and the bytes a validator signs (R130, R131).

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::crypto::{PublicKey, Signature};
use crate::hash::{BlockHash, Hash32};

use super::FinalityError;

/// Domain tag of a consensus vote signature.
pub const VOTE_TAG: &[u8] = b"EBL/CONSENSUS/VOTE/v1";

/// The two vote rounds of Tendermint-family consensus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum VoteKind {
    /// First-phase vote.
    Prevote,
    /// Second-phase vote; > 2/3 of power on one block makes it final.
    Precommit,
}

impl VoteKind {
    fn byte(self) -> u8 {
        match self {
            VoteKind::Prevote => 0,
            VoteKind::Precommit => 1,
        }
    }
}

/// What a validator votes for (everything but the signature).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct VoteData {
    /// Prevote or precommit.
    pub kind: VoteKind,
    /// Block height.
    pub height: u64,
    /// Consensus round (≥ 0).
    pub round: u32,
    /// Hash of the block voted for; `None` for a nil vote.
    pub block: Option<BlockHash>,
    /// The voter's consensus key.
    pub validator: PublicKey,
}

impl VoteData {
    /// R130: the signed bytes are `VOTE_TAG ‖ chain genesis hash (32) ‖ kind (1: 0 prevote,
    /// 1 precommit) ‖ height (u64 BE) ‖ round (u32 BE) ‖ 0 for nil, or 1 ‖ block hash (32) ‖
    /// validator key (32)`. Fixed width, no length prefixes: nothing else can parse as a vote.
    pub fn signing_bytes(&self, chain: &Hash32) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(VOTE_TAG.len() + 32 + 1 + 8 + 4 + 33 + 32);
        bytes.extend_from_slice(VOTE_TAG);
        bytes.extend_from_slice(&chain.0);
        bytes.push(self.kind.byte());
        bytes.extend_from_slice(&self.height.to_be_bytes());
        bytes.extend_from_slice(&self.round.to_be_bytes());
        match &self.block {
            None => bytes.push(0),
            Some(hash) => {
                bytes.push(1);
                bytes.extend_from_slice(&hash.0);
            }
        }
        bytes.extend_from_slice(&self.validator.0);
        bytes
    }
}

/// A vote with its signature.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct SignedVote {
    /// The vote.
    pub vote: VoteData,
    /// Ed25519 signature of the validator over [`VoteData::signing_bytes`].
    pub signature: Signature,
}

impl SignedVote {
    /// R131: a vote is valid when its signature verifies (R3) under its validator key over the
    /// signing bytes of this chain.
    pub fn verify(&self, chain: &Hash32) -> Result<(), FinalityError> {
        self.vote
            .validator
            .verify(&self.vote.signing_bytes(chain), &self.signature)
            .map_err(|_| FinalityError::BadSignature(self.vote.validator.to_hex()))
    }
}
