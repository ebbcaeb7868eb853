//! The DCSA sample issuance, end to end through the HTTP gateways of real validators: issued
//! through validator 0's gateway, transferred through validator 3's, read, verified and proven
//! from either, over TCP on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod client;

use ebl_ledger::block::BlockHeader;
use ebl_ledger::ebl::{EblAction, EblIssue, EblRecord, EblType};
use ebl_ledger::entry::{Body, SignedEntry};
use ebl_ledger::hash::DocumentId;
use ebl_ledger::state::tree::RecordProof;
use ebl_node::api_server::{ApiSection, ApiServer};
use ebl_tests::Cluster;
use serde_json::{Value, json};

const KEY: &str = "e2e-admin-key";

/// An authorised request with the admin key.
async fn http(method: &str, url: String, body: Option<Value>) -> (u16, Value) {
    client::http(method, url, KEY, body).await
}

fn hex_body(entry: &SignedEntry) -> Value {
    json!({ "entry": hex::encode(entry.encode()) })
}

/// Posts `entry` to `url`'s `/v1/entries`, waiting (at most 30 s) until it is final.
async fn submit_final(url: &str, entry: Value) -> (u16, Value) {
    let url = format!("{url}/v1/entries?wait=final&timeout_ms=30000");
    http("POST", url, Some(entry)).await
}

/// SHIPPER's transfer of eBL `id` to `to`.
fn shipper_transfer(c: &mut Cluster, id: DocumentId, to: &str) -> SignedEntry {
    let to = c.net.org(to);
    c.net.sign(
        "SHIPPER",
        Body::Ebl(EblAction::Transfer { document: id, to }),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_dcsa_sample_is_issued_transferred_verified_and_proven_through_real_validators() {
    let mut c = Cluster::start().await.unwrap();
    let mut section = ApiSection::with_admin_key("127.0.0.1:0", KEY);
    // R235: the test reads the bill, its proof and its HOLDER check with no party's key: as
    // the regulator (admin alone reads no title).
    section.keys[0].scopes.push("regulator".into());
    let config = section.gateway_config().unwrap();
    let api0 = ApiServer::start(c.handle(0), "127.0.0.1:0", config.clone())
        .await
        .unwrap();
    let api3 = ApiServer::start(c.handle(3), "127.0.0.1:0", config)
        .await
        .unwrap();
    let (url0, url3) = (
        format!("http://{}", api0.addr),
        format!("http://{}", api3.addr),
    );

    // The carrier's DCSA issuance request, as committed with the ledger's testkit.
    let request_json: Value = serde_json::from_str(include_str!(
        "../../ledger/src/testkit/dcsa-issuance-request.json"
    ))
    .unwrap();
    let document = &request_json["document"];
    let id = ebl_ledger::docid::document_id(document).unwrap();
    let issue = EblIssue {
        document: id,
        reference: document["transportDocumentReference"]
            .as_str()
            .unwrap()
            .to_string(),
        kind: EblType::ToOrderBl,
        issue_to: c.net.org("SHIPPER"),
        // Blank, as the sample document says (PARTIES, R227).
        consignee: None,
    };
    let entry = c.net.sign("CARRIER", Body::Ebl(EblAction::Issue(issue)));
    let (status, reply) = submit_final(&url0, hex_body(&entry)).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["status"], "final", "{reply}");

    // Submitting the same entry again is idempotent.
    let (status, again) = http("POST", format!("{url3}/v1/entries"), Some(hex_body(&entry))).await;
    assert!(status == 200 || status == 202, "{again}");
    assert_eq!(again["id"], entry.id().to_hex());

    // The shipper transfers to the bank through another validator's gateway.
    let transfer = shipper_transfer(&mut c, id, "BANK");
    let (status, reply) = submit_final(&url3, serde_json::to_value(&transfer).unwrap()).await;
    assert_eq!(status, 200, "{reply}");
    let height = reply["height"].as_u64().unwrap();

    // Both gateways answer with the new holder once they have the block.
    for url in [&url0, &url3] {
        let (status, ebl) = http(
            "GET",
            format!("{url}/v1/entries/{}?wait=final", transfer.id()),
            None,
        )
        .await;
        assert_eq!(status, 200, "{ebl}");
        let (status, ebl) = http("GET", format!("{url}/v1/ebls/{id}"), None).await;
        assert_eq!(status, 200, "{ebl}");
        assert_eq!(ebl["holder"], "BANK", "{ebl}");
    }

    // The bank verifies the document it was given.
    let (status, verdict) = http(
        "POST",
        format!("{url0}/v1/verify?holder=BANK"),
        Some(request_json.clone()),
    )
    .await;
    assert_eq!(status, 200, "{verdict}");
    assert_eq!(verdict["outcome"], "VERIFIED", "{verdict}");

    // The proof bundle carries the consensus commit certificate and verifies offline.
    let (status, bundle) = http("GET", format!("{url0}/v1/proofs/ebls/{id}"), None).await;
    assert_eq!(status, 200, "{bundle}");
    let header: BlockHeader = serde_json::from_value(bundle["header"].clone()).unwrap();
    let proof: RecordProof = serde_json::from_value(bundle["record"].clone()).unwrap();
    assert!(header.height >= height);
    proof.verify(&header.state_root).unwrap();
    let record: EblRecord =
        ebl_ledger::codec::decode_stored(proof.value.as_deref().unwrap()).unwrap();
    assert_eq!(record.holder().as_str(), "BANK");
    // A final header comes with its certificate, which verifies offline against genesis's set.
    let certificate: ebl_ledger::finality::CommitCertificate =
        serde_json::from_value(bundle["commit_certificate"].clone()).unwrap();
    let finality = certificate
        .verify_header(
            &header.chain.genesis_hash,
            &header,
            &c.net.genesis.validators,
        )
        .unwrap();
    assert!(3 * finality.signed_power > 2 * finality.total_power);

    // A transfer by the former holder is rejected with the ledger's code.
    let stale = shipper_transfer(&mut c, id, "BUYER2");
    let (status, problem) = submit_final(&url0, hex_body(&stale)).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["code"], "NOT_HOLDER", "{problem}");

    // Without a key, the gateway refuses.
    let (status, _) = tokio::task::spawn_blocking(move || {
        match ureq::get(&format!("{url3}/v1/ebls/{id}")).call() {
            Err(ureq::Error::Status(s, _)) => (s, ()),
            other => panic!("{other:?}"),
        }
    })
    .await
    .unwrap();
    assert_eq!(status, 401);

    api0.stop().await.unwrap();
    api3.stop().await.unwrap();
    for i in 0..4 {
        c.stop(i).await.unwrap();
    }
}
