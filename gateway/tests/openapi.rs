//! The router and `specs/openapi.yaml` name the same routes, and the spec is served as JSON.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeSet;

use axum::http::Method;
use support::*;

fn spec_routes() -> BTreeSet<(String, String)> {
    ebl_gateway::openapi::operations()
        .unwrap()
        .into_iter()
        .collect()
}

fn router_routes() -> BTreeSet<(String, String)> {
    ebl_gateway::route_table()
        .into_iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect()
}

#[test]
fn every_router_route_is_in_the_spec() {
    let missing: Vec<_> = router_routes()
        .difference(&spec_routes())
        .cloned()
        .collect();
    assert!(
        missing.is_empty(),
        "routes missing from specs/openapi.yaml: {missing:?}"
    );
}

#[test]
fn every_spec_route_exists_in_the_router() {
    let extra: Vec<_> = spec_routes()
        .difference(&router_routes())
        .cloned()
        .collect();
    assert!(
        extra.is_empty(),
        "spec names routes the router lacks: {extra:?}"
    );
}

#[tokio::test]
async fn every_spec_route_is_served() {
    let (_, app) = app();
    for (method, path) in spec_routes() {
        // An SSE stream never ends, so `send` would wait forever; tests/events.rs serves it.
        if path == "/v1/events" {
            continue;
        }
        let uri = path
            .replace("{id}", &"00".repeat(32))
            .replace("{key}", &"00".repeat(32))
            .replace("{height}", "0")
            .replace("{imo}", "9074729")
            .replace("{administration}", "MSA")
            .replace("{utn}", "X")
            .replace("{action}", "sign")
            .replace("{name}", "nobody");
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let reply = send(&app, method, &uri, ADMIN, Some(b"{}".to_vec())).await;
        assert_ne!(reply.code(), "NO_ROUTE", "{uri}");
        assert_ne!(reply.status, 405, "{uri}");
    }
}

#[tokio::test]
async fn the_spec_is_served_as_json() {
    let (_, app) = app();
    let reply = send(&app, Method::GET, "/v1/openapi.json", "", None).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["openapi"], "3.1.0");
    assert!(reply.body["paths"]["/v1/verify"]["post"].is_object());
}
