//! Test fixtures: platforms EBLA and EBLB, a carrier, parties, and an envelope built with
//! [`super::send`] the way EBLA sends a bill to EBLB.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use ebl_ledger::docid;
use ebl_ledger::hash::Hash32;
use ed25519_dalek::SigningKey;
use serde_json::{Value, json};

use super::jws::{PlatformSigningKey, TrustedKey};
use super::model::{EblEnvelope, IdentifyingCode, Party, ResponseCode, Transaction};
use super::receive::{CheckedEnvelope, Refusal, check_envelope};
use super::send;
use super::trust::{TrustConfig, TrustedCarrier, TrustedPlatform};

/// A deterministic Ed25519 key from `label`.
pub fn signing_key(label: &str) -> SigningKey {
    SigningKey::from_bytes(&Hash32::sha256(label.as_bytes()).0)
}

/// The signing key of platform `code` (kid `<code>-1`).
pub fn platform_key(code: &str) -> PlatformSigningKey {
    PlatformSigningKey {
        kid: format!("{code}-1"),
        key: signing_key(code),
    }
}

/// The carrier's key.
pub fn carrier_key() -> SigningKey {
    signing_key("carrier")
}

/// The carrier's public key as a trusted key.
pub fn carrier_trusted() -> TrustedKey {
    TrustedKey::ed25519(None, carrier_key().verifying_key().into())
}

/// The trust configuration of platform `code`, trusting `others` and the carrier.
pub fn trust(code: &str, others: &[&str]) -> TrustConfig {
    let platforms: BTreeMap<String, TrustedPlatform> = others
        .iter()
        .map(|other| {
            let platform = TrustedPlatform {
                keys: vec![platform_key(other).trusted_key()],
                envelopes_url: None,
            };
            ((*other).to_owned(), platform)
        })
        .collect();
    TrustConfig {
        platform_code: code.to_owned(),
        signing_key: platform_key(code),
        platforms,
        carriers: vec![TrustedCarrier {
            party_codes: vec![carrier_code()],
            keys: vec![carrier_trusted()],
        }],
    }
}

/// The carrier's identifying code.
pub fn carrier_code() -> IdentifyingCode {
    IdentifyingCode {
        code_list_provider: "SMDG".into(),
        party_code: "MSK".into(),
        code_list_name: Some("LCL".into()),
    }
}

/// A party named `name` on `platform`.
pub fn party(name: &str, platform: &str) -> Party {
    Party {
        party_name: name.into(),
        ebl_platform: platform.into(),
        identifying_codes: vec![IdentifyingCode {
            code_list_provider: platform.into(),
            party_code: name.to_lowercase(),
            code_list_name: None,
        }],
        tax_legal_references: None,
        represented_party: None,
    }
}

/// The carrier as a party on EBLA.
pub fn carrier() -> Party {
    Party {
        identifying_codes: vec![carrier_code()],
        ..party("Carrier", "EBLA")
    }
}

/// A transaction `code` from `actor` to `recipient`.
pub fn tx(code: &str, actor: &Party, recipient: Option<&Party>) -> Transaction {
    Transaction {
        action_code: code.into(),
        actor: actor.clone(),
        recipient: recipient.cloned(),
        action_date_time: "2026-12-05T10:00:00.000Z".into(),
        reason_code: None,
        comments: None,
        audit_reference: None,
    }
}

/// A transport document (the DCSA PINT sample's).
pub fn document() -> Value {
    sample()["transportDocument"].clone()
}

/// The DCSA PINT sample envelope, as JSON.
pub fn sample() -> Value {
    serde_json::from_str(include_str!(
        "../../assets/dcsa/samples/dcsa-pint-3.0.0__post-envelopes__request__regularSTDExample.json"
    ))
    .unwrap()
}

/// The document's checksum.
pub fn document_checksum() -> Hash32 {
    docid::document_id(&document()).unwrap()
}

/// The carrier's issuance manifest of [`document`].
pub fn issuance_manifest() -> String {
    crate::dcsa::manifest::sign(
        &json!({"documentChecksum": document_checksum().to_hex(), "issueToChecksum": "11".repeat(32)}),
        &carrier_key(),
    )
}

/// The usual transactions on EBLA: ISSUE to the shipper, then a TRANSFER to a bank on EBLB.
pub fn usual_transactions() -> Vec<Transaction> {
    let shipper = party("Shipper", "EBLA");
    vec![
        tx("ISSUE", &carrier(), Some(&shipper)),
        tx("TRANSFER", &shipper, Some(&party("Bank", "EBLB"))),
    ]
}

/// A one-entry chain signed by EBLA with `transactions`.
pub fn chain_of(transactions: Vec<Transaction>) -> Vec<String> {
    vec![send::chain_entry(
        "EBLA",
        &platform_key("EBLA"),
        &document_checksum(),
        None,
        Some(issuance_manifest()),
        transactions,
    )]
}

/// The envelope EBLA sends with `chain`.
pub fn envelope_with(chain: Vec<String>) -> EblEnvelope {
    send::envelope(document(), chain, None, Vec::new(), &platform_key("EBLA")).unwrap()
}

/// The usual envelope: issued on EBLA, transferred to a bank on EBLB.
pub fn envelope() -> EblEnvelope {
    envelope_with(chain_of(usual_transactions()))
}

/// The carrier's keys, whoever the ISSUE names.
pub fn carrier_keys(_: &Transaction) -> Vec<TrustedKey> {
    vec![carrier_trusted()]
}

/// `envelope` checked at EBLB, which trusts EBLA and the carrier.
pub fn at_eblb(envelope: &EblEnvelope) -> Result<CheckedEnvelope, Refusal> {
    check_envelope(envelope, &trust("EBLB", &["EBLA"]), &carrier_keys)
}

/// Why EBLB refuses `envelope`.
pub fn refused(envelope: &EblEnvelope) -> Refusal {
    at_eblb(envelope).unwrap_err()
}

/// EBLB refuses `envelope` with `code` and a reason containing `reason`.
pub fn assert_refused(envelope: &EblEnvelope, code: ResponseCode, reason: &str) {
    let refusal = refused(envelope);
    assert_eq!(refusal.code, code, "{refusal}");
    assert!(refusal.reason.contains(reason), "{refusal}");
}

/// An entry of EBLA's with everything chosen by the test.
pub fn entry_of(previous: Option<&str>, manifest: Option<String>, txs: Vec<Transaction>) -> String {
    send::chain_entry(
        "EBLA",
        &platform_key("EBLA"),
        &document_checksum(),
        previous,
        manifest,
        txs,
    )
}
