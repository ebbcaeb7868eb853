//! Signed entries: the unit of change of the ledger (specs/protocol.md R1–R9).

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::cert::{CertAction, CertificateRef};
use crate::codec;
use crate::crypto::{PublicKey, Signature};
use crate::ebl::EblAction;
use crate::error::RuleError;
use crate::hash::{DocumentId, EntryId, Hash32, domain};
use crate::identity::{DocumentKind, GovernanceAction, GrantAction};
use crate::ids::OrgId;
use crate::receipt::VerificationReceipt;

mod signed;
pub use signed::SignedEntry;

/// Largest encoded signed entry (R1): 64 KiB covers a combine of 32 documents with room to spare.
pub const MAX_ENTRY_BYTES: usize = 64 * 1024;
/// Largest remark (R8).
pub const MAX_REMARK_BYTES: usize = 1024;

/// Which network an entry is for: the chain id and the hash of its genesis (R7).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
pub struct ChainRef {
    /// Human-readable chain id, e.g. `ebl-pilot-cn-sg-1`.
    pub chain_id: String,
    /// Hash of the genesis document.
    pub genesis_hash: Hash32,
}

/// A document an action or grant refers to.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode, Serialize, Deserialize,
)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DocumentRef {
    /// An eBL by document id.
    Ebl {
        /// Document id.
        id: DocumentId,
    },
    /// A ship certificate by Administration and UTN.
    Certificate(CertificateRef),
    /// A trade certificate by issuing authority and number (R390).
    Attested(crate::attest::AttestRef),
}

impl DocumentRef {
    /// The kind of document it names (grants check it).
    pub fn kind(&self) -> DocumentKind {
        match self {
            DocumentRef::Ebl { .. } => DocumentKind::Ebl,
            DocumentRef::Certificate(_) => DocumentKind::ShipCertificate,
            DocumentRef::Attested(_) => DocumentKind::TradeCertificate,
        }
    }
}

/// What an entry does.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[serde(tag = "kind", content = "body", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Body {
    /// eBL action.
    Ebl(EblAction),
    /// Ship certificate action.
    Certificate(CertAction),
    /// Verification receipt.
    Verification(VerificationReceipt),
    /// Grant or revocation of authority.
    Grant(GrantAction),
    /// Governance proposal or vote.
    Governance(GovernanceAction),
    /// Trade certificate action (R390–R399).
    Attested(crate::attest::AttestAction),
}

/// Declares [`ActionKind`] and its list of every variant from one list of names.
macro_rules! action_kinds {
    ($($name:ident),* $(,)?) => {
        /// Every action, as named in grants and in history (R25).
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode, Serialize,
            Deserialize,
        )]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        #[allow(missing_docs)]
        pub enum ActionKind {
            $($name),*
        }

        impl ActionKind {
            /// Every action kind, in declaration order.
            pub const ALL: &'static [ActionKind] = &[$(ActionKind::$name),*];
        }
    };
}

action_kinds!(
    EblIssue,
    EblTransfer,
    EblEndorse,
    EblEndorseToOrder,
    EblBlankEndorse,
    EblNominate,
    EblReject,
    EblSign,
    EblSurrenderForDelivery,
    EblSurrenderForAmendment,
    EblAcceptSurrender,
    EblRejectSurrender,
    EblAmend,
    EblSplit,
    EblCombine,
    EblVoid,
    CertIssue,
    CertEndorse,
    CertExtend,
    CertSuspend,
    CertReinstate,
    CertWithdraw,
    CertSupersede,
    RecordVerification,
    GrantCreate,
    GrantRevoke,
    GovernancePropose,
    GovernanceVote,
    EblReadTitle,
    EblExport,
    EblExportAnswer,
    EblImport,
    EblIssuanceManifest,
    EblLinkEvidence,
    EblWithdrawEvidence,
    AttestIssue,
    AttestAmend,
    AttestSupersede,
    AttestRevoke,
    CertFlagChange,
);

impl ActionKind {
    /// The DCSA-style code shown in history and APIs.
    pub fn code(self) -> &'static str {
        use ActionKind::*;
        match self {
            EblIssue => "ISSUE",
            EblTransfer => "TRANSFER",
            EblEndorse => "ENDORSE",
            EblEndorseToOrder => "ENDORSE_TO_ORDER",
            EblBlankEndorse => "BLANK_ENDORSE",
            EblNominate => "NOMINATE",
            EblReject => "REJECT",
            EblSign => "SIGN",
            EblSurrenderForDelivery => "SURRENDER_FOR_DELIVERY",
            EblSurrenderForAmendment => "SURRENDER_FOR_AMENDMENT",
            EblAcceptSurrender => "SACC",
            EblRejectSurrender => "SREJ",
            EblAmend => "AMEND",
            EblSplit => "SPLIT",
            EblCombine => "COMBINE",
            EblVoid => "VOID",
            CertIssue => "CERT_ISSUE",
            CertEndorse => "CERT_ENDORSE",
            CertExtend => "CERT_EXTEND",
            CertSuspend => "CERT_SUSPEND",
            CertReinstate => "CERT_REINSTATE",
            CertWithdraw => "CERT_WITHDRAW",
            CertSupersede => "CERT_SUPERSEDE",
            RecordVerification => "VERIFY",
            GrantCreate => "GRANT",
            GrantRevoke => "GRANT_REVOKE",
            GovernancePropose => "PROPOSE",
            GovernanceVote => "VOTE",
            EblReadTitle => "READ_TITLE",
            EblExport => "PINT_EXPORT",
            EblExportAnswer => "PINT_EXPORT_ANSWER",
            EblImport => "PINT_IMPORT",
            EblIssuanceManifest => "ISSUANCE_MANIFEST",
            EblLinkEvidence => "LINK_EVIDENCE",
            EblWithdrawEvidence => "WITHDRAW_EVIDENCE",
            AttestIssue => "ATTEST_ISSUE",
            AttestAmend => "ATTEST_AMEND",
            AttestSupersede => "ATTEST_SUPERSEDE",
            AttestRevoke => "ATTEST_REVOKE",
            CertFlagChange => "CERT_FLAG_CHANGE",
        }
    }
}

impl Body {
    /// The action kind, for authorization and history.
    pub fn action_kind(&self) -> ActionKind {
        use ActionKind as K;
        match self {
            Body::Ebl(a) => a.action_kind(),
            Body::Certificate(a) => match a {
                CertAction::Issue(_) => K::CertIssue,
                CertAction::Endorse { .. } => K::CertEndorse,
                CertAction::Extend { .. } => K::CertExtend,
                CertAction::Suspend { .. } => K::CertSuspend,
                CertAction::Reinstate { .. } => K::CertReinstate,
                CertAction::Withdraw { .. } => K::CertWithdraw,
                CertAction::Supersede { .. } => K::CertSupersede,
                CertAction::FlagChange { .. } => K::CertFlagChange,
            },
            Body::Verification(_) => K::RecordVerification,
            Body::Grant(GrantAction::Create(_)) => K::GrantCreate,
            Body::Grant(GrantAction::Revoke { .. }) => K::GrantRevoke,
            Body::Governance(GovernanceAction::Propose { .. }) => K::GovernancePropose,
            Body::Governance(GovernanceAction::Vote { .. }) => K::GovernanceVote,
            Body::Attested(a) => a.action_kind(),
        }
    }

    /// The document kind the body acts on, if any (grants check it).
    pub fn document_kind(&self) -> Option<DocumentKind> {
        match self {
            Body::Ebl(_) => Some(DocumentKind::Ebl),
            Body::Certificate(_) => Some(DocumentKind::ShipCertificate),
            Body::Verification(r) => Some(r.subject.kind()),
            Body::Grant(_) | Body::Governance(_) => None,
            Body::Attested(_) => Some(DocumentKind::TradeCertificate),
        }
    }
}

/// R5: the id of the entry whose canonical bytes are `canonical`.
fn id_of_canonical(canonical: &[u8]) -> EntryId {
    Hash32::tagged(domain::ENTRY_ID, canonical)
}

/// An unsigned entry (R5).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct Entry {
    /// Network the entry is for.
    pub chain: ChainRef,
    /// Signing key.
    pub signer: PublicKey,
    /// Per-signer sequence number, starting at 0, consumed in order (R9).
    pub sequence: u64,
    /// The party the signer acts for, when not its own organisation (through a grant, R26).
    pub act_for: Option<OrgId>,
    /// What the entry does.
    pub body: Body,
    /// Opaque remark (≤ 1 KiB), e.g. an encrypted note for the counterparty.
    pub remark: Option<Vec<u8>>,
}

impl Entry {
    /// The entry id: SHA-256 of `ENTRY_ID ‖ canonical bytes` (R5). Signatures are not part of
    /// it, so resubmitting the same entry with another signature is the same entry.
    pub fn id(&self) -> EntryId {
        id_of_canonical(&codec::encode(self))
    }

    /// The bytes the signer signs: `ENTRY_SIGNATURE ‖ canonical bytes` (R3).
    pub fn signing_payload(&self) -> Vec<u8> {
        let mut payload = domain::ENTRY_SIGNATURE.to_vec();
        payload.extend_from_slice(&codec::encode(self));
        payload
    }

    /// Signs the entry with `key`, which must be the entry's signer.
    pub fn sign(self, key: &ed25519_dalek::SigningKey) -> SignedEntry {
        use ed25519_dalek::Signer;
        let payload = self.signing_payload();
        let signature = Signature::from(key.sign(&payload));
        SignedEntry::from_payload(self, signature, payload)
    }
}

impl SignedEntry {
    /// Stateless checks (R1–R8): chain, bounds, signature (R3, ZIP-215). Needs no state,
    /// so the mempool runs it before admission and every node runs it again in execution.
    pub fn check_stateless(&self, chain: &ChainRef) -> Result<(), RuleError> {
        self.check_envelope(chain)?;
        self.entry()
            .signer
            .verify(self.signing_payload(), self.signature())?;
        Ok(())
    }

    /// The stateless checks except the signature (so that callers can verify signatures in a batch).
    pub fn check_envelope(&self, chain: &ChainRef) -> Result<(), RuleError> {
        if self.entry().chain != *chain {
            return Err(RuleError::WrongChain);
        }
        if let Some(remark) = &self.entry().remark
            && remark.len() > MAX_REMARK_BYTES
        {
            return Err(RuleError::RemarkTooLarge);
        }
        if let Some(org) = &self.entry().act_for {
            org.validate("act_for")?;
        }
        let len = self.encoded_len();
        if len > MAX_ENTRY_BYTES {
            return Err(RuleError::Codec(codec::CodecError::Oversize {
                len,
                limit: MAX_ENTRY_BYTES,
            }));
        }
        check_body(&self.entry().body)
    }
}

/// Stateless field checks of a body (R8): lengths, charsets, check digits, list sizes.
fn check_body(body: &Body) -> Result<(), RuleError> {
    match body {
        Body::Ebl(action) => crate::ebl::check_stateless(action),
        Body::Certificate(action) => crate::cert::check_stateless(action),
        Body::Verification(receipt) => crate::receipt::check_stateless(receipt),
        Body::Grant(action) => crate::identity::check_grant_stateless(action),
        Body::Governance(action) => crate::identity::check_governance_stateless(action),
        Body::Attested(action) => crate::attest::check_stateless(action),
    }
}
