//! Replays the fuzz corpora and found crashes of the ledger's fuzz targets (ADR 0039) through
//! the same checks the cargo-fuzz targets run (`ebl_ledger::fuzz_checks`), so the plain test
//! suite covers them without cargo-fuzz.
//!
//! `EBL_WRITE_FUZZ_SEEDS=1 cargo nextest run -p ebl-ledger --test fuzz_corpus` (re)writes the
//! seeds generated from the testkit (`seed-*` files); `cargo fuzz cmin` then keeps the corpus
//! small.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ebl_ledger::block::{Block, BlockHeader};
use ebl_ledger::codec;
use ebl_ledger::crypto::{PublicKey, Signature};
use ebl_ledger::entry::SignedEntry;
use ebl_ledger::finality::{
    CommitCertificate, CommitSignature, DoubleVote, SignedVote, VoteData, VoteKind,
};
use ebl_ledger::fuzz_checks::{self, FUZZ_CHAIN, fuzz_validator_key};
use ebl_ledger::hash::Hash32;
use ebl_ledger::identity::x509;
use ebl_ledger::snapshot::ledger_certificate;
use ebl_ledger::state_sync::{ChunkInfo, SyncVerifier, decode_manifest};
use ebl_ledger::testkit::TestNetwork;
use ebl_ledger::testkit::fuzz_corpus::{fuzz_dir, keep_seed, replay};
use ebl_ledger::time::Timestamp;
use ed25519_dalek::Signer;

#[test]
fn signed_entry_corpus_replays() {
    assert!(replay("signed_entry", fuzz_checks::signed_entry) > 0);
}

#[test]
fn block_corpus_replays() {
    assert!(replay("block", fuzz_checks::block) > 0);
}

#[test]
fn finality_corpus_replays() {
    assert!(replay("finality", fuzz_checks::finality) > 0);
}

#[test]
fn x509_corpus_replays() {
    assert!(replay("x509", fuzz_checks::x509) > 0);
}

#[test]
fn canonical_json_corpus_replays() {
    assert!(replay("canonical_json", fuzz_checks::canonical_json) > 0);
}

#[test]
fn docfacts_corpus_replays() {
    assert!(replay("docfacts", fuzz_checks::docfacts) > 0);
}

#[test]
fn state_sync_manifest_corpus_replays() {
    assert!(replay("state_sync_manifest", fuzz_checks::state_sync_manifest) > 0);
}

#[test]
fn state_sync_chunk_corpus_replays() {
    assert!(replay("state_sync_chunk", fuzz_checks::state_sync_chunk) > 0);
}

/// The committed state-sync seeds still verify in full against the fixture snapshot: the
/// fixture is deterministic, so fuzzing starts from inputs that pass every check (R452–R456).
#[test]
fn committed_state_sync_seeds_verify_against_the_fixture() {
    let fixture = fuzz_checks::sync_fixture();
    let corpus = fuzz_dir().join("corpus");
    let manifest = std::fs::read(corpus.join("state_sync_manifest/seed-pilot")).unwrap();
    let manifest = decode_manifest(&manifest).unwrap();
    let mut verifier = SyncVerifier::new(&fixture.genesis, manifest, ledger_certificate).unwrap();
    for chunk in &fixture.chunks {
        verifier.accept_chunk(chunk).unwrap();
    }
    verifier.finish().unwrap();
    let whole = std::fs::read(corpus.join("state_sync_chunk/seed-whole")).unwrap();
    assert_eq!(whole, fixture.whole());
}

/// A chunk whose bytes are altered, and a manifest that names another height, are refused
/// with typed errors by the same checks (the checks run the verifier, not only the decoder).
#[test]
fn altered_state_sync_inputs_are_refused_with_typed_errors() {
    let fixture = fuzz_checks::sync_fixture();
    let mut whole = fixture.whole();
    let last = whole.len() - 1;
    whole[last] ^= 1;
    let mut manifest = fixture.manifest.clone();
    manifest.chunks = vec![ChunkInfo {
        sha256: Hash32::sha256(&whole),
        len: u32::try_from(whole.len()).unwrap(),
    }];
    let mut verifier = SyncVerifier::new(&fixture.genesis, manifest, ledger_certificate).unwrap();
    let refused = verifier
        .accept_chunk(&whole)
        .and_then(|()| verifier.finish().map(|_| ()));
    assert!(refused.is_err());
    fuzz_checks::state_sync_chunk(&whole);
    let mut manifest = serde_json::to_value(&fixture.manifest).unwrap();
    manifest["height"] = serde_json::json!(fixture.manifest.height + 1);
    let bytes = serde_json::to_vec(&manifest).unwrap();
    assert_eq!(
        decode_manifest(&bytes).unwrap_err().code(),
        "SYNC_BAD_MANIFEST"
    );
    fuzz_checks::state_sync_manifest(&bytes);
}

/// The checks accept what they should: real entries, blocks, finality material and
/// certificates decode and pass their round trips (so the checks are not vacuous).
#[test]
fn generated_seeds_pass_their_checks() {
    for (target, name, bytes) in seeds() {
        let check = match target {
            "signed_entry" => fuzz_checks::signed_entry,
            "block" => fuzz_checks::block,
            "finality" => fuzz_checks::finality,
            "state_sync_manifest" => fuzz_checks::state_sync_manifest,
            "state_sync_chunk" => fuzz_checks::state_sync_chunk,
            _ => fuzz_checks::x509,
        };
        check(&bytes);
        keep_seed(target, &name, &bytes);
    }
}

#[test]
fn seeds_decode_to_what_the_targets_check() {
    for (target, name, bytes) in seeds() {
        let decodes = match target {
            "signed_entry" => SignedEntry::decode(&bytes).is_ok(),
            "block" => Block::decode(&bytes).is_ok(),
            "finality" => {
                codec::decode::<CommitCertificate>(&bytes, usize::MAX).is_ok()
                    || codec::decode::<SignedVote>(&bytes, usize::MAX).is_ok()
                    || codec::decode::<DoubleVote>(&bytes, usize::MAX).is_ok()
                    || codec::decode::<BlockHeader>(&bytes, usize::MAX).is_ok()
            }
            "state_sync_manifest" => decode_manifest(&bytes).is_ok(),
            "state_sync_chunk" => {
                let fixture = fuzz_checks::sync_fixture();
                let mut manifest = fixture.manifest.clone();
                manifest.chunks = vec![ChunkInfo {
                    sha256: Hash32::sha256(&bytes),
                    len: u32::try_from(bytes.len()).unwrap(),
                }];
                SyncVerifier::new(&fixture.genesis, manifest, ledger_certificate)
                    .and_then(|mut v| v.accept_chunk(&bytes))
                    .is_ok()
            }
            _ => {
                let (time, rest) = bytes.split_at(8);
                let (root, org) =
                    rest[2..].split_at(usize::from(u16::from_be_bytes([rest[0], rest[1]])));
                let time = Timestamp(u64::from_be_bytes(time.try_into().unwrap()));
                let roots = vec![x509::parse_root(root).unwrap()];
                x509::parse_organisation(org, &roots, time).is_ok()
            }
        };
        assert!(decodes, "seed {target}/{name} decodes");
    }
}

fn vote(i: u8, kind: VoteKind, block: Option<Hash32>) -> SignedVote {
    let vote = VoteData {
        kind,
        height: 5,
        round: 1,
        block,
        validator: PublicKey(fuzz_validator_key(i).verifying_key().to_bytes()),
    };
    let signature = fuzz_validator_key(i).sign(&vote.signing_bytes(&FUZZ_CHAIN));
    SignedVote {
        signature: Signature(signature.to_bytes()),
        vote,
    }
}

/// Seeds from the testkit: (target, name, bytes).
fn seeds() -> Vec<(&'static str, String, Vec<u8>)> {
    let mut net = TestNetwork::pilot();
    let mut seeds = Vec::new();
    let entries = net.receipts(3, &["CARRIER", "BANK", "SHIPPER"]);
    for (i, entry) in entries.iter().enumerate() {
        seeds.push(("signed_entry", format!("receipt-{i}"), entry.encode()));
    }
    net.commit(entries.clone());
    let double = DoubleVote {
        first: vote(1, VoteKind::Precommit, Some(Hash32([1; 32]))),
        second: vote(1, VoteKind::Precommit, None),
    };
    let header = net.ledger.head().clone();
    let block = Block {
        header: header.clone(),
        entries,
        evidence: vec![double.clone()],
    };
    seeds.push(("block", "pilot".into(), codec::encode(&block)));
    let mut certificate = CommitCertificate {
        height: header.height,
        round: 0,
        block: header.hash(),
        signatures: Vec::new(),
    };
    for i in 0..3u8 {
        let validator = PublicKey(fuzz_validator_key(i).verifying_key().to_bytes());
        let precommit = certificate.precommit(validator);
        let signature = fuzz_validator_key(i).sign(&precommit.signing_bytes(&FUZZ_CHAIN));
        certificate.signatures.push(CommitSignature {
            validator,
            signature: Signature(signature.to_bytes()),
        });
    }
    seeds.push((
        "finality",
        "certificate".into(),
        codec::encode(&certificate),
    ));
    seeds.push(("finality", "double-vote".into(), codec::encode(&double)));
    let prevote = vote(2, VoteKind::Prevote, Some(header.hash()));
    seeds.push(("finality", "prevote".into(), codec::encode(&prevote)));
    seeds.push(("finality", "header".into(), codec::encode(&header)));
    let time = net.time().0.to_be_bytes();
    let root = &net.ca.root_der;
    let len = u16::try_from(root.len()).unwrap().to_be_bytes();
    for id in ["CARRIER", "BANK"] {
        let org = &net.party(id).certificate_der;
        let bytes = [&time[..], &len[..], root, org].concat();
        seeds.push(("x509", id.to_lowercase(), bytes));
    }
    let fixture = fuzz_checks::sync_fixture();
    let manifest = serde_json::to_vec_pretty(&fixture.manifest).unwrap();
    seeds.push(("state_sync_manifest", "pilot".into(), manifest));
    seeds.push(("state_sync_chunk", "whole".into(), fixture.whole()));
    seeds.push((
        "state_sync_chunk",
        "first".into(),
        fixture.chunks[0].clone(),
    ));
    seeds
}
