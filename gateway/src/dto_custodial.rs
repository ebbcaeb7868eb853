//! Request bodies of the custodial routes (`/v1/custodial/...`, ADR 0012) and how each becomes
//! a ledger entry body. Ledger types (organisation ids, dates, endorsements, grant terms) are
//! taken in their own JSON form; unknown fields are refused so that a typo is never ignored.

use axum::http::StatusCode;
use ebl_ledger::docfacts::{self, Directory, FactError};
use ebl_ledger::ebl::trade_links::TradeLink;
use ebl_ledger::ebl::{AmendmentReason, EblAction, EblIssue, EblType};
use ebl_ledger::entry::Body;
use ebl_ledger::hash::DocumentId;
use ebl_ledger::ids::OrgId;
use serde::Deserialize;
use serde_json::Value;

use crate::error::{ApiError, ApiResult};

/// What every custodial request may add to the entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvelopeFields {
    /// Act for this organisation through a grant (R26).
    pub act_for: Option<OrgId>,
    /// Remark, as UTF-8 text (≤ 1 KiB, R8).
    pub remark: Option<Vec<u8>>,
}

pub(crate) fn envelope(act_for: Option<OrgId>, remark: Option<String>) -> EnvelopeFields {
    EnvelopeFields {
        act_for,
        remark: remark.map(String::into_bytes),
    }
}

fn invalid(code: &str, detail: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail)
}

pub(crate) fn required<T>(value: Option<T>, field: &str, action: &str) -> ApiResult<T> {
    value.ok_or_else(|| invalid("MISSING_FIELD", format!("`{action}` needs `{field}`")))
}

/// A DCSA TransportDocument and who it is issued to (ISSUE, and the replacement of AMEND).
/// R220–R223: reference, kind and consignee / first endorsee are read from the document; the
/// fields below may repeat them but never contradict them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueDocument {
    /// The DCSA TransportDocument; its id is SHA-256 of its RFC 8785 form (R30).
    #[serde(alias = "transportDocument")]
    pub transport_document: Value,
    /// First holder; absent: the document's shipper (R223).
    #[serde(default)]
    pub issue_to: Option<OrgId>,
    /// Consignee (straight BL, SWB) or first endorsee (to-order BL); must agree with the
    /// document.
    #[serde(default)]
    pub consignee: Option<OrgId>,
    /// `transportDocumentReference`; must agree with the document.
    #[serde(default)]
    pub reference: Option<String>,
    /// The kind; must agree with `transportDocumentTypeCode` and `isToOrder`.
    #[serde(default)]
    pub kind: Option<EblType>,
}

/// R222: 422 `DOCUMENT_MISMATCH` naming the field that contradicts the document.
fn mismatch(field: &str, given: &str, found: &str) -> ApiError {
    invalid(
        "DOCUMENT_MISMATCH",
        format!("`{field}` is {given}, but the document says {found}"),
    )
}

impl IssueDocument {
    /// R220–R223: the ISSUE record of the document, issued by `carrier` (when known), with its
    /// parties read through `directory`.
    pub fn to_issue(
        &self,
        directory: Directory<'_>,
        carrier: Option<&OrgId>,
    ) -> ApiResult<EblIssue> {
        let doc = &self.transport_document;
        if !doc.is_object() {
            return Err(invalid(
                "INVALID_DOCUMENT",
                "transport_document must be a JSON object",
            ));
        }
        let document = ebl_ledger::docid::document_id(doc)
            .map_err(|e| invalid("INVALID_DOCUMENT", e.to_string()))?;
        let facts = docfacts::title_facts(doc, directory).map_err(|errors| {
            let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
            let code = errors.first().map_or("INVALID_DOCUMENT", FactError::code);
            invalid(code, text.join("; "))
        })?;
        if let Some(given) = self.reference.as_ref().filter(|r| **r != facts.reference) {
            return Err(mismatch("reference", given, &facts.reference));
        }
        if let Some(given) = self.kind.filter(|k| *k != facts.kind) {
            return Err(mismatch(
                "kind",
                &format!("{given:?}"),
                &format!("{:?}", facts.kind),
            ));
        }
        if let Some(given) = self.consignee.as_ref()
            && facts.title_party.as_ref() != Some(given)
        {
            let found = facts
                .title_party
                .as_ref()
                .map_or("none (a blank to-order BL)", OrgId::as_str);
            return Err(mismatch("consignee", given.as_str(), found));
        }
        if let (Some(issuer), Some(carrier)) = (&facts.issuing_carrier, carrier)
            && issuer != carrier
        {
            return Err(mismatch(
                "issuing carrier (the signing organisation)",
                carrier.as_str(),
                issuer.as_str(),
            ));
        }
        let issue_to = match (&self.issue_to, &facts.shipper) {
            (Some(given), _) => given.clone(),
            (None, Some(shipper)) => shipper.clone(),
            (None, None) => {
                return Err(invalid(
                    "MISSING_FIELD",
                    "the document's shipper has no identifying code known here; give `issue_to`",
                ));
            }
        };
        Ok(EblIssue {
            document,
            reference: facts.reference,
            kind: facts.kind,
            issue_to,
            consignee: facts.title_party,
        })
    }
}

/// Body of `POST /v1/custodial/ebls`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueRequest {
    /// The DCSA TransportDocument.
    #[serde(alias = "transportDocument")]
    pub transport_document: Value,
    /// First holder; absent: the document's shipper.
    #[serde(default)]
    pub issue_to: Option<OrgId>,
    /// Consignee or first endorsee; must agree with the document.
    #[serde(default)]
    pub consignee: Option<OrgId>,
    /// `transportDocumentReference`; must agree with the document.
    #[serde(default)]
    pub reference: Option<String>,
    /// The kind; must agree with the document.
    #[serde(default)]
    pub kind: Option<EblType>,
    /// Act for this organisation through a grant.
    #[serde(default)]
    pub act_for: Option<OrgId>,
    /// Remark.
    #[serde(default)]
    pub remark: Option<String>,
}

impl IssueRequest {
    /// The ISSUE body and the envelope fields (see [`IssueDocument::to_issue`]).
    pub fn into_body(
        self,
        directory: Directory<'_>,
        carrier: Option<&OrgId>,
    ) -> ApiResult<(Body, EnvelopeFields)> {
        let issue = IssueDocument {
            transport_document: self.transport_document,
            issue_to: self.issue_to,
            consignee: self.consignee,
            reference: self.reference,
            kind: self.kind,
        }
        .to_issue(directory, carrier)?;
        Ok((
            Body::Ebl(EblAction::Issue(issue)),
            envelope(self.act_for, self.remark),
        ))
    }
}

/// Body of `POST /v1/custodial/ebls/{id}/{action}`; which fields are needed depends on the
/// action (see [`EblActionRequest::into_body`]).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EblActionRequest {
    /// New holder (transfer).
    #[serde(default)]
    pub to: Option<OrgId>,
    /// New endorsee (endorse, endorse-to-order).
    #[serde(default)]
    pub endorsee: Option<OrgId>,
    /// Proposed endorsee (nominate).
    #[serde(default)]
    pub nominee: Option<OrgId>,
    /// Why (reject, reject-surrender, void).
    #[serde(default)]
    pub reason: Option<String>,
    /// SWTP, COD or SWI: surrender for amendment instead of delivery (surrender).
    #[serde(default)]
    pub amendment_reason: Option<AmendmentReason>,
    /// The replacement document (amend, combine).
    #[serde(default)]
    pub replacement: Option<IssueDocument>,
    /// The replacement documents (split: 2 to 32, R33).
    #[serde(default)]
    pub replacements: Option<Vec<IssueDocument>>,
    /// The other surrendered documents combined with the one in the path (combine; R55, R57).
    #[serde(default)]
    pub combine_with: Option<Vec<DocumentId>>,
    /// Act for this organisation through a grant.
    #[serde(default)]
    pub act_for: Option<OrgId>,
    /// Remark.
    #[serde(default)]
    pub remark: Option<String>,
    /// The receiving party on another platform, as DCSA PINT names it (export, R324).
    #[serde(default)]
    pub recipient: Option<crate::pint::model::Party>,
    /// Also endorse the bill to the order of the recipient (export of a to-order bill whose
    /// holder is its endorsee, R291).
    #[serde(default)]
    pub endorse: Option<bool>,
    /// The evidence links to add (link-evidence, R400).
    #[serde(default)]
    pub links: Option<Vec<TradeLink>>,
    /// The number of the link to withdraw (withdraw-evidence, R405).
    #[serde(default)]
    pub link: Option<u32>,
}

/// The eBL actions of `/v1/custodial/ebls/{id}/{action}`.
pub const EBL_ACTIONS: [&str; 18] = [
    "transfer",
    "endorse",
    "endorse-to-order",
    "blank-endorse",
    "nominate",
    "reject",
    "sign",
    "surrender",
    "accept-surrender",
    "reject-surrender",
    "amend",
    "split",
    "combine",
    "switch-to-paper",
    "void",
    "surrender-for-amendment",
    "link-evidence",
    "withdraw-evidence",
];

impl EblActionRequest {
    /// The body of `action` on `document`; 404 `UNKNOWN_ACTION` for an action not listed in
    /// [`EBL_ACTIONS`], 422 `MISSING_FIELD` when the action's field is absent.
    pub fn into_body(
        self,
        action: &str,
        document: DocumentId,
        directory: Directory<'_>,
        carrier: Option<&OrgId>,
    ) -> ApiResult<(Body, EnvelopeFields)> {
        let reason = |r: Option<String>| required(r, "reason", action);
        let body = match action {
            "transfer" => EblAction::Transfer {
                document,
                to: required(self.to, "to", action)?,
            },
            "endorse" => EblAction::Endorse {
                document,
                endorsee: required(self.endorsee, "endorsee", action)?,
            },
            "endorse-to-order" => EblAction::EndorseToOrder {
                document,
                endorsee: required(self.endorsee, "endorsee", action)?,
            },
            "blank-endorse" => EblAction::BlankEndorse { document },
            "nominate" => EblAction::Nominate {
                document,
                nominee: required(self.nominee, "nominee", action)?,
            },
            "reject" => EblAction::Reject {
                document,
                reason: reason(self.reason)?,
            },
            "sign" => EblAction::Sign { document },
            "surrender" => match self.amendment_reason {
                // R240: the ledger names the request by the entry id.
                None => EblAction::SurrenderForDelivery {
                    document,
                    request_reference: None,
                },
                Some(reason) => EblAction::SurrenderForAmendment {
                    document,
                    reason,
                    request_reference: None,
                },
            },
            "surrender-for-amendment" => EblAction::SurrenderForAmendment {
                document,
                reason: required(self.amendment_reason, "amendment_reason", action)?,
                request_reference: None,
            },
            "switch-to-paper" => EblAction::SurrenderForAmendment {
                document,
                reason: AmendmentReason::SwitchToPaper,
                request_reference: None,
            },
            "accept-surrender" => EblAction::AcceptSurrender { document },
            "reject-surrender" => EblAction::RejectSurrender {
                document,
                reason: reason(self.reason)?,
            },
            "amend" => EblAction::Amend {
                document,
                replacement: required(self.replacement, "replacement", action)?
                    .to_issue(directory, carrier)?,
            },
            "split" => EblAction::Split {
                document,
                replacements: required(self.replacements, "replacements", action)?
                    .into_iter()
                    .map(|r| r.to_issue(directory, carrier))
                    .collect::<ApiResult<_>>()?,
            },
            "combine" => EblAction::Combine {
                documents: std::iter::once(document)
                    .chain(required(self.combine_with, "combine_with", action)?)
                    .collect(),
                replacement: required(self.replacement, "replacement", action)?
                    .to_issue(directory, carrier)?,
            },
            "void" => EblAction::Void {
                document,
                reason: reason(self.reason)?,
            },
            "link-evidence" => EblAction::LinkEvidence {
                document,
                links: required(self.links, "links", action)?,
            },
            "withdraw-evidence" => EblAction::WithdrawEvidence {
                document,
                link: required(self.link, "link", action)?,
                reason: reason(self.reason)?,
            },
            other => return Err(unknown_action(other, &EBL_ACTIONS)),
        };
        Ok((Body::Ebl(body), envelope(self.act_for, self.remark)))
    }
}

pub(crate) fn unknown_action(action: &str, known: &[&str]) -> ApiError {
    ApiError::not_found(
        "UNKNOWN_ACTION",
        format!("no action `{action}`; one of: {}", known.join(", ")),
    )
}

pub use crate::dto_custodial_records::{
    CERTIFICATE_ACTIONS, CertificateActionRequest, CertificateIssueRequest, FlagChangeRequest,
    GrantRequest, ReceiptRequest, RevokeGrantRequest,
};
