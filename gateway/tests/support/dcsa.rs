//! DCSA test helpers: a router configured with custodial keys, the DCSA samples as fixtures, and
//! schema checks of answers.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use axum::Router;
use axum::http::Method;
use ebl_gateway::dcsa::schema::{self, Payload};
use ebl_gateway::dcsa::{DcsaConfig, PartyAlias};
use ebl_gateway::testkit::signed_issuance_request;
use ebl_gateway::testkit_custody::LocalCustodian;
use ebl_gateway::{ApiKey, GatewayConfig, Scope};
use serde_json::Value;

use crate::support::{LocalNode, Reply, send};

/// Carrier system key (custodial, bound to CARRIER).
pub const CARRIER_KEY: &str = "carrier-secret";
/// Second carrier's system key (bound to CARRIER2).
pub const CARRIER2_KEY: &str = "carrier2-secret";
/// Shipper system key (custodial, bound to SHIPPER).
pub const SHIPPER_KEY: &str = "shipper-secret";
/// Consignee system key (custodial, bound to CONSIGNEE).
pub const CONSIGNEE_KEY: &str = "consignee-secret";
/// A trade party's system bound to a non-carrier, used to issue.
pub const BANK_KEY: &str = "bank-secret";
/// Custodial scope but no binding.
pub const UNBOUND_KEY: &str = "unbound-secret";
/// Read only.
pub const READ_KEY: &str = crate::support::READ;

fn custodial(name: &str, secret: &str, identity: &str) -> ApiKey {
    ApiKey::from_secret(name, secret, &[Scope::Custodial]).with_identity(identity)
}

/// The DCSA configuration of the tests: the sample's issueTo (BOLE/BOLE001) is SHIPPER.
pub fn dcsa_config() -> GatewayConfig {
    let mut config = GatewayConfig::with_keys([
        // R235: the tests read every bill back as the regulator.
        ApiKey::from_secret("reader", READ_KEY, &[Scope::Read, Scope::Regulator]),
        custodial("carrier-system", CARRIER_KEY, "carrier"),
        custodial("carrier2-system", CARRIER2_KEY, "carrier2"),
        custodial("shipper-system", SHIPPER_KEY, "shipper"),
        custodial("consignee-system", CONSIGNEE_KEY, "consignee"),
        custodial("bank-system", BANK_KEY, "bank"),
        ApiKey::from_secret("unbound-system", UNBOUND_KEY, &[Scope::Custodial]),
    ]);
    config.dcsa = DcsaConfig {
        parties: vec![PartyAlias {
            code_list_provider: "BOLE".into(),
            party_code: "BOLE001".into(),
            org: ebl_ledger::ids::OrgId::new("SHIPPER").unwrap(),
        }],
        carrier_scac: [(
            ebl_ledger::ids::OrgId::new("CARRIER").unwrap(),
            "OLSC".into(),
        )]
        .into(),
        ..DcsaConfig::default()
    };
    config
}

/// A LocalNode, its custodian and the router with custodial signing.
pub fn dcsa_app() -> (Arc<LocalNode>, Router) {
    dcsa_app_with(dcsa_config())
}

/// [`dcsa_app`] with another configuration.
pub fn dcsa_app_with(config: GatewayConfig) -> (Arc<LocalNode>, Router) {
    let node = LocalNode::pilot();
    let router = dcsa_app_over(node.clone(), config);
    (node, router)
}

/// Another member's gateway over the same `node` (its own custodian and state).
pub fn dcsa_app_over(node: Arc<LocalNode>, config: GatewayConfig) -> Router {
    let custodian = LocalCustodian::over_pilot(
        node.clone(),
        &[
            ("carrier", "CARRIER"),
            ("carrier2", "CARRIER2"),
            ("shipper", "SHIPPER"),
            ("consignee", "CONSIGNEE"),
            ("bank", "BANK"),
        ],
    );
    ebl_gateway::router_with_custodian(node, Some(custodian), config)
}

/// Sends JSON with `key`.
pub async fn send_json(app: &Router, method: Method, uri: &str, key: &str, body: &Value) -> Reply {
    send(
        app,
        method,
        uri,
        key,
        Some(serde_json::to_vec(body).unwrap()),
    )
    .await
}

/// The DCSA END sample (surrendered straight BL), an answer of `GET /endorsement-chains`.
pub fn end_sample() -> Value {
    serde_json::from_str(include_str!(
        "../../assets/dcsa/samples/dcsa-ebl-end-3.0.4__getEndorsementChain__response200__surrenderedStraightBLExample.json"
    ))
    .unwrap()
}

/// The DCSA ISS sample issuance response (REFU).
pub fn refu_sample() -> Value {
    serde_json::from_str(include_str!(
        "../../assets/dcsa/samples/dcsa-ebl-iss-3.0.4__create-ebl-issuance-response__request__rejectedExample.json"
    ))
    .unwrap()
}

/// The DCSA SUR sample (SREQ) for `reference`, with our own request reference.
pub fn surrender_sample(reference: &str, request_reference: &str) -> Value {
    let mut sample: Value = serde_json::from_str(include_str!(
        "../../assets/dcsa/samples/dcsa-ebl-sur-3.0.4__create-surrender-request__request__surrenderExample.json"
    ))
    .unwrap();
    sample["transportDocumentReference"] = reference.into();
    sample["surrenderRequestReference"] = request_reference.into();
    // The sample's chain is another platform's view of its document; ours is on the ledger.
    if let Some(o) = sample.as_object_mut() {
        o.remove("endorsementChain");
    }
    sample
}

/// The DCSA issuance request sample exactly as published (placeholder manifest).
pub fn issuance_sample_as_published() -> Value {
    serde_json::from_str(include_str!(
        "../../assets/dcsa/samples/dcsa-ebl-iss-3.0.4__put-ebl-issuance-requests__request__regularSTDExample.json"
    ))
    .unwrap()
}

/// Recomputes the issuance manifest of `request` from its own content (the sample's manifest
/// carries placeholder checksums and an RS256 signature by a key not on the ledger, as its
/// description says) and signs it with the pilot CARRIER's registered key (R224).
pub fn with_manifest(request: Value) -> Value {
    signed_issuance_request(request, "CARRIER")
}

/// The sample with a valid manifest, for reference `reference`.
pub fn issuance_request(reference: &str) -> Value {
    let mut request = issuance_sample_as_published();
    request["document"]["transportDocumentReference"] = reference.into();
    with_manifest(request)
}

/// Asserts that `value` satisfies the DCSA schema of `payload`.
pub fn assert_dcsa(payload: Payload, value: &Value) {
    let violations = schema::validate(payload, value).unwrap();
    assert!(
        violations.is_empty(),
        "{payload:?}: {violations:?}\n{value}"
    );
}

/// Height of the LocalNode's head.
pub fn height(node: &LocalNode) -> u64 {
    node.with(|n| n.ledger.head().height)
}
