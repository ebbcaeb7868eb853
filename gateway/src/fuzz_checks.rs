//! The checks of the gateway's coverage-guided fuzz targets (ADR 0039): what other platforms
//! and clients send as bytes (compact JWS, PINT envelopes, DCSA JSON bodies). The cargo-fuzz
//! crate (`fuzz/`) and `tests/fuzz_corpus.rs` call the same functions, so every corpus file and
//! found crash is replayed by the plain test suite. Every refusal must be a typed error.
#![allow(clippy::panic)]

use ebl_ledger::hash::Hash32;
use serde_json::Value;

use crate::dcsa::{issuance_material, manifest, schema};
use crate::pint::fixtures;
use crate::pint::jws::{self, MAX_JWS_LEN};
use crate::pint::model::{EblEnvelope, ResponseCode};

/// R317–R319, R321: a compact JWS splits back into exactly its text; the gateway's parser
/// accepts whatever the ledger's stricter parser accepts; `alg` and verification under a
/// configured key answer with typed errors.
pub fn jws(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = manifest::payload(text);
    let ledger_parts = ebl_ledger::jws::parts(text);
    let ledger_key =
        ebl_ledger::crypto::PublicKey(fixtures::carrier_key().verifying_key().to_bytes());
    if let Err(e) = ebl_ledger::jws::verify_eddsa(text, &ledger_key) {
        assert!(!e.to_string().is_empty());
    }
    match jws::parse(text, MAX_JWS_LEN) {
        Ok(compact) => {
            assert_eq!(
                format!("{}.{}", compact.signing_input, compact.signature),
                text,
                "a parsed JWS is its parts"
            );
            assert!(compact.header.is_object());
            let _ = compact.payload();
            let _ = jws::header_alg(&compact.header);
        }
        Err(e) => {
            assert!(!e.code().is_empty());
            assert!(
                ledger_parts.is_err(),
                "the ledger accepts a JWS the gateway refuses"
            );
        }
    }
    let keys = [
        fixtures::carrier_trusted(),
        fixtures::platform_key("EBLA").trusted_key(),
    ];
    if let Err(e) = jws::verify(text, &keys, "EBLA") {
        assert!(!e.code().is_empty());
    }
}

/// R300–R315: any JSON body of `POST /v3/envelopes` is checked or refused with BSIG or BENV
/// and a reason of at most 255 characters; an accepted envelope names the checksum of its own
/// transport document.
pub fn pint_envelope(data: &[u8]) {
    let Ok(envelope) = serde_json::from_slice::<EblEnvelope>(data) else {
        return;
    };
    match fixtures::at_eblb(&envelope) {
        Ok(checked) => assert_eq!(
            Some(checked.document_checksum),
            ebl_ledger::docid::document_id(&envelope.transport_document).ok()
        ),
        Err(refusal) => {
            assert!(matches!(
                refusal.code,
                ResponseCode::BSIG | ResponseCode::BENV
            ));
            assert!(refusal.reason.chars().count() <= 255);
        }
    }
}

/// Whether EBLB, as [`pint_envelope`] configures it, accepts the envelope `data` (so a test
/// can show that the seed envelope reaches past every signature check).
pub fn pint_envelope_accepted(data: &[u8]) -> bool {
    serde_json::from_slice::<EblEnvelope>(data).is_ok_and(|e| fixtures::at_eblb(&e).is_ok())
}

/// R224–R225, R320: any JSON body of the DCSA routes is validated against every DCSA schema
/// (at most [`schema::MAX_VIOLATIONS`] violations, each one bounded line), and the issuance
/// manifest and material are read from it without panicking.
pub fn dcsa_json(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    for payload in [
        schema::Payload::IssuanceRequest,
        schema::Payload::IssuanceResponse,
        schema::Payload::SurrenderRequest,
        schema::Payload::SurrenderAnswer,
        schema::Payload::EndorsementChain,
        schema::Payload::ErrorResponse,
    ] {
        let violations = schema::validate(payload, &value)
            .unwrap_or_else(|e| panic!("embedded schema unusable: {e}"));
        assert!(violations.len() <= schema::MAX_VIOLATIONS);
        for v in violations {
            assert!(v.message.chars().count() <= 200 && !v.message.contains('\n'));
            assert!(v.json_path.starts_with('$'));
        }
    }
    let expected = manifest::expected_manifest(&value);
    assert!(expected.is_object());
    let _ = issuance_material::material(&value, Hash32::sha256(data));
}

/// Seeds for the corpora, built as the PINT tests build them: (target, name, bytes). An
/// envelope EBLA sends to EBLB (which [`pint_envelope`] checks at EBLB), its signed chain entry
/// and manifests, and a carrier's signed issuance request.
pub fn seeds() -> Vec<(&'static str, String, Vec<u8>)> {
    let envelope = fixtures::envelope();
    let mut seeds = vec![
        (
            "pint_envelope",
            "ebla-to-eblb".to_owned(),
            serde_json::to_vec_pretty(&envelope).unwrap_or_default(),
        ),
        (
            "jws",
            "envelope-manifest".to_owned(),
            envelope
                .envelope_manifest_signed_content
                .clone()
                .into_bytes(),
        ),
        (
            "jws",
            "issuance-manifest".to_owned(),
            fixtures::issuance_manifest().into_bytes(),
        ),
    ];
    for (i, entry) in envelope.envelope_transfer_chain.iter().enumerate() {
        seeds.push((
            "jws",
            format!("chain-entry-{i}"),
            entry.clone().into_bytes(),
        ));
    }
    let request = manifest::signed_request(
        serde_json::from_str(include_str!(
            "../assets/dcsa/samples/dcsa-ebl-iss-3.0.4__put-ebl-issuance-requests__request__regularSTDExample.json"
        ))
        .unwrap_or_default(),
        &fixtures::carrier_key(),
    );
    seeds.push((
        "dcsa_json",
        "signed-issuance-request".to_owned(),
        serde_json::to_vec_pretty(&request).unwrap_or_default(),
    ));
    seeds
}
