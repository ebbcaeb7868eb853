//! API keys and rate limits: `Authorization: Bearer <key>` or `X-API-Key: <key>`, looked up by
//! SHA-256; 401 without a known key, 403 without the scope, 429 over the key's rate.

use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::config::{ApiKey, Scope, hash_secret};
use crate::error::ApiError;

/// The authenticated caller, available to handlers as an extension.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Key name from the configuration.
    pub name: String,
    /// The custodial identity the key is bound to (ADR 0012).
    pub identity: Option<String>,
    /// R160: the organisation the caller acts for — a member certificate's organisation, the
    /// custodial identity's organisation, or the organisation a key without custody is bound
    /// to; `None` for keys bound to neither (e.g. an operator's admin key). Document bodies are
    /// served only to an organisation that is a party of the document (R140, ADR 0018).
    pub org: Option<ebl_ledger::ids::OrgId>,
    /// R235: the key has the `regulator` scope: it reads every title, each read audited.
    pub regulator: bool,
}

/// R160: the organisation an API key acts for: its custodial identity's organisation (as the
/// node's custodian holds it), else the organisation it is bound to without custody. A key
/// bound to an identity the custodian does not hold acts for no organisation.
fn key_org(state: &AppState, key: &ApiKey) -> Option<ebl_ledger::ids::OrgId> {
    match &key.identity {
        Some(identity) => state.custodian.as_ref().and_then(|c| {
            c.identities()
                .into_iter()
                .find(|i| &i.name == identity)
                .map(|i| i.org)
        }),
        None => key.org.clone(),
    }
}

fn presented_secret(headers: &HeaderMap) -> Option<&str> {
    if let Some(v) = headers.get("x-api-key") {
        return v.to_str().ok();
    }
    let auth = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = auth.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<ApiKey, ApiError> {
    let unauthenticated = |detail: &str| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            detail.to_string(),
        )
    };
    let secret = presented_secret(headers).ok_or_else(|| {
        unauthenticated("send an API key as `Authorization: Bearer <key>` or `X-API-Key`")
    })?;
    state
        .api_keys
        .lookup(&hash_secret(secret))
        .ok_or_else(|| unauthenticated("the API key is not known"))
}

/// An organisation authenticated by its client certificate (mTLS). The node sets it on a
/// request after the TLS handshake verified the certificate against the consortium root CA
/// and the ledger holds the organisation admitted and not revoked (ADR 0014). It acts like an
/// API key with the [`CertificatePrincipal::SCOPES`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificatePrincipal {
    /// The organisation (the certificate's CN).
    pub org: ebl_ledger::ids::OrgId,
}

impl CertificatePrincipal {
    /// What a member's certificate may do.
    pub const SCOPES: [Scope; 2] = [Scope::Read, Scope::Submit];

    /// Its rate-limit bucket, apart from every API key's.
    fn bucket(&self) -> [u8; 32] {
        hash_secret(&format!("mtls-org:{}", self.org))
    }
}

/// The rate-limit bucket of the authenticated caller, set on every request the middleware lets
/// through, so a handler that charges per item (R166) charges the same bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateBucket(pub [u8; 32]);

/// Who pays the caller's rate-limit tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Charge {
    /// The middleware takes one token per request.
    PerRequest,
    /// The handler takes them itself, one per entry (R166).
    ByHandler,
}

/// A certificate principal stands in for an API key when no key is presented.
fn certificate_caller(
    state: &AppState,
    scope: Scope,
    principal: &CertificatePrincipal,
    charge: Charge,
) -> Result<Caller, ApiError> {
    if !CertificatePrincipal::SCOPES.contains(&scope) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "MISSING_SCOPE",
            format!("a member certificate lacks the `{}` scope", scope.name()),
        ));
    }
    if charge == Charge::PerRequest
        && let Err(wait) = state.limiter.check(principal.bucket(), Instant::now())
    {
        return Err(rate_limited(wait, "this organisation"));
    }
    // A certificate never grants custodial signing: the member signs its own entries.
    Ok(Caller {
        name: format!("org:{}", principal.org),
        identity: None,
        org: Some(principal.org.clone()),
        regulator: false,
    })
}

/// 429 with `Retry-After` (whole seconds, rounded up) for `whom`.
pub(crate) fn rate_limited(wait: std::time::Duration, whom: &str) -> ApiError {
    let mut e = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "RATE_LIMITED",
        format!("too many requests for {whom}; retry after the indicated delay"),
    );
    e.retry_after = Some(wait.as_secs().saturating_add(1));
    e
}

/// Middleware: authenticates, checks `scope`, then takes a rate-limit token.
pub async fn require(
    State((state, scope)): State<(AppState, Scope)>,
    request: Request,
    next: Next,
) -> Response {
    guard(&state, scope, request, next, Charge::PerRequest).await
}

/// Middleware for routes that take several rate-limit tokens themselves (R166: one per entry
/// of a batch): authenticates and checks `scope` like [`require`] but takes no token; the
/// handler charges the [`RateBucket`] it finds on the request.
pub async fn require_charged_by_handler(
    State((state, scope)): State<(AppState, Scope)>,
    request: Request,
    next: Next,
) -> Response {
    guard(&state, scope, request, next, Charge::ByHandler).await
}

async fn guard(
    state: &AppState,
    scope: Scope,
    mut request: Request,
    next: Next,
    charge: Charge,
) -> Response {
    if presented_secret(request.headers()).is_none()
        && let Some(principal) = request.extensions().get::<CertificatePrincipal>()
    {
        let bucket = RateBucket(principal.bucket());
        match certificate_caller(state, scope, principal, charge) {
            Ok(caller) => {
                request.extensions_mut().insert(caller);
                request.extensions_mut().insert(bucket);
                return next.run(request).await;
            }
            Err(e) => return e.into_response(),
        }
    }
    let key = match authenticate(state, request.headers()) {
        Ok(key) => key,
        Err(e) => {
            let mut response = e.into_response();
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
            return response;
        }
    };
    if !key.allows(scope) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "MISSING_SCOPE",
            format!("this API key lacks the `{}` scope", scope.name()),
        )
        .into_response();
    }
    if charge == Charge::PerRequest
        && let Err(wait) = state.limiter.check(key.secret_sha256, Instant::now())
    {
        return rate_limited(wait, "this API key").into_response();
    }
    let org = key_org(state, &key);
    let regulator = key.allows(Scope::Regulator);
    request
        .extensions_mut()
        .insert(RateBucket(key.secret_sha256));
    request.extensions_mut().insert(Caller {
        name: key.name,
        identity: key.identity,
        org,
        regulator,
    });
    next.run(request).await
}
