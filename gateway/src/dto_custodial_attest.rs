//! Request bodies of the custodial trade certificate routes (`/v1/custodial/trade-certificates`).

use ebl_ledger::attest::{AttestAction, AttestFacts, AttestIssue, AttestRef};
use ebl_ledger::entry::Body;
use ebl_ledger::ids::OrgId;
use serde::Deserialize;

use crate::dto_custodial::{EnvelopeFields, envelope, required, unknown_action};
use crate::error::ApiResult;

/// Body of `POST /v1/custodial/trade-certificates`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TradeCertificateIssueRequest {
    /// The certificate (number, kind, facts).
    pub certificate: AttestIssue,
    /// Act for this authority through a grant it gave.
    #[serde(default)]
    pub act_for: Option<OrgId>,
    /// Remark.
    #[serde(default)]
    pub remark: Option<String>,
}

impl TradeCertificateIssueRequest {
    /// The ATTEST_ISSUE body and envelope fields.
    pub fn into_body(self) -> (Body, EnvelopeFields) {
        (
            Body::Attested(AttestAction::Issue(self.certificate)),
            envelope(self.act_for, self.remark),
        )
    }
}

/// Body of `POST /v1/custodial/trade-certificates/{authority}/{number}/{action}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TradeCertificateActionRequest {
    /// The facts after the amendment (amend).
    #[serde(default)]
    pub facts: Option<AttestFacts>,
    /// Why (amend, revoke).
    #[serde(default)]
    pub reason: Option<String>,
    /// Number of the replacement (supersede).
    #[serde(default)]
    pub by_number: Option<String>,
    /// Act for the authority through a grant.
    #[serde(default)]
    pub act_for: Option<OrgId>,
    /// Remark.
    #[serde(default)]
    pub remark: Option<String>,
}

/// The actions of `/v1/custodial/trade-certificates/{authority}/{number}/{action}`.
pub const TRADE_CERTIFICATE_ACTIONS: [&str; 3] = ["amend", "supersede", "revoke"];

impl TradeCertificateActionRequest {
    /// The body of `action` on `certificate`.
    pub fn into_body(
        self,
        action: &str,
        certificate: AttestRef,
    ) -> ApiResult<(Body, EnvelopeFields)> {
        let body = match action {
            "amend" => AttestAction::Amend {
                certificate,
                facts: required(self.facts, "facts", action)?,
                reason: required(self.reason, "reason", action)?,
            },
            "supersede" => AttestAction::Supersede {
                certificate,
                by_number: required(self.by_number, "by_number", action)?,
            },
            "revoke" => AttestAction::Revoke {
                certificate,
                reason: required(self.reason, "reason", action)?,
            },
            other => return Err(unknown_action(other, &TRADE_CERTIFICATE_ACTIONS)),
        };
        Ok((Body::Attested(body), envelope(self.act_for, self.remark)))
    }
}
