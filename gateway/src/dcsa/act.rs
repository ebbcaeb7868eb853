//! Acting for the caller: the custodial identity its API key is bound to, signing an entry with
//! it and waiting (bounded) for the ledger's verdict.

use std::sync::Arc;

use axum::http::StatusCode;
use ebl_ledger::entry::Body;
use ebl_ledger::hash::EntryId;
use ebl_ledger::ids::OrgId;

use crate::AppState;
use crate::auth::Caller;
use crate::custody::{CustodialRequest, Custodian, CustodyError};
use crate::error::ApiError;
use crate::node::{EntryStatus, SubmitOutcome};

/// The identity a request acts as.
#[derive(Clone)]
pub struct Acting {
    /// Keystore name.
    pub identity: String,
    /// Its organisation.
    pub org: OrgId,
    custodian: Arc<dyn Custodian>,
}

impl std::fmt::Debug for Acting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Acting")
            .field("identity", &self.identity)
            .field("org", &self.org)
            .finish_non_exhaustive()
    }
}

/// The ledger's verdict on a signed entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settled {
    /// Final and applied.
    Applied,
    /// Refused (before or in a block) with the ledger's stable code.
    Refused {
        /// `RuleError::code()`.
        code: String,
        /// Explanation.
        message: String,
    },
    /// Not final within the gateway's wait.
    Pending,
}

fn custody_error(e: CustodyError) -> ApiError {
    match e {
        CustodyError::UnknownIdentity(name) => ApiError::new(
            StatusCode::FORBIDDEN,
            "NO_CUSTODIAL_IDENTITY",
            format!("this API key is bound to `{name}`, which the node does not hold"),
        ),
        CustodyError::Unavailable(cause) => {
            tracing::warn!(%cause, "custodial keystore unavailable");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "CUSTODY_UNAVAILABLE",
                "custodial signing is unavailable; retry later",
            )
        }
        CustodyError::Internal(cause) => ApiError::internal(&cause),
    }
}

/// The custodial identity the caller's key is bound to (403 without a binding, 503 without a
/// custodian).
pub fn acting(state: &AppState, caller: &Caller) -> Result<Acting, ApiError> {
    let identity = caller.identity.as_ref().ok_or_else(|| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "NOT_BOUND",
            "this API key is not bound to a custodial identity",
        )
    })?;
    let custodian = state.custodian.clone().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "CUSTODY_UNAVAILABLE",
            "this node does not sign on behalf of organisations",
        )
    })?;
    let org = custodian
        .identities()
        .into_iter()
        .find(|i| &i.name == identity)
        .map(|i| i.org)
        .ok_or_else(|| custody_error(CustodyError::UnknownIdentity(identity.clone())))?;
    Ok(Acting {
        identity: identity.clone(),
        org,
        custodian,
    })
}

impl Acting {
    /// Signs `body` as this identity, submits it and waits for the verdict (at most the
    /// gateway's `max_wait`).
    pub async fn sign_and_wait(
        &self,
        state: &AppState,
        body: Body,
        remark: Option<Vec<u8>>,
    ) -> Result<(EntryId, Settled), ApiError> {
        let (id, refused) = self.sign(body, remark).await?;
        if let Some(refused) = refused {
            return Ok((id, refused));
        }
        let status = state.node.wait_final(id, state.config.max_wait).await?;
        Ok((id, settled(status)))
    }

    /// Signs `body` as this identity and submits it without waiting for the verdict; a
    /// refusal at submission is an error.
    pub async fn sign_and_submit(&self, body: Body) -> Result<EntryId, ApiError> {
        match self.sign(body, None).await? {
            (_, Some(Settled::Refused { code, message })) => Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                &code,
                message,
            )),
            (id, _) => Ok(id),
        }
    }

    /// Signs and submits `body`; its refusal at submission, if any.
    async fn sign(
        &self,
        body: Body,
        remark: Option<Vec<u8>>,
    ) -> Result<(EntryId, Option<Settled>), ApiError> {
        let outcome = self
            .custodian
            .act(CustodialRequest {
                identity: self.identity.clone(),
                act_for: None,
                body,
                remark,
            })
            .await?
            .map_err(custody_error)?;
        let refused = match outcome.submit {
            SubmitOutcome::Rejected { code, message, .. } => {
                Some(Settled::Refused { code, message })
            }
            _ => None,
        };
        Ok((outcome.entry, refused))
    }
}

/// The verdict an entry status means.
pub fn settled(status: EntryStatus) -> Settled {
    match status {
        EntryStatus::Final { .. } => Settled::Applied,
        EntryStatus::Failed { code, message, .. } | EntryStatus::Rejected { code, message } => {
            Settled::Refused { code, message }
        }
        EntryStatus::Pending | EntryStatus::Unknown => Settled::Pending,
    }
}
