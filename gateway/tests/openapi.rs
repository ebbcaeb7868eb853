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

/// The error statuses an operation can answer, whatever its handler does: the middleware's
/// 401/403/429 on authenticated routes, the public limiter's 429, the extractors' 400 on path,
/// query and header parameters, 400/413/415/422 on bodies, 404 on a path naming nothing, and the
/// request timeout's 503 everywhere. The spec must document each (schemathesis checks the
/// live gateway against it: scripts/schemathesis.sh).
fn statuses_every_operation_documents(
    path: &str,
    op: &serde_json::Value,
    doc: &serde_json::Value,
) -> Vec<&'static str> {
    let mut need = vec!["503"];
    let security = op.get("security").unwrap_or(&doc["security"]);
    if security.as_array().is_some_and(|s| !s.is_empty()) {
        need.extend(["401", "403", "429"]);
    }
    if path.starts_with("/public/") {
        need.push("429");
    }
    let params: Vec<&serde_json::Value> = op["parameters"]
        .as_array()
        .map(|p| p.iter().collect())
        .unwrap_or_default();
    let location = |p: &serde_json::Value| -> String {
        match p["$ref"].as_str() {
            Some(r) => {
                let name = r.rsplit('/').next().unwrap();
                doc["components"]["parameters"][name]["in"]
                    .as_str()
                    .unwrap()
                    .to_string()
            }
            None => p["in"].as_str().unwrap().to_string(),
        }
    };
    if !params.is_empty() {
        need.push("400");
    }
    if params.iter().any(|p| location(p) == "path") {
        need.push("404");
    }
    if op.get("requestBody").is_some() {
        need.extend(["400", "413", "415", "422"]);
    }
    need
}

#[test]
fn every_operation_documents_the_errors_it_can_answer() {
    let doc = ebl_gateway::openapi::document().unwrap();
    let mut missing = Vec::new();
    for (method, path) in spec_routes() {
        let op = &doc["paths"][&path][&method];
        for status in statuses_every_operation_documents(&path, op, doc) {
            if op["responses"].get(status).is_none() {
                missing.push(format!("{method} {path} {status}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "undocumented error statuses: {missing:#?}"
    );
}

#[test]
fn the_error_policy_notices_an_undocumented_status() {
    let doc = ebl_gateway::openapi::document().unwrap();
    let mut op = doc["paths"]["/v1/entries"]["post"].clone();
    op["responses"].as_object_mut().unwrap().remove("415");
    let need = statuses_every_operation_documents("/v1/entries", &op, doc);
    assert!(need.contains(&"415"));
    assert!(op["responses"].get("415").is_none());
}
