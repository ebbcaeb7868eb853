//! R300–R316: an envelope EBLA builds with `send` verifies at EBLB; each cause of BSIG and
//! BENV refuses it; the DCSA sample decodes and is refused with BSIG.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::json;

use super::*;
use crate::pint::fixtures::*;
use crate::pint::jws::PlatformSigningKey;
use crate::pint::send;

#[test]
fn an_envelope_built_by_ebla_verifies_at_eblb() {
    let envelope = envelope();
    let checked = at_eblb(&envelope).unwrap();
    assert_eq!(checked.document_checksum, document_checksum());
    assert_eq!(checked.reference, "62CD536BA8D34C469AFD");
    assert_eq!(checked.transport_document, document());
    assert_eq!(checked.sending_platform, "EBLA");
    assert_eq!(checked.last_transaction.action_code, "TRANSFER");
    assert_eq!(checked.recipient, party("Bank", "EBLB"));
    assert_eq!(checked.sender, party("Shipper", "EBLA"));
    assert_eq!(checked.issue.action_code, "ISSUE");
    assert_eq!(
        checked.issuance_manifest.document_checksum,
        document_checksum().to_hex()
    );
    assert_eq!(checked.chain, envelope.envelope_transfer_chain);
    assert_eq!(
        checked.last_checksum,
        jws::checksum(&envelope.envelope_transfer_chain[0])
    );
    assert_eq!(checked.chain_checksums, vec![checked.last_checksum]);
    assert_eq!(checked.entries.len(), 1);
    assert!(checked.required_documents.is_empty());
}

#[test]
fn a_chain_of_two_platforms_back_to_this_one_verifies_with_its_own_earlier_entry() {
    // EBLB issued it, sent it to EBLA, and EBLA sends it back: EBLB's own key checks entry 0.
    let shipper = party("Shipper", "EBLB");
    let first = send::chain_entry(
        "EBLB",
        &platform_key("EBLB"),
        &document_checksum(),
        None,
        Some(issuance_manifest()),
        vec![
            tx("ISSUE", &carrier(), Some(&shipper)),
            tx("TRANSFER", &shipper, Some(&party("Agent", "EBLA"))),
        ],
    );
    let agent = party("Agent", "EBLA");
    let second = entry_of(
        Some(&first),
        None,
        vec![tx("TRANSFER", &agent, Some(&party("Bank", "EBLB")))],
    );
    let checked = at_eblb(&envelope_with(vec![first.clone(), second.clone()])).unwrap();
    assert_eq!(
        checked.chain_checksums,
        vec![jws::checksum(&first), jws::checksum(&second)]
    );
    assert_eq!(checked.sender, agent);
}

#[test]
fn a_forged_chain_entry_signature_is_bsig() {
    let forger = PlatformSigningKey {
        kid: "EBLA-1".into(),
        ..platform_key("forger")
    };
    let chain = vec![send::chain_entry(
        "EBLA",
        &forger,
        &document_checksum(),
        None,
        Some(issuance_manifest()),
        usual_transactions(),
    )];
    assert_refused(&envelope_with(chain), ResponseCode::BSIG, "chain entry 0");
}

#[test]
fn a_forged_manifest_signature_is_bsig() {
    let forger = PlatformSigningKey {
        kid: "EBLA-1".into(),
        ..platform_key("forger")
    };
    let envelope = send::envelope(
        document(),
        chain_of(usual_transactions()),
        None,
        vec![],
        &forger,
    )
    .unwrap();
    assert_refused(&envelope, ResponseCode::BSIG, "envelope manifest");
}

#[test]
fn an_unknown_sending_platform_is_bsig_unknown_key() {
    let envelope = envelope();
    let refusal = check_envelope(&envelope, &trust("EBLB", &[]), &carrier_keys).unwrap_err();
    assert_eq!(refusal.code, ResponseCode::BSIG);
    assert!(refusal.reason.contains("unknown key"), "{refusal}");
}

#[test]
fn an_issuance_manifest_not_signed_by_the_carrier_is_bsig() {
    let refusal =
        check_envelope(&envelope(), &trust("EBLB", &["EBLA"]), &|_| Vec::new()).unwrap_err();
    assert_eq!(refusal.code, ResponseCode::BSIG);
    assert!(refusal.reason.contains("issuance manifest"), "{refusal}");
}

#[test]
fn a_manifest_naming_another_document_is_benv() {
    let mut envelope = envelope();
    envelope.transport_document["transportDocumentReference"] = json!("OTHER");
    assert_refused(
        &envelope,
        ResponseCode::BENV,
        "does not match the transport document",
    );
}

#[test]
fn a_chain_entry_naming_another_document_is_benv() {
    let other = Hash32::sha256(b"other");
    let chain = vec![send::chain_entry(
        "EBLA",
        &platform_key("EBLA"),
        &other,
        None,
        Some(issuance_manifest()),
        usual_transactions(),
    )];
    assert_refused(
        &envelope_with(chain),
        ResponseCode::BENV,
        "names another transport document",
    );
}

#[test]
fn a_manifest_naming_another_last_entry_is_benv() {
    let mut envelope = envelope();
    let older = entry_of(
        None,
        Some(issuance_manifest()),
        vec![
            usual_transactions()[0].clone(),
            tx(
                "TRANSFER",
                &party("Shipper", "EBLA"),
                Some(&party("Other", "EBLB")),
            ),
        ],
    );
    envelope.envelope_transfer_chain = vec![older];
    assert_refused(
        &envelope,
        ResponseCode::BENV,
        "does not name the last chain entry",
    );
}

#[test]
fn a_reordered_chain_is_benv() {
    let first = entry_of(
        None,
        Some(issuance_manifest()),
        vec![usual_transactions()[0].clone()],
    );
    let shipper = party("Shipper", "EBLA");
    let second = entry_of(Some(&first), None, vec![tx("SIGN", &shipper, None)]);
    let third = entry_of(
        Some(&second),
        None,
        vec![tx("TRANSFER", &shipper, Some(&party("Bank", "EBLB")))],
    );
    assert!(
        at_eblb(&envelope_with(vec![
            first.clone(),
            second.clone(),
            third.clone()
        ]))
        .is_ok()
    );
    assert_refused(
        &envelope_with(vec![second, first.clone(), third.clone()]),
        ResponseCode::BENV,
        "reordered or incomplete chain",
    );
    assert_refused(
        &envelope_with(vec![first, third]),
        ResponseCode::BENV,
        "reordered or incomplete chain",
    );
}

#[test]
fn a_first_entry_naming_a_previous_entry_is_benv() {
    let chain = vec![entry_of(
        Some("x.y.z"),
        Some(issuance_manifest()),
        usual_transactions(),
    )];
    assert_refused(
        &envelope_with(chain),
        ResponseCode::BENV,
        "reordered or incomplete chain",
    );
}

#[test]
fn an_empty_or_oversized_chain_is_benv() {
    assert_refused(
        &envelope_with(chain_of(usual_transactions())).tap(|e| e.envelope_transfer_chain.clear()),
        ResponseCode::BENV,
        "1 to 64 entries",
    );
    let long = vec![chain_of(usual_transactions())[0].clone(); MAX_CHAIN + 1];
    assert_refused(&envelope_with(long), ResponseCode::BENV, "1 to 64 entries");
}

#[test]
fn an_oversized_signed_content_is_benv() {
    let mut envelope = envelope();
    envelope.envelope_manifest_signed_content = "a".repeat(MAX_JWS_LEN + 1);
    assert_refused(&envelope, ResponseCode::BENV, "longer than");
}

#[test]
fn the_dcsa_sample_decodes_and_is_refused_with_bsig() {
    let envelope: EblEnvelope = serde_json::from_value(sample()).unwrap();
    // BOLE unknown here: unknown key.
    let refusal = check_envelope(&envelope, &trust("WAVE", &[]), &carrier_keys).unwrap_err();
    assert_eq!(refusal.code, ResponseCode::BSIG);
    assert!(refusal.reason.contains("unknown key"), "{refusal}");
    // BOLE trusted with an RSA key whose kid the sample names: the placeholder does not verify.
    let mut trust = trust("WAVE", &[]);
    let rsa: jsonwebtoken::jwk::Jwk = serde_json::from_value(json!({
        "kty": "RSA", "kid": "UaEWK6kvfDHO3YOcpPiv3TBObPO96HVaGe4s1aQLAeM",
        "n": serde_json::from_str::<Value>(include_str!("testdata/rsa2048-public.jwk.json")).unwrap()["n"],
        "e": "AQAB"
    })).unwrap();
    let keys = vec![TrustedKey::from_jwk(&rsa).unwrap()];
    trust.platforms.insert(
        "BOLE".into(),
        crate::pint::trust::TrustedPlatform {
            keys,
            envelopes_url: None,
        },
    );
    let refusal = check_envelope(&envelope, &trust, &carrier_keys).unwrap_err();
    assert_eq!(refusal.code, ResponseCode::BSIG);
    assert!(refusal.reason.contains("does not verify"), "{refusal}");
}

#[test]
fn a_refusal_reason_is_at_most_255_characters() {
    let mut txs = usual_transactions();
    txs[1].action_code = "X".repeat(50);
    txs[1].recipient = Some(party(&"n".repeat(70), "EBLC"));
    let refusal = refused(&envelope_with(chain_of(txs)));
    assert!(refusal.reason.chars().count() <= 255);
}

trait Tap: Sized {
    fn tap(self, f: impl FnOnce(&mut Self)) -> Self;
}

impl<T> Tap for T {
    fn tap(mut self, f: impl FnOnce(&mut Self)) -> Self {
        f(&mut self);
        self
    }
}

#[test]
fn any_changed_character_of_a_signed_content_is_refused_without_panic() {
    let original = envelope();
    let alphabet = b"AZaz09-_";
    let targets = [0usize, 1];
    for target in targets {
        let text = if target == 0 {
            original.envelope_manifest_signed_content.clone()
        } else {
            original.envelope_transfer_chain[0].clone()
        };
        for position in (0..text.len()).step_by(5) {
            let mut bytes = text.clone().into_bytes();
            if bytes[position] == b'.' {
                continue;
            }
            let replacement = alphabet
                .iter()
                .copied()
                .find(|c| *c != bytes[position])
                .unwrap();
            bytes[position] = replacement;
            let changed = String::from_utf8(bytes).unwrap();
            let mut envelope = original.clone();
            if target == 0 {
                envelope.envelope_manifest_signed_content = changed;
            } else {
                envelope.envelope_transfer_chain[0] = changed;
            }
            let refusal = at_eblb(&envelope).unwrap_err();
            assert!(
                matches!(refusal.code, ResponseCode::BSIG | ResponseCode::BENV),
                "{refusal}"
            );
        }
    }
}
