//! Title facts of a DCSA TransportDocument (specs/protocol.md R220–R223): its kind, to-order
//! flag, reference, issuing carrier and title party (consignee, or first endorsee), read from
//! the document itself, so that every issuance path and the verifier read one document the same
//! way. Parties are named by their DCSA `identifyingCodes`; which code names which organisation
//! is the caller's directory (a gateway's platform code and aliases), passed in as a function.

use serde_json::Value;

use crate::ebl::{EblIssue, EblType};
use crate::ids::OrgId;

/// Most `identifyingCodes` read of one party: DCSA sets no cap, a hostile document is bounded.
pub const MAX_CODES: usize = 32;

/// Maps one DCSA identifying code (`codeListProvider`, `partyCode`) to an organisation.
pub type Directory<'a> = &'a dyn Fn(&str, &str) -> Option<OrgId>;

/// What a DCSA party object names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartyLookup {
    /// Exactly one organisation.
    Named(OrgId),
    /// None of its codes is in the directory.
    NoKnownCode,
    /// Its codes name several organisations.
    Ambiguous(Vec<OrgId>),
}

/// The organisation a DCSA party object names through its `identifyingCodes` (the first
/// [`MAX_CODES`] of them).
pub fn lookup_party(party: &Value, directory: Directory<'_>) -> PartyLookup {
    let mut orgs: Vec<OrgId> = party
        .get("identifyingCodes")
        .and_then(Value::as_array)
        .map(|codes| {
            codes
                .iter()
                .take(MAX_CODES)
                .filter_map(|c| {
                    let provider = c.get("codeListProvider")?.as_str()?;
                    let code = c.get("partyCode")?.as_str()?;
                    directory(provider, code)
                })
                .collect()
        })
        .unwrap_or_default();
    orgs.sort();
    orgs.dedup();
    match orgs.len() {
        0 => PartyLookup::NoKnownCode,
        1 => PartyLookup::Named(orgs.remove(0)),
        _ => PartyLookup::Ambiguous(orgs),
    }
}

/// What the document says about its title (R220).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TitleFacts {
    /// `transportDocumentReference`.
    pub reference: String,
    /// From `transportDocumentTypeCode` and `isToOrder`.
    pub kind: EblType,
    /// `isToOrder`.
    pub to_order: bool,
    /// `documentParties.issuingParty`, when one of its codes is in the directory.
    pub issuing_carrier: Option<OrgId>,
    /// R35: `documentParties.consignee` of a straight BL or waybill, `documentParties.endorsee`
    /// of a to-order BL (`None`: blank endorsed).
    pub title_party: Option<OrgId>,
    /// `documentParties.shipper`, when one of its codes is in the directory.
    pub shipper: Option<OrgId>,
}

/// Why a document states no usable title facts; each has a stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FactError {
    /// No `transportDocumentReference` string.
    #[error("the document has no transportDocumentReference")]
    MissingReference,
    /// `transportDocumentTypeCode` is neither BOL nor SWB.
    #[error("transportDocumentTypeCode must be BOL or SWB")]
    UnsupportedKind,
    /// An SWB with `isToOrder = true`.
    #[error("a sea waybill (SWB) cannot be to order (isToOrder must be false)")]
    ToOrderWaybill,
    /// A straight BL or waybill without its consignee.
    #[error("{path} is required for this document kind")]
    MissingParty {
        /// JSON path of the party.
        path: &'static str,
    },
    /// A party whose codes name no organisation, or several.
    #[error("{path} (\"{name}\") {why}")]
    UnknownParty {
        /// JSON path of the party.
        path: &'static str,
        /// Its `partyName`.
        name: String,
        /// What is wrong with its codes.
        why: String,
    },
}

impl FactError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            FactError::MissingReference => "MISSING_REFERENCE",
            FactError::UnsupportedKind | FactError::ToOrderWaybill => "UNSUPPORTED_DOCUMENT",
            FactError::MissingParty { .. } | FactError::UnknownParty { .. } => "UNKNOWN_PARTY",
        }
    }
}

/// The kind a document declares (R220).
pub fn kind_of(document: &Value) -> Result<EblType, FactError> {
    let code = document
        .get("transportDocumentTypeCode")
        .and_then(Value::as_str);
    let to_order = document.get("isToOrder").and_then(Value::as_bool);
    match (code, to_order) {
        (Some("BOL"), Some(true)) => Ok(EblType::ToOrderBl),
        (Some("BOL"), _) => Ok(EblType::StraightBl),
        (Some("SWB"), Some(true)) => Err(FactError::ToOrderWaybill),
        (Some("SWB"), _) => Ok(EblType::SeaWaybill),
        _ => Err(FactError::UnsupportedKind),
    }
}

/// The party at `pointer`, if present: `Ok(None)` when absent, or when it names no known
/// organisation and `may_be_unknown`; an error when it names several, or none and must name one.
fn named(
    document: &Value,
    path: &'static str,
    pointer: &str,
    directory: Directory<'_>,
    may_be_unknown: bool,
) -> Result<Option<OrgId>, FactError> {
    let Some(party) = document.pointer(pointer) else {
        return Ok(None);
    };
    let why = match lookup_party(party, directory) {
        PartyLookup::Named(org) => return Ok(Some(org)),
        PartyLookup::NoKnownCode if may_be_unknown => return Ok(None),
        PartyLookup::NoKnownCode => "has no identifying code known here".to_string(),
        PartyLookup::Ambiguous(orgs) => {
            let list: Vec<&str> = orgs.iter().map(OrgId::as_str).collect();
            format!("names several organisations: {}", list.join(", "))
        }
    };
    let name = party
        .get("partyName")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .chars()
        .take(70)
        .collect();
    Err(FactError::UnknownParty { path, name, why })
}

/// R220–R221: the title facts of `document`, or every reason it states none.
pub fn title_facts(
    document: &Value,
    directory: Directory<'_>,
) -> Result<TitleFacts, Vec<FactError>> {
    let mut errors = Vec::new();
    let reference = document
        .get("transportDocumentReference")
        .and_then(Value::as_str)
        .map(str::to_string);
    if reference.is_none() {
        errors.push(FactError::MissingReference);
    }
    let kind = kind_of(document).map_err(|e| errors.push(e)).ok();
    let issuing_carrier = named(
        document,
        "$.documentParties.issuingParty",
        "/documentParties/issuingParty",
        directory,
        true,
    )
    .map_err(|e| errors.push(e))
    .ok()
    .flatten();
    let shipper = named(
        document,
        "$.documentParties.shipper",
        "/documentParties/shipper",
        directory,
        true,
    )
    .map_err(|e| errors.push(e))
    .ok()
    .flatten();
    // R221: a to-order BL names its first endorsee or none (blank); a straight BL or waybill
    // must name its consignee.
    let title_party = match kind {
        Some(EblType::ToOrderBl) => named(
            document,
            "$.documentParties.endorsee",
            "/documentParties/endorsee",
            directory,
            false,
        ),
        Some(_) => match named(
            document,
            "$.documentParties.consignee",
            "/documentParties/consignee",
            directory,
            false,
        ) {
            Ok(None) => Err(FactError::MissingParty {
                path: "$.documentParties.consignee",
            }),
            other => other,
        },
        None => Ok(None),
    }
    .map_err(|e| errors.push(e))
    .ok()
    .flatten();
    match (reference, kind) {
        (Some(reference), Some(kind)) if errors.is_empty() => Ok(TitleFacts {
            reference,
            kind,
            to_order: kind == EblType::ToOrderBl,
            issuing_carrier,
            title_party,
            shipper,
        }),
        _ => Err(errors),
    }
}

/// One title fact, as named in errors and in the verifier's PARTIES check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fact {
    /// Straight BL, to-order BL or sea waybill.
    Kind,
    /// `isToOrder`.
    ToOrder,
    /// `transportDocumentReference`.
    Reference,
    /// The carrier that issued.
    IssuingCarrier,
    /// Consignee or first endorsee.
    Consignee,
}

impl Fact {
    /// Stable name (the request field it corresponds to).
    pub fn name(self) -> &'static str {
        match self {
            Fact::Kind => "kind",
            Fact::ToOrder => "to_order",
            Fact::Reference => "reference",
            Fact::IssuingCarrier => "issuing_carrier",
            Fact::Consignee => "consignee",
        }
    }
}

/// A fact on which the document and a claim (a request field, a ledger record) differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// Which fact.
    pub fact: Fact,
    /// What the document says.
    pub document: String,
    /// What the claim says.
    pub claimed: String,
}

fn party_text(org: Option<&OrgId>) -> String {
    org.map_or_else(|| "none (blank)".to_string(), |o| o.as_str().to_string())
}

/// R222: the facts on which `issue`, issued by `carrier`, differs from the document. The issuing
/// carrier is compared only when the document names it by a code in the directory.
pub fn mismatches(facts: &TitleFacts, carrier: &OrgId, issue: &EblIssue) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let mut differ = |fact, document: String, claimed: String| {
        if document != claimed {
            out.push(Mismatch {
                fact,
                document,
                claimed,
            });
        }
    };
    differ(
        Fact::Kind,
        format!("{:?}", facts.kind),
        format!("{:?}", issue.kind),
    );
    differ(
        Fact::ToOrder,
        facts.to_order.to_string(),
        (issue.kind == EblType::ToOrderBl).to_string(),
    );
    differ(
        Fact::Reference,
        facts.reference.clone(),
        issue.reference.clone(),
    );
    if let Some(issuer) = &facts.issuing_carrier {
        differ(
            Fact::IssuingCarrier,
            issuer.as_str().to_string(),
            carrier.as_str().to_string(),
        );
    }
    differ(
        Fact::Consignee,
        party_text(facts.title_party.as_ref()),
        party_text(issue.consignee.as_ref()),
    );
    out
}

#[cfg(test)]
#[path = "docfacts_tests.rs"]
mod tests;
