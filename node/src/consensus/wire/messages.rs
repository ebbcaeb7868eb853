//! Proposal and vote messages, and the bytes each is signed over.

use borsh::{BorshDeserialize, BorshSerialize};
use malachite::app::types::core::{self, NilOrVal, Round, SignedExtension, VoteType};

use ebl_ledger::crypto::PublicKey;
use ebl_ledger::finality::{VoteData, VoteKind};
use ebl_ledger::hash::Hash32;

use super::context::EblContext;
use super::types::{Address, BlockId, BlockValue, Height};

/// Domain tags: a signature for one kind of message never verifies as another.
pub(crate) mod tag {
    pub const PROPOSAL: &[u8] = b"EBL/CONSENSUS/PROPOSAL/v1";
    pub const PARTS: &[u8] = b"EBL/CONSENSUS/PARTS/v1";
    pub const EXTENSION: &[u8] = b"EBL/CONSENSUS/EXTENSION/v1";
}

/// A proposal: "at this height and round, I propose the block with this hash".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    /// Height.
    pub height: Height,
    /// Round.
    pub round: Round,
    /// The block (only its id goes over the wire; the block itself comes in parts).
    pub value: BlockValue,
    /// Proof-of-lock round.
    pub pol_round: Round,
    /// Proposer.
    pub proposer: Address,
}

/// The signed fields of a proposal.
#[derive(BorshSerialize, BorshDeserialize)]
struct ProposalWire {
    height: Height,
    round: Round,
    value_id: BlockId,
    pol_round: Round,
    proposer: Address,
}

impl Proposal {
    /// Bytes signed by the proposer: tag, chain, then the proposal's fields.
    pub fn signing_bytes(&self, chain: &[u8; 32]) -> Vec<u8> {
        let mut bytes = tag::PROPOSAL.to_vec();
        bytes.extend_from_slice(chain);
        bytes.extend(borsh::to_vec(&self.wire()).unwrap_or_default());
        bytes
    }

    fn wire(&self) -> ProposalWire {
        ProposalWire {
            height: self.height,
            round: self.round,
            value_id: self.value.id,
            pol_round: self.pol_round,
            proposer: self.proposer,
        }
    }
}

impl BorshSerialize for Proposal {
    fn serialize<W: borsh::io::Write>(&self, writer: &mut W) -> borsh::io::Result<()> {
        self.wire().serialize(writer)
    }
}

impl BorshDeserialize for Proposal {
    fn deserialize_reader<R: borsh::io::Read>(reader: &mut R) -> borsh::io::Result<Self> {
        let w = ProposalWire::deserialize_reader(reader)?;
        Ok(Proposal {
            height: w.height,
            round: w.round,
            value: BlockValue::id_only(w.value_id),
            pol_round: w.pol_round,
            proposer: w.proposer,
        })
    }
}

impl core::Proposal<EblContext> for Proposal {
    fn height(&self) -> Height {
        self.height
    }

    fn round(&self) -> Round {
        self.round
    }

    fn value(&self) -> &BlockValue {
        &self.value
    }

    fn take_value(self) -> BlockValue {
        self.value
    }

    fn pol_round(&self) -> Round {
        self.pol_round
    }

    fn validator_address(&self) -> &Address {
        &self.proposer
    }
}

/// A prevote or precommit.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Vote {
    /// Prevote or precommit.
    pub vote_type: VoteType,
    /// Height.
    pub height: Height,
    /// Round.
    pub round: Round,
    /// The block voted for, or nil.
    pub value: NilOrVal<BlockId>,
    /// Voter.
    pub validator: Address,
    /// Vote extension (unused: the policy is disabled).
    pub extension: Option<SignedExtension<EblContext>>,
}

impl Vote {
    /// The vote as the ledger's finality rules see it (R130). A vote has a defined round; the
    /// engine never signs a vote for the nil round, which maps to `u32::MAX` so it could never
    /// match a real certificate.
    pub fn data(&self) -> VoteData {
        VoteData {
            kind: match self.vote_type {
                VoteType::Prevote => VoteKind::Prevote,
                VoteType::Precommit => VoteKind::Precommit,
            },
            height: self.height.0,
            round: self.round.as_u32().unwrap_or(u32::MAX),
            block: match &self.value {
                NilOrVal::Nil => None,
                NilOrVal::Val(id) => Some(Hash32(id.0)),
            },
            validator: PublicKey(self.validator.0),
        }
    }

    /// Bytes signed by the voter: the ledger's vote layout (R130), so that certificates and
    /// double-vote evidence can be checked by the ledger and offline by the wallet. The
    /// extension is not signed here (the policy is disabled).
    pub fn signing_bytes(&self, chain: &[u8; 32]) -> Vec<u8> {
        self.data().signing_bytes(&Hash32(*chain))
    }
}

impl core::Vote<EblContext> for Vote {
    fn height(&self) -> Height {
        self.height
    }

    fn round(&self) -> Round {
        self.round
    }

    fn value(&self) -> &NilOrVal<BlockId> {
        &self.value
    }

    fn take_value(self) -> NilOrVal<BlockId> {
        self.value
    }

    fn vote_type(&self) -> VoteType {
        self.vote_type
    }

    fn validator_address(&self) -> &Address {
        &self.validator
    }

    fn extension(&self) -> Option<&SignedExtension<EblContext>> {
        self.extension.as_ref()
    }

    fn take_extension(&mut self) -> Option<SignedExtension<EblContext>> {
        self.extension.take()
    }

    fn extend(self, extension: SignedExtension<EblContext>) -> Self {
        Vote {
            extension: Some(extension),
            ..self
        }
    }
}
