//! Helpers of the custodial tests: a router over the local test node with a test custodian
//! holding one identity per pilot party, API keys bound to them, and request shorthands.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use axum::Router;
use axum::http::Method;
use ebl_gateway::testkit_custody::LocalCustodian;
use ebl_gateway::{ApiKey, GatewayConfig, Scope};
use serde_json::{Value, json};

use super::support::{LocalNode, Reply, dcsa_issuance_request, send};

/// Identities of the test custodian: (identity, pilot party).
pub const IDENTITIES: &[(&str, &str)] = &[
    ("carrier-ops", "CARRIER"),
    ("shipper-erp", "SHIPPER"),
    ("bank-tf", "BANK"),
    ("consignee-erp", "CONSIGNEE"),
    ("msa-db", "MSA"),
];

/// The secret of the custodial key bound to `identity`.
pub fn secret_of(identity: &str) -> String {
    format!("{identity}-secret")
}

/// A key with `custodial` scope but no identity.
pub const UNBOUND: &str = "unbound-secret";
/// A key bound to an identity the custodian does not hold.
pub const GHOST: &str = "ghost-secret";
/// A key with `read` and `submit` only, bound to an identity.
pub const NOT_CUSTODIAL: &str = "submit-only-secret";
/// Admin key.
pub const ADMIN: &str = "custody-admin-secret";

/// Keys: one custodial key per identity, plus the odd ones above.
pub fn config() -> GatewayConfig {
    let mut keys: Vec<ApiKey> = IDENTITIES
        .iter()
        .map(|(name, _)| {
            ApiKey::from_secret(name, &secret_of(name), &[Scope::Read, Scope::Custodial])
                .with_identity(name)
        })
        .collect();
    keys.push(ApiKey::from_secret("unbound", UNBOUND, &[Scope::Custodial]));
    keys.push(ApiKey::from_secret("ghost", GHOST, &[Scope::Custodial]).with_identity("ghost"));
    keys.push(
        ApiKey::from_secret("submitter", NOT_CUSTODIAL, &[Scope::Read, Scope::Submit])
            .with_identity("carrier-ops"),
    );
    keys.push(ApiKey::from_secret("admin", ADMIN, &[Scope::Admin]));
    GatewayConfig::with_keys(keys)
}

/// A test node, its custodian and the router over both.
pub fn app() -> (Arc<LocalNode>, Arc<LocalCustodian>, Router) {
    let node = LocalNode::pilot();
    let custodian = LocalCustodian::over_pilot(node.clone(), IDENTITIES);
    let router =
        ebl_gateway::router_with_custodian(node.clone(), Some(custodian.clone()), config());
    (node, custodian, router)
}

/// POST `body` to `uri` as `identity` (through its bound key).
pub async fn act(app: &Router, identity: &str, uri: &str, body: Value) -> Reply {
    send(
        app,
        Method::POST,
        uri,
        &secret_of(identity),
        Some(serde_json::to_vec(&body).unwrap()),
    )
    .await
}

/// The sample TransportDocument with its reference replaced (a distinct document id): a
/// to-order BL without endorsee (blank).
pub fn blank_document(reference: &str) -> Value {
    let mut doc = dcsa_issuance_request()["document"].clone();
    doc["transportDocumentReference"] = json!(reference);
    doc
}

/// [`blank_document`] to the order of SHIPPER, the title party the custodial ISSUE reads from
/// it (R220–R222).
pub fn document(reference: &str) -> Value {
    document_of(reference, "SHIPPER")
}

/// [`blank_document`] to the order of `endorsee` (named by its ledger id under the platform
/// code).
pub fn document_of(reference: &str, endorsee: &str) -> Value {
    let mut doc = blank_document(reference);
    doc["documentParties"]["endorsee"] = json!({
        "partyName": endorsee,
        "identifyingCodes": [{"codeListProvider": "EBLL", "partyCode": endorsee}],
    });
    doc
}

/// The id of a TransportDocument.
pub fn id_of(document: &Value) -> String {
    ebl_ledger::docid::document_id(document).unwrap().to_hex()
}

/// The id of [`document`]`(reference)`.
pub fn document_id(reference: &str) -> String {
    ebl_ledger::docid::document_id(&document(reference))
        .unwrap()
        .to_hex()
}

/// Issues a to-order eBL of reference `reference` to `issue_to`, to the order of `endorsee`,
/// as the carrier; waits for finality and returns the document id.
pub async fn issue(app: &Router, reference: &str, issue_to: &str, endorsee: &str) -> String {
    let reply = act(
        app,
        "carrier-ops",
        "/v1/custodial/ebls?wait=final",
        json!({
            "transport_document": document_of(reference, endorsee),
            "issue_to": issue_to,
            "consignee": endorsee,
        }),
    )
    .await;
    assert_final(&reply);
    id_of(&document_of(reference, endorsee))
}

/// Asserts that a `?wait=final` reply says final and applied.
pub fn assert_final(reply: &Reply) {
    assert_eq!(reply.status.as_u16(), 200, "body: {}", reply.body);
    assert_eq!(reply.body["status"], "final", "body: {}", reply.body);
}

/// `action` on eBL `id` as `identity`, waiting for finality.
pub async fn ebl(app: &Router, identity: &str, id: &str, action: &str, body: Value) -> Reply {
    act(
        app,
        identity,
        &format!("/v1/custodial/ebls/{id}/{action}?wait=final"),
        body,
    )
    .await
}

/// GET `uri` with the carrier's custodial key (it also has `read`).
pub async fn read(app: &Router, uri: &str) -> Reply {
    send(app, Method::GET, uri, &secret_of("carrier-ops"), None).await
}
