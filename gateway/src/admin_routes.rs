//! `/v1/admin/api-keys`: list, create (the secret is returned once), revoke and rotate API keys
//! at run time (scope `admin`; ADR 0012). Only SHA-256 hashes are kept.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::admin::RegistryError;
use crate::config::{ApiKey, Scope};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};

/// Body of `POST /v1/admin/api-keys`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateKey {
    /// Name (1–64 of `A-Z a-z 0-9 . _ -`), unique.
    name: String,
    /// Scope names.
    scopes: Vec<String>,
    /// Custodial identity to bind, if any.
    #[serde(default)]
    identity: Option<String>,
    /// Organisation to bind a key without custody to, if any (R146): it reads the document
    /// bodies of that organisation's documents. Not together with `identity`, whose
    /// organisation the key already acts for.
    #[serde(default)]
    org: Option<String>,
}

impl From<RegistryError> for ApiError {
    fn from(e: RegistryError) -> Self {
        let status = match &e {
            RegistryError::NameTaken(_) | RegistryError::StaticKey(_) | RegistryError::Full => {
                StatusCode::CONFLICT
            }
            RegistryError::UnknownKey(_) => StatusCode::NOT_FOUND,
            RegistryError::BadName => StatusCode::BAD_REQUEST,
            RegistryError::File { .. } => return ApiError::internal(&e),
        };
        ApiError::new(status, e.code(), e.to_string())
    }
}

fn view(key: &ApiKey, managed: bool) -> Value {
    json!({
        "name": key.name,
        "scopes": key.scopes.iter().map(|s| s.name()).collect::<Vec<_>>(),
        "identity": key.identity,
        "org": key.org,
        "managed": managed,
    })
}

/// `GET /v1/admin/api-keys`: every key, without hashes or secrets.
pub async fn list(State(state): State<AppState>) -> Json<Value> {
    let keys: Vec<Value> = state
        .api_keys
        .list()
        .iter()
        .map(|(k, managed)| view(k, *managed))
        .collect();
    Json(json!({ "keys": keys }))
}

/// `POST /v1/admin/api-keys`: 201 with the secret, which is never shown again.
pub async fn create(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<CreateKey>,
) -> ApiResult<Response> {
    let scopes = body
        .scopes
        .iter()
        .map(|s| {
            Scope::from_name(s).ok_or_else(|| {
                ApiError::rejected(
                    "UNKNOWN_SCOPE",
                    format!("unknown scope `{s}` (read, submit, custodial, admin)"),
                )
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    if scopes.is_empty() {
        return Err(ApiError::rejected(
            "UNKNOWN_SCOPE",
            "give at least one scope",
        ));
    }
    if let Some(identity) = &body.identity {
        let known = state
            .custodian
            .as_ref()
            .is_some_and(|c| c.identities().iter().any(|i| &i.name == identity));
        if !known {
            return Err(ApiError::rejected(
                "UNKNOWN_IDENTITY",
                format!("the node holds no custodial identity named `{identity}`"),
            ));
        }
    }
    if body.identity.is_some() && body.org.is_some() {
        // One source of truth for the key's organisation: the identity's.
        return Err(ApiError::rejected(
            "ORG_WITH_IDENTITY",
            "give `identity` or `org`, not both: a custodial key acts for its identity's organisation",
        ));
    }
    // `OrgId`'s serde form does not check the id; `OrgId::new` does (400 INVALID_FIELD).
    let org = body
        .org
        .as_deref()
        .map(crate::routes::parse_org)
        .transpose()?;
    let secret = state.api_keys.create(
        &body.name,
        scopes.clone(),
        body.identity.clone(),
        org.clone(),
    )?;
    tracing::info!(key = %body.name, "API key created");
    let mut answer = view(
        &ApiKey {
            name: body.name,
            secret_sha256: [0; 32],
            scopes,
            identity: body.identity,
            org,
        },
        true,
    );
    answer["secret"] = Value::String(secret);
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// `DELETE /v1/admin/api-keys/{name}`: 204; the secret stops working at once.
pub async fn revoke(
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<StatusCode> {
    state.api_keys.revoke(&name)?;
    tracing::info!(key = %name, "API key revoked");
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v1/admin/api-keys/{name}/rotate`: a new secret; the old one stops working at once.
pub async fn rotate(
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    let secret = state.api_keys.rotate(&name)?;
    tracing::info!(key = %name, "API key rotated");
    Ok(Json(json!({ "name": name, "secret": secret })))
}
