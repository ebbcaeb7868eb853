//! eBL and certificate queries: by id, by carrier reference, by ship, with receipts.

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use ebl_ledger::cert::{CertificateRecord, CertificateRef};
use ebl_ledger::ebl::EblRecord;
use ebl_ledger::entry::DocumentRef;
use ebl_ledger::hash::DocumentId;
use ebl_ledger::identity::Organisation;
use ebl_ledger::receipt::ReceiptRecord;
use ebl_ledger::state::keys;
use ebl_ledger::time::Timestamp;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{parse_hash, parse_org};
use crate::AppState;
use crate::auth::Caller;
use crate::dto::{self, EblView};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery};
use crate::records;

/// Reads an eBL or answers 404 `UNKNOWN_DOCUMENT`.
pub(crate) async fn load_ebl(state: &AppState, id: &DocumentId) -> ApiResult<EblRecord> {
    records::get::<EblRecord>(state, keys::ebl(id))
        .await?
        .ok_or_else(|| ApiError::not_found("UNKNOWN_DOCUMENT", "no eBL with this document id"))
}

/// The public view of an eBL, with its carrier's display names (R380).
pub(crate) async fn public_ebl_view(
    state: &AppState,
    record: &EblRecord,
) -> ApiResult<dto::PublicEblView> {
    let carrier = records::get::<Organisation>(state, keys::organisation(&record.carrier)).await?;
    Ok(dto::PublicEblView::new(record, carrier.as_ref()))
}

/// A certificate's view at `at` with its Administration's display names (R380).
pub(crate) async fn certificate_view(
    state: &AppState,
    record: &CertificateRecord,
    at: Timestamp,
) -> ApiResult<Value> {
    let id = &record.reference.administration;
    let admin = records::get::<Organisation>(state, keys::organisation(id)).await?;
    let mut view = dto::certificate(record, at);
    if let Some(object) = view.as_object_mut() {
        let names = dto::display_names(admin.as_ref(), id.as_str());
        object.insert("administration_names".into(), json!(names));
    }
    Ok(view)
}

/// Reads a certificate or answers 404 `UNKNOWN_CERTIFICATE`.
pub(crate) async fn load_certificate(
    state: &AppState,
    reference: &CertificateRef,
) -> ApiResult<CertificateRecord> {
    records::get::<CertificateRecord>(state, keys::certificate(reference))
        .await?
        .ok_or_else(|| ApiError::not_found("UNKNOWN_CERTIFICATE", "no certificate with this UTN"))
}

/// Parses `administration` and `utn` path segments.
pub(crate) fn certificate_ref(administration: &str, utn: &str) -> ApiResult<CertificateRef> {
    Ok(CertificateRef {
        administration: parse_org(administration)?,
        utn: utn.to_string(),
    })
}

/// Parses an RFC 3339 instant (`?at=`), or 400 `INVALID_QUERY`.
pub(crate) fn parse_time(text: &str) -> ApiResult<Timestamp> {
    let bad =
        || ApiError::bad_request("INVALID_QUERY", format!("`{text}` is not an RFC 3339 time"));
    let t = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map_err(|_| bad())?;
    let millis = t.unix_timestamp_nanos() / 1_000_000;
    u64::try_from(millis).map(Timestamp).map_err(|_| bad())
}

/// The time a status is judged at: `at` if given, else the head block's time.
pub(crate) async fn judge_time(state: &AppState, at: Option<&str>) -> ApiResult<Timestamp> {
    match at {
        Some(text) => parse_time(text),
        None => Ok(state.node.status().await?.time),
    }
}

/// `GET /v1/ebls/{id}`: for a reader who may see the title (R231–R235), else 404 (R234).
pub async fn ebl(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<EblView>> {
    let id = parse_hash("document id", &id)?;
    let record = crate::privacy::readable_ebl(&state, &caller, &id, "/v1/ebls/{id}").await?;
    Ok(Json(EblView::from(&record)))
}

/// R336: `GET /v1/ebls/{id}/control`: which platform holds control of the bill now (the CTR
/// question), for a reader of its title.
pub async fn ebl_control(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let id = parse_hash("document id", &id)?;
    let record =
        crate::privacy::readable_ebl(&state, &caller, &id, "/v1/ebls/{id}/control").await?;
    Ok(Json(
        crate::platform::control::control(&state, &record).await?,
    ))
}

/// `GET /public/v1/ebls/{id}`: what anyone may know of an eBL (R232).
pub async fn public_ebl(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<dto::PublicEblView>> {
    let id = parse_hash("document id", &id)?;
    let record = load_ebl(&state, &id).await?;
    Ok(Json(public_ebl_view(&state, &record).await?))
}

/// Query of `GET /v1/ebls`.
#[derive(Debug, Deserialize)]
pub struct ReferenceQuery {
    carrier: String,
    reference: String,
}

/// `GET /v1/ebls?carrier=..&reference=..`.
pub async fn ebl_by_reference(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(q): ApiQuery<ReferenceQuery>,
) -> ApiResult<Json<EblView>> {
    let carrier = parse_org(&q.carrier)?;
    let unknown =
        || ApiError::not_found("UNKNOWN_DOCUMENT", "no eBL with this carrier and reference");
    let id = records::get::<DocumentId>(&state, keys::ebl_reference(&carrier, &q.reference))
        .await?
        .ok_or_else(unknown)?;
    // R234: a bill the caller may not read is not found, word for word like one that does not
    // exist.
    let record = crate::privacy::readable_ebl(&state, &caller, &id, "/v1/ebls")
        .await
        .map_err(|e| {
            if e.status == StatusCode::NOT_FOUND {
                unknown()
            } else {
                e
            }
        })?;
    Ok(Json(EblView::from(&record)))
}

async fn receipts(state: &AppState, subject: &DocumentRef) -> ApiResult<Json<Value>> {
    let list = records::scan::<ReceiptRecord>(state, keys::receipt_prefix(subject)).await?;
    let items: Vec<Value> = list.iter().map(dto::receipt).collect();
    Ok(Json(json!({ "receipts": items })))
}

/// `GET /v1/ebls/{id}/receipts`: for a reader who may see the title (R231–R235).
pub async fn ebl_receipts(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    let id = parse_hash("document id", &id)?;
    crate::privacy::readable_ebl(&state, &caller, &id, "/v1/ebls/{id}/receipts").await?;
    receipts(&state, &DocumentRef::Ebl { id }).await
}

/// Query with an optional instant.
#[derive(Debug, Deserialize)]
pub struct AtQuery {
    at: Option<String>,
}

/// `GET /v1/certificates/{administration}/{utn}?at=RFC3339`.
pub async fn certificate(
    State(state): State<AppState>,
    ApiPath((administration, utn)): ApiPath<(String, String)>,
    ApiQuery(q): ApiQuery<AtQuery>,
) -> ApiResult<Json<Value>> {
    let reference = certificate_ref(&administration, &utn)?;
    let at = judge_time(&state, q.at.as_deref()).await?;
    let record = load_certificate(&state, &reference).await?;
    Ok(Json(certificate_view(&state, &record, at).await?))
}

/// `GET /v1/certificates/{administration}/{utn}/receipts`.
pub async fn certificate_receipts(
    State(state): State<AppState>,
    ApiPath((administration, utn)): ApiPath<(String, String)>,
) -> ApiResult<Json<Value>> {
    let reference = certificate_ref(&administration, &utn)?;
    load_certificate(&state, &reference).await?;
    receipts(&state, &DocumentRef::Certificate(reference)).await
}

/// `GET /v1/ships/{imo}/certificates?at=RFC3339`.
pub async fn ship_certificates(
    State(state): State<AppState>,
    ApiPath(imo): ApiPath<String>,
    ApiQuery(q): ApiQuery<AtQuery>,
) -> ApiResult<Json<Value>> {
    ebl_ledger::cert::check_imo_number(&imo)
        .map_err(|e| ApiError::bad_request(e.code(), e.to_string()))?;
    let at = judge_time(&state, q.at.as_deref()).await?;
    let refs =
        records::scan::<CertificateRef>(&state, keys::certificate_by_imo_prefix(&imo)).await?;
    let mut items = Vec::with_capacity(refs.len());
    for reference in &refs {
        let record = load_certificate(&state, reference).await?;
        items.push(certificate_view(&state, &record, at).await?);
    }
    Ok(Json(json!({ "imo_number": imo, "certificates": items })))
}
