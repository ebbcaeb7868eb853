//! DCSA ISS `transportDocumentReplacements` (R340–R348, ADR 0038): an issuance request that
//! replaces earlier documents of the carrier is signed as AMEND (one old document), COMBINE
//! (several) or, gathered part by part, as one SPLIT; the ledger decides. Every DCSA request and
//! answer is checked against the DCSA schemas.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/dcsa.rs"]
mod dcsa;
mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode};
use dcsa::*;
use ebl_gateway::dcsa::callback::CallbackTarget;
use ebl_gateway::dcsa::schema::Payload;
use ebl_gateway::{ApiKey, GatewayConfig, NodeApi, Scope};
use ebl_ledger::ebl::EblRecord;
use ebl_ledger::hash::DocumentId;
use ebl_ledger::ids::OrgId;
use ebl_ledger::state::keys;
use serde_json::{Value, json};
use support::{LocalNode, Reply, send};
use tokio::sync::mpsc;

/// Read keys bound to SHIPPER (a party of the bills) and BANK (not a party), without custody.
const SHIPPER_READ: &str = "shipper-read-secret";
const BANK_READ: &str = "bank-read-secret";

/// [`dcsa_config`] with the read keys of SHIPPER and BANK.
fn reading_config() -> GatewayConfig {
    let mut config = dcsa_config();
    for (name, secret, org) in [
        ("shipper-reader", SHIPPER_READ, "SHIPPER"),
        ("bank-reader", BANK_READ, "BANK"),
    ] {
        let key =
            ApiKey::from_secret(name, secret, &[Scope::Read]).with_org(OrgId::new(org).unwrap());
        config.api_keys.insert(key.secret_sha256, key);
    }
    config
}

const PUT_URI: &str = "/v3/ebl-issuance-requests";
const SYNC_URI: &str = "/v3/ebl-issuance-requests?responseMode=sync";

/// An issuance request for `reference` (sub-reference `sub`), replacing `olds` and, for a
/// split part, one of `news`; its manifest signed by CARRIER.
fn request(
    reference: &str,
    sub: Option<&str>,
    olds: &[(&str, Option<&str>)],
    news: &[&str],
) -> Value {
    let mut request = issuance_sample_as_published();
    request["document"]["transportDocumentReference"] = reference.into();
    if let Some(sub) = sub {
        request["document"]["transportDocumentSubReference"] = sub.into();
    }
    let relation = |(r, s): &(&str, Option<&str>)| match s {
        Some(s) => json!({"transportDocumentReference": r, "transportDocumentSubReference": s}),
        None => json!({"transportDocumentReference": r}),
    };
    if !olds.is_empty() || !news.is_empty() {
        let mut replacements = json!({});
        if !olds.is_empty() {
            replacements["oldTransportDocumentReferences"] = olds.iter().map(relation).collect();
        }
        if !news.is_empty() {
            replacements["newTransportDocumentReferences"] = news
                .iter()
                .map(|r| json!({"transportDocumentReference": r}))
                .collect();
        }
        request["transportDocumentReplacements"] = replacements;
    }
    let request = with_manifest(request);
    assert_dcsa(Payload::IssuanceRequest, &request);
    request
}

fn id_of(request: &Value) -> DocumentId {
    ebl_ledger::docid::document_id(&request["document"]).unwrap()
}

/// PUTs `request` as CARRIER; a 200 or 202/204 answer; a 200's body is a valid response.
async fn put(app: &Router, uri: &str, request: &Value) -> Reply {
    let reply = send_json(app, Method::PUT, uri, CARRIER_KEY, request).await;
    if reply.status == StatusCode::OK {
        assert_dcsa(Payload::IssuanceResponse, &reply.body);
    }
    reply
}

/// The verdict on `reference` as CARRIER reads it: (HTTP status, issuanceResponseCode).
async fn verdict(app: &Router, reference: &str) -> (u16, Value) {
    let uri = format!("/v3/ebl-issuance-responses/{reference}");
    let reply = send(app, Method::GET, &uri, CARRIER_KEY, None).await;
    if reply.status == StatusCode::OK {
        assert_dcsa(Payload::IssuanceResponse, &reply.body);
    }
    (reply.status.as_u16(), reply.body)
}

fn error_codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["errorCode"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// R347: whether the node holds the body of `id` (the LocalNode serves any party).
async fn body_stored(node: &LocalNode, id: DocumentId) -> bool {
    let shipper = OrgId::new("SHIPPER").unwrap();
    node.document_body(id, shipper).await.unwrap().is_some()
}

/// R347: waits (bounded) for the ISSUANCE_MANIFEST of `id`, which follows the replacement's
/// entry in the carrier's sequence, and checks it is the request's.
async fn manifest_recorded(node: &LocalNode, id: DocumentId, request: &Value) {
    use ebl_ledger::ebl::pint::PintRecord;
    for _ in 0..50 {
        let found = node.with(|n| n.ledger.get::<PintRecord>(&keys::pint(&id)).unwrap());
        if let Some(found) = found {
            let manifest = request["issuanceManifestSignedContent"].as_str();
            assert_eq!(found.issuance_manifest.as_deref(), manifest);
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no issuance manifest recorded for {id}");
}

fn record(node: &LocalNode, id: DocumentId) -> Option<EblRecord> {
    node.with(|n| n.ledger.get::<EblRecord>(&keys::ebl(&id)).unwrap())
}

/// CARRIER issues `reference` (sub-reference `sub`) to SHIPPER; its id.
async fn issue(app: &Router, reference: &str, sub: Option<&str>) -> DocumentId {
    let request = request(reference, sub, &[], &[]);
    let reply = put(app, SYNC_URI, &request).await;
    assert_eq!(reply.body["issuanceResponseCode"], "ISSU", "{}", reply.body);
    id_of(&request)
}

/// SHIPPER asks (DCSA SUR AREQ) to surrender `reference` for amendment; CARRIER accepts.
async fn surrender_for_amendment(app: &Router, node: &LocalNode, reference: &str, id: DocumentId) {
    let request_reference = format!("AMEND-{reference}");
    let mut areq = surrender_sample(reference, &request_reference);
    areq["surrenderRequestCode"] = "AREQ".into();
    areq["reasonCode"] = "COD".into();
    assert_dcsa(Payload::SurrenderRequest, &areq);
    let uri = "/v3/ebl-surrender-requests";
    let reply = send_json(app, Method::POST, uri, SHIPPER_KEY, &areq).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    let answer = json!({"surrenderRequestReference": request_reference, "action": "SURR"});
    assert_dcsa(Payload::SurrenderAnswer, &answer);
    let uri = "/v3/ebl-surrender-responses";
    let reply = send_json(app, Method::POST, uri, CARRIER_KEY, &answer).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    let status = record(node, id).unwrap().status;
    assert_eq!(status.code(), "SURRENDERED_FOR_AMENDMENT");
}

/// `GET /endorsement-chains/{reference}?transportDocumentSubReference=sub` with `key`: the
/// chains (each a valid DCSA EndorsementChain), empty on 404.
async fn chains_with_sub(app: &Router, key: &str, reference: &str, sub: &str) -> Vec<Value> {
    let uri = format!("/endorsement-chains/{reference}?transportDocumentSubReference={sub}");
    let reply = send(app, Method::GET, &uri, key, None).await;
    if reply.status == StatusCode::NOT_FOUND {
        assert_dcsa(Payload::ErrorResponse, &reply.body);
        return Vec::new();
    }
    assert_eq!(reply.status, 200, "{}", reply.body);
    let chains = reply.body.as_array().unwrap().clone();
    for chain in &chains {
        assert_dcsa(Payload::EndorsementChain, chain);
    }
    chains
}

fn newest_action(chain: &Value) -> &str {
    chain["endorsementChain"][0]["actionCode"].as_str().unwrap()
}

#[tokio::test]
async fn r342_an_amendment_keeps_the_reference_with_a_new_sub_reference() {
    let (node, app) = dcsa_app_with(reading_config());
    let v1 = issue(&app, "AM-1", Some("v1")).await;
    surrender_for_amendment(&app, &node, "AM-1", v1).await;
    let amended = request("AM-1", Some("v2"), &[("AM-1", Some("v1"))], &[]);
    let reply = put(&app, SYNC_URI, &amended).await;
    assert_eq!(reply.body["issuanceResponseCode"], "ISSU", "{}", reply.body);
    assert_eq!(reply.body["transportDocumentReference"], "AM-1");

    let v2 = id_of(&amended);
    let new = record(&node, v2).unwrap();
    assert_eq!(new.reference, "AM-1");
    assert_eq!(new.replaces, vec![v1]);
    assert_eq!(new.holder(), &OrgId::new("SHIPPER").unwrap());
    let old = record(&node, v1).unwrap();
    assert_eq!(old.status.code(), "REPLACED");
    assert_eq!(old.replaced_by, vec![v2]);
    // R347: the replacement's body is stored as an ISSUE's is.
    assert!(body_stored(&node, v2).await);
    manifest_recorded(&node, v2, &amended).await;
    assert_eq!(
        verdict(&app, "AM-1").await.1["issuanceResponseCode"],
        "ISSU"
    );

    // R348: the sub-reference picks the version, read by a party of it.
    let current = chains_with_sub(&app, SHIPPER_READ, "AM-1", "v2").await;
    assert_eq!(current.len(), 1);
    assert_eq!(newest_action(&current[0]), "AMEND");
    let earlier = chains_with_sub(&app, SHIPPER_READ, "AM-1", "v1").await;
    assert_eq!(earlier.len(), 1);
    assert_eq!(
        newest_action(&earlier[0]),
        "AMEND",
        "v1's last link is its replacement"
    );
    assert_eq!(earlier[0]["endorsementChain"].as_array().unwrap().len(), 4);
    assert!(
        chains_with_sub(&app, SHIPPER_READ, "AM-1", "v3")
            .await
            .is_empty()
    );
    // Who cannot read the body (not a party; a regulator key without an organisation) finds
    // nothing by sub-reference.
    assert!(
        chains_with_sub(&app, BANK_READ, "AM-1", "v2")
            .await
            .is_empty()
    );
    assert!(
        chains_with_sub(&app, READ_KEY, "AM-1", "v2")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn r341_an_unknown_old_reference_or_sub_reference_is_a_breq_and_nothing_is_signed() {
    let (node, app) = dcsa_app();
    let v1 = issue(&app, "AM-2", Some("v1")).await;
    surrender_for_amendment(&app, &node, "AM-2", v1).await;
    let before = height(&node);
    let unknown = request("AM-2B", None, &[("NO-SUCH-DOC", None)], &[]);
    let reply = put(&app, SYNC_URI, &unknown).await;
    assert_eq!(reply.body["issuanceResponseCode"], "BREQ", "{}", reply.body);
    assert_eq!(error_codes(&reply.body), ["UNKNOWN_REPLACED_DOCUMENT"]);
    let wrong_sub = request("AM-2", Some("v2"), &[("AM-2", Some("v7"))], &[]);
    let reply = put(&app, SYNC_URI, &wrong_sub).await;
    assert_eq!(
        error_codes(&reply.body),
        ["SUB_REFERENCE_MISMATCH"],
        "{}",
        reply.body
    );
    let (status, body) = verdict(&app, "AM-2B").await;
    assert_eq!(
        (status, body["issuanceResponseCode"].clone()),
        (200, json!("BREQ"))
    );
    assert_eq!(height(&node), before, "a BREQ signs nothing");
    assert_eq!(
        record(&node, v1).unwrap().status.code(),
        "SURRENDERED_FOR_AMENDMENT"
    );
}

#[tokio::test]
async fn r342_an_old_document_not_surrendered_for_amendment_is_refused_by_the_ledger() {
    let (node, app) = dcsa_app();
    let v1 = issue(&app, "AM-3", None).await;
    let amended = request("AM-3N", None, &[("AM-3", None)], &[]);
    let reply = put(&app, SYNC_URI, &amended).await;
    assert_eq!(reply.body["issuanceResponseCode"], "REFU", "{}", reply.body);
    assert_eq!(error_codes(&reply.body), ["WRONG_STATUS"]);
    assert_eq!(
        verdict(&app, "AM-3N").await.1["issuanceResponseCode"],
        "REFU"
    );
    assert!(record(&node, id_of(&amended)).is_none());
    assert_eq!(record(&node, v1).unwrap().status.code(), "ACTIVE");
}

#[tokio::test]
async fn r342_two_surrendered_documents_combine_into_one() {
    let (node, app) = dcsa_app();
    let a = issue(&app, "CO-A", None).await;
    let b = issue(&app, "CO-B", None).await;
    surrender_for_amendment(&app, &node, "CO-A", a).await;
    surrender_for_amendment(&app, &node, "CO-B", b).await;
    let combined = request("CO-AB", None, &[("CO-A", None), ("CO-B", None)], &[]);
    let reply = put(&app, PUT_URI, &combined).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    assert_eq!(
        verdict(&app, "CO-AB").await.1["issuanceResponseCode"],
        "ISSU"
    );
    let c = id_of(&combined);
    assert_eq!(record(&node, c).unwrap().replaces, vec![a, b]);
    for old in [a, b] {
        let old = record(&node, old).unwrap();
        assert_eq!(old.status.code(), "REPLACED");
        assert_eq!(old.replaced_by, vec![c]);
    }
    assert!(body_stored(&node, c).await);
    manifest_recorded(&node, c, &combined).await;
}

#[tokio::test]
async fn r342_a_combine_with_one_document_not_surrendered_is_refused_whole() {
    let (node, app) = dcsa_app();
    let a = issue(&app, "CO-C", None).await;
    let b = issue(&app, "CO-D", None).await;
    surrender_for_amendment(&app, &node, "CO-C", a).await;
    let combined = request("CO-CD", None, &[("CO-C", None), ("CO-D", None)], &[]);
    let reply = put(&app, SYNC_URI, &combined).await;
    assert_eq!(error_codes(&reply.body), ["WRONG_STATUS"], "{}", reply.body);
    assert_eq!(
        record(&node, a).unwrap().status.code(),
        "SURRENDERED_FOR_AMENDMENT"
    );
    assert_eq!(record(&node, b).unwrap().status.code(), "ACTIVE");
}

/// The carrier's `POST /v3/ebl-issuance-responses` on 127.0.0.1.
async fn carrier_endpoint() -> (String, mpsc::Receiver<(HeaderMap, Bytes)>) {
    let (tx, rx) = mpsc::channel(16);
    let route = axum::routing::post(move |headers: HeaderMap, body: Bytes| {
        let tx = tx.clone();
        async move {
            let _ = tx.send((headers, body)).await;
            StatusCode::NO_CONTENT
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/v3/ebl-issuance-responses",
        listener.local_addr().unwrap()
    );
    let app = Router::new().route("/v3/ebl-issuance-responses", route);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, rx)
}

fn calling_back(url: &str) -> GatewayConfig {
    let mut config = dcsa_config();
    let target = CallbackTarget {
        url: url.into(),
        secret: "split-secret".into(),
    };
    config
        .dcsa
        .callbacks
        .insert(OrgId::new("CARRIER").unwrap(), target);
    config
}

/// The next `n` callbacks, by reference (each a valid IssuanceResponse).
async fn callbacks(
    calls: &mut mpsc::Receiver<(HeaderMap, Bytes)>,
    n: usize,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for _ in 0..n {
        let (_, body) = tokio::time::timeout(Duration::from_secs(10), calls.recv())
            .await
            .expect("no callback in time")
            .unwrap();
        let response: Value = serde_json::from_slice(&body).unwrap();
        assert_dcsa(Payload::IssuanceResponse, &response);
        out.insert(
            response["transportDocumentReference"]
                .as_str()
                .unwrap()
                .to_string(),
            response["issuanceResponseCode"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    out
}

fn part(reference: &str, news: &[&str]) -> Value {
    request(reference, None, &[("SP-1", None)], news)
}

#[tokio::test]
async fn r344_a_split_sent_in_two_requests_is_signed_once_the_last_part_arrives() {
    let (url, mut calls) = carrier_endpoint().await;
    let (node, app) = dcsa_app_with(calling_back(&url));
    let old = issue(&app, "SP-1", None).await;
    surrender_for_amendment(&app, &node, "SP-1", old).await;
    assert_eq!(callbacks(&mut calls, 1).await["SP-1"], "ISSU");
    let list = ["SP-1A", "SP-1B"];

    // The second part first: the order of the SPLIT is the list's, not the arrival's.
    let second = part("SP-1B", &list);
    let reply = put(&app, SYNC_URI, &second).await;
    assert_eq!(reply.status, 202, "{}", reply.body);
    assert_eq!(verdict(&app, "SP-1B").await.0, 202);
    assert!(
        record(&node, id_of(&second)).is_none(),
        "nothing signed yet"
    );
    assert_eq!(
        record(&node, old).unwrap().status.code(),
        "SURRENDERED_FOR_AMENDMENT"
    );

    let first = part("SP-1A", &list);
    let reply = put(&app, SYNC_URI, &first).await;
    assert_eq!(reply.body["issuanceResponseCode"], "ISSU", "{}", reply.body);
    let (a, b) = (id_of(&first), id_of(&second));
    let replaced = record(&node, old).unwrap();
    assert_eq!(replaced.status.code(), "REPLACED");
    assert_eq!(replaced.replaced_by, vec![a, b]);
    for (id, request) in [(a, &first), (b, &second)] {
        assert_eq!(record(&node, id).unwrap().replaces, vec![old]);
        assert!(body_stored(&node, id).await);
        manifest_recorded(&node, id, request).await;
    }
    for reference in list {
        assert_eq!(
            verdict(&app, reference).await.1["issuanceResponseCode"],
            "ISSU"
        );
    }
    let called = callbacks(&mut calls, 2).await;
    assert_eq!(
        called,
        BTreeMap::from([
            ("SP-1A".into(), "ISSU".into()),
            ("SP-1B".into(), "ISSU".into())
        ])
    );
}

#[tokio::test]
async fn r344_a_split_of_a_document_not_surrendered_is_refused_for_every_part() {
    let (node, app) = dcsa_app();
    let old = issue(&app, "SP-1", None).await;
    let list = ["SP-1A", "SP-1B"];
    let reply = put(&app, PUT_URI, &part("SP-1A", &list)).await;
    assert_eq!(reply.status, 202);
    let reply = put(&app, SYNC_URI, &part("SP-1B", &list)).await;
    assert_eq!(reply.body["issuanceResponseCode"], "REFU", "{}", reply.body);
    assert_eq!(error_codes(&reply.body), ["WRONG_STATUS"]);
    let (status, body) = verdict(&app, "SP-1A").await;
    assert_eq!(status, 200);
    assert_eq!(error_codes(&body), ["WRONG_STATUS"]);
    assert_eq!(record(&node, old).unwrap().status.code(), "ACTIVE");
}

#[tokio::test]
async fn r343_r345_a_part_not_in_its_list_or_with_a_changed_list_is_a_breq() {
    let (node, app) = dcsa_app();
    let old = issue(&app, "SP-1", None).await;
    surrender_for_amendment(&app, &node, "SP-1", old).await;
    let list = ["SP-1A", "SP-1B"];
    let outsider = put(&app, SYNC_URI, &part("SP-1C", &list)).await;
    assert_eq!(
        error_codes(&outsider.body),
        ["NOT_A_SPLIT_PART"],
        "{}",
        outsider.body
    );
    let one = put(&app, SYNC_URI, &part("SP-1A", &["SP-1A"])).await;
    assert_eq!(error_codes(&one.body), ["INVALID_SPLIT"], "{}", one.body);
    let mut versioned = issuance_sample_as_published();
    versioned["document"]["transportDocumentReference"] = "SP-1A".into();
    versioned["transportDocumentReplacements"] = json!({
        "oldTransportDocumentReferences": [{"transportDocumentReference": "SP-1"}],
        "newTransportDocumentReferences": [
            {"transportDocumentReference": "SP-1A", "transportDocumentSubReference": "v9"},
            {"transportDocumentReference": "SP-1B"}]});
    let versioned = with_manifest(versioned);
    assert_dcsa(Payload::IssuanceRequest, &versioned);
    let reply = put(&app, SYNC_URI, &versioned).await;
    assert_eq!(
        error_codes(&reply.body),
        ["SUB_REFERENCE_MISMATCH"],
        "{}",
        reply.body
    );

    assert_eq!(put(&app, SYNC_URI, &part("SP-1A", &list)).await.status, 202);
    let changed = put(&app, SYNC_URI, &part("SP-1B", &["SP-1A", "SP-1B", "SP-1C"])).await;
    assert_eq!(
        error_codes(&changed.body),
        ["SPLIT_LIST_CHANGED"],
        "{}",
        changed.body
    );
    assert_eq!(
        record(&node, old).unwrap().status.code(),
        "SURRENDERED_FOR_AMENDMENT"
    );
    // The gathering split is untouched: its own last part completes it.
    let last = put(&app, SYNC_URI, &part("SP-1B", &list)).await;
    assert_eq!(last.body["issuanceResponseCode"], "ISSU", "{}", last.body);
    assert_eq!(record(&node, old).unwrap().replaced_by.len(), 2);
}

#[tokio::test]
async fn r344_gathered_parts_survive_a_gateway_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = dcsa_config();
    config.dcsa_journal = Some(dir.path().join("dcsa.jsonl"));
    let (node, app) = dcsa_app_with(config.clone());
    let old = issue(&app, "SP-1", None).await;
    surrender_for_amendment(&app, &node, "SP-1", old).await;
    let list = ["SP-1A", "SP-1B"];
    assert_eq!(put(&app, PUT_URI, &part("SP-1A", &list)).await.status, 202);
    drop(app);

    let restarted = dcsa_app_over(node.clone(), config);
    assert_eq!(verdict(&restarted, "SP-1A").await.0, 202, "still gathering");
    let last = put(&restarted, SYNC_URI, &part("SP-1B", &list)).await;
    assert_eq!(last.body["issuanceResponseCode"], "ISSU", "{}", last.body);
    let replaced = record(&node, old).unwrap();
    assert_eq!(
        replaced.replaced_by,
        vec![id_of(&part("SP-1A", &list)), id_of(&part("SP-1B", &list))]
    );
    assert_eq!(
        verdict(&restarted, "SP-1A").await.1["issuanceResponseCode"],
        "ISSU"
    );
}

#[tokio::test]
async fn r340_a_request_without_replacements_is_still_an_issue() {
    let (node, app) = dcsa_app();
    let plain = request("PLAIN-1", None, &[], &[]);
    let reply = put(&app, SYNC_URI, &plain).await;
    assert_eq!(reply.body["issuanceResponseCode"], "ISSU");
    assert!(record(&node, id_of(&plain)).unwrap().replaces.is_empty());
}

#[tokio::test]
async fn r346_a_split_not_complete_within_a_day_is_dropped_and_its_parts_answered_breq() {
    use ebl_gateway::dcsa::split::{PartAdded, SplitPart};
    use ebl_gateway::dcsa::store::DcsaStore;
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("dcsa.jsonl");
    // A part kept at the Unix epoch by an earlier run of this gateway.
    let stale = part("STALE-A", &["STALE-A", "STALE-B"]);
    let carrier = OrgId::new("CARRIER").unwrap();
    {
        let store = DcsaStore::open(64, &journal).unwrap();
        let issue = ebl_ledger::ebl::EblIssue {
            document: id_of(&stale),
            reference: "STALE-A".into(),
            kind: ebl_ledger::ebl::EblType::ToOrderBl,
            issue_to: OrgId::new("SHIPPER").unwrap(),
            consignee: None,
        };
        let added = PartAdded {
            carrier: carrier.clone(),
            old: ebl_ledger::hash::Hash32::sha256(b"an old document"),
            parts: vec!["STALE-A".into(), "STALE-B".into()],
            started: 0,
            part: SplitPart {
                reference: "STALE-A".into(),
                issue,
                request: stale,
            },
        };
        let _ = store.gather_split(added, 0);
    }
    let mut config = dcsa_config();
    config.dcsa_journal = Some(journal);
    let (node, app) = dcsa_app_with(config);
    assert_eq!(
        verdict(&app, "STALE-A").await.0,
        202,
        "kept across the restart"
    );
    let old = issue(&app, "SP-1", None).await;
    surrender_for_amendment(&app, &node, "SP-1", old).await;
    // The next part gathered drops the stale split.
    let reply = put(&app, PUT_URI, &part("SP-1A", &["SP-1A", "SP-1B"])).await;
    assert_eq!(reply.status, 202);
    let (status, body) = verdict(&app, "STALE-A").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["issuanceResponseCode"], "BREQ");
    assert_eq!(error_codes(&body), ["SPLIT_INCOMPLETE"]);
}

#[tokio::test]
async fn r341_another_carriers_document_cannot_be_named_as_replaced() {
    let (node, app) = dcsa_app();
    let v1 = issue(&app, "AM-4", None).await;
    surrender_for_amendment(&app, &node, "AM-4", v1).await;
    let mut request = issuance_sample_as_published();
    request["document"]["transportDocumentReference"] = "AM-4".into();
    request["transportDocumentReplacements"] =
        json!({"oldTransportDocumentReferences": [{"transportDocumentReference": "AM-4"}]});
    let request = ebl_gateway::testkit::signed_issuance_request(request, "CARRIER2");
    assert_dcsa(Payload::IssuanceRequest, &request);
    let reply = send_json(&app, Method::PUT, SYNC_URI, CARRIER2_KEY, &request).await;
    assert_dcsa(Payload::IssuanceResponse, &reply.body);
    assert_eq!(
        error_codes(&reply.body),
        ["UNKNOWN_REPLACED_DOCUMENT"],
        "{}",
        reply.body
    );
    assert_eq!(
        record(&node, v1).unwrap().status.code(),
        "SURRENDERED_FOR_AMENDMENT"
    );
}
