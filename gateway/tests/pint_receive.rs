//! DCSA PINT receiving (R300–R330): every response code from the envelope that earns it, sent
//! to platform EBLB as platform EBLA would (signed with EBLA's key; the issuance manifest with
//! the pilot carrier's key), and the sample envelope of the specification.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/dcsa.rs"]
mod dcsa;
#[path = "support/pint.rs"]
mod pint;
mod support;

use axum::http::Method;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use dcsa::*;
use ebl_gateway::pint::jws::{PlatformSigningKey, TrustedKey, checksum, verify};
use ebl_gateway::pint::model::{DocumentMetadata, EblEnvelope, Party, Transaction};
use ebl_gateway::pint::send::{chain_entry, envelope};
use ebl_ledger::crypto::PublicKey;
use ebl_ledger::ebl::{EblRecord, EblStatus};
use ebl_ledger::hash::{DocumentId, Hash32};
use ebl_ledger::state::keys;
use pint::*;
use serde_json::{Value, json};
use support::{Reply, send};

fn key_of(code: &str) -> PlatformSigningKey {
    PlatformSigningKey {
        kid: format!("{code}-1"),
        key: ed25519_dalek::SigningKey::from_bytes(&platform_seed(code)),
    }
}

fn member(code: &str, org: &str) -> Party {
    serde_json::from_value(party(org, code, org)).unwrap()
}

fn transaction(code: &str, actor: Party, recipient: Option<Party>) -> Transaction {
    Transaction {
        action_code: code.into(),
        actor,
        recipient,
        action_date_time: "2026-12-05T10:00:00.000Z".into(),
        reason_code: None,
        comments: None,
        audit_reference: None,
    }
}

/// What EBLA sends: the issued sample, ISSUE to SHIPPER and TRANSFER to `to` on EBLB.
struct Outgoing {
    request: Value,
    id: DocumentId,
    first: String,
}

fn issued() -> Outgoing {
    issued_as("62CD536BA8D34C469AFD")
}

/// [`issued`] for another `transportDocumentReference` (another document).
fn issued_as(reference: &str) -> Outgoing {
    let mut request = issuance_sample_as_published();
    request["document"]["transportDocumentReference"] = json!(reference);
    let request = with_manifest(request);
    let id = ebl_ledger::docid::document_id(&request["document"]).unwrap();
    let manifest = request["issuanceManifestSignedContent"]
        .as_str()
        .unwrap()
        .to_string();
    let issue = transaction(
        "ISSUE",
        member("EBLA", "CARRIER"),
        Some(member("EBLA", "SHIPPER")),
    );
    let first = chain_entry(
        "EBLA",
        &key_of("EBLA"),
        &id,
        None,
        Some(manifest),
        vec![issue],
    );
    Outgoing { request, id, first }
}

fn visualisation(request: &Value) -> (DocumentMetadata, Vec<u8>) {
    let v = &request["eBLVisualisationByCarrier"];
    let bytes = STANDARD.decode(v["content"].as_str().unwrap()).unwrap();
    let meta = DocumentMetadata {
        name: v["name"].as_str().unwrap().into(),
        size: bytes.len() as u64,
        media_type: v["contentType"].as_str().unwrap().into(),
        document_checksum: Hash32::sha256(&bytes).to_hex(),
    };
    (meta, bytes)
}

/// The envelope handing the bill from SHIPPER on EBLA to `to` on EBLB, with the visualisation.
fn handed_to(out: &Outgoing, to: Party) -> EblEnvelope {
    moved_to(out, "TRANSFER", to)
}

/// The envelope whose last transaction is `action` by SHIPPER on EBLA to `to`.
fn moved_to(out: &Outgoing, action: &str, to: Party) -> EblEnvelope {
    let transfer = transaction(action, member("EBLA", "SHIPPER"), Some(to));
    let second = chain_entry(
        "EBLA",
        &key_of("EBLA"),
        &out.id,
        Some(&out.first),
        None,
        vec![transfer],
    );
    let (meta, _) = visualisation(&out.request);
    let chain = vec![out.first.clone(), second];
    envelope(
        out.request["document"].clone(),
        chain,
        Some(meta),
        vec![],
        &key_of("EBLA"),
    )
    .unwrap()
}

async fn post(app: &axum::Router, envelope: &EblEnvelope) -> Reply {
    let body = serde_json::to_vec(envelope).unwrap();
    send(app, Method::POST, "/v3/envelopes", PINT_KEY, Some(body)).await
}

/// The signed answer's payload, verified under EBLB's platform key.
fn answer(reply: &Reply) -> Value {
    let jws = reply
        .body
        .as_str()
        .unwrap_or_else(|| panic!("not a signed answer: {}", reply.body));
    let b = ed25519_dalek::SigningKey::from_bytes(&platform_seed("EBLB"));
    let key = TrustedKey::ed25519(
        Some("EBLB-1".into()),
        PublicKey(b.verifying_key().to_bytes()),
    );
    verify(jws, &[key], "EBLB").unwrap().payload
}

fn code(reply: &Reply) -> String {
    answer(reply)["responseCode"].as_str().unwrap().to_string()
}

async fn put_document(app: &axum::Router, reference: &str, checksum: &str, bytes: &[u8]) -> Reply {
    let uri = format!("/v3/envelopes/{reference}/additional-documents/{checksum}");
    let body = serde_json::to_vec(&STANDARD.encode(bytes)).unwrap();
    send(app, Method::PUT, &uri, PINT_KEY, Some(body)).await
}

async fn finish(app: &axum::Router, reference: &str) -> Reply {
    let uri = format!("/v3/envelopes/{reference}/finish-transfer");
    send(app, Method::PUT, &uri, PINT_KEY, None).await
}

/// Starts, sends the visualisation and finishes: RECE.
async fn deliver(b: &Side, out: &Outgoing, envelope: &EblEnvelope) -> Reply {
    let started = post(&b.app, envelope).await;
    assert_eq!(started.status, 201, "{}", started.body);
    let reference = started.body["envelopeReference"]
        .as_str()
        .unwrap()
        .to_string();
    let (meta, bytes) = visualisation(&out.request);
    let put = put_document(&b.app, &reference, &meta.document_checksum, &bytes).await;
    assert_eq!(put.status, 204, "{}", put.body);
    finish(&b.app, &reference).await
}

#[tokio::test]
async fn an_envelope_is_received_after_its_documents_and_answered_rece() {
    let dir = tempfile::tempdir().unwrap();
    let (_a, b) = two_platforms(dir.path()).await;
    let out = issued();
    let envelope = handed_to(&out, member("EBLB", "CONSIGNEE"));
    let started = post(&b.app, &envelope).await;
    assert_eq!(started.status, 201, "{}", started.body);
    let (meta, bytes) = visualisation(&out.request);
    assert_eq!(
        started.body["missingAdditionalDocumentChecksums"],
        json!([meta.document_checksum])
    );
    let reference = started.body["envelopeReference"]
        .as_str()
        .unwrap()
        .to_string();
    // MDOC: finishing before the document arrived does not end the transfer.
    let early = finish(&b.app, &reference).await;
    assert_eq!(early.status, 409);
    assert_eq!(code(&early), "MDOC");
    assert_eq!(
        answer(&early)["missingAdditionalDocumentChecksums"],
        json!([meta.document_checksum])
    );
    // INCD: bytes that are not the declared document.
    let wrong = put_document(&b.app, &reference, &meta.document_checksum, b"not the pdf").await;
    assert_eq!(wrong.status, 409);
    assert_eq!(code(&wrong), "INCD");
    let undeclared = put_document(&b.app, &reference, &Hash32::sha256(b"x").to_hex(), b"x").await;
    assert_eq!(code(&undeclared), "INCD");
    // The right bytes, then RECE, and the bill is on EBLB's ledger with CONSIGNEE holding it.
    let put = put_document(&b.app, &reference, &meta.document_checksum, &bytes).await;
    assert_eq!(put.status, 204, "{}", put.body);
    let done = finish(&b.app, &reference).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(code(&done), "RECE");
    let last = checksum(envelope.envelope_transfer_chain.last().unwrap()).to_hex();
    assert_eq!(
        answer(&done)["lastEnvelopeTransferChainEntrySignedContentChecksum"],
        last
    );
    let record = b
        .node
        .with(|n| n.ledger.get::<EblRecord>(&keys::ebl(&out.id)).unwrap())
        .unwrap();
    assert_eq!(record.status, EblStatus::Active);
    assert_eq!(record.holder().as_str(), "CONSIGNEE");
}

#[tokio::test]
async fn the_same_envelope_twice_is_dupe_and_a_conflicting_chain_is_dise() {
    let dir = tempfile::tempdir().unwrap();
    let (_a, b) = two_platforms(dir.path()).await;
    let out = issued();
    let envelope = handed_to(&out, member("EBLB", "CONSIGNEE"));
    assert_eq!(code(&deliver(&b, &out, &envelope).await), "RECE");
    // DUPE, with the entry accepted before; decided from the ledger, nothing applied twice.
    let height = b.node.with(|n| n.ledger.head().height);
    let again = post(&b.app, &envelope).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(code(&again), "DUPE");
    let accepted = envelope.envelope_transfer_chain.last().unwrap();
    assert_eq!(
        answer(&again)["duplicateOfAcceptedEnvelopeTransferChainEntrySignedContent"],
        json!(accepted)
    );
    assert_eq!(b.node.with(|n| n.ledger.head().height), height);
    // DISE: the same bill handed to someone else by a different chain (a double spend).
    let other = handed_to(&out, member("EBLB", "BANK"));
    let dise = post(&b.app, &other).await;
    assert_eq!(dise.status, 409, "{}", dise.body);
    assert_eq!(code(&dise), "DISE");
    let record = b
        .node
        .with(|n| n.ledger.get::<EblRecord>(&keys::ebl(&out.id)).unwrap())
        .unwrap();
    assert_eq!(record.holder().as_str(), "CONSIGNEE");
}

#[tokio::test]
async fn signature_and_envelope_faults_are_bsig_and_benv() {
    let dir = tempfile::tempdir().unwrap();
    let (_a, b) = two_platforms(dir.path()).await;
    let out = issued();
    let good = handed_to(&out, member("EBLB", "CONSIGNEE"));
    // BSIG: the manifest signed by a key EBLB does not trust for EBLA.
    let mut forged = good.clone();
    let (meta, _) = visualisation(&out.request);
    let impostor = PlatformSigningKey {
        kid: "EBLA-1".into(),
        key: ed25519_dalek::SigningKey::from_bytes(&[9; 32]),
    };
    forged.envelope_manifest_signed_content = envelope(
        good.transport_document.clone(),
        good.envelope_transfer_chain.clone(),
        Some(meta),
        vec![],
        &impostor,
    )
    .unwrap()
    .envelope_manifest_signed_content;
    let reply = post(&b.app, &forged).await;
    assert_eq!(
        (reply.status.as_u16(), code(&reply).as_str()),
        (422, "BSIG")
    );
    // BENV: the chain reordered.
    let mut reordered = good.clone();
    reordered.envelope_transfer_chain.reverse();
    let reply = post(&b.app, &reordered).await;
    assert_eq!(reply.status, 422);
    assert!(
        ["BENV", "BSIG"].contains(&code(&reply).as_str()),
        "{}",
        answer(&reply)
    );
    // BENV: a transport document that is not the one the checksums name.
    let mut altered = good.clone();
    altered.transport_document["transportDocumentReference"] = json!("ALTERED0001");
    let reply = post(&b.app, &altered).await;
    assert_eq!(
        (reply.status.as_u16(), code(&reply).as_str()),
        (422, "BENV")
    );
    // BENV: addressed to a party this platform does not know.
    let stranger = handed_to(&out, member("EBLB", "NOBODY"));
    let reply = post(&b.app, &stranger).await;
    assert_eq!(
        (reply.status.as_u16(), code(&reply).as_str()),
        (422, "BENV")
    );
    // BENV: addressed to another platform.
    let elsewhere = handed_to(&out, member("EBLC", "CONSIGNEE"));
    let reply = post(&b.app, &elsewhere).await;
    assert_eq!(
        (reply.status.as_u16(), code(&reply).as_str()),
        (422, "BENV")
    );
    // BENV: a surrender from another platform is not accepted yet (R326).
    let surrender = moved_to(&out, "SURRENDER_FOR_DELIVERY", member("EBLB", "CARRIER"));
    let reply = post(&b.app, &surrender).await;
    assert_eq!(
        (reply.status.as_u16(), code(&reply).as_str()),
        (422, "BENV")
    );
    // None of them put anything on the ledger.
    let record = b
        .node
        .with(|n| n.ledger.get::<EblRecord>(&keys::ebl(&out.id)).unwrap());
    assert!(record.is_none());
}

#[tokio::test]
async fn the_specification_sample_envelope_decodes_and_its_placeholder_signatures_fail() {
    let dir = tempfile::tempdir().unwrap();
    let (_a, b) = two_platforms(dir.path()).await;
    let sample: Value = serde_json::from_str(include_str!(
        "../assets/dcsa/samples/dcsa-pint-3.0.0__post-envelopes__request__regularSTDExample.json"
    ))
    .unwrap();
    let envelope: EblEnvelope = serde_json::from_value(sample).unwrap();
    let reply = post(&b.app, &envelope).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(code(&reply), "BSIG");
}

#[tokio::test]
async fn only_partner_platforms_call_the_pint_routes() {
    let dir = tempfile::tempdir().unwrap();
    let (_a, b) = two_platforms(dir.path()).await;
    let out = issued();
    let body = serde_json::to_vec(&handed_to(&out, member("EBLB", "CONSIGNEE"))).unwrap();
    let anonymous = send(
        &b.app,
        Method::POST,
        "/v3/envelopes",
        "",
        Some(body.clone()),
    )
    .await;
    assert_eq!(anonymous.status, 401);
    let member_key = send(
        &b.app,
        Method::POST,
        "/v3/envelopes",
        CONSIGNEE_KEY,
        Some(body),
    )
    .await;
    assert_eq!(member_key.status, 403);
}

#[tokio::test]
async fn receiver_validation_names_parties_this_gateway_accepts_for() {
    let dir = tempfile::tempdir().unwrap();
    let (_a, b) = two_platforms(dir.path()).await;
    let ask = |code: &str, org: &str| json!({"codeListProvider": code, "partyCode": org});
    let known = send_json(
        &b.app,
        Method::POST,
        "/v3/receiver-validation",
        PINT_KEY,
        &ask("EBLB", "CONSIGNEE"),
    )
    .await;
    assert_eq!(known.status, 200, "{}", known.body);
    assert!(
        known.body["partyName"]
            .as_str()
            .is_some_and(|n| !n.is_empty())
    );
    for (code, org) in [("EBLB", "NOBODY"), ("EBLA", "CONSIGNEE"), ("EBLB", "MSA")] {
        let unknown = send_json(
            &b.app,
            Method::POST,
            "/v3/receiver-validation",
            PINT_KEY,
            &ask(code, org),
        )
        .await;
        assert_eq!(unknown.status, 404, "{code}/{org}: {}", unknown.body);
    }
}

#[tokio::test]
async fn one_partner_cannot_hold_more_than_its_share_of_open_transfers() {
    let dir = tempfile::tempdir().unwrap();
    let (_a, b) = two_platforms(dir.path()).await;
    // R325: 16 transfers in progress per sending platform; the 17th waits for one to finish.
    let bills: Vec<Outgoing> = (0..17)
        .map(|i| issued_as(&format!("FLOOD{i:04}")))
        .collect();
    let mut references = Vec::new();
    for out in &bills[..16] {
        let started = post(&b.app, &handed_to(out, member("EBLB", "CONSIGNEE"))).await;
        assert_eq!(started.status, 201, "{}", started.body);
        references.push(
            started.body["envelopeReference"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let extra = handed_to(&bills[16], member("EBLB", "CONSIGNEE"));
    let refused = post(&b.app, &extra).await;
    assert_eq!(refused.status, 503, "{}", refused.body);
    // Finishing one frees its place.
    let (meta, bytes) = visualisation(&bills[0].request);
    let put = put_document(&b.app, &references[0], &meta.document_checksum, &bytes).await;
    assert_eq!(put.status, 204);
    assert_eq!(code(&finish(&b.app, &references[0]).await), "RECE");
    // The sample's visualisation is now held here, so the extra bill is accepted at once
    // (R326: documents this platform holds are not asked for again).
    let accepted = post(&b.app, &extra).await;
    assert_eq!(
        (accepted.status.as_u16(), code(&accepted).as_str()),
        (200, "RECE")
    );
}
