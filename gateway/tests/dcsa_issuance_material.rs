//! R320–R322: DCSA ISS keeps what PINT needs: the carrier's signed issuance manifest and its
//! visualisation's metadata on the ledger, the visualisation's bytes as a document body.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/dcsa.rs"]
mod dcsa;
mod support;

use std::time::Duration;

use axum::http::Method;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use dcsa::*;
use ebl_gateway::NodeApi;
use ebl_ledger::ebl::pint::PintRecord;
use ebl_ledger::hash::{DocumentId, Hash32};
use ebl_ledger::ids::OrgId;
use ebl_ledger::state::keys;
use serde_json::Value;
use support::LocalNode;

const SYNC_URI: &str = "/v3/ebl-issuance-requests?responseMode=sync";

async fn pint_record(node: &LocalNode, id: DocumentId) -> PintRecord {
    // The ISSUANCE_MANIFEST follows the ISSUE in the carrier's sequence: give it a block.
    for _ in 0..50 {
        let found = node.with(|n| n.ledger.get::<PintRecord>(&keys::pint(&id)).unwrap());
        if let Some(found) = found {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no issuance manifest recorded for {id}");
}

fn visualisation_bytes(request: &Value) -> Vec<u8> {
    let content = request["eBLVisualisationByCarrier"]["content"]
        .as_str()
        .unwrap();
    STANDARD.decode(content).unwrap()
}

#[tokio::test]
async fn the_manifest_and_the_visualisation_are_kept_for_pint() {
    let (node, app) = dcsa_app();
    let request = with_manifest(issuance_sample_as_published());
    let reply = send_json(&app, Method::PUT, SYNC_URI, CARRIER_KEY, &request).await;
    assert_eq!(reply.body["issuanceResponseCode"], "ISSU", "{}", reply.body);
    let id = ebl_ledger::docid::document_id(&request["document"]).unwrap();
    let pint = pint_record(&node, id).await;
    assert_eq!(
        pint.issuance_manifest.as_deref(),
        request["issuanceManifestSignedContent"].as_str()
    );
    let bytes = visualisation_bytes(&request);
    let attachment = pint.visualisation.expect("visualisation recorded");
    assert_eq!(attachment.document_checksum, Hash32::sha256(&bytes));
    assert_eq!(attachment.size, bytes.len() as u64);
    assert_eq!(attachment.media_type, "application/pdf");
    // The bytes are a document body under their checksum, for the document's parties.
    let mut stored = None;
    for _ in 0..50 {
        let holder = OrgId::new("SHIPPER").unwrap();
        stored = node
            .document_body(attachment.document_checksum, holder)
            .await
            .unwrap();
        if stored.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(stored, Some(bytes));
}

#[tokio::test]
async fn an_issuance_without_visualisation_keeps_the_manifest_alone() {
    let (node, app) = dcsa_app();
    let mut request = issuance_sample_as_published();
    request
        .as_object_mut()
        .unwrap()
        .remove("eBLVisualisationByCarrier");
    let request = with_manifest(request);
    let reply = send_json(&app, Method::PUT, SYNC_URI, CARRIER_KEY, &request).await;
    assert_eq!(reply.body["issuanceResponseCode"], "ISSU", "{}", reply.body);
    let id = ebl_ledger::docid::document_id(&request["document"]).unwrap();
    let pint = pint_record(&node, id).await;
    assert!(pint.issuance_manifest.is_some());
    assert!(pint.visualisation.is_none());
}
