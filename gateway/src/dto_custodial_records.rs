//! Request bodies of the custodial certificate and grant routes (ADR 0012); see
//! [`crate::dto_custodial`] for the eBL ones and the shared envelope fields.

use ebl_ledger::cert::{CertAction, CertificateIssue, CertificateRef, Endorsement};
use ebl_ledger::entry::Body;
use ebl_ledger::hash::Hash32;
use ebl_ledger::identity::{GrantAction, GrantTerms};
use ebl_ledger::ids::OrgId;
use ebl_ledger::receipt::VerificationReceipt;
use ebl_ledger::time::CalendarDate;
use serde::Deserialize;

use crate::dto_custodial::{EnvelopeFields, envelope, required, unknown_action};
use crate::error::ApiResult;

/// Body of `POST /v1/custodial/certificates`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateIssueRequest {
    /// The certificate (UTN, kind, ship, dates, place, optional document hash).
    pub certificate: CertificateIssue,
    /// Act for this Administration through a grant (a recognized organization).
    #[serde(default)]
    pub act_for: Option<OrgId>,
    /// Remark.
    #[serde(default)]
    pub remark: Option<String>,
}

impl CertificateIssueRequest {
    /// The CERT ISSUE body and envelope fields.
    pub fn into_body(self) -> (Body, EnvelopeFields) {
        (
            Body::Certificate(CertAction::Issue(self.certificate)),
            envelope(self.act_for, self.remark),
        )
    }
}

/// Body of `POST /v1/custodial/certificates/{administration}/{utn}/{action}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateActionRequest {
    /// The survey endorsement (endorse).
    #[serde(default)]
    pub endorsement: Option<Endorsement>,
    /// New last day of validity (extend).
    #[serde(default)]
    pub new_expiry: Option<CalendarDate>,
    /// Why (extend, suspend, withdraw).
    #[serde(default)]
    pub reason: Option<String>,
    /// UTN of the superseding certificate (supersede).
    #[serde(default)]
    pub by_utn: Option<String>,
    /// Act for the Administration through a grant.
    #[serde(default)]
    pub act_for: Option<OrgId>,
    /// Remark.
    #[serde(default)]
    pub remark: Option<String>,
}

/// The certificate actions of `/v1/custodial/certificates/{administration}/{utn}/{action}`.
pub const CERTIFICATE_ACTIONS: [&str; 6] = [
    "endorse",
    "extend",
    "suspend",
    "reinstate",
    "withdraw",
    "supersede",
];

impl CertificateActionRequest {
    /// The body of `action` on `certificate`.
    pub fn into_body(
        self,
        action: &str,
        certificate: CertificateRef,
    ) -> ApiResult<(Body, EnvelopeFields)> {
        let reason = |r: Option<String>| required(r, "reason", action);
        let body = match action {
            "endorse" => CertAction::Endorse {
                certificate,
                endorsement: required(self.endorsement, "endorsement", action)?,
            },
            "extend" => CertAction::Extend {
                certificate,
                new_expiry: required(self.new_expiry, "new_expiry", action)?,
                reason: reason(self.reason)?,
            },
            "suspend" => CertAction::Suspend {
                certificate,
                reason: reason(self.reason)?,
            },
            "reinstate" => CertAction::Reinstate { certificate },
            "withdraw" => CertAction::Withdraw {
                certificate,
                reason: reason(self.reason)?,
            },
            "supersede" => CertAction::Supersede {
                certificate,
                by_utn: required(self.by_utn, "by_utn", action)?,
            },
            other => return Err(unknown_action(other, &CERTIFICATE_ACTIONS)),
        };
        Ok((Body::Certificate(body), envelope(self.act_for, self.remark)))
    }
}

/// Body of `POST /v1/custodial/ships/{imo}/flag-change` (R386–R388): the acting Administration
/// (the old or the new flag's, or one acting for either through a grant) records that the
/// ship moves to `to_flag` from `effective_on`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlagChangeRequest {
    /// The new flag State, ISO 3166-1 alpha-2.
    pub to_flag: String,
    /// First day under the new flag, in the acting Administration's local zone.
    pub effective_on: CalendarDate,
    /// Act for an Administration through a grant it gave.
    #[serde(default)]
    pub act_for: Option<OrgId>,
    /// Remark.
    #[serde(default)]
    pub remark: Option<String>,
}

impl FlagChangeRequest {
    /// The CERT FLAG_CHANGE body of ship `imo_number` and the envelope fields; the ledger
    /// checks the IMO number, the flag code and who may act (one rule set, R386).
    pub fn into_body(self, imo_number: String) -> (Body, EnvelopeFields) {
        (
            Body::Certificate(CertAction::FlagChange {
                imo_number,
                to_flag: self.to_flag,
                effective_on: self.effective_on,
            }),
            envelope(self.act_for, self.remark),
        )
    }
}

/// Body of `POST /v1/custodial/receipts`: a verification receipt about an eBL, a ship
/// certificate or a trade certificate (R80–R83), e.g. a bank's check before it pays under a
/// letter of credit, citing the bill's evidence links it matched (R407).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptRequest {
    /// The receipt: subject, outcome, purpose, detail and the cited links.
    pub receipt: VerificationReceipt,
    /// Verify for another organisation through a grant it gave.
    #[serde(default)]
    pub act_for: Option<OrgId>,
    /// Remark.
    #[serde(default)]
    pub remark: Option<String>,
}

impl ReceiptRequest {
    /// The VERIFICATION body and envelope fields; the ledger checks the rest.
    pub fn into_body(self) -> (Body, EnvelopeFields) {
        (
            Body::Verification(self.receipt),
            envelope(self.act_for, self.remark),
        )
    }
}

/// Body of `POST /v1/custodial/grants`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantRequest {
    /// The terms (grantee, actions, document kinds, optional document, validity window).
    pub grant: GrantTerms,
    /// Act for another organisation through a grant.
    #[serde(default)]
    pub act_for: Option<OrgId>,
    /// Remark.
    #[serde(default)]
    pub remark: Option<String>,
}

impl GrantRequest {
    /// The GRANT body and envelope fields.
    pub fn into_body(self) -> (Body, EnvelopeFields) {
        (
            Body::Grant(GrantAction::Create(self.grant)),
            envelope(self.act_for, self.remark),
        )
    }
}

/// Body of `POST /v1/custodial/grants/{id}/revoke` (may be `{}`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeGrantRequest {
    /// Act for another organisation through a grant.
    #[serde(default)]
    pub act_for: Option<OrgId>,
    /// Remark.
    #[serde(default)]
    pub remark: Option<String>,
}

impl RevokeGrantRequest {
    /// The REVOKE body of grant `grant`.
    pub fn into_body(self, grant: Hash32) -> (Body, EnvelopeFields) {
        (
            Body::Grant(GrantAction::Revoke { grant }),
            envelope(self.act_for, self.remark),
        )
    }
}
