//! R171–R172 (ADR 0025) in the node: consensus signatures, the shared verified-entry memory,
//! the pool's admission (batch and one by one) and document-body proofs give every published
//! vector and every signature shape the verdict of the ledger's one rule.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod mempool_support;

use ebl_ledger::crypto::{PublicKey, Signature};
use ebl_ledger::testkit::TestNetwork;
use ebl_ledger::testkit::edge_signatures::{Shape, sign};
use ebl_node::bodies::protocol::{proof_holds, proof_message};
use ebl_node::consensus::SharedVerified;
use ebl_node::consensus::scheme::ConsensusSignature;
use ebl_node::consensus::signing::verify_bytes;
use ebl_node::mempool::{Admission, MempoolConfig, SignatureCheck};
use malachite_ed25519 as ed;
use mempool_support::{View, pool, signed};
use serde_json::Value;

/// (id, key, message, signature, ZIP-215 verdict) of a published case.
type Vector = (String, [u8; 32], Vec<u8>, [u8; 64], bool);

/// Every published case with 64-byte signatures (the others cannot be handed to any entry point).
fn vectors() -> Vec<Vector> {
    let mut out = Vec::new();
    for file in ["speccheck.json", "wycheproof.json"] {
        let path = format!(
            "{}/../ledger/tests/fixtures/ed25519/{file}",
            env!("CARGO_MANIFEST_DIR")
        );
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        for c in doc["cases"].as_array().unwrap() {
            let key = hex::decode(c["key"].as_str().unwrap()).unwrap();
            let sig = hex::decode(c["sig"].as_str().unwrap()).unwrap();
            let (Ok(key), Ok(sig)) = (key.try_into(), sig.try_into()) else {
                continue;
            };
            out.push((
                c["id"].as_str().unwrap().to_string(),
                key,
                hex::decode(c["msg"].as_str().unwrap()).unwrap(),
                sig,
                c["zip215"].as_bool().unwrap(),
            ));
        }
    }
    out
}

#[test]
fn consensus_signatures_get_the_ledger_rule_s_verdict_on_every_vector() {
    let all = vectors();
    assert!(all.len() > 150);
    for (id, key, msg, sig, valid) in all {
        let rule = PublicKey(key).verify(&msg, &Signature(sig)).is_ok();
        assert_eq!(rule, valid, "{id}: the ledger");
        // Malachite decodes the key when a validator set is built; a key it cannot decode
        // cannot sign a vote at all.
        let Ok(decoded) = ed::PublicKey::from_bytes(key) else {
            assert!(!valid, "{id}: a valid vector with a key Malachite refuses");
            continue;
        };
        let signature = ConsensusSignature(ed::Signature::from_bytes(sig));
        assert_eq!(
            verify_bytes(&decoded, &msg, &signature),
            valid,
            "{id}: ours"
        );
        assert_eq!(
            decoded.verify(&msg, &signature.0).is_ok(),
            valid,
            "{id}: Malachite's own check"
        );
    }
}

#[test]
fn the_shared_memory_and_the_pool_give_each_shape_the_rule_s_verdict() {
    let net = TestNetwork::pilot();
    let key = net.party("BANK").key.clone();
    for check in [SignatureCheck::Batch, SignatureCheck::Each] {
        let config = MempoolConfig {
            signature_check: check,
            ..MempoolConfig::default()
        };
        let mut pool = pool(&net, config);
        // One shaped entry per sequence, among honest entries of other signers.
        let mut batch = Vec::new();
        for (seq, shape) in (0u64..).zip(Shape::ALL) {
            let mut entry = signed(&net, "BANK", seq, seq);
            entry = entry
                .clone()
                .with_signature(sign(&key, entry.signing_payload(), shape));
            batch.push((Some(shape), entry));
            batch.push((None, signed(&net, "SGSW", seq, 100 + seq)));
        }
        let memory = SharedVerified::default();
        let entries: Vec<_> = batch.iter().map(|(_, e)| e.clone()).collect();
        let many = memory.verify_many(&entries);
        let answers = pool.admit(entries.clone(), &View(&net.ledger));
        for (((shape, entry), answer), remembered) in batch.iter().zip(&answers).zip(many) {
            let valid = shape.is_none_or(Shape::valid_under_the_rule);
            assert_eq!(remembered, valid, "{shape:?}: shared memory");
            assert_eq!(SharedVerified::default().verify(entry), valid, "{shape:?}");
            match answer {
                Admission::Rejected { code, .. } => {
                    assert!(!valid, "{shape:?}: {code}");
                    assert_eq!(*code, "BAD_SIGNATURE", "{shape:?}");
                }
                // A valid BANK entry after a refused one waits for its sequence: admitted.
                other => assert!(valid, "{shape:?}: {other:?}"),
            }
        }
        let first_bad = memory.first_bad(&entries);
        let expected = batch
            .iter()
            .position(|(s, _)| s.is_some_and(|s| !s.valid_under_the_rule()));
        assert_eq!(first_bad, expected);
    }
}

#[test]
fn a_body_request_proof_gets_the_rule_s_verdict_in_each_shape() {
    let net = TestNetwork::pilot();
    let chain = net.ledger.chain().clone();
    let key = net.party("BANK").key.clone();
    let party_key = PublicKey::from(key.verifying_key());
    let requester = libp2p::PeerId::random();
    let document = ebl_ledger::hash::Hash32::sha256(b"a bill");
    let party = net.org("BANK");
    let message = proof_message(&chain, &requester, &document, &party);
    for shape in Shape::ALL {
        let signature = sign(&key, &message, shape);
        assert_eq!(
            proof_holds(
                &chain, &requester, &document, &party, &party_key, &signature
            ),
            shape.valid_under_the_rule(),
            "{shape:?}"
        );
    }
}
