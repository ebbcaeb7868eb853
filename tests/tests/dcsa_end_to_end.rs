//! The DCSA sample issuance request, end to end through real validators: a carrier system calls
//! `PUT /v3/ebl-issuance-requests` on a gateway over TCP on 127.0.0.1; the gateway validates
//! it, signs the ISSUE through the node's custodian (holding the carrier's key) and answers ISSU
//! once the block is final.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod client;

use std::sync::Arc;

use client::http;
use ebl_gateway::dcsa::manifest::signed_request;
use ebl_gateway::dcsa::{DcsaConfig, PartyAlias};
use ebl_gateway::node::NodeApi;
use ebl_gateway::{ApiKey, GatewayConfig, Scope};
use ebl_node::api::GatewayBridge;
use ebl_node::custody::{HeldKey, NodeCustodian};
use ebl_tests::Cluster;
use serde_json::Value;

const CARRIER_KEY: &str = "dcsa-e2e-carrier";
const READ_KEY: &str = "dcsa-e2e-reader";

/// The DCSA sample with its manifest computed from its own content (the published one carries
/// placeholder checksums and an RS256 signature by a key not on the ledger), signed with the
/// carrier's registered key (R224–R226).
fn sample_request(carrier: &ed25519_dalek::SigningKey) -> Value {
    let request: Value = serde_json::from_str(include_str!(
        "../../gateway/assets/dcsa/samples/dcsa-ebl-iss-3.0.4__put-ebl-issuance-requests__request__regularSTDExample.json"
    ))
    .unwrap();
    signed_request(request, carrier)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_dcsa_sample_issuance_request_is_issued_through_real_validators() {
    let c = Cluster::start().await.unwrap();
    let node: Arc<dyn NodeApi> = Arc::new(GatewayBridge::new(c.handle(0)));
    let carrier = c.net.party("CARRIER").clone();
    let chain = node.status().await.unwrap().chain;
    let custodian = Arc::new(NodeCustodian::new(
        node.clone(),
        chain,
        vec![HeldKey {
            name: "carrier".into(),
            org: carrier.org.clone(),
            key: carrier.key.clone(),
        }],
    ));
    let mut config = GatewayConfig::with_keys([
        ApiKey::from_secret("carrier-system", CARRIER_KEY, &[Scope::Custodial])
            .with_identity("carrier"),
        // R235: reads the bill and its endorsement chain as the regulator (no party's key).
        ApiKey::from_secret("reader", READ_KEY, &[Scope::Read, Scope::Regulator]),
    ]);
    config.dcsa = DcsaConfig {
        parties: vec![PartyAlias {
            code_list_provider: "BOLE".into(),
            party_code: "BOLE001".into(),
            org: c.net.org("SHIPPER"),
        }],
        ..DcsaConfig::default()
    };
    let router = ebl_gateway::router_with_custodian(node, Some(custodian), config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, router).await });

    let request = sample_request(&carrier.key);
    let (status, reply) = http(
        "PUT",
        format!("{url}/v3/ebl-issuance-requests?responseMode=sync"),
        CARRIER_KEY,
        Some(request.clone()),
    )
    .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["issuanceResponseCode"], "ISSU", "{reply}");

    let id = ebl_ledger::docid::document_id(&request["document"]).unwrap();
    let (status, ebl) = http("GET", format!("{url}/v1/ebls/{id}"), READ_KEY, None).await;
    assert_eq!(status, 200, "{ebl}");
    assert_eq!(ebl["holder"], "SHIPPER");
    assert_eq!(ebl["carrier"], "CARRIER");
    let (status, chain) = http(
        "GET",
        format!("{url}/endorsement-chains/62CD536BA8D34C469AFD"),
        READ_KEY,
        None,
    )
    .await;
    assert_eq!(status, 200, "{chain}");
    assert_eq!(chain[0]["endorsementChain"][0]["actionCode"], "ISSUE");
    // The same request again is refused by the ledger: DCSA 409.
    let (status, conflict) = http(
        "PUT",
        format!("{url}/v3/ebl-issuance-requests"),
        CARRIER_KEY,
        Some(request),
    )
    .await;
    assert_eq!(status, 409, "{conflict}");

    server.abort();
    c.shutdown().await.unwrap();
}
