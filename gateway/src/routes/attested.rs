//! Trade certificates at the gateway (R398–R399): the members' read and receipts, the public
//! read, QR codes and custodial submission. The printable page is in `print_attest.rs`.

use axum::extract::State;
use axum::response::Response;
use axum::{Extension, Json};
use ebl_ledger::attest::{AttestRecord, AttestRef};
use ebl_ledger::entry::DocumentRef;
use ebl_ledger::receipt::ReceiptRecord;
use ebl_ledger::state::keys;
use serde::Deserialize;
use serde_json::{Value, json};

use super::documents::judge_time;
use super::entries::SubmitQuery;
use super::parse_org;
use crate::AppState;
use crate::auth::Caller;
use crate::dto_attest::{public_trade_certificate, trade_certificate as member_view};
use crate::dto_custodial_attest::{TradeCertificateActionRequest, TradeCertificateIssueRequest};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::records;

/// Query with an optional instant.
#[derive(Debug, Deserialize)]
pub struct AtQuery {
    at: Option<String>,
}

/// Parses `authority` and `number` path segments.
pub(crate) fn attest_ref(authority: &str, number: &str) -> ApiResult<AttestRef> {
    Ok(AttestRef {
        authority: parse_org(authority)?,
        number: number.to_string(),
    })
}

/// Reads a trade certificate or answers 404 `UNKNOWN_TRADE_CERTIFICATE`.
pub(crate) async fn load(state: &AppState, reference: &AttestRef) -> ApiResult<AttestRecord> {
    records::get::<AttestRecord>(state, keys::attested(reference))
        .await?
        .ok_or_else(|| {
            ApiError::not_found(
                "UNKNOWN_TRADE_CERTIFICATE",
                "no trade certificate with this number from this authority",
            )
        })
}

/// The page URL of a trade certificate, which its QR code encodes.
pub(crate) fn page_url(state: &AppState, reference: &AttestRef) -> String {
    format!(
        "{}/?attest={}/{}",
        state.config.public_base_url,
        super::page::encode(reference.authority.as_str()),
        super::page::encode(&reference.number)
    )
}

/// `GET /v1/trade-certificates/{authority}/{number}?at=RFC3339`: the members' view (R398).
pub async fn member(
    State(state): State<AppState>,
    ApiPath((authority, number)): ApiPath<(String, String)>,
    ApiQuery(q): ApiQuery<AtQuery>,
) -> ApiResult<Json<Value>> {
    let reference = attest_ref(&authority, &number)?;
    let at = judge_time(&state, q.at.as_deref()).await?;
    Ok(Json(member_view(&load(&state, &reference).await?, at)))
}

/// `GET /v1/trade-certificates/{authority}/{number}/receipts`.
pub async fn receipts(
    State(state): State<AppState>,
    ApiPath((authority, number)): ApiPath<(String, String)>,
) -> ApiResult<Json<Value>> {
    let reference = attest_ref(&authority, &number)?;
    load(&state, &reference).await?;
    let prefix = keys::receipt_prefix(&DocumentRef::Attested(reference));
    let list = records::scan::<ReceiptRecord>(&state, prefix).await?;
    let items: Vec<Value> = list.iter().map(crate::dto::receipt).collect();
    Ok(Json(json!({ "receipts": items })))
}

/// `GET /public/v1/trade-certificates/{authority}/{number}?at=RFC3339`: the public view (R398).
pub async fn public(
    State(state): State<AppState>,
    ApiPath((authority, number)): ApiPath<(String, String)>,
    ApiQuery(q): ApiQuery<AtQuery>,
) -> ApiResult<Json<Value>> {
    let reference = attest_ref(&authority, &number)?;
    let at = judge_time(&state, q.at.as_deref()).await?;
    Ok(Json(public_trade_certificate(
        &load(&state, &reference).await?,
        at,
    )))
}

/// `GET /public/v1/qr/trade-certificates/{authority}/{number}.svg|.png`.
pub async fn qr(
    State(state): State<AppState>,
    ApiPath((authority, file)): ApiPath<(String, String)>,
) -> ApiResult<Response> {
    let (number, ext) = super::page::split_file(&file)?;
    let reference = attest_ref(&authority, number)?;
    load(&state, &reference).await?;
    super::page::qr_response(&page_url(&state, &reference), ext)
}

/// `POST /v1/custodial/trade-certificates`: ATTEST_ISSUE.
pub async fn custodial_issue(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(query): ApiQuery<SubmitQuery>,
    ApiJson(request): ApiJson<TradeCertificateIssueRequest>,
) -> ApiResult<Response> {
    super::custodial::act(&state, &caller, &query, request.into_body(), None).await
}

/// `POST /v1/custodial/trade-certificates/{authority}/{number}/{action}`.
pub async fn custodial_action(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath((authority, number, action)): ApiPath<(String, String, String)>,
    ApiQuery(query): ApiQuery<SubmitQuery>,
    ApiJson(request): ApiJson<TradeCertificateActionRequest>,
) -> ApiResult<Response> {
    let certificate = attest_ref(&authority, &number)?;
    let body = request.into_body(&action, certificate)?;
    super::custodial::act(&state, &caller, &query, body, None).await
}
