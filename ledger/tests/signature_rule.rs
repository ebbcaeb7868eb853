//! One signature rule everywhere it decides anything (R3, R171–R175, ADR 0025): the published
//! ed25519 vectors (speccheck, Wycheproof; `tests/fixtures/ed25519/`) and the same shapes made
//! over the ledger's own signed bytes get the same verdict from every ledger entry point.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ebl_ledger::block::Outcome;
use ebl_ledger::crypto::{self, PublicKey, Signature};
use ebl_ledger::entry::SignedEntry;
use ebl_ledger::finality::{CommitCertificate, CommitSignature, DoubleVote, SignedVote};
use ebl_ledger::finality::{VoteData, VoteKind};
use ebl_ledger::hash::Hash32;
use ebl_ledger::identity::x509;
use ebl_ledger::signatures::{SignatureVerdicts, VerifiedEntries, verify_entries, verify_entry};
use ebl_ledger::testkit::edge_signatures::{Shape, sign};
use ebl_ledger::testkit::{TestNetwork, Validity, key_from_label};
use serde_json::Value;

/// One published case: key, message, signature bytes and the rule's verdict.
struct Case {
    id: String,
    key: Vec<u8>,
    msg: Vec<u8>,
    sig: Vec<u8>,
    valid: bool,
}

fn cases(file: &str) -> Vec<Case> {
    let path = format!(
        "{}/tests/fixtures/ed25519/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Case {
            id: c["id"].as_str().unwrap().to_string(),
            key: hex::decode(c["key"].as_str().unwrap()).unwrap(),
            msg: hex::decode(c["msg"].as_str().unwrap()).unwrap(),
            sig: hex::decode(c["sig"].as_str().unwrap()).unwrap(),
            valid: c["zip215"].as_bool().unwrap(),
        })
        .collect()
}

fn all_cases() -> Vec<Case> {
    let mut all = cases("speccheck.json");
    all.extend(cases("wycheproof.json"));
    all
}

/// The triple of a case, or `None` when its bytes cannot even be a key and a signature (a
/// truncated or padded signature): no entry point can be handed those.
fn triple(case: &Case) -> Option<(PublicKey, Signature)> {
    Some((
        PublicKey(case.key.clone().try_into().ok()?),
        Signature(case.sig.clone().try_into().ok()?),
    ))
}

/// Eight honest triples to mix a case into.
fn honest(n: usize) -> Vec<(PublicKey, Vec<u8>, Signature)> {
    (0..n)
        .map(|i| {
            let key = key_from_label(&format!("vector-batch:{i}"));
            let msg = format!("honest {i}").into_bytes();
            (
                PublicKey::from(key.verifying_key()),
                msg.clone(),
                sign(&key, &msg, Shape::Honest),
            )
        })
        .collect()
}

#[test]
fn the_published_vectors_have_the_verdicts_written_in_the_fixtures() {
    let all = all_cases();
    assert_eq!(all.len(), 12 + 151);
    for case in &all {
        let Some((key, sig)) = triple(case) else {
            assert!(
                !case.valid,
                "{}: unrepresentable but expected valid",
                case.id
            );
            // A signature of another length does not even parse from its JSON form.
            let hex = Value::String(hex::encode(&case.sig));
            assert!(
                serde_json::from_value::<Signature>(hex).is_err(),
                "{}",
                case.id
            );
            continue;
        };
        assert_eq!(
            key.verify(&case.msg, &sig).is_ok(),
            case.valid,
            "{}",
            case.id
        );
    }
}

#[test]
fn every_raw_entry_point_gives_each_vector_the_same_verdict() {
    for case in all_cases() {
        let Some((key, sig)) = triple(&case) else {
            continue;
        };
        let rule = key.verify(&case.msg, &sig).is_ok();
        let decoded = key
            .decode()
            .is_ok_and(|k| k.verify(&case.msg, &sig).is_ok());
        assert_eq!(decoded, rule, "{}: decoded key", case.id);
        let each = crypto::verify_each(&[(key, case.msg.as_slice(), sig)]);
        assert_eq!(each[0].is_ok(), rule, "{}: verify_each", case.id);
        // In a batch among honest signatures: the same verdict for it, and the others stay good.
        let honest = honest(8);
        let mut items: Vec<(PublicKey, &[u8], Signature)> = honest
            .iter()
            .map(|(k, m, s)| (*k, m.as_slice(), *s))
            .collect();
        items.insert(3, (key, case.msg.as_slice(), sig));
        let batch = crypto::verify_batch(&items);
        assert_eq!(batch[3].is_ok(), rule, "{}: verify_batch", case.id);
        assert!(batch.iter().enumerate().all(|(i, r)| i == 3 || r.is_ok()));
        assert_eq!(crypto::batch_verifies(&items), rule, "{}: batch", case.id);
    }
}

#[test]
fn all_vectors_in_one_batch_get_exactly_the_single_verdicts() {
    let all = all_cases();
    let items: Vec<(PublicKey, &[u8], Signature)> = all
        .iter()
        .filter_map(|c| triple(c).map(|(k, s)| (k, c.msg.as_slice(), s)))
        .collect();
    assert_eq!(crypto::verify_batch(&items), crypto::verify_each(&items));
    let valid: Vec<_> = items
        .iter()
        .copied()
        .filter(|(k, m, s)| k.verify(m, s).is_ok())
        .collect();
    // Every accepted vector together, small-order keys and R included, pass one equation.
    assert!(crypto::batch_verifies(&valid));
}

/// One receipt entry by BANK, signed in `shape`, at BANK's next sequence.
fn shaped_entry(net: &mut TestNetwork, shape: Shape) -> SignedEntry {
    let key = net.party("BANK").key.clone();
    let mut entry = net.receipts(1, &["BANK"]).remove(0);
    entry = entry
        .clone()
        .with_signature(sign(&key, entry.signing_payload(), shape));
    entry
}

#[test]
fn every_entry_entry_point_gives_each_shape_the_same_verdict() {
    let mut net = TestNetwork::pilot();
    let chain = net.ledger.chain().clone();
    for shape in Shape::ALL {
        let valid = shape.valid_under_the_rule();
        let entry = shaped_entry(&mut net, shape);
        assert_eq!(entry.check_stateless(&chain).is_ok(), valid, "{shape:?}");
        assert_eq!(verify_entry(&entry).is_some(), valid, "{shape:?}");
        assert_eq!(VerifiedEntries::new(4).verify(&entry), valid, "{shape:?}");
        // In a block of honest entries, alone and over several threads.
        let mut block = net.receipts(80, &["SGSW", "MSA"]);
        block.insert(40, entry.clone());
        let one = SignatureVerdicts::compute(&block, 1);
        let four = SignatureVerdicts::compute(&block, 4);
        let batch: Vec<bool> = verify_entries(&block).iter().map(Option::is_some).collect();
        assert_eq!(batch[40], valid, "{shape:?}");
        assert!(batch.iter().enumerate().all(|(i, v)| i == 40 || *v));
        let mut known = VerifiedEntries::new(1_000);
        for e in block.iter().take(20) {
            assert!(known.verify(e));
        }
        let mixed = SignatureVerdicts::compute_known(&block, 2, &known);
        for verdicts in [one, four, mixed] {
            // The verdicts are bound to the block; execution with them matches execution alone.
            let with = net
                .ledger
                .execute_with_evidence(
                    net.time(),
                    proposer(&net),
                    block.clone(),
                    vec![],
                    Some(&verdicts),
                )
                .unwrap();
            let alone = net
                .ledger
                .execute(net.time(), proposer(&net), block.clone())
                .unwrap();
            assert_eq!(with.block.header, alone.block.header, "{shape:?}");
            let bad = matches!(&alone.results[40].outcome,
                Outcome::Failed { code, .. } if code == "BAD_SIGNATURE");
            assert_eq!(!bad, valid, "{shape:?}: {:?}", alone.results[40]);
        }
        net.resync_sequence(&net.party("SGSW").key.clone());
        net.resync_sequence(&net.party("MSA").key.clone());
    }
}

#[test]
fn an_entry_in_each_valid_shape_applies_and_in_each_invalid_shape_changes_nothing() {
    let mut net = TestNetwork::pilot();
    let bank = PublicKey::from(net.party("BANK").key.verifying_key());
    for shape in Shape::ALL {
        let before = net.ledger.next_sequence(&bank).unwrap();
        let entry = shaped_entry(&mut net, shape);
        let outcome = net.commit(vec![entry]);
        net.resync_sequence(&net.party("BANK").key.clone());
        let after = net.ledger.next_sequence(&bank).unwrap();
        let bad = matches!(&outcome[0], Outcome::Failed { code, .. } if code == "BAD_SIGNATURE");
        assert_eq!(!bad, shape.valid_under_the_rule(), "{shape:?}: {outcome:?}");
        // R9: a bad signature consumes nothing; a good one consumes the sequence.
        assert_eq!(after, before + u64::from(!bad), "{shape:?}");
    }
}

fn proposer(net: &TestNetwork) -> PublicKey {
    PublicKey::from(net.validator_keys[0].verifying_key())
}

fn vote(net: &TestNetwork, validator: usize, block: Option<Hash32>, shape: Shape) -> SignedVote {
    let key = &net.validator_keys[validator];
    let data = VoteData {
        kind: VoteKind::Precommit,
        height: 7,
        round: 0,
        block,
        validator: PublicKey::from(key.verifying_key()),
    };
    let chain = net.ledger.chain().genesis_hash;
    let signature = sign(key, &data.signing_bytes(&chain), shape);
    SignedVote {
        vote: data,
        signature,
    }
}

#[test]
fn votes_certificates_and_evidence_give_each_shape_the_same_verdict() {
    let net = TestNetwork::pilot();
    let chain = net.ledger.chain().genesis_hash;
    let validators: Vec<ebl_ledger::identity::Validator> = net.genesis.validators.clone();
    let block = Hash32::sha256(b"block at 7");
    for shape in Shape::ALL {
        let valid = shape.valid_under_the_rule();
        let signed = vote(&net, 0, Some(block), shape);
        assert_eq!(signed.verify(&chain).is_ok(), valid, "{shape:?}: vote");
        // A certificate whose first precommit has this shape, the rest honest.
        let signatures = (0..3)
            .map(|i| {
                let v = vote(
                    &net,
                    i,
                    Some(block),
                    if i == 0 { shape } else { Shape::Honest },
                );
                CommitSignature {
                    validator: v.vote.validator,
                    signature: v.signature,
                }
            })
            .collect();
        let certificate = CommitCertificate {
            height: 7,
            round: 0,
            block,
            signatures,
        };
        assert_eq!(
            certificate.verify(&chain, &validators).is_ok(),
            valid,
            "{shape:?}: certificate"
        );
        // Double-vote evidence of validator 0, one of its votes in this shape.
        let evidence = DoubleVote {
            first: vote(&net, 0, Some(block), shape),
            second: vote(&net, 0, None, Shape::Honest),
        };
        assert_eq!(
            evidence.verify(&chain, &validators).is_ok(),
            valid,
            "{shape:?}: evidence"
        );
    }
}

#[test]
fn an_admission_certificate_signed_by_the_root_in_each_shape_gets_the_rule_s_verdict() {
    let net = TestNetwork::pilot();
    let root_key = key_from_label("root-ca:Pilot Root CA");
    let roots = vec![x509::parse_root(&net.ca.root_der).unwrap()];
    assert_eq!(roots[0].key, PublicKey::from(root_key.verifying_key()));
    let member = key_from_label("vector-member");
    let der = net.ca.issue(
        "NEWBANK",
        "New Bank Ltd",
        "SG",
        &[ebl_ledger::identity::Role::Bank],
        &member,
        Validity {
            not_before: (2024, 1, 1),
            not_after: (2039, 1, 1),
        },
    );
    let parsed = x509_parser::parse_x509_certificate(&der).unwrap().1;
    let tbs = parsed.tbs_certificate.as_ref().to_vec();
    // The signature is the last 64 bytes of the DER (a BIT STRING of fixed length at the end).
    assert_eq!(&der[der.len() - 64..], parsed.signature_value.data.as_ref());
    for shape in Shape::ALL {
        let mut reshaped = der.clone();
        let at = reshaped.len() - 64;
        reshaped[at..].copy_from_slice(&sign(&root_key, &tbs, shape).0);
        let verdict = x509::parse_organisation(&reshaped, &roots, net.time());
        assert_eq!(
            verdict.is_ok(),
            shape.valid_under_the_rule(),
            "{shape:?}: {verdict:?}"
        );
    }
}
