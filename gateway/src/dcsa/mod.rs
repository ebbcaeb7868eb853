//! DCSA-shaped endpoints (eBL 3.0.4: issuance, surrender, endorsement chain) over the ledger,
//! signing custodially for the calling organisation. Decisions in ADR 0013.
//!
//! # Design
//!
//! - Payloads are validated against the schemas of the DCSA OpenAPI files ([`schema`]); every
//!   schema or business failure is listed in the answer (BREQ for issuance, the DCSA
//!   `ErrorResponse` elsewhere), never just the first.
//! - The caller's API key is bound to a custodial identity (`ApiKey::identity`, ADR 0012); that identity's
//!   organisation is the carrier (issuance, surrender answers) or the holder (surrender requests).
//! - The carrier's issuance manifest is a JWS verified against its key registered on the
//!   ledger ([`manifest`], R224–R226); the title facts come from the document
//!   (`ebl_ledger::docfacts`, R220–R222).
//! - DCSA parties are mapped to ledger organisations by their `identifyingCodes` ([`parties`]):
//!   `codeListProvider` = this platform's code with `partyCode` = the organisation id, or an
//!   alias in [`DcsaConfig::parties`].
//! - The ledger stays the only authority: ISSU is reported only for a final ISSUE, REFU carries
//!   the ledger's stable code; what the gateway remembers ([`store`]) is only what the ledger does
//!   not hold (BREQ/REFU verdicts, the parts of a split being gathered) and is bounded.
//! - `transportDocumentReplacements` makes an issuance an AMEND or COMBINE, or one part of a
//!   SPLIT signed when its last part arrives ([`replacements`], [`split`], ADR 0038).
//! - Surrender follows DCSA SUR (ADR 0032): the request, with its surrenderRequestReference, is on
//!   the ledger (R240); the platform calls the carrier ([`surrender_call`], durable); the carrier
//!   answers at any member's gateway, which finds the request by reference in ledger state.

pub mod act;
pub mod callback;
pub mod chain;
pub mod error;
pub mod issuance;
pub mod issuance_material;
mod journal;
pub mod manifest;
pub mod parties;
pub mod replacements;
pub mod schema;
pub mod split;
pub mod store;
pub mod sub_reference;
pub mod surrender_call;

use std::collections::BTreeMap;

use ebl_ledger::ids::OrgId;

/// A DCSA party code that names a ledger organisation (the operator's directory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyAlias {
    /// DCSA `codeListProvider`, e.g. `BOLE`, `GLEIF`.
    pub code_list_provider: String,
    /// DCSA `partyCode` in that list.
    pub party_code: String,
    /// The organisation on the ledger.
    pub org: OrgId,
}

/// DCSA settings of the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DcsaConfig {
    /// This platform's code (`eblPlatform`, `codeListProvider` of our own party codes), ≤ 4
    /// characters without spaces.
    pub platform: String,
    /// Further party codes that name member organisations.
    pub parties: Vec<PartyAlias>,
    /// SCAC codes of carriers (shown as `carrierSCACCode`, usable as a filter).
    pub carrier_scac: BTreeMap<OrgId, String>,
    /// Issuance verdicts and surrender requests remembered (oldest forgotten first).
    pub memory: usize,
    /// Carriers' `POST /v3/ebl-issuance-responses` endpoints, for DCSA callbacks.
    pub callbacks: BTreeMap<OrgId, callback::CallbackTarget>,
    /// R245: carriers' `POST /v3/ebl-surrender-requests` endpoints, called with every surrender
    /// of their documents (configure each carrier on one member's gateway: every gateway with
    /// an endpoint calls it).
    pub surrender_endpoints: BTreeMap<OrgId, callback::CallbackTarget>,
}

impl Default for DcsaConfig {
    fn default() -> Self {
        DcsaConfig {
            platform: "EBLL".into(),
            parties: Vec::new(),
            carrier_scac: BTreeMap::new(),
            memory: 10_000,
            callbacks: BTreeMap::new(),
            surrender_endpoints: BTreeMap::new(),
        }
    }
}
