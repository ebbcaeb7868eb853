//! DCSA PINT between two independent networks (issue 14): a bill issued on EBLA is transferred
//! there, exported to EBLB, endorsed there, exported back to EBLA and surrendered on EBLA.
//! Each platform's sender calls the other's `/v3/envelopes` over 127.0.0.1; every step is
//! checked on both ledgers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/dcsa.rs"]
mod dcsa;
#[path = "support/pint.rs"]
mod pint;
mod support;

use axum::http::Method;
use dcsa::*;
use ebl_ledger::ebl::pint::PintRecord;
use ebl_ledger::ebl::{EblRecord, EblStatus};
use ebl_ledger::hash::DocumentId;
use ebl_ledger::ids::OrgId;
use ebl_ledger::state::keys;
use pint::*;
use serde_json::json;
use support::LocalNode;

fn record(node: &LocalNode, id: DocumentId) -> Option<EblRecord> {
    node.with(|n| n.ledger.get::<EblRecord>(&keys::ebl(&id)).unwrap())
}

fn chain(node: &LocalNode, id: DocumentId) -> Vec<String> {
    node.with(|n| n.ledger.get::<PintRecord>(&keys::pint(&id)).unwrap())
        .unwrap_or_default()
        .chain
}

fn status(node: &LocalNode, id: DocumentId) -> Option<EblStatus> {
    record(node, id).map(|r| r.status)
}

async fn act(side: &Side, key: &str, id: DocumentId, action: &str, body: serde_json::Value) {
    let uri = format!("/v1/custodial/ebls/{id}/{action}?wait=final");
    let reply = send_json(&side.app, Method::POST, &uri, key, &body).await;
    assert!(
        reply.status.is_success(),
        "{action} on {}: {} {}",
        side.code,
        reply.status,
        reply.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bill_travels_to_another_platform_and_back_and_is_surrendered_at_home() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two_platforms(dir.path()).await;
    // Issued on EBLA by DCSA ISS (blank, to SHIPPER), with the carrier's signed manifest.
    let request = with_manifest(issuance_sample_as_published());
    let uri = "/v3/ebl-issuance-requests?responseMode=sync";
    let reply = send_json(&a.app, Method::PUT, uri, CARRIER_KEY, &request).await;
    assert_eq!(reply.body["issuanceResponseCode"], "ISSU", "{}", reply.body);
    let id = ebl_ledger::docid::document_id(&request["document"]).unwrap();
    eventually("the issuance manifest on EBLA", || {
        a.node
            .with(|n| n.ledger.get::<PintRecord>(&keys::pint(&id)).unwrap())
            .is_some_and(|p| p.issuance_manifest.is_some())
    })
    .await;
    // Transferred there: SHIPPER → BANK.
    act(&a, SHIPPER_KEY, id, "transfer", json!({"to": "BANK"})).await;
    // Exported: BANK on EBLA → CONSIGNEE on EBLB.
    let recipient = party("Consignee on B", "EBLB", "CONSIGNEE");
    act(&a, BANK_KEY, id, "export", json!({"recipient": recipient})).await;
    eventually("EXPORTED on EBLA", || {
        status(&a.node, id) == Some(EblStatus::Exported)
    })
    .await;
    let on_b = record(&b.node, id).expect("imported on EBLB");
    assert_eq!(on_b.status, EblStatus::Active);
    assert_eq!(on_b.holder(), &OrgId::new("CONSIGNEE").unwrap());
    assert_eq!(on_b.carrier.as_str(), "PINT.EBLA.CARRIER");
    assert_eq!(
        chain(&a.node, id),
        chain(&b.node, id),
        "both ledgers hold the same chain"
    );
    assert_eq!(chain(&b.node, id).len(), 1);
    // The carrier's visualisation travelled as an additional document.
    let vis = b
        .node
        .with(|n| n.ledger.get::<PintRecord>(&keys::pint(&id)).unwrap())
        .unwrap()
        .visualisation
        .expect("visualisation on EBLB");
    let consignee = OrgId::new("CONSIGNEE").unwrap();
    let bytes = ebl_gateway::NodeApi::document_body(&*b.node, vis.document_checksum, consignee);
    assert!(bytes.await.unwrap().is_some());
    // R336: both ledgers say where control is now.
    let control = |side: &Side| {
        let uri = format!("/v1/ebls/{id}/control");
        let app = side.app.clone();
        async move {
            support::send(&app, Method::GET, &uri, READ_KEY, None)
                .await
                .body
        }
    };
    let home = control(&a).await;
    assert_eq!(home["controllingPlatform"], "EBLB", "{home}");
    assert_eq!(home["controllingParty"]["partyName"], "Consignee on B");
    let away = control(&b).await;
    assert_eq!(away["controllingPlatform"], "EBLB", "{away}");
    assert_eq!(away["importedFrom"]["eblPlatform"], "EBLA");
    assert_eq!(away["envelopeTransferChainLength"], 1);
    // R293: verification on EBLA says control left; R299: END shows no PINT moves.
    let status_check = verify_check(&a, &request["document"], "STATUS").await;
    assert_eq!(status_check["code"], "EXPORTED", "{status_check}");
    assert_eq!(status_check["result"], "FAIL");
    let reference = request["document"]["transportDocumentReference"]
        .as_str()
        .unwrap();
    let uri = format!("/v3/endorsement-chains/{reference}");
    let end = support::send(&a.app, Method::GET, &uri, READ_KEY, None).await;
    assert_eq!(end.status, 200, "{}", end.body);
    let codes: Vec<&str> = end.body[0]["endorsementChain"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["actionCode"].as_str())
        .collect();
    assert!(codes.iter().all(|c| !c.starts_with("PINT")), "{codes:?}");
    assert_eq!(codes.first(), Some(&"TRANSFER"), "newest first: {codes:?}");
    // On EBLA the former holder can do nothing more with it.
    let uri = format!("/v1/custodial/ebls/{id}/transfer?wait=final");
    let again = send_json(
        &a.app,
        Method::POST,
        &uri,
        BANK_KEY,
        &json!({"to": "SHIPPER"}),
    )
    .await;
    assert!(!again.status.is_success(), "{}", again.body);
    // Endorsed on EBLB: CONSIGNEE endorses to the order of BANK there and hands it over.
    act(
        &b,
        CONSIGNEE_KEY,
        id,
        "endorse-to-order",
        json!({"endorsee": "BANK"}),
    )
    .await;
    act(&b, CONSIGNEE_KEY, id, "transfer", json!({"to": "BANK"})).await;
    // Exported back: BANK on EBLB endorses to the order of BANK on EBLA.
    let home = party("Bank on A", "EBLA", "BANK");
    act(
        &b,
        BANK_KEY,
        id,
        "export",
        json!({"recipient": home, "endorse": true}),
    )
    .await;
    eventually("EXPORTED on EBLB", || {
        status(&b.node, id) == Some(EblStatus::Exported)
    })
    .await;
    let back = record(&a.node, id).unwrap();
    assert_eq!(back.status, EblStatus::Active);
    assert_eq!(back.holder(), &OrgId::new("BANK").unwrap());
    assert_eq!(back.endorsee(), Some(&OrgId::new("BANK").unwrap()));
    assert_eq!(
        back.carrier.as_str(),
        "CARRIER",
        "the issuer is still the issuer at home"
    );
    assert_eq!(chain(&a.node, id).len(), 2);
    assert_eq!(chain(&a.node, id), chain(&b.node, id));
    assert_eq!(control(&a).await["controllingPlatform"], "EBLA");
    assert_eq!(control(&b).await["controllingPlatform"], "EBLA");
    // Surrendered at home and accepted by the carrier.
    act(&a, BANK_KEY, id, "surrender", json!({})).await;
    act(&a, CARRIER_KEY, id, "accept-surrender", json!({})).await;
    assert_eq!(status(&a.node, id), Some(EblStatus::Accomplished));
    assert_eq!(status(&b.node, id), Some(EblStatus::Exported));
}
