//! DCSA END 3.0.4: `GET /endorsement-chains/{transportDocumentReference}` (the spec's own path,
//! without a version) and the same under `/v3/` like the other DCSA routes (ADR 0013).

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::Value;

use super::dcsa_issuance::check_reference;
use crate::AppState;
use crate::auth::Caller;
use crate::dcsa::chain::{documents_by_reference, endorsement_chain, versions};
use crate::dcsa::error::{DcsaError, DetailedError, Failure};
use crate::dcsa::sub_reference::stored_sub_reference;
use crate::error::ApiResult;
use crate::extract::{ApiPath, ApiQuery};
use crate::privacy::{Reader, access, audit};

/// END filters.
#[derive(Debug, Deserialize)]
pub struct ChainQuery {
    /// R348: only the versions whose stored document body has this
    /// `transportDocumentSubReference`, as far as the caller's organisation, a party of the
    /// document, can read the body; otherwise none.
    #[serde(rename = "transportDocumentSubReference")]
    sub_reference: Option<String>,
    /// Only the carrier with this SCAC (as configured for carriers).
    #[serde(rename = "carrierSCACCode")]
    scac: Option<String>,
}

/// `GET /endorsement-chains/{transportDocumentReference}`: every matching eBL's chain, newest
/// link first, of the eBLs whose title the caller may read (R231–R235); DCSA 404
/// `ErrorResponse` when none matches (R234: a bill the caller may not read is not counted).
pub async fn get(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(reference): ApiPath<String>,
    ApiQuery(query): ApiQuery<ChainQuery>,
) -> Result<Json<Vec<Value>>, Failure> {
    check_reference(&reference)?;
    let scacs = &state.config.dcsa.carrier_scac;
    let reader = Reader::of(Some(&caller));
    let mut chains = Vec::new();
    for current in documents_by_reference(&state, &reference).await? {
        let scac = scacs.get(&current.carrier);
        if query.scac.is_some() && query.scac.as_ref() != scac {
            continue;
        }
        // R348: a sub-reference may name an earlier version, amended under this reference.
        let candidates = match query.sub_reference {
            None => vec![current],
            Some(_) => versions(&state, current).await?,
        };
        for record in candidates {
            if !access(state.node.as_ref(), &record, &reader)
                .await?
                .sees_title()
            {
                continue;
            }
            if let Some(wanted) = &query.sub_reference
                && !has_sub_reference(&state, &caller, &record, wanted).await?
            {
                continue;
            }
            audit(
                &reader,
                "/endorsement-chains/{transportDocumentReference}",
                &record.id.to_hex(),
            );
            chains.push(endorsement_chain(&state, &record).await?);
        }
    }
    if chains.is_empty() {
        let message = "transportDocumentReference not found";
        return Err(DcsaError::new(
            StatusCode::NOT_FOUND,
            "GET",
            "/endorsement-chains/{transportDocumentReference}",
            message,
            vec![DetailedError::new("UNKNOWN_DOCUMENT", message)],
        )
        .into());
    }
    Ok(Json(chains))
}

/// R348: whether `record`'s stored body, read as the caller's organisation, has the
/// sub-reference `wanted`; a body the caller cannot read matches nothing.
async fn has_sub_reference(
    state: &AppState,
    caller: &Caller,
    record: &ebl_ledger::ebl::EblRecord,
    wanted: &str,
) -> ApiResult<bool> {
    let Some(org) = &caller.org else {
        return Ok(false);
    };
    let stored = stored_sub_reference(state, record, org).await?;
    Ok(stored.flatten().as_deref() == Some(wanted))
}
