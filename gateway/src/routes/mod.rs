//! The route table: every route is registered through [`Routes::add`], which also records its
//! method and path, so the OpenAPI test compares the spec with what the router really serves.

pub(crate) mod attested;
mod chain;
mod custodial;
mod dcsa_chain;
mod dcsa_issuance;
mod dcsa_replacements;
mod dcsa_surrender;
mod document_body;
pub(crate) mod documents;
mod entries;
mod entries_batch;
mod events;
mod evidence;
mod meta;
mod orgs;
mod page;

#[cfg(test)]
pub(crate) use page::page_template;
mod pint_envelopes;
mod pint_holder;
mod print;
mod print_attest;
mod proofs;
mod public_limit;
mod qr;
mod snapshots;
mod state_sync;
mod webhooks;

use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, post, put};

use crate::AppState;
use crate::config::Scope;
use crate::error::ApiError;

struct Routes {
    router: Router<AppState>,
    table: Vec<(&'static str, &'static str)>,
}

impl Routes {
    fn new() -> Self {
        Routes {
            router: Router::new(),
            table: Vec::new(),
        }
    }

    fn add(mut self, method: &'static str, path: &'static str, r: MethodRouter<AppState>) -> Self {
        self.router = self.router.route(path, r);
        self.table.push((method, path));
        self
    }

    fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.table.extend(other.table);
        self
    }
}

fn public() -> Routes {
    Routes::new()
        .add("get", "/health", get(meta::health))
        .add("get", "/ready", get(meta::ready))
        .add("get", "/v1/openapi.json", get(meta::openapi))
}

fn read() -> Routes {
    Routes::new()
        .add("get", "/v1/entries/{id}", get(entries::status))
        .add("get", "/v1/ebls", get(documents::ebl_by_reference))
        .add("get", "/v1/ebls/{id}", get(documents::ebl))
        .add(
            "get",
            "/v1/ebls/{id}/receipts",
            get(documents::ebl_receipts),
        )
        .add("get", "/v1/ebls/{id}/document", get(document_body::get))
        .add("get", "/v1/ebls/{id}/control", get(documents::ebl_control))
        .add("get", "/v1/ebls/{id}/pint/answer", get(pint_holder::answer))
        .add("get", "/v1/ebls/{id}/evidence", get(evidence::linked_set))
        .add(
            "post",
            "/v1/ebls/{id}/evidence/check",
            post(evidence::check),
        )
        .add(
            "get",
            "/v1/certificates/{administration}/{utn}",
            get(documents::certificate),
        )
        .add(
            "get",
            "/v1/certificates/{administration}/{utn}/receipts",
            get(documents::certificate_receipts),
        )
        .add(
            "get",
            "/v1/ships/{imo}/certificates",
            get(documents::ship_certificates),
        )
        .add("get", "/v1/organisations", get(orgs::list))
        .add("get", "/v1/organisations/{id}", get(orgs::one))
        .add("get", "/v1/grants/{id}", get(orgs::grant))
        .add("get", "/v1/accounts/{key}/sequence", get(orgs::sequence))
        .add("get", "/v1/blocks/{height}", get(chain::block))
        .add("get", "/v1/status", get(chain::status))
        .add("post", "/v1/verify", post(crate::verify::handler))
        .add("get", "/v1/proofs/ebls/{id}", get(proofs::ebl))
        .add(
            "get",
            "/v1/proofs/certificates/{administration}/{utn}",
            get(proofs::certificate),
        )
        .add(
            "get",
            "/v1/trade-certificates/{authority}/{number}",
            get(attested::member),
        )
        .add(
            "get",
            "/v1/trade-certificates/{authority}/{number}/receipts",
            get(attested::receipts),
        )
}

fn submit() -> Routes {
    Routes::new()
        .add("post", "/v1/entries", post(entries::submit))
        .add("put", "/v1/ebls/{id}/document", put(document_body::put))
        .add(
            "post",
            "/v1/ebls/{id}/pint/chain-entry",
            post(pint_holder::chain_entry),
        )
}

/// Submission routes whose handler takes one rate-limit token per entry (R166).
fn submit_per_entry() -> Routes {
    Routes::new().add(
        "post",
        "/v1/entries/batch",
        post(entries_batch::submit_batch).layer(axum::extract::DefaultBodyLimit::max(
            entries_batch::BATCH_BODY_LIMIT,
        )),
    )
}

fn events() -> Routes {
    Routes::new().add("get", "/v1/events", get(events::stream))
}

fn admin() -> Routes {
    Routes::new()
        .add("get", "/v1/webhooks/deliveries", get(events::deliveries))
        .add("get", "/v1/webhooks", get(webhooks::list))
        .add("post", "/v1/webhooks", post(webhooks::create))
        .add("delete", "/v1/webhooks/{id}", delete(webhooks::delete))
}

/// DCSA routes that act as (or for) the caller's custodial identity.
fn dcsa_custodial() -> Routes {
    Routes::new()
        .add(
            "put",
            "/v3/ebl-issuance-requests",
            put(dcsa_issuance::put_request),
        )
        .add(
            "get",
            "/v3/ebl-issuance-responses/{transportDocumentReference}",
            get(dcsa_issuance::get_response),
        )
        .add(
            "post",
            "/v3/ebl-surrender-requests",
            post(dcsa_surrender::request),
        )
        .add(
            "post",
            "/v3/ebl-surrender-responses",
            post(dcsa_surrender::response),
        )
}

/// DCSA read routes.
fn dcsa_read() -> Routes {
    Routes::new()
        .add(
            "get",
            "/endorsement-chains/{transportDocumentReference}",
            get(dcsa_chain::get),
        )
        .add(
            "get",
            "/v3/endorsement-chains/{transportDocumentReference}",
            get(dcsa_chain::get),
        )
}

/// DCSA PINT routes another platform calls (R325).
fn pint() -> Routes {
    Routes::new()
        .add("post", "/v3/envelopes", post(pint_envelopes::start))
        .add(
            "put",
            "/v3/envelopes/{envelopeReference}/additional-documents/{documentChecksum}",
            put(pint_envelopes::document),
        )
        .add(
            "put",
            "/v3/envelopes/{envelopeReference}/finish-transfer",
            put(pint_envelopes::finish),
        )
        .add(
            "post",
            "/v3/receiver-validation",
            post(pint_envelopes::receiver_validation),
        )
}

fn custodial() -> Routes {
    Routes::new()
        .add(
            "get",
            "/v1/custodial/identities",
            get(custodial::identities),
        )
        .add("post", "/v1/custodial/ebls", post(custodial::issue_ebl))
        .add(
            "post",
            "/v1/custodial/ebls/{id}/{action}",
            post(custodial::ebl_action),
        )
        .add(
            "post",
            "/v1/custodial/certificates",
            post(custodial::issue_certificate),
        )
        .add(
            "post",
            "/v1/custodial/certificates/{administration}/{utn}/{action}",
            post(custodial::certificate_action),
        )
        .add(
            "post",
            "/v1/custodial/ships/{imo}/flag-change",
            post(custodial::flag_change),
        )
        .add(
            "post",
            "/v1/custodial/receipts",
            post(custodial::record_receipt),
        )
        .add(
            "post",
            "/v1/custodial/grants",
            post(custodial::create_grant),
        )
        .add(
            "post",
            "/v1/custodial/grants/{id}/revoke",
            post(custodial::revoke_grant),
        )
        .add(
            "post",
            "/v1/custodial/trade-certificates",
            post(attested::custodial_issue),
        )
        .add(
            "post",
            "/v1/custodial/trade-certificates/{authority}/{number}/{action}",
            post(attested::custodial_action),
        )
}

fn api_keys() -> Routes {
    Routes::new()
        .add("get", "/v1/admin/api-keys", get(crate::admin_routes::list))
        .add(
            "post",
            "/v1/admin/api-keys",
            post(crate::admin_routes::create),
        )
        .add(
            "delete",
            "/v1/admin/api-keys/{name}",
            axum::routing::delete(crate::admin_routes::revoke),
        )
        .add(
            "post",
            "/v1/admin/api-keys/{name}/rotate",
            post(crate::admin_routes::rotate),
        )
        .add("post", "/v1/admin/snapshots", post(snapshots::take))
}

fn scoped(routes: Routes, state: &AppState, scope: Scope) -> Routes {
    Routes {
        router: routes.router.route_layer(from_fn_with_state(
            (state.clone(), scope),
            crate::auth::require,
        )),
        table: routes.table,
    }
}

/// Like [`scoped`], but the middleware takes no rate-limit token: the handlers charge the
/// caller's bucket themselves (R166).
fn scoped_charged_by_handler(routes: Routes, state: &AppState, scope: Scope) -> Routes {
    Routes {
        router: routes.router.route_layer(from_fn_with_state(
            (state.clone(), scope),
            crate::auth::require_charged_by_handler,
        )),
        table: routes.table,
    }
}

fn all(state: &AppState) -> Routes {
    public()
        .merge(page::page())
        .merge(scoped(read(), state, Scope::Read))
        .merge(scoped(submit(), state, Scope::Submit))
        .merge(scoped_charged_by_handler(
            submit_per_entry(),
            state,
            Scope::Submit,
        ))
        .merge(scoped(events(), state, Scope::Read))
        .merge(scoped(admin(), state, Scope::Admin))
        .merge(scoped(dcsa_custodial(), state, Scope::Custodial))
        .merge(scoped(dcsa_read(), state, Scope::Read))
        .merge(scoped(custodial(), state, Scope::Custodial))
        .merge(scoped(pint(), state, Scope::Pint))
        .merge(scoped(api_keys(), state, Scope::Admin))
        .merge(member_only(state_sync(), state))
}

/// R451: state sync for member nodes ([`state_sync::require_member`]).
fn state_sync() -> Routes {
    Routes::new()
        .add("get", "/v1/sync/snapshot", get(state_sync::manifest))
        .add(
            "get",
            "/v1/sync/snapshots/{height}/chunks/{index}",
            get(state_sync::chunk),
        )
}

fn member_only(routes: Routes, state: &AppState) -> Routes {
    Routes {
        router: routes.router.route_layer(from_fn_with_state(
            state.clone(),
            state_sync::require_member,
        )),
        table: routes.table,
    }
}

/// Every (method, path) the router serves, in OpenAPI path syntax.
pub fn route_table() -> Vec<(&'static str, &'static str)> {
    let mut table = public().table;
    table.extend(page::page().table);
    table.extend(read().table);
    table.extend(submit().table);
    table.extend(submit_per_entry().table);
    table.extend(events().table);
    table.extend(admin().table);
    table.extend(dcsa_custodial().table);
    table.extend(dcsa_read().table);
    table.extend(custodial().table);
    table.extend(pint().table);
    table.extend(api_keys().table);
    table.extend(state_sync().table);
    table
}

pub(crate) fn build(state: AppState) -> Router {
    let timeout = state.config.request_timeout;
    all(&state)
        .router
        .fallback(no_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn_with_state(timeout, request_timeout))
        .with_state(state)
}

async fn no_route() -> ApiError {
    ApiError::not_found("NO_ROUTE", "no such route; see /v1/openapi.json")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        "this route does not accept that method; see /v1/openapi.json",
    )
}

async fn request_timeout(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "REQUEST_TIMEOUT",
            "the request took longer than the gateway allows",
        )
        .into_response(),
    }
}

/// Parses a 64-hex-digit id from a path, or 400 with `INVALID_ID`.
pub(crate) fn parse_hash(what: &str, text: &str) -> Result<ebl_ledger::hash::Hash32, ApiError> {
    ebl_ledger::hash::Hash32::from_hex(text)
        .ok_or_else(|| ApiError::bad_request("INVALID_ID", format!("{what} must be 64 hex digits")))
}

/// Parses an organisation id, or 400 with the ledger's `INVALID_FIELD`.
pub(crate) fn parse_org(text: &str) -> Result<ebl_ledger::ids::OrgId, ApiError> {
    ebl_ledger::ids::OrgId::new(text).map_err(|e| ApiError::bad_request(e.code(), e.to_string()))
}
