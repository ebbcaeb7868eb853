//! Trade certificate actions as they appear in signed entries (specs/protocol.md §9z,
//! R390–R399).

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::attest::TradeCertificateKind;
use crate::hash::{DocumentId, Hash32};
use crate::ids::OrgId;
use crate::time::CalendarDate;

/// A reference to a trade certificate: its issuing authority and its number there.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode, Serialize, Deserialize,
)]
pub struct AttestRef {
    /// The organisation whose authority issued it (and sealed it with its signature).
    pub authority: OrgId,
    /// Its certificate number, unique per authority.
    pub number: String,
}

/// What the certificate attests about: the trade and the goods.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct Subject {
    /// Exporter (consignor): name and address as on the document.
    pub exporter: String,
    /// Importer (consignee): name and address as on the document.
    pub importer: String,
    /// Description of the goods (marks, packages, HS codes, quantities).
    pub goods: String,
    /// Country of origin of the goods, ISO 3166-1 alpha-2.
    pub origin_country: String,
    /// Country of destination, ISO 3166-1 alpha-2.
    pub destination_country: String,
    /// The eBL of the shipment, when the certificate relates to one on this ledger.
    pub ebl: Option<DocumentId>,
}

/// The facts of a certificate that an amendment may change.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct AttestFacts {
    /// What is attested.
    pub subject: Subject,
    /// SHA-256 of the certificate document kept off-ledger (the PDF or XML the authority
    /// issued; a verifier hashes what it was shown and compares).
    pub document: Hash32,
    /// First day of validity.
    pub valid_from: CalendarDate,
    /// Last day of validity (included).
    pub valid_until: CalendarDate,
    /// Place of issue.
    pub place: String,
}

/// ISSUE: what the authority seals.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct AttestIssue {
    /// Certificate number, new for the authority.
    pub number: String,
    /// Kind.
    pub kind: TradeCertificateKind,
    /// The facts.
    pub facts: AttestFacts,
}

/// An action on a trade certificate.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AttestAction {
    /// ISSUE by the authority (the entry's actor) or a delegate under its grant.
    Issue(AttestIssue),
    /// AMEND the facts (new document hash, corrected subject, dates); the previous facts stay
    /// in the record.
    Amend {
        /// Certificate.
        certificate: AttestRef,
        /// The facts after the amendment.
        facts: AttestFacts,
        /// Why.
        reason: String,
    },
    /// SUPERSEDE by a replacement certificate of the same authority and kind.
    Supersede {
        /// The old certificate.
        certificate: AttestRef,
        /// Number of the replacement (same authority).
        by_number: String,
    },
    /// REVOKE for good.
    Revoke {
        /// Certificate.
        certificate: AttestRef,
        /// Why.
        reason: String,
    },
}

impl AttestAction {
    /// The certificate the action is about (for ISSUE, the new one of `authority`).
    pub fn certificate(&self, authority: &OrgId) -> AttestRef {
        match self {
            AttestAction::Issue(issue) => AttestRef {
                authority: authority.clone(),
                number: issue.number.clone(),
            },
            AttestAction::Amend { certificate, .. }
            | AttestAction::Supersede { certificate, .. }
            | AttestAction::Revoke { certificate, .. } => certificate.clone(),
        }
    }
}
