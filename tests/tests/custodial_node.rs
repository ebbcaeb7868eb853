//! Custodial signing on a real one-validator node: keys unlocked from the encrypted keystore,
//! API keys created over the admin route and bound to them, and a legacy system's plain JSON
//! issuing, endorsing and transferring an eBL over HTTP on 127.0.0.1; concurrent requests of
//! one identity all commit with distinct sequences.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod client;

use std::time::Duration;

use client::http;
use ebl_keystore::{KdfParams, Keystore, KeystoreError};
use ebl_ledger::testkit::TestNetwork;
use ebl_node::Node;
use ebl_node::api_server::{ApiSection, ApiServer, ServeOptions};
use ebl_node::custody::{CustodySection, IdentityEntry, unlock};
use ebl_tests::init_logs;
use ebl_tests::single::{one_validator_network, single_validator_settings};
use serde_json::{Value, json};

const ADMIN: &str = "custody-admin";
const PASSPHRASE: &str = "correct horse battery";

/// The sample to-order BL with reference `reference`, to the order of SHIPPER: the endorsee is
/// named by its ledger id under the gateway's platform code, since the custodial ISSUE reads
/// the title party from the document (R220–R222).
fn document(reference: &str) -> Value {
    let text = include_str!("../../ledger/src/testkit/dcsa-issuance-request.json");
    let mut doc = serde_json::from_str::<Value>(text).unwrap()["document"].clone();
    doc["transportDocumentReference"] = json!(reference);
    doc["documentParties"]["endorsee"] = json!({
        "partyName": "SHIPPER",
        "identifyingCodes": [{"codeListProvider": "EBLL", "partyCode": "SHIPPER"}],
    });
    doc
}

/// A keystore holding CARRIER's and SHIPPER's keys, and its `[api.custody]` section.
fn custody(net: &TestNetwork, dir: &std::path::Path) -> CustodySection {
    let store = Keystore::new(dir.join("custody"));
    for (name, party) in [("carrier-ops", "CARRIER"), ("shipper-erp", "SHIPPER")] {
        let key = &net.party(party).key;
        store
            .create(name, key, PASSPHRASE.as_bytes(), KdfParams::INSECURE_FAST)
            .unwrap();
    }
    std::fs::write(dir.join("custody.pass"), format!("{PASSPHRASE}\n")).unwrap();
    CustodySection {
        keystore_dir: "custody".into(),
        passphrase_env: None,
        passphrase_file: Some("custody.pass".into()),
        identities: vec![
            IdentityEntry {
                name: "carrier-ops".into(),
                org: "CARRIER".into(),
            },
            IdentityEntry {
                name: "shipper-erp".into(),
                org: "SHIPPER".into(),
            },
        ],
    }
}

#[test]
fn a_wrong_keystore_passphrase_stops_the_unlock_with_a_typed_error() {
    let net = one_validator_network();
    let dir = tempfile::tempdir().unwrap();
    let section = custody(&net, dir.path());
    std::fs::write(dir.path().join("custody.pass"), "not the passphrase\n").unwrap();
    let err = unlock(&section, dir.path()).unwrap_err();
    let typed = err.downcast_ref::<KeystoreError>().unwrap();
    assert!(matches!(typed, KeystoreError::WrongPassphrase(name) if name == "carrier-ops"));
    assert!(!format!("{err:#}").contains("not the passphrase"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_legacy_system_issues_and_transfers_an_ebl_custodially_on_a_real_node() {
    init_logs();
    let net = one_validator_network();
    let dir = tempfile::tempdir().unwrap();
    let settings = single_validator_settings(
        &net,
        "custody",
        dir.path().join("data"),
        Duration::from_millis(100),
    )
    .unwrap();
    let node = Node::start(settings, &net.genesis).await.unwrap();
    let config = ApiSection::with_admin_key("127.0.0.1:0", ADMIN)
        .gateway_config()
        .unwrap();
    let options = ServeOptions {
        custodial_keys: unlock(&custody(&net, dir.path()), dir.path()).unwrap(),
        api_key_file: Some(dir.path().join("api_keys.json")),
        ..ServeOptions::default()
    };
    let api = ApiServer::start_with(node.handle(), "127.0.0.1:0", config, options)
        .await
        .unwrap();
    let url = format!("http://{}", api.addr);

    // The operator binds one API key per legacy system to its custodial identity.
    let mut secrets = Vec::new();
    for (name, identity) in [("booking", "carrier-ops"), ("erp", "shipper-erp")] {
        let body = json!({"name": name, "scopes": ["read", "custodial"], "identity": identity});
        let (status, reply) = http(
            "POST",
            format!("{url}/v1/admin/api-keys"),
            ADMIN,
            Some(body),
        )
        .await;
        assert_eq!(status, 201, "{reply}");
        secrets.push(reply["secret"].as_str().unwrap().to_string());
    }
    let (carrier, shipper) = (secrets[0].clone(), secrets[1].clone());

    let issue = json!({"transport_document": document("NODE-CUST-1"), "issue_to": "SHIPPER",
                       "consignee": "SHIPPER"});
    let (status, reply) = http(
        "POST",
        format!("{url}/v1/custodial/ebls?wait=final&timeout_ms=20000"),
        carrier.clone(),
        Some(issue),
    )
    .await;
    assert_eq!(
        (status, reply["status"].as_str()),
        (200, Some("final")),
        "{reply}"
    );
    let id = ebl_ledger::docid::document_id(&document("NODE-CUST-1"))
        .unwrap()
        .to_hex();
    for (action, body) in [
        ("endorse-to-order", json!({"endorsee": "BANK"})),
        ("transfer", json!({"to": "BANK"})),
    ] {
        let (status, reply) = http(
            "POST",
            format!("{url}/v1/custodial/ebls/{id}/{action}?wait=final&timeout_ms=20000"),
            shipper.clone(),
            Some(body),
        )
        .await;
        assert_eq!(
            (status, reply["status"].as_str()),
            (200, Some("final")),
            "{action}: {reply}"
        );
    }
    let (_, ebl) = http("GET", format!("{url}/v1/ebls/{id}"), carrier.clone(), None).await;
    assert_eq!(ebl["holder"], "BANK", "{ebl}");
    assert_eq!(ebl["endorsee"], "BANK", "{ebl}");

    // A non-holder's transfer is answered with the ledger's code.
    let (status, reply) = http(
        "POST",
        format!("{url}/v1/custodial/ebls/{id}/transfer?wait=final&timeout_ms=20000"),
        shipper.clone(),
        Some(json!({"to": "CONSIGNEE"})),
    )
    .await;
    assert_eq!(
        (status, reply["code"].as_str()),
        (422, Some("NOT_HOLDER")),
        "{reply}"
    );

    // Concurrent requests of one identity: distinct sequences, all final.
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let body = json!({"transport_document": document(&format!("NODE-CONC-{i}")),
                              "issue_to": "SHIPPER", "consignee": "SHIPPER"});
            let request = http(
                "POST",
                format!("{url}/v1/custodial/ebls"),
                carrier.clone(),
                Some(body),
            );
            // Spawned, so the eight requests are in flight at once.
            tokio::spawn(request)
        })
        .collect();
    let mut sequences = Vec::new();
    let mut entries = Vec::new();
    for task in tasks {
        let (status, reply) = task.await.unwrap();
        assert_eq!(status, 202, "{reply}");
        sequences.push(reply["sequence"].as_u64().unwrap());
        entries.push(reply["id"].as_str().unwrap().to_string());
    }
    sequences.sort_unstable();
    sequences.dedup();
    assert_eq!(sequences.len(), 8, "{sequences:?}");
    for entry in entries {
        let (_, reply) = http(
            "GET",
            format!("{url}/v1/entries/{entry}?wait=final&timeout_ms=20000"),
            carrier.clone(),
            None,
        )
        .await;
        assert_eq!(reply["status"], "final", "{reply}");
    }
    api.stop().await.unwrap();
    node.stop().await.unwrap();
}
