//! `/v1/custodial/...`: actions signed by the node for the custodial identity an API key is
//! bound to (scope `custodial`, ADR 0012). The gateway only turns plain JSON into an entry body;
//! the node's [`crate::custody::Custodian`] picks the sequence, signs and submits.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use ebl_ledger::cert::CertificateRef;
use ebl_ledger::entry::Body;
use ebl_ledger::hash::EntryId;
use ebl_ledger::ids::OrgId;
use serde_json::{Value, json};

use super::entries::{SubmitQuery, rejection, settled_response, status_view, wait_for};
use super::{parse_hash, parse_org};
use crate::AppState;
use crate::auth::Caller;
use crate::bodies::{self, BodyFate, DocumentBody};
use crate::custody::{CustodialRequest, CustodyError};
use crate::dcsa::parties::org_of_code;
use crate::dto_custodial::{
    CertificateActionRequest, CertificateIssueRequest, EblActionRequest, EnvelopeFields,
    FlagChangeRequest, GrantRequest, IssueRequest, ReceiptRequest, RevokeGrantRequest,
};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::node::{EntryStatus, SubmitOutcome};

impl From<CustodyError> for ApiError {
    fn from(e: CustodyError) -> Self {
        match e {
            CustodyError::UnknownIdentity(name) => ApiError::new(
                StatusCode::FORBIDDEN,
                "UNKNOWN_IDENTITY",
                format!("this API key is bound to `{name}`, which the node does not hold"),
            ),
            CustodyError::Unavailable(cause) => {
                tracing::warn!(%cause, "custodian unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "CUSTODIAN_UNAVAILABLE",
                    "custodial signing is not available; retry later",
                )
            }
            CustodyError::Internal(cause) => ApiError::internal(&cause),
        }
    }
}

/// Signs `body` as the caller's identity and answers like `POST /v1/entries`: 202 with the
/// entry id (200/422 after `?wait=final`), 422 with the ledger's code when refused on sight.
/// When the entry issues `document` (ISSUE, AMEND's replacement), its body is stored once the
/// entry is final (R162) and the answer says so in `document_body`.
pub(super) async fn act(
    state: &AppState,
    caller: &Caller,
    query: &SubmitQuery,
    (body, envelope): (Body, EnvelopeFields),
    document: Option<DocumentBody>,
) -> ApiResult<Response> {
    let wait = wait_for(state, query)?;
    let custodian = state.custodian.as_ref().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "NO_CUSTODIAN",
            "this node holds no custodial keys",
        )
    })?;
    let identity = caller.identity.clone().ok_or_else(|| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "NO_CUSTODIAL_IDENTITY",
            "this API key is not bound to a custodial identity",
        )
    })?;
    let outcome = custodian
        .act(CustodialRequest {
            identity,
            act_for: envelope.act_for,
            body,
            remark: envelope.remark,
        })
        .await??;
    let id = match outcome.submit {
        SubmitOutcome::Accepted(id) | SubmitOutcome::Duplicate(id) => id,
        SubmitOutcome::Rejected { id, code, message } => {
            return Err(rejection(&id, &code, &message));
        }
    };
    if let Some(timeout) = wait {
        let status = state.node.wait_final(id, timeout).await?;
        let fate = match document {
            Some(document) => bodies::store_for(state, id, &status, document).await,
            None => None,
        };
        return Ok(with_fate(&id, &status, fate));
    }
    let mut view = status_view(&id, &EntryStatus::Pending);
    view["sequence"] = json!(outcome.sequence);
    if let Some(document) = document {
        view["document_body"] = json!(bodies::store_when_final(state, id, document).name());
    }
    Ok((StatusCode::ACCEPTED, Json(view)).into_response())
}

/// The settled answer of an entry that issued a document, with `document_body` added; a failed
/// entry (no fate) keeps the plain problem answer.
fn with_fate(id: &EntryId, status: &EntryStatus, fate: Option<BodyFate>) -> Response {
    let Some(fate) = fate else {
        return settled_response(id, status);
    };
    let (code, mut view) = match status {
        EntryStatus::Final { .. } => (StatusCode::OK, status_view(id, status)),
        _ => (StatusCode::ACCEPTED, status_view(id, &EntryStatus::Pending)),
    };
    view["document_body"] = json!(fate.name());
    (code, Json(view)).into_response()
}

/// `GET /v1/custodial/identities`: the identities the node signs for.
pub async fn identities(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let custodian = state.custodian.as_ref().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "NO_CUSTODIAN",
            "this node holds no custodial keys",
        )
    })?;
    let list: Vec<Value> = custodian
        .identities()
        .iter()
        .map(|i| json!({"name": i.name, "org": i.org, "public_key": i.public_key.to_hex()}))
        .collect();
    Ok(Json(json!({ "identities": list })))
}

/// The organisation an entry signed for `caller` acts as: `act_for`, else the organisation of
/// the custodial identity its key is bound to (`None` when the node holds no such identity;
/// signing then fails in [`act`]).
fn acting_org(state: &AppState, caller: &Caller, act_for: Option<&OrgId>) -> Option<OrgId> {
    if let Some(org) = act_for {
        return Some(org.clone());
    }
    let name = caller.identity.as_ref()?;
    state
        .custodian
        .as_ref()?
        .identities()
        .into_iter()
        .find(|i| &i.name == name)
        .map(|i| i.org)
}

/// `POST /v1/custodial/ebls`: ISSUE from a DCSA TransportDocument, its title facts read from
/// the document (R220–R223).
pub async fn issue_ebl(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(query): ApiQuery<SubmitQuery>,
    ApiJson(request): ApiJson<IssueRequest>,
) -> ApiResult<Response> {
    // A document that cannot be canonicalised is refused by `into_body`.
    let document = DocumentBody::of(&request.transport_document).ok();
    let carrier = acting_org(&state, &caller, request.act_for.as_ref());
    let config = &state.config.dcsa;
    let directory = |p: &str, c: &str| org_of_code(config, p, c);
    let body = request.into_body(&directory, carrier.as_ref())?;
    act(&state, &caller, &query, body, document).await
}

/// `POST /v1/custodial/ebls/{id}/{action}`.
pub async fn ebl_action(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath((id, action)): ApiPath<(String, String)>,
    ApiQuery(query): ApiQuery<SubmitQuery>,
    ApiJson(request): ApiJson<EblActionRequest>,
) -> ApiResult<Response> {
    let document = parse_hash("document id", &id)?;
    if action == "export" {
        return export(state, caller, query, document, request).await;
    }
    // AMEND and COMBINE issue one replacement: store that body too (R162). SPLIT's several
    // bodies are stored by their parties with `PUT /v1/ebls/{id}/document`.
    let replacement = match (action.as_str(), &request.replacement) {
        ("amend" | "combine", Some(r)) => DocumentBody::of(&r.transport_document).ok(),
        _ => None,
    };
    let carrier = acting_org(&state, &caller, request.act_for.as_ref());
    let config = &state.config.dcsa;
    let directory = |p: &str, c: &str| org_of_code(config, p, c);
    let body = request.into_body(&action, document, &directory, carrier.as_ref())?;
    act(&state, &caller, &query, body, replacement).await
}

/// R324: `POST /v1/custodial/ebls/{id}/export`: the holder sends the bill to a party on another
/// DCSA PINT platform; this gateway's sender delivers it and records the answer.
async fn export(
    state: AppState,
    caller: Caller,
    query: SubmitQuery,
    document: ebl_ledger::hash::DocumentId,
    request: EblActionRequest,
) -> ApiResult<Response> {
    let edge = state.pint.clone().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "PINT_DISABLED",
            "this gateway is not configured as a DCSA PINT platform",
        )
    })?;
    let recipient = request.recipient.ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "MISSING_FIELD",
            "export needs `recipient` (a DCSA PINT party on another platform)",
        )
    })?;
    let endorse = request.endorse.unwrap_or(false);
    let now = ebl_ledger::time::Timestamp(
        u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000)
            .unwrap_or(0),
    );
    let body =
        crate::platform::export::export_body(&state, &edge, document, &recipient, endorse, now)
            .await?;
    let envelope = crate::dto_custodial::envelope(request.act_for, request.remark);
    act(&state, &caller, &query, (body, envelope), None).await
}

/// `POST /v1/custodial/certificates`: CERT ISSUE.
pub async fn issue_certificate(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(query): ApiQuery<SubmitQuery>,
    ApiJson(request): ApiJson<CertificateIssueRequest>,
) -> ApiResult<Response> {
    act(&state, &caller, &query, request.into_body(), None).await
}

/// `POST /v1/custodial/certificates/{administration}/{utn}/{action}`.
pub async fn certificate_action(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath((administration, utn, action)): ApiPath<(String, String, String)>,
    ApiQuery(query): ApiQuery<SubmitQuery>,
    ApiJson(request): ApiJson<CertificateActionRequest>,
) -> ApiResult<Response> {
    let certificate = CertificateRef {
        administration: parse_org(&administration)?,
        utn,
    };
    act(
        &state,
        &caller,
        &query,
        request.into_body(&action, certificate)?,
        None,
    )
    .await
}

/// `POST /v1/custodial/ships/{imo}/flag-change`: CERT FLAG_CHANGE (R386–R388).
pub async fn flag_change(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(imo): ApiPath<String>,
    ApiQuery(query): ApiQuery<SubmitQuery>,
    ApiJson(request): ApiJson<FlagChangeRequest>,
) -> ApiResult<Response> {
    act(&state, &caller, &query, request.into_body(imo), None).await
}

/// `POST /v1/custodial/receipts`: a verification receipt (R80–R83, R407).
pub async fn record_receipt(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(query): ApiQuery<SubmitQuery>,
    ApiJson(request): ApiJson<ReceiptRequest>,
) -> ApiResult<Response> {
    act(&state, &caller, &query, request.into_body(), None).await
}

/// `POST /v1/custodial/grants`.
pub async fn create_grant(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(query): ApiQuery<SubmitQuery>,
    ApiJson(request): ApiJson<GrantRequest>,
) -> ApiResult<Response> {
    act(&state, &caller, &query, request.into_body(), None).await
}

/// `POST /v1/custodial/grants/{id}/revoke`.
pub async fn revoke_grant(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<SubmitQuery>,
    ApiJson(request): ApiJson<RevokeGrantRequest>,
) -> ApiResult<Response> {
    let grant = parse_hash("grant id", &id)?;
    act(&state, &caller, &query, request.into_body(grant), None).await
}
