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
use crate::dcsa::chain::{documents_by_reference, endorsement_chain};
use crate::dcsa::error::{DcsaError, DetailedError, Failure};
use crate::extract::{ApiPath, ApiQuery};
use crate::privacy::{Reader, access, audit};

/// END filters.
#[derive(Debug, Deserialize)]
pub struct ChainQuery {
    /// Only this version; the ledger keeps no sub-references, so a given one matches nothing.
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
    let mut chains = Vec::new();
    if query.sub_reference.is_none() {
        for record in documents_by_reference(&state, &reference).await? {
            let scac = scacs.get(&record.carrier);
            if query.scac.is_some() && query.scac.as_ref() != scac {
                continue;
            }
            let reader = Reader::of(Some(&caller));
            if !access(state.node.as_ref(), &record, &reader)
                .await?
                .sees_title()
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
