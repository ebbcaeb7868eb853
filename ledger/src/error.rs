//! Typed errors with stable codes (specs/protocol.md §Errors).
//!
//! The code strings are part of the protocol: they are stored in block results, returned by the
//! gateway in problem+json bodies and matched by clients. Never rename one; add new ones.

use crate::codec::CodecError;
use crate::crypto::CryptoError;

/// Why an entry is rejected. Deterministic: every node derives the same error from the same
/// state and entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    // --- envelope (stateless) -------------------------------------------------------------
    /// Bytes do not decode canonically.
    #[error("entry encoding rejected: {0}")]
    Codec(#[from] CodecError),
    /// The signature does not verify under the signature rule (R3, ZIP-215).
    #[error("bad signature")]
    BadSignature,
    /// Entry names another chain id or genesis hash.
    #[error("entry belongs to another chain")]
    WrongChain,
    /// A field is outside its bounds (length, charset, range).
    #[error("invalid field `{field}`: {reason}")]
    InvalidField {
        /// Field name as in the entry body.
        field: &'static str,
        /// What is wrong, for humans.
        reason: String,
    },
    /// The remark is longer than 1 KiB.
    #[error("remark longer than 1024 bytes")]
    RemarkTooLarge,
    /// A key is not a prime-order point (small order or torsion component).
    #[error("weak or invalid public key")]
    WeakKey,

    // --- sequence and signer --------------------------------------------------------------
    /// Sequence number already used by this signer.
    #[error("replayed entry: sequence {got}, next expected {expected}")]
    Replay {
        /// Next sequence the ledger expects from the signer.
        expected: u64,
        /// Sequence in the entry.
        got: u64,
    },
    /// Sequence number ahead of the next expected one.
    #[error("sequence gap: sequence {got}, next expected {expected}")]
    SequenceGap {
        /// Next sequence the ledger expects from the signer.
        expected: u64,
        /// Sequence in the entry.
        got: u64,
    },
    /// The signing key belongs to no organisation, grant or validator.
    #[error("signer key is not registered")]
    UnknownSigner,

    // --- identity and authority -----------------------------------------------------------
    /// No organisation with this id.
    #[error("unknown organisation `{0}`")]
    UnknownOrganisation(String),
    /// The organisation was revoked by governance.
    #[error("organisation `{0}` is revoked")]
    OrganisationRevoked(String),
    /// The organisation's X.509 certificate has expired at the block time.
    #[error("certificate of `{0}` has expired")]
    CertExpired(String),
    /// The organisation's X.509 certificate is not yet valid at the block time.
    #[error("certificate of `{0}` is not yet valid")]
    CertNotYetValid(String),
    /// An X.509 certificate could not be parsed or is not Ed25519.
    #[error("bad certificate: {0}")]
    BadCertificate(String),
    /// An X.509 certificate does not chain to a consortium root CA.
    #[error("certificate is not issued by a consortium root CA")]
    UntrustedIssuer,
    /// Organisation id already admitted.
    #[error("organisation `{0}` already exists")]
    DuplicateOrganisation(String),
    /// Actor lacks the role the action needs.
    #[error("organisation `{org}` lacks role {role}")]
    MissingRole {
        /// Organisation id.
        org: String,
        /// Required role code.
        role: &'static str,
    },
    /// Signer may not act for the named party (no grant, or the grant does not cover this).
    #[error("not authorized")]
    NotAuthorized,
    /// No grant with this id.
    #[error("unknown grant")]
    UnknownGrant,
    /// The grant was already revoked.
    #[error("grant already revoked")]
    GrantRevoked,

    // --- documents ------------------------------------------------------------------------
    /// No document with this id.
    #[error("unknown document")]
    UnknownDocument,
    /// A document with this id, or this reference for this carrier, already exists.
    #[error("document already exists")]
    DuplicateDocument,
    /// R241: this surrender request reference was already used (DCSA: never reused).
    #[error("surrender request reference already used")]
    DuplicateSurrenderRequest,
    /// The document is closed (accomplished, void, switched to paper, replaced).
    #[error("document is closed ({0})")]
    DocumentClosed(&'static str),
    /// The action does not apply in the document's current status.
    #[error("action not allowed while the document is {0}")]
    WrongStatus(&'static str),
    /// Signer's party does not hold the document.
    #[error("actor is not the holder")]
    NotHolder,
    /// Signer's party is not the endorsee (title party) of the document.
    #[error("actor is not the endorsee")]
    NotEndorsee,
    /// The action needs the issuing carrier.
    #[error("actor is not the issuing carrier")]
    NotIssuer,
    /// The document may not be endorsed (straight BL, sea waybill, named endorsement).
    #[error("document is not negotiable")]
    NotNegotiable,
    /// The document may not be transferred to that party (sea waybill; straight BL to anyone but
    /// its consignee).
    #[error("document may not be transferred to that party")]
    NotTransferable,
    /// Transfer or endorsement to the party that already has it.
    #[error("party already holds that position")]
    NoChange,
    /// R297: an import contradicts what this ledger knows of the bill (it is live here, or the
    /// envelope's chain does not continue the chain this platform sent): PINT DISE.
    #[error("import contradicts this ledger's transfer chain for the document")]
    ImportConflict,
    /// Endorsement to someone other than the pending nominee when the holder is not the endorsee.
    #[error("endorsee must be the nominee")]
    NotNominee,
    /// REJECT outside the receiving party's first action.
    #[error("nothing to reject")]
    NothingToReject,

    // --- ship certificates ----------------------------------------------------------------
    /// No certificate with this UTN for this Administration.
    #[error("unknown certificate")]
    UnknownCertificate,
    /// UTN already used by this Administration.
    #[error("unique tracking number already used")]
    DuplicateUtn,
    /// The IMO number is not 7 digits with a valid check digit.
    #[error("invalid IMO number `{0}`")]
    InvalidImoNumber(String),
    /// A certificate action whose dates do not fit the certificate (survey outside the window,
    /// extension too long, expiry before issue).
    #[error("invalid certificate dates: {0}")]
    InvalidDates(String),

    // --- governance -----------------------------------------------------------------------
    /// Signer is not a validator of the current set.
    #[error("signer is not a validator")]
    NotValidator,
    /// No proposal with this id.
    #[error("unknown proposal")]
    UnknownProposal,
    /// The proposal was already executed, rejected or expired.
    #[error("proposal is closed")]
    ProposalClosed,
    /// The validator already voted on this proposal.
    #[error("already voted")]
    AlreadyVoted,
    /// The proposal would leave an invalid validator set (empty, zero power, duplicate key).
    #[error("invalid validator set: {0}")]
    InvalidValidatorSet(String),

    // --- evidence (block level, R136–R137) ------------------------------------------------
    /// Double-vote evidence that does not prove an offence of a current validator.
    #[error("invalid evidence: {0}")]
    InvalidEvidence(String),
    /// The offence (validator, height) is already recorded.
    #[error("evidence of this offence is already recorded")]
    DuplicateEvidence,

    // --- offshore-trade evidence links (R401–R407) -----------------------------------------
    /// R401, R407: the actor is not a party of the bill.
    #[error("actor is not a party of the bill")]
    NotParty,
    /// R402: a live link of this kind and reference is already on the bill.
    #[error("a live link of this kind and reference is already on the bill")]
    DuplicateLink,
    /// R403: the bill, or the linker on it, has reached its bound of links.
    #[error("too many links on the bill")]
    TooManyLinks,
    /// R405, R407: no link with this number on the bill.
    #[error("no link with this number on the bill")]
    UnknownLink,
    /// R405, R407: the link was withdrawn.
    #[error("the link was withdrawn")]
    LinkWithdrawn,
    /// R405: only the organisation that made a link withdraws it.
    #[error("actor did not make this link")]
    NotLinker,
    // --- trade certificates (R390–R399) ----------------------------------------------------
    /// No trade certificate with this number for this authority.
    #[error("unknown trade certificate")]
    UnknownTradeCertificate,
    /// The authority already used this certificate number.
    #[error("certificate number already used by this authority")]
    DuplicateCertificateNumber,
    /// R385, R387: the ship's flag is not the acting Administration's country, or not the flag
    /// the ledger records for the ship.
    #[error("flag mismatch: {0}")]
    FlagMismatch(String),
}

impl RuleError {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        use RuleError::*;
        match self {
            Codec(e) => e.code(),
            BadSignature => "BAD_SIGNATURE",
            WrongChain => "WRONG_CHAIN",
            InvalidField { .. } => "INVALID_FIELD",
            RemarkTooLarge => "REMARK_TOO_LARGE",
            WeakKey => "WEAK_KEY",
            Replay { .. } => "REPLAY",
            SequenceGap { .. } => "SEQUENCE_GAP",
            UnknownSigner => "UNKNOWN_SIGNER",
            UnknownOrganisation(_) => "UNKNOWN_ORGANISATION",
            OrganisationRevoked(_) => "ORGANISATION_REVOKED",
            CertExpired(_) => "CERT_EXPIRED",
            CertNotYetValid(_) => "CERT_NOT_YET_VALID",
            BadCertificate(_) => "BAD_CERTIFICATE",
            UntrustedIssuer => "UNTRUSTED_ISSUER",
            DuplicateOrganisation(_) => "DUPLICATE_ORGANISATION",
            MissingRole { .. } => "MISSING_ROLE",
            NotAuthorized => "NOT_AUTHORIZED",
            UnknownGrant => "UNKNOWN_GRANT",
            GrantRevoked => "GRANT_REVOKED",
            UnknownDocument => "UNKNOWN_DOCUMENT",
            DuplicateDocument => "DUPLICATE_DOCUMENT",
            DuplicateSurrenderRequest => "DUPLICATE_SURRENDER_REQUEST",
            DocumentClosed(_) => "DOCUMENT_CLOSED",
            WrongStatus(_) => "WRONG_STATUS",
            NotHolder => "NOT_HOLDER",
            NotEndorsee => "NOT_ENDORSEE",
            NotIssuer => "NOT_ISSUER",
            NotNegotiable => "NOT_NEGOTIABLE",
            NotTransferable => "NOT_TRANSFERABLE",
            NoChange => "NO_CHANGE",
            ImportConflict => "IMPORT_CONFLICT",
            NotNominee => "NOT_NOMINEE",
            NothingToReject => "NOTHING_TO_REJECT",
            UnknownCertificate => "UNKNOWN_CERTIFICATE",
            DuplicateUtn => "DUPLICATE_UTN",
            InvalidImoNumber(_) => "INVALID_IMO_NUMBER",
            InvalidDates(_) => "INVALID_DATES",
            NotValidator => "NOT_VALIDATOR",
            UnknownProposal => "UNKNOWN_PROPOSAL",
            ProposalClosed => "PROPOSAL_CLOSED",
            AlreadyVoted => "ALREADY_VOTED",
            InvalidValidatorSet(_) => "INVALID_VALIDATOR_SET",
            InvalidEvidence(_) => "INVALID_EVIDENCE",
            DuplicateEvidence => "DUPLICATE_EVIDENCE",
            NotParty => "NOT_PARTY",
            DuplicateLink => "DUPLICATE_LINK",
            TooManyLinks => "TOO_MANY_LINKS",
            UnknownLink => "UNKNOWN_LINK",
            LinkWithdrawn => "LINK_WITHDRAWN",
            NotLinker => "NOT_LINKER",
            UnknownTradeCertificate => "UNKNOWN_TRADE_CERTIFICATE",
            DuplicateCertificateNumber => "DUPLICATE_CERTIFICATE_NUMBER",
            FlagMismatch(_) => "FLAG_MISMATCH",
        }
    }

    /// Shorthand for [`RuleError::InvalidField`].
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        RuleError::InvalidField {
            field,
            reason: reason.into(),
        }
    }
}

impl From<CryptoError> for RuleError {
    fn from(e: CryptoError) -> Self {
        match e {
            CryptoError::BadSignature => RuleError::BadSignature,
            CryptoError::InvalidKey | CryptoError::WeakKey => RuleError::WeakKey,
        }
    }
}

/// A storage failure. The node never carries on with unknown state (R19): a failed commit
/// stops committing until the store is sound again (R355).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    /// A corrupt record, a height out of order, a missing column family: anything that is not
    /// the disk refusing a write.
    #[error("storage failure: {0}")]
    Failed(String),
    /// R354: the disk is full (ENOSPC). Nothing of the refused block is visible; the same
    /// block commits once space returns.
    #[error("storage failure: no space left on device: {0}")]
    NoSpace(String),
    /// R354: any other I/O error while writing or syncing (EIO, a failing fsync).
    #[error("storage failure: i/o error: {0}")]
    Io(String),
}

impl StorageError {
    /// Stable code of the failure, for logs and metrics (never renamed).
    pub fn code(&self) -> &'static str {
        match self {
            StorageError::Failed(_) => "STORAGE_FAILED",
            StorageError::NoSpace(_) => "STORAGE_NO_SPACE",
            StorageError::Io(_) => "STORAGE_IO",
        }
    }

    /// What went wrong, for humans.
    pub fn message(&self) -> &str {
        match self {
            StorageError::Failed(m) | StorageError::NoSpace(m) | StorageError::Io(m) => m,
        }
    }

    /// R355: whether the disk refused the write (full or failing), as opposed to a fault in
    /// the data: a caller may wait and retry the same block after reopening the store.
    pub fn is_disk_fault(&self) -> bool {
        matches!(self, StorageError::NoSpace(_) | StorageError::Io(_))
    }
}

/// What can go wrong while executing one entry: a rule (the entry fails, state unchanged) or
/// storage (the whole block aborts and the node stops).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExecError {
    /// The entry breaks a rule.
    #[error(transparent)]
    Rule(#[from] RuleError),
    /// Storage failed underneath.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<CodecError> for ExecError {
    fn from(e: CodecError) -> Self {
        ExecError::Rule(RuleError::Codec(e))
    }
}

/// Result of a rule check or state transition.
pub type ExecResult<T> = Result<T, ExecError>;
