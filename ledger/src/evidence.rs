//! Double-vote evidence carried by blocks and recorded in state (specs/protocol.md R135–R139,
//! ADR 0015).
//!
//! # Design
//!
//! Consensus (Malachite) notices a validator signing two different values for one height,
//! round and vote kind; the node turns that into a [`DoubleVote`] and the next proposer puts it
//! in its block. Every validator re-checks the evidence while verifying the block, and
//! execution writes one [`EvidenceRecord`] per offence. Nothing is slashed: the record is for
//! governance to act on.

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::codec;
use crate::entry::ChainRef;
use crate::error::{ExecResult, RuleError};
use crate::finality::DoubleVote;
use crate::hash::Hash32;
use crate::identity::ValidatorSet;
use crate::state::{Overlay, keys};

/// Domain tag of the evidence commitment in the block header (R135).
pub const BLOCK_EVIDENCE_TAG: &[u8] = b"ebl-ledger/block-evidence/v1\0";

/// R137: most pieces of evidence in one block (bounds a proposer's extra work).
pub const MAX_EVIDENCE_PER_BLOCK: usize = 16;

/// R137: evidence older than this many heights before the block carrying it is refused (the
/// validator set it is checked against is the one in force at that block).
pub const MAX_EVIDENCE_AGE: u64 = 1_000;

/// What state keeps of one offence: the evidence and the block that recorded it (R138).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct EvidenceRecord {
    /// Height of the block that carried the evidence.
    pub recorded_at: u64,
    /// The two conflicting signed votes.
    pub evidence: DoubleVote,
}

/// R135: commitment to a block's evidence, in order.
pub fn evidence_hash(evidence: &[DoubleVote]) -> Hash32 {
    Hash32::tagged(BLOCK_EVIDENCE_TAG, &codec::encode(&evidence.to_vec()))
}

/// R136–R137: checks one piece of evidence for a block at `height` against the state before
/// it (`state` also holds the records written by earlier evidence of the same block).
pub fn check_evidence(
    state: &Overlay<'_>,
    chain: &ChainRef,
    height: u64,
    evidence: &DoubleVote,
) -> ExecResult<()> {
    let offence = evidence.height();
    if offence >= height {
        return Err(RuleError::InvalidEvidence(format!(
            "offence at height {offence} is not before block {height}"
        ))
        .into());
    }
    if height - offence > MAX_EVIDENCE_AGE {
        return Err(RuleError::InvalidEvidence(format!(
            "offence at height {offence} is older than {MAX_EVIDENCE_AGE} heights"
        ))
        .into());
    }
    let set = ValidatorSet::current(state)?;
    evidence
        .verify(&chain.genesis_hash, &set.validators)
        // R186: the stable code only, no formatted text.
        .map_err(|e| RuleError::InvalidEvidence(e.code().into()))?;
    let key = keys::evidence(&evidence.validator(), offence);
    if state.get_raw(&key)?.is_some() {
        return Err(RuleError::DuplicateEvidence.into());
    }
    Ok(())
}

/// R136–R138: checks every piece of evidence of a block in order and records each; the first
/// invalid one fails the whole block (a proposer only includes evidence that passes).
pub fn apply_evidence(
    state: &mut Overlay<'_>,
    chain: &ChainRef,
    height: u64,
    evidence: &[DoubleVote],
) -> ExecResult<()> {
    if evidence.len() > MAX_EVIDENCE_PER_BLOCK {
        return Err(RuleError::InvalidEvidence(format!(
            "{} pieces of evidence, at most {MAX_EVIDENCE_PER_BLOCK}",
            evidence.len()
        ))
        .into());
    }
    for e in evidence {
        check_evidence(state, chain, height, e)?;
        let record = EvidenceRecord {
            recorded_at: height,
            evidence: e.clone(),
        };
        state.put(keys::evidence(&e.validator(), e.height()), &record);
    }
    Ok(())
}

/// R139: the evidence a proposer may include from `pending`: valid on `state` for a block at
/// `height`, each offence once, at most [`MAX_EVIDENCE_PER_BLOCK`], in the given order.
pub fn admissible_evidence(
    state: &mut Overlay<'_>,
    chain: &ChainRef,
    height: u64,
    pending: &[DoubleVote],
) -> ExecResult<Vec<DoubleVote>> {
    let mut chosen = Vec::new();
    for e in pending {
        if chosen.len() == MAX_EVIDENCE_PER_BLOCK {
            break;
        }
        match check_evidence(state, chain, height, e) {
            Ok(()) => {
                // Recording it in the scratch overlay makes a second copy a duplicate.
                let record = EvidenceRecord {
                    recorded_at: height,
                    evidence: e.clone(),
                };
                state.put(keys::evidence(&e.validator(), e.height()), &record);
                chosen.push(e.clone());
            }
            Err(crate::error::ExecError::Rule(_)) => {}
            Err(storage) => return Err(storage),
        }
    }
    Ok(chosen)
}
