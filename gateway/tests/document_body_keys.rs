//! R160: managed API keys bound to an organisation without custody (e.g. a bank's read-only
//! trade-finance system) read their organisation's document bodies, survive a restart, and
//! cannot be bound to an identity and an organisation at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bodies_kit;
mod custodial_kit;
mod support;

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use bodies_kit::*;
use ebl_gateway::admin::ApiKeyRegistry;
use ebl_gateway::testkit_custody::LocalCustodian;
use serde_json::{Value, json};

async fn create_key(app: &axum::Router, body: Value) -> Raw {
    let bytes = serde_json::to_vec(&body).unwrap();
    send(
        app,
        Method::POST,
        "/v1/admin/api-keys",
        Who::Key(ADMIN),
        Some(bytes),
    )
    .await
}

#[tokio::test]
async fn a_managed_key_bound_to_an_organisation_reads_that_organisations_bodies() {
    let (node, app) = app();
    let (doc, id) = issue_on_ledger(&node, "KEYS-1");
    put_document(&app, Who::Key(CARRIER_DOCS), &id, &doc).await;
    let created = create_key(
        &app,
        json!({"name": "shipper-tf", "scopes": ["read"], "org": "SHIPPER"}),
    )
    .await
    .reply();
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["org"], "SHIPPER");
    let secret = created.body["secret"].as_str().unwrap().to_string();
    let read = get_document(&app, Who::Key(&secret), &id).await;
    read.assert_body(&canonical(&doc));

    // Bound to an organisation that is no party: refused like any other non-party.
    let created = create_key(
        &app,
        json!({"name": "msa-ro", "scopes": ["read"], "org": "MSA"}),
    )
    .await
    .reply();
    let outsider = created.body["secret"].as_str().unwrap().to_string();
    get_document(&app, Who::Key(&outsider), &id)
        .await
        .assert_problem(404, "UNKNOWN_DOCUMENT");
    let list = send(
        &app,
        Method::GET,
        "/v1/admin/api-keys",
        Who::Key(ADMIN),
        None,
    )
    .await
    .reply();
    let keys = list.body["keys"].as_array().unwrap();
    let shipper_tf = keys.iter().find(|k| k["name"] == "shipper-tf").unwrap();
    assert_eq!(shipper_tf["org"], "SHIPPER");
    assert!(shipper_tf["identity"].is_null());
}

#[tokio::test]
async fn a_key_is_bound_to_an_identity_or_an_organisation_never_both() {
    let (_node, app) = app();
    let both = json!({"name": "both", "scopes": ["read"], "identity": "bank-tf", "org": "BANK"});
    create_key(&app, both)
        .await
        .assert_problem(422, "ORG_WITH_IDENTITY");
    let bad = json!({"name": "bad", "scopes": ["read"], "org": "not an org id!"});
    create_key(&app, bad)
        .await
        .assert_problem(400, "INVALID_FIELD");
}

#[tokio::test]
async fn an_organisation_binding_survives_a_restart_through_the_key_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("api_keys.json");
    let node = LocalNode::pilot();
    let start = || {
        let registry =
            ApiKeyRegistry::open(bodies_kit::config().api_keys.into_values(), file.clone())
                .unwrap();
        let custodian = LocalCustodian::over_pilot(node.clone(), custodial_kit::IDENTITIES);
        ebl_gateway::router_with_registry(
            node.clone(),
            Some(custodian),
            Arc::new(registry),
            bodies_kit::config(),
        )
    };
    let app = start();
    let (doc, id) = issue_on_ledger(&node, "KEYS-2");
    put_document(&app, Who::Key(CARRIER_DOCS), &id, &doc).await;
    let created = create_key(
        &app,
        json!({"name": "ship-ro", "scopes": ["read"], "org": "SHIPPER"}),
    )
    .await
    .reply();
    let secret = created.body["secret"].as_str().unwrap().to_string();
    let stored = std::fs::read_to_string(&file).unwrap();
    assert!(stored.contains("\"org\": \"SHIPPER\""), "{stored}");
    drop(app);
    let app = start();
    let read = get_document(&app, Who::Key(&secret), &id).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.reply().body);
    // A key file naming an invalid organisation is refused as a whole.
    let broken = stored.replace("\"org\": \"SHIPPER\"", "\"org\": \"bad org\"");
    std::fs::write(&file, broken).unwrap();
    let err = ApiKeyRegistry::open(Vec::new(), file.clone()).unwrap_err();
    assert_eq!(err.code(), "API_KEY_FILE");
}

use support::LocalNode;
