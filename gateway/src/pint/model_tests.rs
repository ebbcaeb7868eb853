//! The spec's field names: the DCSA examples decode, and what we write uses the same names.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::json;

use super::*;
use crate::pint::fixtures::{party, sample, tx};
use crate::pint::jws::{MAX_JWS_LEN, parse};

#[test]
fn the_dcsa_sample_envelope_and_its_manifest_decode() {
    let envelope: EblEnvelope = serde_json::from_value(sample()).unwrap();
    assert_eq!(envelope.envelope_transfer_chain.len(), 1);
    let manifest = parse(&envelope.envelope_manifest_signed_content, MAX_JWS_LEN).unwrap();
    let manifest: EnvelopeManifest = serde_json::from_value(manifest.payload().unwrap()).unwrap();
    assert_eq!(
        manifest.transport_document_checksum,
        "583c29ab3e47f2d80899993200d3fbadb9f8a367f3a39f715935c46d7a283006"
    );
    assert_eq!(manifest.ebl_visualisation_by_carrier, None);
    assert_eq!(serde_json::to_value(&envelope).unwrap(), sample());
}

#[test]
fn the_spec_examples_of_the_issuance_manifest_and_the_finished_response_decode() {
    let issuance = json!({
        "documentChecksum": "8dc99d8ac922240c55c03845f49def64187146651bae4f9a63131277cf00d9df",
        "eBLVisualisationByCarrierChecksum": "76a7d14c83d7268d643ae7345c448de60701f955d264a743e6928a0b8268b24f",
        "issueToChecksum": "76a7d14c83d7268d643ae7345c448de60701f955d264a743e6928a0b8268b24f"
    });
    let decoded: IssuanceManifest = serde_json::from_value(issuance.clone()).unwrap();
    assert_eq!(serde_json::to_value(decoded).unwrap(), issuance);
    let finished = json!({
        "lastEnvelopeTransferChainEntrySignedContentChecksum": "d56a93a7e9f86a2d895df818e0440bdca6ffe03246e2fee14131f2e66c84c75a",
        "responseCode": "RECE"
    });
    let decoded: EnvelopeTransferFinishedResponse =
        serde_json::from_value(finished.clone()).unwrap();
    assert_eq!(decoded.response_code, ResponseCode::RECE);
    assert_eq!(serde_json::to_value(decoded).unwrap(), finished);
}

#[test]
fn a_manifest_with_documents_uses_the_spec_names() {
    let document = json!({"name": "bl.pdf", "size": 4194304, "mediaType": "application/pdf",
        "documentChecksum": "76a7d14c83d7268d643ae7345c448de60701f955d264a743e6928a0b8268b24f"});
    let manifest = json!({
        "transportDocumentChecksum": "00".repeat(32),
        "lastEnvelopeTransferChainEntrySignedContentChecksum": "11".repeat(32),
        "eBLVisualisationByCarrier": document,
        "supportingDocuments": [document]
    });
    let decoded: EnvelopeManifest = serde_json::from_value(manifest.clone()).unwrap();
    assert_eq!(
        decoded.ebl_visualisation_by_carrier.as_ref().unwrap().size,
        4_194_304
    );
    assert_eq!(serde_json::to_value(decoded).unwrap(), manifest);
}

#[test]
fn a_transaction_and_its_parties_use_the_spec_names_and_tolerate_unknown_fields() {
    let mut written = serde_json::to_value(tx(
        "TRANSFER",
        &party("A", "EBLA"),
        Some(&party("B", "EBLB")),
    ))
    .unwrap();
    assert_eq!(written["actionCode"], "TRANSFER");
    assert_eq!(written["actionDateTime"], "2026-12-05T10:00:00.000Z");
    assert_eq!(written["actor"]["partyName"], "A");
    assert_eq!(written["recipient"]["eblPlatform"], "EBLB");
    assert_eq!(
        written["actor"]["identifyingCodes"][0]["codeListProvider"],
        "EBLA"
    );
    assert!(written.get("reasonCode").is_none() && written.get("comments").is_none());
    written["somethingNew"] = json!(1);
    written["actor"]["representedParty"] = json!({"partyName": "Principal"});
    let read: Transaction = serde_json::from_value(written).unwrap();
    assert_eq!(
        read.actor.represented_party.unwrap().party_name,
        "Principal"
    );
}

#[test]
fn an_unknown_response_code_does_not_decode() {
    let answer = json!({"lastEnvelopeTransferChainEntrySignedContentChecksum": "00", "responseCode": "OKAY"});
    assert!(serde_json::from_value::<EnvelopeTransferFinishedResponse>(answer).is_err());
}

#[test]
fn the_started_response_uses_the_spec_names() {
    let started = json!({
        "envelopeReference": "4TkP5nvgTly0MwFrDxfIkR2rvOjkUIgzibBoKABU",
        "transportDocumentChecksum": "00".repeat(32),
        "lastEnvelopeTransferChainEntrySignedContentChecksum": "11".repeat(32),
        "missingAdditionalDocumentChecksums": ["22".repeat(32)]
    });
    let decoded: EnvelopeTransferStartedResponse = serde_json::from_value(started.clone()).unwrap();
    assert_eq!(serde_json::to_value(decoded).unwrap(), started);
}
