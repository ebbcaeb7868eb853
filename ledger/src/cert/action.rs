//! Ship e-certificate actions as they appear in signed entries (IMO FAL.5/Circ.39/Rev.2;
//! specs/protocol.md §Certificates, R60–R79).

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::hash::Hash32;
use crate::ids::OrgId;
use crate::time::CalendarDate;

/// The statutory certificate kinds the ledger knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CertificateKind {
    /// SOLAS Cargo Ship Safety Construction Certificate.
    SafetyConstruction,
    /// SOLAS Cargo Ship Safety Equipment Certificate.
    SafetyEquipment,
    /// SOLAS Cargo Ship Safety Radio Certificate.
    SafetyRadio,
    /// SOLAS Passenger Ship Safety Certificate.
    PassengerShipSafety,
    /// International Load Line Certificate.
    LoadLine,
    /// International Oil Pollution Prevention Certificate (MARPOL Annex I).
    Iopp,
    /// International Air Pollution Prevention Certificate (MARPOL Annex VI).
    Iapp,
    /// International Ship Security Certificate (ISPS Code).
    Issc,
    /// Safety Management Certificate (ISM Code).
    Smc,
    /// Document of Compliance (ISM Code).
    Doc,
    /// Maritime Labour Certificate (MLC 2006).
    Mlc,
    /// Certificate of Registry.
    Registry,
    /// Minimum Safe Manning Document.
    MinimumSafeManning,
    /// International Tonnage Certificate (1969).
    Tonnage,
}

/// The ship a certificate is about.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct Ship {
    /// IMO ship identification number: 7 digits, the last a check digit.
    pub imo_number: String,
    /// Name of the ship.
    pub name: String,
    /// Flag State, ISO 3166-1 alpha-2.
    pub flag: String,
    /// Distinctive number or letters (call sign).
    pub call_sign: String,
    /// Gross tonnage.
    pub gross_tonnage: u32,
}

/// What the issuing Administration (or a recognized organization for it) records at issue.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct CertificateIssue {
    /// Unique tracking number, unique per issuing Administration (FAL.5/Circ.39/Rev.2).
    pub utn: String,
    /// Certificate kind.
    pub kind: CertificateKind,
    /// The ship.
    pub ship: Ship,
    /// First day of validity.
    pub issued_on: CalendarDate,
    /// Last day of validity.
    pub expires_on: CalendarDate,
    /// SHA-256 of the RFC 8785 canonical JSON of the certificate document, if one is kept off-ledger.
    pub document: Option<Hash32>,
    /// Place of issue.
    pub place: String,
}

/// The survey an endorsement records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EndorsementKind {
    /// Annual survey.
    Annual,
    /// Intermediate survey (replaces the second or third annual survey).
    Intermediate,
    /// Periodical survey (radio, equipment).
    Periodical,
    /// Renewal survey completed: validity extended until the new certificate is issued.
    Renewal,
}

/// A survey endorsement.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct Endorsement {
    /// Survey kind.
    pub kind: EndorsementKind,
    /// Date the survey was completed.
    pub survey_date: CalendarDate,
    /// Place of survey.
    pub place: String,
    /// Surveyor's name or id.
    pub surveyor: String,
    /// For renewal endorsements: the extended expiry (at most 5 months after the old one).
    pub extended_until: Option<CalendarDate>,
}

/// A reference to a certificate: the issuing Administration and its UTN.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode, Serialize, Deserialize,
)]
pub struct CertificateRef {
    /// The flag Administration that issued it.
    pub administration: OrgId,
    /// Its unique tracking number.
    pub utn: String,
}

/// An action on a ship certificate.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CertAction {
    /// ISSUE by the Administration (the entry's actor) or an RO acting for it.
    Issue(CertificateIssue),
    /// ENDORSE after a survey.
    Endorse {
        /// Certificate.
        certificate: CertificateRef,
        /// The endorsement.
        endorsement: Endorsement,
    },
    /// EXTEND validity (SOLAS I/14: at most 3 months, once).
    Extend {
        /// Certificate.
        certificate: CertificateRef,
        /// New last day of validity.
        new_expiry: CalendarDate,
        /// Why.
        reason: String,
    },
    /// SUSPEND (e.g. after a detention or a missed survey).
    Suspend {
        /// Certificate.
        certificate: CertificateRef,
        /// Why.
        reason: String,
    },
    /// REINSTATE a suspended certificate.
    Reinstate {
        /// Certificate.
        certificate: CertificateRef,
    },
    /// WITHDRAW for good.
    Withdraw {
        /// Certificate.
        certificate: CertificateRef,
        /// Why.
        reason: String,
    },
    /// SUPERSEDE by another certificate of the same ship and kind already on the ledger.
    Supersede {
        /// The old certificate.
        certificate: CertificateRef,
        /// UTN of the new one (same Administration).
        by_utn: String,
    },
    /// FLAG_CHANGE: the ship moves to another flag State (R386–R388). Certificates issued under
    /// the old flag cease to be valid on `effective_on` (SOLAS I/14).
    FlagChange {
        /// IMO number of the ship.
        imo_number: String,
        /// The new flag State, ISO 3166-1 alpha-2.
        to_flag: String,
        /// First day under the new flag, in the acting Administration's local zone.
        effective_on: CalendarDate,
    },
}

impl CertAction {
    /// The certificate the action is about (for ISSUE, the new one issued by `administration`);
    /// `None` for FLAG_CHANGE, which is about a ship.
    pub fn certificate(&self, administration: &OrgId) -> Option<CertificateRef> {
        Some(match self {
            CertAction::Issue(issue) => CertificateRef {
                administration: administration.clone(),
                utn: issue.utn.clone(),
            },
            CertAction::Endorse { certificate, .. }
            | CertAction::Extend { certificate, .. }
            | CertAction::Suspend { certificate, .. }
            | CertAction::Reinstate { certificate }
            | CertAction::Withdraw { certificate, .. }
            | CertAction::Supersede { certificate, .. } => certificate.clone(),
            CertAction::FlagChange { .. } => return None,
        })
    }
}
