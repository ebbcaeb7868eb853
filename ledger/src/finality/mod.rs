//! Finality evidence that can be checked without a node: consensus votes, commit certificates
//! and double-vote evidence (R130–R139).
//!
//! # Design
//!
//! The node signs its consensus votes over [`VoteData::signing_bytes`], a fixed byte layout
//! defined here, in the pure ledger crate, so that three parties check the same bytes: the
//! node's consensus engine, the ledger when a block records double-vote evidence, and the
//! wallet verifying a proof bundle at sea with no network. A certificate is checked against a
//! validator set the verifier trusts (keys and powers); it proves finality when the valid,
//! distinct signatures of that set's members carry more than 2/3 of its power (R133).
//!
//! Signatures are checked with the system's one rule (R3, ZIP-215, ADR 0025), the same rule
//! Malachite counts votes by: a vote the consensus engine counted is a vote a certificate or an
//! evidence check here accepts, and the other way round.

mod certificate;
mod evidence;
mod vote;

pub use certificate::{CommitCertificate, CommitSignature, FinalityProof};
pub use evidence::DoubleVote;
pub use vote::{SignedVote, VOTE_TAG, VoteData, VoteKind};

/// Why finality evidence is not accepted. Each variant has a stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FinalityError {
    /// The certificate is for another height than the header it should prove.
    #[error("certificate is for height {certificate}, the header is at {header}")]
    WrongHeight {
        /// Height in the certificate.
        certificate: u64,
        /// Height of the header.
        header: u64,
    },
    /// The certificate commits another block than the header it should prove.
    #[error("certificate commits block {certificate}, the header hashes to {header}")]
    WrongBlock {
        /// Block hash in the certificate (hex).
        certificate: String,
        /// Hash of the header (hex).
        header: String,
    },
    /// A signer is not in the trusted validator set.
    #[error("signer {0} is not in the validator set")]
    UnknownValidator(String),
    /// A validator signed twice in one certificate.
    #[error("validator {0} appears twice")]
    DuplicateSignature(String),
    /// A signature does not verify.
    #[error("signature of validator {0} does not verify")]
    BadSignature(String),
    /// The valid signatures carry 2/3 of the power or less.
    #[error("signed power {signed} of {total} is not more than 2/3")]
    InsufficientPower {
        /// Power of the valid signers.
        signed: u64,
        /// Power of the whole set.
        total: u64,
    },
    /// The validator set is empty or its total power overflows.
    #[error("the validator set is empty or its power overflows")]
    InvalidValidatorSet,
    /// Two votes of evidence do not conflict (other validator, height, round or kind, or the
    /// same value).
    #[error("the two votes do not conflict: {0}")]
    NotConflicting(&'static str),
}

impl FinalityError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            FinalityError::WrongHeight { .. } => "CERT_WRONG_HEIGHT",
            FinalityError::WrongBlock { .. } => "CERT_WRONG_BLOCK",
            FinalityError::UnknownValidator(_) => "CERT_UNKNOWN_VALIDATOR",
            FinalityError::DuplicateSignature(_) => "CERT_DUPLICATE_SIGNATURE",
            FinalityError::BadSignature(_) => "CERT_BAD_SIGNATURE",
            FinalityError::InsufficientPower { .. } => "CERT_INSUFFICIENT_POWER",
            FinalityError::InvalidValidatorSet => "CERT_INVALID_VALIDATOR_SET",
            FinalityError::NotConflicting(_) => "EVIDENCE_NOT_CONFLICTING",
        }
    }
}
