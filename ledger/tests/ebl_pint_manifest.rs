//! ISSUANCE_MANIFEST (R320–R322): the carrier's signed issuance manifest is kept on the ledger,
//! verified against the carrier's registered key by every node.
#![allow(clippy::unwrap_used)]

mod ebl_support;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ebl_ledger::ebl::pint::PintRecord;
use ebl_ledger::ebl::{Attachment, EblAction};
use ebl_ledger::entry::Body;
use ebl_ledger::hash::{DocumentId, Hash32};
use ebl_ledger::state::keys;
use ebl_ledger::testkit::TestNetwork;
use ebl_support::*;
use ed25519_dalek::{Signer, SigningKey};
use serde_json::{Value, json};

fn sign(header: &str, payload: &Value, key: &SigningKey) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload.to_string())
    );
    let signature = URL_SAFE_NO_PAD.encode(key.sign(input.as_bytes()).to_bytes());
    format!("{input}.{signature}")
}

fn manifest_for(id: DocumentId, visualisation: Option<&Attachment>) -> Value {
    let mut manifest = json!({
        "documentChecksum": id.to_hex(),
        "issueToChecksum": Hash32::sha256(b"issueTo").to_hex(),
    });
    if let Some(v) = visualisation {
        manifest["eBLVisualisationByCarrierChecksum"] = json!(v.document_checksum.to_hex());
    }
    manifest
}

fn body(id: DocumentId, manifest: String, visualisation: Option<Attachment>) -> Body {
    Body::Ebl(EblAction::IssuanceManifest {
        document: id,
        manifest,
        visualisation,
    })
}

fn pdf() -> Attachment {
    Attachment {
        name: "bl.pdf".into(),
        size: 4,
        media_type: "application/pdf".into(),
        document_checksum: Hash32::sha256(b"%PDF"),
    }
}

fn stored(net: &TestNetwork, id: DocumentId) -> PintRecord {
    net.ledger
        .get::<PintRecord>(&keys::pint(&id))
        .unwrap()
        .unwrap_or_default()
}

#[test]
fn the_carrier_records_its_signed_manifest_once() {
    let (mut net, id) = blank_bl();
    let key = net.party("CARRIER").key.clone();
    let jws = sign(r#"{"alg":"EdDSA"}"#, &manifest_for(id, Some(&pdf())), &key);
    ok(&mut net, "CARRIER", body(id, jws.clone(), Some(pdf())));
    let pint = stored(&net, id);
    assert_eq!(pint.issuance_manifest.as_deref(), Some(jws.as_str()));
    assert_eq!(pint.visualisation, Some(pdf()));
    // R322: the visualisation's readers are the document's parties.
    let owner = net
        .ledger
        .get::<DocumentId>(&keys::attachment(&pdf().document_checksum))
        .unwrap();
    assert_eq!(owner, Some(id));
    let again = body(id, jws, Some(pdf()));
    assert!(net.submit("CARRIER", again).is_err(), "recorded once");
}

#[test]
fn a_manifest_the_carrier_did_not_sign_is_refused() {
    let (mut net, id) = blank_bl();
    // Signed by the shipper's key, submitted by the carrier.
    let shipper = net.party("SHIPPER").key.clone();
    let forged = sign(r#"{"alg":"EdDSA"}"#, &manifest_for(id, None), &shipper);
    fails(
        &mut net,
        "CARRIER",
        id,
        body(id, forged, None),
        "BAD_SIGNATURE",
    );
    let key = net.party("CARRIER").key.clone();
    for header in [
        r#"{"alg":"none"}"#,
        r#"{"alg":"RS256"}"#,
        r#"{"alg":"EdDSA","crit":["b64"]}"#,
    ] {
        let jws = sign(header, &manifest_for(id, None), &key);
        fails(
            &mut net,
            "CARRIER",
            id,
            body(id, jws, None),
            "INVALID_FIELD",
        );
    }
    assert!(stored(&net, id).issuance_manifest.is_none());
}

#[test]
fn the_manifest_must_name_this_document_and_its_visualisation() {
    let (mut net, id) = blank_bl();
    let key = net.party("CARRIER").key.clone();
    let other = sign(
        r#"{"alg":"EdDSA"}"#,
        &manifest_for(doc("OTHER"), None),
        &key,
    );
    fails(
        &mut net,
        "CARRIER",
        id,
        body(id, other, None),
        "INVALID_FIELD",
    );
    // The manifest names a visualisation the entry does not carry, and the reverse.
    let with = sign(r#"{"alg":"EdDSA"}"#, &manifest_for(id, Some(&pdf())), &key);
    fails(
        &mut net,
        "CARRIER",
        id,
        body(id, with, None),
        "INVALID_FIELD",
    );
    let without = sign(r#"{"alg":"EdDSA"}"#, &manifest_for(id, None), &key);
    fails(
        &mut net,
        "CARRIER",
        id,
        body(id, without, Some(pdf())),
        "INVALID_FIELD",
    );
}

#[test]
fn only_the_issuing_carrier_records_the_manifest() {
    let (mut net, id) = blank_bl();
    let key = net.party("CARRIER2").key.clone();
    let jws = sign(r#"{"alg":"EdDSA"}"#, &manifest_for(id, None), &key);
    fails(&mut net, "CARRIER2", id, body(id, jws, None), "NOT_ISSUER");
}
