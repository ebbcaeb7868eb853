//! DCSA SUR as specified (R240–R247, ADR 0032): the holder's request is recorded on the ledger
//! with its reference, the platform calls the carrier's `POST /v3/ebl-surrender-requests`
//! (durably, across a restart), and the carrier answers through another member's gateway.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/dcsa.rs"]
mod dcsa;
mod support;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode};
use dcsa::*;
use ebl_gateway::GatewayConfig;
use ebl_gateway::dcsa::callback::CallbackTarget;
use ebl_gateway::dcsa::schema::Payload;
use ebl_gateway::webhooks::{RetryPolicy, verify};
use ebl_ledger::ebl::EblRecord;
use ebl_ledger::hash::DocumentId;
use ebl_ledger::ids::OrgId;
use ebl_ledger::state::keys;
use serde_json::{Value, json};
use support::{LocalNode, Reply, send};
use tokio::sync::mpsc;

const REQUESTS: &str = "/v3/ebl-surrender-requests";
const RESPONSES: &str = "/v3/ebl-surrender-responses";
const SECRET: &str = "carrier-surrender-secret";
const WAIT: Duration = Duration::from_secs(10);

/// The carrier's `POST /v3/ebl-surrender-requests` on 127.0.0.1, answering `status`.
struct CarrierEndpoint {
    url: String,
    status: Arc<AtomicU16>,
    calls: mpsc::Receiver<(HeaderMap, Bytes)>,
}

async fn carrier_endpoint() -> CarrierEndpoint {
    let (tx, calls) = mpsc::channel(64);
    let status = Arc::new(AtomicU16::new(204));
    let answer = status.clone();
    let route = axum::routing::post(move |headers: HeaderMap, body: Bytes| {
        let (tx, answer) = (tx.clone(), answer.clone());
        async move {
            let _ = tx.send((headers, body)).await;
            StatusCode::from_u16(answer.load(Ordering::SeqCst)).unwrap()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}{REQUESTS}", listener.local_addr().unwrap());
    let app = Router::new().route(REQUESTS, route);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    CarrierEndpoint { url, status, calls }
}

impl CarrierEndpoint {
    /// The next call: signed, DCSA `API-Version`, a valid `SurrenderRequestDetails`.
    async fn next(&mut self) -> Value {
        let (headers, body) = tokio::time::timeout(WAIT, self.calls.recv())
            .await
            .expect("the carrier was not called in time")
            .unwrap();
        let signature = headers["x-ebl-signature"].to_str().unwrap();
        assert!(verify(SECRET, &body, signature));
        assert_eq!(headers["api-version"], "3.0.4");
        let request: Value = serde_json::from_slice(&body).unwrap();
        assert_dcsa(Payload::SurrenderRequest, &request);
        request
    }

    /// Whether no call arrives within `wait`.
    async fn silent_for(&mut self, wait: Duration) -> bool {
        tokio::time::timeout(wait, self.calls.recv()).await.is_err()
    }
}

/// The configuration of the gateway that calls CARRIER at `url`.
fn calling(url: &str, state_dir: Option<&Path>) -> GatewayConfig {
    let mut config = dcsa_config();
    config.dcsa.surrender_endpoints.insert(
        OrgId::new("CARRIER").unwrap(),
        CallbackTarget {
            url: url.into(),
            secret: SECRET.into(),
        },
    );
    config.webhook_state_dir = state_dir.map(Path::to_path_buf);
    config.webhook_retry = RetryPolicy {
        attempts: 3,
        base: Duration::from_millis(20),
        cap: Duration::from_millis(50),
    };
    config
}

async fn post(app: &Router, uri: &str, key: &str, body: &Value) -> Reply {
    send_json(app, Method::POST, uri, key, body).await
}

/// CARRIER issues the sample under `reference` (held by SHIPPER); its id.
async fn issue(app: &Router, reference: &str) -> DocumentId {
    let request = issuance_request(reference);
    let uri = "/v3/ebl-issuance-requests?responseMode=sync";
    let reply = send_json(app, Method::PUT, uri, CARRIER_KEY, &request).await;
    assert_eq!(reply.body["issuanceResponseCode"], "ISSU", "{}", reply.body);
    ebl_ledger::docid::document_id(&request["document"]).unwrap()
}

/// SHIPPER asks to surrender `reference` for delivery under `request_reference`.
async fn request_surrender(app: &Router, reference: &str, request_reference: &str) {
    let request = surrender_sample(reference, request_reference);
    assert_dcsa(Payload::SurrenderRequest, &request);
    let reply = post(app, REQUESTS, SHIPPER_KEY, &request).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
}

fn answer(reference: &str, action: &str, comments: Option<&str>) -> Value {
    let mut body = json!({"surrenderRequestReference": reference, "action": action});
    if let Some(c) = comments {
        body["comments"] = c.into();
    }
    assert_dcsa(Payload::SurrenderAnswer, &body);
    body
}

fn record(node: &LocalNode, id: DocumentId) -> EblRecord {
    node.with(|n| n.ledger.get::<EblRecord>(&keys::ebl(&id)).unwrap().unwrap())
}

fn assert_dcsa_error(reply: &Reply, status: u16, code: &str) {
    assert_eq!(reply.status.as_u16(), status, "{}", reply.body);
    assert_dcsa(Payload::ErrorResponse, &reply.body);
    let text = reply.body["errors"].to_string();
    assert!(text.contains(code), "{code} not in {}", reply.body);
}

#[tokio::test]
async fn r240_the_request_is_on_the_ledger_with_its_reference() {
    let (node, app) = dcsa_app();
    let id = issue(&app, "SF-1").await;
    request_surrender(&app, "SF-1", "Z-SF-1").await;
    let surrender = record(&node, id).surrender.unwrap();
    assert_eq!(surrender.reference, "Z-SF-1");
    assert_eq!(surrender.by, OrgId::new("SHIPPER").unwrap());
    let indexed = node.with(|n| {
        n.ledger
            .get::<DocumentId>(&keys::surrender_request("Z-SF-1"))
            .unwrap()
    });
    assert_eq!(indexed, Some(id));
}

#[tokio::test]
async fn r245_the_carrier_is_called_and_answers_through_another_members_gateway() {
    let mut carrier = carrier_endpoint().await;
    let (node, shipper_gateway) = dcsa_app_with(calling(&carrier.url, None));
    // The carrier's own member gateway: same ledger, no memory of the request.
    let carrier_gateway = dcsa_app_over(node.clone(), dcsa_config());
    let id = issue(&shipper_gateway, "SF-2").await;
    request_surrender(&shipper_gateway, "SF-2", "Z-SF-2").await;

    let call = carrier.next().await;
    assert_eq!(call["surrenderRequestReference"], "Z-SF-2");
    assert_eq!(call["transportDocumentReference"], "SF-2");
    assert_eq!(call["surrenderRequestCode"], "SREQ");
    let chain = call["endorsementChain"].as_array().unwrap();
    let codes: Vec<&str> = chain
        .iter()
        .map(|l| l["actionCode"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["ISSUE", "SURRENDER_FOR_DELIVERY"],
        "issuance onward"
    );
    let as_end = json!({"transportDocumentReference": "SF-2", "endorsementChain": chain});
    assert_dcsa(Payload::EndorsementChain, &as_end);

    let reply = post(
        &carrier_gateway,
        RESPONSES,
        CARRIER_KEY,
        &answer("Z-SF-2", "SURR", None),
    )
    .await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    assert_eq!(record(&node, id).status.code(), "ACCOMPLISHED");
    // R247: one answer per request, whichever gateway is asked.
    for gateway in [&carrier_gateway, &shipper_gateway] {
        let again = post(
            gateway,
            RESPONSES,
            CARRIER_KEY,
            &answer("Z-SF-2", "SURR", None),
        )
        .await;
        assert_dcsa_error(&again, 409, "ALREADY_ANSWERED");
    }
}

#[tokio::test]
async fn r244_srej_through_another_gateway_returns_the_bill_to_the_requester() {
    let (node, shipper_gateway) = dcsa_app();
    let carrier_gateway = dcsa_app_over(node.clone(), dcsa_config());
    let id = issue(&shipper_gateway, "SF-3").await;
    let mut request = surrender_sample("SF-3", "Z-SF-3");
    request["surrenderRequestCode"] = "AREQ".into();
    request["reasonCode"] = "SWTP".into();
    assert_dcsa(Payload::SurrenderRequest, &request);
    let reply = post(&shipper_gateway, REQUESTS, SHIPPER_KEY, &request).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    let srej = answer(
        "Z-SF-3",
        "SREJ",
        Some("Paper originals cannot be printed here"),
    );
    let reply = post(&carrier_gateway, RESPONSES, CARRIER_KEY, &srej).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    let r = record(&node, id);
    assert_eq!(r.status.code(), "ACTIVE");
    assert_eq!(
        Some(r.holder()),
        r.surrender.as_ref().map(|s| &s.by),
        "back to the requester"
    );
    assert_eq!(r.holder(), &OrgId::new("SHIPPER").unwrap());
}

#[tokio::test]
async fn r246_unknown_references_and_non_carriers_are_refused_at_every_gateway() {
    let (node, shipper_gateway) = dcsa_app();
    let other_gateway = dcsa_app_over(node.clone(), dcsa_config());
    let id = issue(&shipper_gateway, "SF-4").await;
    request_surrender(&shipper_gateway, "SF-4", "Z-SF-4").await;
    for gateway in [&shipper_gateway, &other_gateway] {
        let reply = post(
            gateway,
            RESPONSES,
            CARRIER_KEY,
            &answer("Z-NONE", "SURR", None),
        )
        .await;
        assert_dcsa_error(&reply, 404, "UNKNOWN_SURRENDER_REQUEST");
        for key in [SHIPPER_KEY, CARRIER2_KEY, BANK_KEY] {
            let reply = post(gateway, RESPONSES, key, &answer("Z-SF-4", "SURR", None)).await;
            assert_dcsa_error(&reply, 404, "UNKNOWN_SURRENDER_REQUEST");
        }
    }
    assert_eq!(
        record(&node, id).status.code(),
        "SURRENDER_FOR_DELIVERY_PENDING"
    );
    // A used reference cannot name a second request, through any gateway.
    let reply = post(
        &other_gateway,
        REQUESTS,
        SHIPPER_KEY,
        &surrender_sample("SF-4", "Z-SF-4"),
    )
    .await;
    assert_dcsa_error(&reply, 409, "DUPLICATE_SURRENDER_REQUEST");
}

#[tokio::test]
async fn r245_a_call_cut_off_by_a_restart_is_delivered_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut carrier = carrier_endpoint().await;
    carrier.status.store(503, Ordering::SeqCst);
    let mut config = calling(&carrier.url, Some(dir.path()));
    // Long enough that the gateway is stopped while it still retries.
    config.webhook_retry = RetryPolicy {
        attempts: 100,
        base: Duration::from_millis(200),
        cap: Duration::from_millis(200),
    };
    let (node, gateway) = dcsa_app_with(config);
    issue(&gateway, "SF-5").await;
    request_surrender(&gateway, "SF-5", "Z-SF-5").await;
    assert_eq!(carrier.next().await["surrenderRequestReference"], "Z-SF-5");
    drop(gateway);
    tokio::time::sleep(Duration::from_millis(300)).await;
    while carrier.calls.try_recv().is_ok() {}
    assert!(
        carrier.silent_for(Duration::from_millis(600)).await,
        "stopped"
    );

    carrier.status.store(204, Ordering::SeqCst);
    let _restarted = dcsa_app_over(node.clone(), calling(&carrier.url, Some(dir.path())));
    let call = carrier.next().await;
    assert_eq!(call["surrenderRequestReference"], "Z-SF-5");
    // Delivered: the cursor moved past it, so a further restart sends nothing again.
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(_restarted);
    let _again = dcsa_app_over(node, calling(&carrier.url, Some(dir.path())));
    assert!(carrier.silent_for(Duration::from_millis(800)).await);
}

#[tokio::test]
async fn r245_a_new_gateway_calls_for_pending_requests_only() {
    let (node, gateway) = dcsa_app();
    issue(&gateway, "SF-6").await;
    issue(&gateway, "SF-7").await;
    request_surrender(&gateway, "SF-6", "Z-SF-6").await;
    request_surrender(&gateway, "SF-7", "Z-SF-7").await;
    let reply = post(
        &gateway,
        RESPONSES,
        CARRIER_KEY,
        &answer("Z-SF-6", "SURR", None),
    )
    .await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    // An endpoint configured afterwards: the chain is replayed; only Z-SF-7 still waits.
    let mut carrier = carrier_endpoint().await;
    let _calling = dcsa_app_over(node, calling(&carrier.url, None));
    assert_eq!(carrier.next().await["surrenderRequestReference"], "Z-SF-7");
    assert!(carrier.silent_for(Duration::from_millis(500)).await);
}

#[tokio::test]
async fn r245_a_carrier_without_an_endpoint_is_not_called() {
    let mut carrier = carrier_endpoint().await;
    let mut config = dcsa_config();
    config.dcsa.surrender_endpoints.insert(
        OrgId::new("CARRIER2").unwrap(),
        CallbackTarget {
            url: carrier.url.clone(),
            secret: SECRET.into(),
        },
    );
    let (_node, gateway) = dcsa_app_with(config);
    issue(&gateway, "SF-8").await;
    request_surrender(&gateway, "SF-8", "Z-SF-8").await;
    assert!(carrier.silent_for(Duration::from_millis(500)).await);
}

#[tokio::test]
async fn r245_an_amendment_request_is_called_as_areq_with_its_reason() {
    let mut carrier = carrier_endpoint().await;
    let (_node, gateway) = dcsa_app_with(calling(&carrier.url, None));
    issue(&gateway, "SF-9").await;
    let mut request = surrender_sample("SF-9", "Z-SF-9");
    request["surrenderRequestCode"] = "AREQ".into();
    request["reasonCode"] = "COD".into();
    let reply = post(&gateway, REQUESTS, SHIPPER_KEY, &request).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    let call = carrier.next().await;
    assert_eq!(call["surrenderRequestCode"], "AREQ");
    assert_eq!(call["reasonCode"], "COD");
    let last = call["endorsementChain"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["actionCode"], "SURRENDER_FOR_AMENDMENT");
    assert_eq!(
        last["recipient"]["identifyingCodes"][0]["partyCode"],
        "CARRIER"
    );
}

#[tokio::test]
async fn an_amendment_whose_reason_is_only_in_comments_is_recorded_as_othr_and_called_with_them() {
    // DCSA SUR: "In case no valid reasonCode exists ... use the comments property".
    let mut carrier = carrier_endpoint().await;
    let (node, gateway) = dcsa_app_with(calling(&carrier.url, None));
    let id = issue(&gateway, "SF-10").await;
    let mut request = surrender_sample("SF-10", "Z-SF-10");
    request["surrenderRequestCode"] = "AREQ".into();
    request["comments"] = "Correct the gross weight of cargo item 1".into();
    assert_dcsa(Payload::SurrenderRequest, &request);
    let reply = post(&gateway, REQUESTS, SHIPPER_KEY, &request).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    let surrender = record(&node, id).surrender.unwrap();
    assert_eq!(
        surrender.kind,
        ebl_ledger::ebl::SurrenderKind::Amendment(ebl_ledger::ebl::AmendmentReason::Other)
    );
    let call = carrier.next().await;
    assert_eq!(call["surrenderRequestCode"], "AREQ");
    assert!(call.get("reasonCode").is_none(), "{call}");
    assert_eq!(call["comments"], "Correct the gross weight of cargo item 1");
}

#[tokio::test]
async fn an_amendment_request_with_neither_reason_code_nor_comments_is_refused() {
    let (node, gateway) = dcsa_app_with(dcsa_config());
    let id = issue(&gateway, "SF-11").await;
    let mut request = surrender_sample("SF-11", "Z-SF-11");
    request["surrenderRequestCode"] = "AREQ".into();
    if let Some(o) = request.as_object_mut() {
        o.remove("comments");
        o.remove("reasonCode");
    }
    let reply = post(&gateway, REQUESTS, SHIPPER_KEY, &request).await;
    assert_dcsa_error(&reply, 400, "INVALID_REASON_CODE");
    assert!(record(&node, id).surrender.is_none());
}

/// The straight BL of the corridor: the sample, not to order, consigned to CONSIGNEE.
fn straight_document(reference: &str, sub_reference: Option<&str>) -> Value {
    let mut request = issuance_sample_as_published();
    let document = &mut request["document"];
    document["transportDocumentReference"] = reference.into();
    document["isToOrder"] = false.into();
    document["documentParties"]["consignee"] = json!({
        "partyName": "Consignee Trading",
        "identifyingCodes": [{"codeListProvider": "EBLL", "partyCode": "CONSIGNEE"}],
    });
    if let Some(sub) = sub_reference {
        document["transportDocumentSubReference"] = sub.into();
    }
    request["document"].clone()
}

/// `GET /v3/endorsement-chains/{reference}` as a reader; every chain must validate against
/// DCSA EBL_END 3.0.4. Returns the action codes of the (single) chain, oldest first.
async fn end_chain(gateway: &Router, reference: &str) -> Vec<String> {
    let uri = format!("/v3/endorsement-chains/{reference}");
    let reply = send(gateway, Method::GET, &uri, READ_KEY, None).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let chains = reply.body.as_array().unwrap();
    assert_eq!(chains.len(), 1, "{}", reply.body);
    assert_dcsa(Payload::EndorsementChain, &chains[0]);
    let mut codes: Vec<String> = chains[0]["endorsementChain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["actionCode"].as_str().unwrap().to_string())
        .collect();
    codes.reverse();
    codes
}

async fn custodial(gateway: &Router, key: &str, id: &DocumentId, action: &str, body: Value) {
    let uri = format!("/v1/custodial/ebls/{}/{action}?wait=final", id.to_hex());
    let reply = post(gateway, &uri, key, &body).await;
    assert_eq!(reply.status, 200, "{action}: {}", reply.body);
}

/// Issue 15's corridor over HTTP only: the carrier's system on its member's gateway, the
/// shipper's, the bank's and the consignee's systems on another's; DCSA ISS → transfer to a
/// bank under a straight BL (a documentary collection, R40) → back to the consignee → DCSA SUR
/// for amendment (the carrier is called and answers on its own gateway) → amendment by DCSA ISS
/// under the same reference with a new sub-reference (R31, R342) → transfer → switch to paper. The DCSA
/// endorsement chain validates against EBL_END after every step.
#[tokio::test]
async fn the_corridor_runs_over_http_on_two_members_gateways() {
    let mut carrier = carrier_endpoint().await;
    let (node, traders) = dcsa_app_with(calling(&carrier.url, None));
    let carriers = dcsa_app_over(node.clone(), dcsa_config());
    let reference = "CORRIDOR-1";

    let mut request = issuance_sample_as_published();
    request["document"] = straight_document(reference, Some("v1"));
    let request = with_manifest(request);
    assert_dcsa(Payload::IssuanceRequest, &request);
    let uri = "/v3/ebl-issuance-requests?responseMode=sync";
    let reply = send_json(&carriers, Method::PUT, uri, CARRIER_KEY, &request).await;
    assert_eq!(reply.body["issuanceResponseCode"], "ISSU", "{}", reply.body);
    assert_dcsa(Payload::IssuanceResponse, &reply.body);
    let v1 = ebl_ledger::docid::document_id(&request["document"]).unwrap();
    assert_eq!(end_chain(&traders, reference).await, ["ISSUE"]);

    custodial(
        &traders,
        SHIPPER_KEY,
        &v1,
        "transfer",
        json!({"to": "BANK"}),
    )
    .await;
    custodial(
        &traders,
        BANK_KEY,
        &v1,
        "transfer",
        json!({"to": "CONSIGNEE"}),
    )
    .await;
    assert_eq!(
        end_chain(&carriers, reference).await,
        ["ISSUE", "TRANSFER", "TRANSFER"]
    );

    let mut areq = surrender_sample(reference, "CORRIDOR-1-AMEND");
    areq["surrenderRequestCode"] = "AREQ".into();
    areq["reasonCode"] = "COD".into();
    let reply = post(&traders, REQUESTS, CONSIGNEE_KEY, &areq).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    let call = carrier.next().await;
    assert_eq!(call["surrenderRequestReference"], "CORRIDOR-1-AMEND");
    let answer = answer("CORRIDOR-1-AMEND", "SURR", None);
    let reply = post(&carriers, RESPONSES, CARRIER_KEY, &answer).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    assert_eq!(record(&node, v1).status.code(), "SURRENDERED_FOR_AMENDMENT");
    let codes = end_chain(&traders, reference).await;
    assert_eq!(codes.last().unwrap(), "SURRENDERED", "{codes:?}");

    // The amended bill, by DCSA ISS: same reference, sub-reference v2, replacing v1 (R342),
    // issued to the consignee who surrendered it.
    let v2_document = straight_document(reference, Some("v2"));
    let mut amended = issuance_sample_as_published();
    amended["document"] = v2_document.clone();
    amended["issueTo"] = json!({
        "partyName": "Consignee Trading", "sendToPlatform": "EBLL",
        "identifyingCodes": [{"codeListProvider": "EBLL", "partyCode": "CONSIGNEE"}],
    });
    amended["transportDocumentReplacements"] = json!({"oldTransportDocumentReferences": [
        {"transportDocumentReference": reference, "transportDocumentSubReference": "v1"}]});
    let amended = with_manifest(amended);
    assert_dcsa(Payload::IssuanceRequest, &amended);
    let reply = send_json(&carriers, Method::PUT, uri, CARRIER_KEY, &amended).await;
    assert_eq!(reply.body["issuanceResponseCode"], "ISSU", "{}", reply.body);
    assert_dcsa(Payload::IssuanceResponse, &reply.body);
    let v2 = ebl_ledger::docid::document_id(&v2_document).unwrap();
    assert_eq!(record(&node, v2).holder().as_str(), "CONSIGNEE");
    assert_eq!(record(&node, v2).reference, reference);
    assert_eq!(record(&node, v1).status.code(), "REPLACED");
    // The reference now names the amended bill: a new chain, starting from its reissue.
    assert_eq!(end_chain(&carriers, reference).await, ["AMEND"]);

    custodial(
        &traders,
        CONSIGNEE_KEY,
        &v2,
        "transfer",
        json!({"to": "BANK"}),
    )
    .await;
    custodial(
        &traders,
        BANK_KEY,
        &v2,
        "transfer",
        json!({"to": "CONSIGNEE"}),
    )
    .await;
    custodial(&traders, CONSIGNEE_KEY, &v2, "switch-to-paper", json!({})).await;
    custodial(&carriers, CARRIER_KEY, &v2, "accept-surrender", json!({})).await;
    assert_eq!(record(&node, v2).status.code(), "SWITCHED_TO_PAPER");
    assert_eq!(
        end_chain(&traders, reference).await,
        [
            "AMEND",
            "TRANSFER",
            "TRANSFER",
            "SURRENDER_FOR_AMENDMENT",
            "SURRENDERED"
        ]
    );
}
