//! Organisations, roles, validators and governance proposals (specs/protocol.md §Identity,
//! §Governance, R20–R29, R90–R99).

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::crypto::PublicKey;
use crate::hash::Hash32;
use crate::ids::OrgId;
use crate::time::Timestamp;

/// What an organisation may do on the ledger, taken from its X.509 certificate (R21).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    /// Issues eBLs and accepts their surrender.
    Carrier,
    /// Finances trade; holds eBLs as security.
    Bank,
    /// Shipper, consignee, notify party or forwarder.
    TradeParty,
    /// Port authority or single window (national or foreign).
    PortOrSingleWindow,
    /// Flag State Administration: issues ship certificates.
    MaritimeAdministration,
    /// Recognized organization (class society) acting for an Administration under a grant.
    RecognizedOrganization,
    /// Runs a validator node.
    ValidatorOperator,
    /// Certifies goods for trade without being a border agency: a chamber of commerce issuing
    /// certificates of origin, an accredited fumigation or treatment provider (R391).
    CertifyingBody,
}

impl Role {
    /// Every role, in code order.
    pub const ALL: [Role; 8] = [
        Role::Carrier,
        Role::Bank,
        Role::TradeParty,
        Role::PortOrSingleWindow,
        Role::MaritimeAdministration,
        Role::RecognizedOrganization,
        Role::ValidatorOperator,
        Role::CertifyingBody,
    ];

    /// The code used in certificates (subject OU) and JSON.
    pub fn code(self) -> &'static str {
        match self {
            Role::Carrier => "CARRIER",
            Role::Bank => "BANK",
            Role::TradeParty => "TRADE_PARTY",
            Role::PortOrSingleWindow => "PORT_OR_SINGLE_WINDOW",
            Role::MaritimeAdministration => "MARITIME_ADMINISTRATION",
            Role::RecognizedOrganization => "RECOGNIZED_ORGANIZATION",
            Role::ValidatorOperator => "VALIDATOR_OPERATOR",
            Role::CertifyingBody => "CERTIFYING_BODY",
        }
    }

    /// Parses a role code (case-insensitive).
    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.code().eq_ignore_ascii_case(code))
    }
}

/// A validator of the consensus: its consensus key, operating organisation and voting power.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct Validator {
    /// Ed25519 consensus key (also the key of its governance entries).
    pub key: PublicKey,
    /// Organisation that runs it.
    pub operator: OrgId,
    /// Voting power (> 0).
    pub power: u64,
}

/// A change to the consortium that needs > 2/3 of validator power (R90).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[serde(tag = "proposal", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Proposal {
    /// Admit an organisation by its X.509 certificate (DER), which must chain to a root CA.
    AdmitOrganisation {
        /// DER bytes of the organisation certificate.
        #[serde(with = "hex_bytes")]
        certificate_der: Vec<u8>,
        /// R381: display names and local zone; the default profile when absent.
        #[serde(default)]
        profile: Option<crate::identity::OrgProfile>,
    },
    /// Revoke an organisation: from the block that applies it, nothing it signs is accepted.
    RevokeOrganisation {
        /// Organisation.
        org: OrgId,
        /// Why.
        reason: String,
    },
    /// Add a validator.
    AddValidator {
        /// The new validator.
        validator: Validator,
    },
    /// Remove a validator.
    RemoveValidator {
        /// Its consensus key.
        key: PublicKey,
    },
    /// Change a validator's power.
    SetValidatorPower {
        /// Its consensus key.
        key: PublicKey,
        /// New power (> 0).
        power: u64,
    },
    /// R413: from `activation_height` on, blocks are made under protocol `version`.
    ScheduleProtocolUpgrade {
        /// The new version (newer than the one in force).
        version: u32,
        /// The first height made under it.
        activation_height: u64,
    },
    /// R382: replace an organisation's display names and local zone.
    SetOrganisationProfile {
        /// Organisation.
        org: OrgId,
        /// Its new profile.
        profile: crate::identity::OrgProfile,
    },
}

/// A governance entry body.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum GovernanceAction {
    /// Open a proposal; counts as the proposer's approving vote.
    Propose {
        /// The change.
        proposal: Proposal,
        /// Last height at which votes are counted.
        expires_at_height: u64,
    },
    /// Vote on an open proposal.
    Vote {
        /// Proposal id.
        proposal: Hash32,
        /// Approve or reject.
        approve: bool,
    },
}

/// The document kinds a grant may cover.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DocumentKind {
    /// Electronic bill of lading or sea waybill.
    Ebl,
    /// Ship e-certificate.
    ShipCertificate,
    /// Attested trade certificate: certificate of origin, phytosanitary, approval, … (R390).
    TradeCertificate,
}

/// Who receives a grant.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Grantee {
    /// One key (e.g. a bank's trade-finance system).
    Key(PublicKey),
    /// Every key of an organisation (e.g. a carrier's agent, a recognized organization).
    Organisation(OrgId),
}

/// The terms of a grant (R25).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct GrantTerms {
    /// Who may act.
    pub grantee: Grantee,
    /// Which actions (at least one).
    pub actions: Vec<crate::entry::ActionKind>,
    /// Which document kinds (at least one).
    pub document_kinds: Vec<DocumentKind>,
    /// If set, only this one document (eBL id, or certificate UTN of the grantor).
    pub document: Option<crate::entry::DocumentRef>,
    /// First instant the grant may be used.
    pub valid_from: Timestamp,
    /// Last instant the grant may be used.
    pub valid_until: Timestamp,
}

/// A grant entry body.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum GrantAction {
    /// Create a grant; its id is derived from the entry id.
    Create(GrantTerms),
    /// Revoke a grant the actor gave.
    Revoke {
        /// Grant id.
        grant: Hash32,
    },
}

mod hex_bytes {
    pub fn serialize<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(d)?;
        hex::decode(text).map_err(serde::de::Error::custom)
    }
}
