//! R317: what this platform signs, and the check of the receiver's signed answer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::pint::fixtures::{
    chain_of, document, document_checksum, issuance_manifest, platform_key, trust,
    usual_transactions,
};
use crate::pint::jws::{MAX_JWS_LEN, parse};

#[test]
fn a_chain_entry_links_to_the_previous_entry_by_its_checksum() {
    let first = chain_of(usual_transactions()).remove(0);
    let second = chain_entry(
        "EBLA",
        &platform_key("EBLA"),
        &document_checksum(),
        Some(&first),
        None,
        usual_transactions(),
    );
    let payload: EnvelopeTransferChainEntry =
        serde_json::from_value(parse(&second, MAX_JWS_LEN).unwrap().payload().unwrap()).unwrap();
    assert_eq!(
        payload.previous_envelope_transfer_chain_entry_signed_content_checksum,
        Some(checksum(&first).to_hex())
    );
    assert_eq!(payload.ebl_platform, "EBLA");
    assert_eq!(
        payload.transport_document_checksum,
        document_checksum().to_hex()
    );
    assert_eq!(payload.issuance_manifest_signed_content, None);
    assert_eq!(payload.control_tracking_registry, None);
}

#[test]
fn the_first_chain_entry_has_no_previous_checksum_and_carries_the_issuance_manifest() {
    let first = chain_of(usual_transactions()).remove(0);
    let payload = parse(&first, MAX_JWS_LEN).unwrap().payload().unwrap();
    assert!(
        payload
            .get("previousEnvelopeTransferChainEntrySignedContentChecksum")
            .is_none()
    );
    assert_eq!(
        payload["issuanceManifestSignedContent"],
        issuance_manifest()
    );
}

#[test]
fn the_manifest_names_the_document_the_last_entry_and_the_documents() {
    let doc = DocumentMetadata {
        name: "bl.pdf".into(),
        size: 3,
        media_type: "application/pdf".into(),
        document_checksum: Hash32::sha256(b"pdf").to_hex(),
    };
    let chain = chain_of(usual_transactions());
    let envelope = super::envelope(
        document(),
        chain.clone(),
        Some(doc.clone()),
        vec![doc.clone()],
        &platform_key("EBLA"),
    )
    .unwrap();
    let manifest: EnvelopeManifest = serde_json::from_value(
        parse(&envelope.envelope_manifest_signed_content, MAX_JWS_LEN)
            .unwrap()
            .payload()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        manifest.transport_document_checksum,
        document_checksum().to_hex()
    );
    assert_eq!(
        manifest.last_envelope_transfer_chain_entry_signed_content_checksum,
        checksum(&chain[0]).to_hex()
    );
    assert_eq!(manifest.ebl_visualisation_by_carrier, Some(doc.clone()));
    assert_eq!(manifest.supporting_documents, vec![doc]);
}

#[test]
fn an_envelope_without_a_chain_is_refused() {
    let error = super::envelope(
        document(),
        Vec::new(),
        None,
        Vec::new(),
        &platform_key("EBLA"),
    )
    .unwrap_err();
    assert_eq!(error.code(), "PINT_EMPTY_CHAIN");
}

#[test]
fn a_finished_response_signed_by_the_receiver_verifies_at_the_sender() {
    let last = Hash32::sha256(b"last");
    let details = ResponseDetails {
        received: vec![Hash32::sha256(b"doc")],
        ..ResponseDetails::default()
    };
    let jws = finished_response(ResponseCode::RECE, &last, details, &platform_key("EBLB"));
    let response = verify_finished_response(&jws, &trust("EBLA", &["EBLB"]), "EBLB").unwrap();
    assert_eq!(response.response_code, ResponseCode::RECE);
    assert_eq!(
        response.last_envelope_transfer_chain_entry_signed_content_checksum,
        last.to_hex()
    );
    assert_eq!(
        response.received_additional_document_checksums,
        Some(vec![Hash32::sha256(b"doc").to_hex()])
    );
    assert_eq!(response.reason, None);
    assert_eq!(response.missing_additional_document_checksums, None);
}

#[test]
fn a_finished_response_keeps_reason_missing_and_duplicate_and_cuts_the_reason() {
    let details = ResponseDetails {
        reason: Some("r".repeat(300)),
        missing: vec![Hash32::sha256(b"doc")],
        received: Vec::new(),
        duplicate_of: Some("a.b.c".into()),
    };
    let jws = finished_response(
        ResponseCode::MDOC,
        &Hash32::sha256(b"last"),
        details,
        &platform_key("EBLB"),
    );
    let response = verify_finished_response(&jws, &trust("EBLA", &["EBLB"]), "EBLB").unwrap();
    assert_eq!(response.reason.unwrap().len(), 255);
    assert_eq!(
        response.missing_additional_document_checksums,
        Some(vec![Hash32::sha256(b"doc").to_hex()])
    );
    assert_eq!(
        response
            .duplicate_of_accepted_envelope_transfer_chain_entry_signed_content
            .as_deref(),
        Some("a.b.c")
    );
}

#[test]
fn a_finished_response_signed_by_another_platform_is_refused() {
    let jws = finished_response(
        ResponseCode::RECE,
        &Hash32::sha256(b"last"),
        ResponseDetails::default(),
        &platform_key("EBLC"),
    );
    let error =
        verify_finished_response(&jws, &trust("EBLA", &["EBLB", "EBLC"]), "EBLB").unwrap_err();
    assert_eq!(
        error.code(),
        "JWS_UNKNOWN_KEY",
        "EBLC's kid is not among EBLB's keys"
    );
}

#[test]
fn a_finished_response_from_an_untrusted_platform_is_refused() {
    let jws = finished_response(
        ResponseCode::RECE,
        &Hash32::sha256(b"last"),
        ResponseDetails::default(),
        &platform_key("EBLB"),
    );
    assert_eq!(
        verify_finished_response(&jws, &trust("EBLA", &[]), "EBLB")
            .unwrap_err()
            .code(),
        "JWS_UNKNOWN_KEY"
    );
}

#[test]
fn a_signed_payload_that_is_not_a_finished_response_is_refused() {
    let jws = crate::pint::jws::sign(
        &serde_json::json!({"responseCode": "OKAY"}),
        &platform_key("EBLB"),
    );
    assert_eq!(
        verify_finished_response(&jws, &trust("EBLA", &["EBLB"]), "EBLB")
            .unwrap_err()
            .code(),
        "JWS_PAYLOAD"
    );
}

#[test]
fn response_codes_have_the_specified_http_status_and_finality() {
    use ResponseCode::*;
    let rows = [
        (RECE, 200, true),
        (DUPE, 200, true),
        (BSIG, 422, false),
        (BENV, 422, false),
        (INCD, 409, false),
        (MDOC, 409, false),
        (DISE, 409, false),
    ];
    for (code, status, accepted) in rows {
        assert_eq!(code.http_status(), status, "{code:?}");
        assert_eq!(code.is_final_acceptance(), accepted, "{code:?}");
    }
    assert!(BSIG.is_rejection() && BENV.is_rejection() && DISE.is_rejection());
    assert!(!INCD.is_rejection() && !MDOC.is_rejection() && !RECE.is_rejection());
}
