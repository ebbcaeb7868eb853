//! `/v1/admin/api-keys`: a key created at run time works at once and shows its secret once;
//! rotation and revocation take effect at once; keys of the configuration are not touched;
//! managed keys survive a restart through their file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod custodial_kit;
mod support;

use std::sync::Arc;

use axum::http::Method;
use custodial_kit::*;
use ebl_gateway::admin::ApiKeyRegistry;
use ebl_gateway::testkit_custody::LocalCustodian;
use serde_json::{Value, json};
use support::{LocalNode, send};

async fn admin(
    app: &axum::Router,
    method: Method,
    uri: &str,
    body: Option<Value>,
) -> support::Reply {
    let body = body.map(|b| serde_json::to_vec(&b).unwrap());
    send(app, method, uri, ADMIN, body).await
}

async fn issue_with(app: &axum::Router, secret: &str, reference: &str) -> support::Reply {
    let body = json!({"transport_document": document(reference), "issue_to": "SHIPPER"});
    send(
        app,
        Method::POST,
        "/v1/custodial/ebls",
        secret,
        Some(serde_json::to_vec(&body).unwrap()),
    )
    .await
}

#[tokio::test]
async fn a_created_key_works_at_once_and_its_secret_is_shown_only_once() {
    let (_n, _c, app) = app();
    let body =
        json!({"name": "carrier-booking", "scopes": ["custodial"], "identity": "carrier-ops"});
    let created = admin(&app, Method::POST, "/v1/admin/api-keys", Some(body)).await;
    assert_eq!(created.status.as_u16(), 201, "{}", created.body);
    let secret = created.body["secret"].as_str().unwrap().to_string();
    assert_eq!(
        issue_with(&app, &secret, "ADM-1").await.status.as_u16(),
        202
    );
    let list = admin(&app, Method::GET, "/v1/admin/api-keys", None).await;
    assert!(!list.body.to_string().contains(&secret), "{}", list.body);
    let mine = list.body["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == "carrier-booking")
        .cloned()
        .unwrap();
    assert_eq!(mine["identity"], "carrier-ops");
    assert_eq!(mine["managed"], true);
}

#[tokio::test]
async fn a_rotated_key_loses_its_old_secret_and_a_revoked_key_stops_working() {
    let (_n, _c, app) = app();
    let body = json!({"name": "bank-system", "scopes": ["custodial"], "identity": "carrier-ops"});
    let created = admin(&app, Method::POST, "/v1/admin/api-keys", Some(body)).await;
    let old = created.body["secret"].as_str().unwrap().to_string();
    let rotated = admin(
        &app,
        Method::POST,
        "/v1/admin/api-keys/bank-system/rotate",
        None,
    )
    .await;
    assert_eq!(rotated.status.as_u16(), 200, "{}", rotated.body);
    let new = rotated.body["secret"].as_str().unwrap().to_string();
    issue_with(&app, &old, "ADM-2")
        .await
        .assert_problem(401, "UNAUTHENTICATED");
    assert_eq!(issue_with(&app, &new, "ADM-2").await.status.as_u16(), 202);
    let revoked = admin(&app, Method::DELETE, "/v1/admin/api-keys/bank-system", None).await;
    assert_eq!(revoked.status.as_u16(), 204);
    issue_with(&app, &new, "ADM-3")
        .await
        .assert_problem(401, "UNAUTHENTICATED");
    admin(&app, Method::DELETE, "/v1/admin/api-keys/bank-system", None)
        .await
        .assert_problem(404, "UNKNOWN_API_KEY");
}

#[tokio::test]
async fn configured_keys_duplicate_names_unknown_identities_and_non_admins_are_refused() {
    let (_n, _c, app) = app();
    admin(&app, Method::DELETE, "/v1/admin/api-keys/carrier-ops", None)
        .await
        .assert_problem(409, "STATIC_API_KEY");
    let dup = json!({"name": "carrier-ops", "scopes": ["read"]});
    admin(&app, Method::POST, "/v1/admin/api-keys", Some(dup))
        .await
        .assert_problem(409, "API_KEY_EXISTS");
    let ghost = json!({"name": "g", "scopes": ["custodial"], "identity": "nobody"});
    admin(&app, Method::POST, "/v1/admin/api-keys", Some(ghost))
        .await
        .assert_problem(422, "UNKNOWN_IDENTITY");
    let scope = json!({"name": "s", "scopes": ["everything"]});
    admin(&app, Method::POST, "/v1/admin/api-keys", Some(scope))
        .await
        .assert_problem(422, "UNKNOWN_SCOPE");
    let bad = json!({"name": "a/b", "scopes": ["read"]});
    admin(&app, Method::POST, "/v1/admin/api-keys", Some(bad))
        .await
        .assert_problem(400, "INVALID_API_KEY_NAME");
    let body = serde_json::to_vec(&json!({"name": "x", "scopes": ["admin"]})).unwrap();
    send(
        &app,
        Method::POST,
        "/v1/admin/api-keys",
        &secret_of("carrier-ops"),
        Some(body),
    )
    .await
    .assert_problem(403, "MISSING_SCOPE");
}

#[tokio::test]
async fn managed_keys_survive_a_restart_through_their_file_which_holds_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("api_keys.json");
    let node = LocalNode::pilot();
    let start = || {
        let registry = ApiKeyRegistry::open(config().api_keys.into_values(), file.clone()).unwrap();
        let custodian = LocalCustodian::over_pilot(node.clone(), IDENTITIES);
        ebl_gateway::router_with_registry(
            node.clone(),
            Some(custodian),
            Arc::new(registry),
            config(),
        )
    };
    let app = start();
    let body = json!({"name": "msa-legacy", "scopes": ["custodial"], "identity": "carrier-ops"});
    let secret = admin(&app, Method::POST, "/v1/admin/api-keys", Some(body))
        .await
        .body["secret"]
        .as_str()
        .unwrap()
        .to_string();
    let stored = std::fs::read_to_string(&file).unwrap();
    assert!(
        !stored.contains(&secret) && stored.contains("msa-legacy"),
        "{stored}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    drop(app);
    let app = start();
    assert_eq!(
        issue_with(&app, &secret, "ADM-4").await.status.as_u16(),
        202
    );
    std::fs::write(&file, b"{ not json").unwrap();
    let err = ApiKeyRegistry::open(config().api_keys.into_values(), file.clone()).unwrap_err();
    assert_eq!(err.code(), "API_KEY_FILE");
}
