//! Commit certificates and double-vote evidence checked offline (R130–R134).
#![allow(clippy::unwrap_used)]

use ebl_ledger::block::BlockHeader;
use ebl_ledger::crypto::{PublicKey, Signature};
use ebl_ledger::entry::ChainRef;
use ebl_ledger::finality::{
    CommitCertificate, CommitSignature, DoubleVote, FinalityError, SignedVote, VoteData, VoteKind,
};
use ebl_ledger::hash::Hash32;
use ebl_ledger::identity::Validator;
use ebl_ledger::ids::OrgId;
use ebl_ledger::time::Timestamp;
use ed25519_dalek::{Signer, SigningKey};

const CHAIN: Hash32 = Hash32([9; 32]);

fn key(i: u8) -> SigningKey {
    SigningKey::from_bytes(&[i + 1; 32])
}

fn public(i: u8) -> PublicKey {
    PublicKey(key(i).verifying_key().to_bytes())
}

fn validators(powers: &[u64]) -> Vec<Validator> {
    (0u8..)
        .zip(powers)
        .map(|(i, power)| Validator {
            key: public(i),
            operator: OrgId::new(format!("ORG{i}")).unwrap(),
            power: *power,
        })
        .collect()
}

fn header(height: u64) -> BlockHeader {
    BlockHeader {
        protocol_version: 1,
        chain: ChainRef {
            chain_id: "finality-test".into(),
            genesis_hash: CHAIN,
        },
        height,
        prev_hash: Hash32([1; 32]),
        time: Timestamp(1_000),
        proposer: public(0),
        entries_hash: Hash32([2; 32]),
        results_hash: Hash32([3; 32]),
        state_root: Hash32([4; 32]),
        evidence_hash: Hash32([5; 32]),
    }
}

fn sign_vote(i: u8, vote: &VoteData) -> Signature {
    Signature(key(i).sign(&vote.signing_bytes(&CHAIN)).to_bytes())
}

/// A certificate for `header` signed by the validators `signers`.
fn certificate(header: &BlockHeader, signers: &[u8]) -> CommitCertificate {
    let mut cert = CommitCertificate {
        height: header.height,
        round: 0,
        block: header.hash(),
        signatures: Vec::new(),
    };
    for &i in signers {
        let signature = sign_vote(i, &cert.precommit(public(i)));
        cert.signatures.push(CommitSignature {
            validator: public(i),
            signature,
        });
    }
    cert
}

#[test]
fn three_of_four_equal_validators_make_a_header_final() {
    let h = header(7);
    let proof = certificate(&h, &[0, 1, 3])
        .verify_header(&CHAIN, &h, &validators(&[1, 1, 1, 1]))
        .unwrap();
    assert_eq!(
        (proof.signed_power, proof.total_power, proof.signers),
        (3, 4, 3)
    );
}

#[test]
fn two_of_four_equal_validators_are_not_enough() {
    let h = header(7);
    let err = certificate(&h, &[0, 1])
        .verify_header(&CHAIN, &h, &validators(&[1, 1, 1, 1]))
        .unwrap_err();
    assert_eq!(
        err,
        FinalityError::InsufficientPower {
            signed: 2,
            total: 4
        }
    );
    assert_eq!(err.code(), "CERT_INSUFFICIENT_POWER");
}

#[test]
fn power_counts_not_heads() {
    let h = header(3);
    // One validator with 7 of 10 power is enough alone; the other three together are not.
    let set = validators(&[7, 1, 1, 1]);
    assert!(
        certificate(&h, &[0])
            .verify_header(&CHAIN, &h, &set)
            .is_ok()
    );
    assert_eq!(
        certificate(&h, &[1, 2, 3]).verify_header(&CHAIN, &h, &set),
        Err(FinalityError::InsufficientPower {
            signed: 3,
            total: 10
        })
    );
}

#[test]
fn exactly_two_thirds_is_not_final() {
    let h = header(3);
    let err = certificate(&h, &[0, 1])
        .verify_header(&CHAIN, &h, &validators(&[1, 1, 1]))
        .unwrap_err();
    assert_eq!(err.code(), "CERT_INSUFFICIENT_POWER");
}

#[test]
fn a_tampered_header_is_not_proven() {
    let h = header(7);
    let cert = certificate(&h, &[0, 1, 2, 3]);
    let mut changed = header(7);
    changed.state_root = Hash32([5; 32]);
    let err = cert
        .verify_header(&CHAIN, &changed, &validators(&[1, 1, 1, 1]))
        .unwrap_err();
    assert_eq!(err.code(), "CERT_WRONG_BLOCK");
    let err = cert
        .verify_header(&CHAIN, &header(8), &validators(&[1, 1, 1, 1]))
        .unwrap_err();
    assert_eq!(err.code(), "CERT_WRONG_HEIGHT");
}

#[test]
fn a_wrong_validator_set_is_refused() {
    let h = header(7);
    let cert = certificate(&h, &[0, 1, 2]);
    // The verifier trusts validators 1..=4: validator 0 is unknown to it.
    let mut set = validators(&[1, 1, 1, 1, 1]);
    set.remove(0);
    let err = cert.verify_header(&CHAIN, &h, &set).unwrap_err();
    assert_eq!(err, FinalityError::UnknownValidator(public(0).to_hex()));
    assert_eq!(
        cert.verify_header(&CHAIN, &h, &[]).unwrap_err(),
        FinalityError::InvalidValidatorSet
    );
}

#[test]
fn a_duplicated_signature_is_refused() {
    let h = header(7);
    let mut cert = certificate(&h, &[0, 1]);
    cert.signatures.push(cert.signatures[0].clone());
    let err = cert
        .verify_header(&CHAIN, &h, &validators(&[1, 1, 1]))
        .unwrap_err();
    assert_eq!(err.code(), "CERT_DUPLICATE_SIGNATURE");
}

#[test]
fn a_forged_or_foreign_chain_signature_is_refused() {
    let h = header(7);
    let mut cert = certificate(&h, &[0, 1, 2]);
    cert.signatures[1].signature.0[5] ^= 1;
    let set = validators(&[1, 1, 1]);
    assert_eq!(
        cert.verify_header(&CHAIN, &h, &set).unwrap_err(),
        FinalityError::BadSignature(public(1).to_hex())
    );
    // Genuine signatures of another network do not count here.
    let cert = certificate(&h, &[0, 1, 2]);
    assert_eq!(
        cert.verify(&Hash32([8; 32]), &set).unwrap_err().code(),
        "CERT_BAD_SIGNATURE"
    );
}

#[test]
fn prevotes_do_not_count_as_precommits() {
    let h = header(7);
    let mut cert = certificate(&h, &[0, 1, 2]);
    let prevote = VoteData {
        kind: VoteKind::Prevote,
        ..cert.precommit(public(2))
    };
    cert.signatures[2].signature = sign_vote(2, &prevote);
    let err = cert
        .verify_header(&CHAIN, &h, &validators(&[1, 1, 1]))
        .unwrap_err();
    assert_eq!(err.code(), "CERT_BAD_SIGNATURE");
}

fn vote(i: u8, kind: VoteKind, round: u32, block: Option<Hash32>) -> SignedVote {
    let vote = VoteData {
        kind,
        height: 5,
        round,
        block,
        validator: public(i),
    };
    SignedVote {
        signature: sign_vote(i, &vote),
        vote,
    }
}

#[test]
fn two_precommits_for_different_blocks_are_evidence() {
    let evidence = DoubleVote {
        first: vote(1, VoteKind::Precommit, 0, Some(Hash32([1; 32]))),
        second: vote(1, VoteKind::Precommit, 0, Some(Hash32([2; 32]))),
    };
    assert_eq!(evidence.verify(&CHAIN, &validators(&[1, 1, 1, 1])), Ok(()));
    assert_eq!((evidence.validator(), evidence.height()), (public(1), 5));
    // A block and nil conflict too.
    let nil = DoubleVote {
        first: vote(1, VoteKind::Prevote, 2, None),
        second: vote(1, VoteKind::Prevote, 2, Some(Hash32([2; 32]))),
    };
    assert_eq!(nil.verify(&CHAIN, &validators(&[1, 1, 1, 1])), Ok(()));
}

#[test]
fn votes_that_do_not_conflict_are_not_evidence() {
    let set = validators(&[1, 1, 1, 1]);
    let b1 = Some(Hash32([1; 32]));
    let b2 = Some(Hash32([2; 32]));
    let cases = [
        (
            vote(1, VoteKind::Precommit, 0, b1),
            vote(1, VoteKind::Precommit, 0, b1),
        ),
        (
            vote(1, VoteKind::Precommit, 0, b1),
            vote(1, VoteKind::Precommit, 1, b2),
        ),
        (
            vote(1, VoteKind::Prevote, 0, b1),
            vote(1, VoteKind::Precommit, 0, b2),
        ),
        (
            vote(1, VoteKind::Precommit, 0, b1),
            vote(2, VoteKind::Precommit, 0, b2),
        ),
    ];
    for (first, second) in cases {
        let err = DoubleVote { first, second }
            .verify(&CHAIN, &set)
            .unwrap_err();
        assert_eq!(err.code(), "EVIDENCE_NOT_CONFLICTING");
    }
}

#[test]
fn evidence_with_a_forged_vote_or_a_stranger_is_refused() {
    let b1 = Some(Hash32([1; 32]));
    let b2 = Some(Hash32([2; 32]));
    let mut forged = DoubleVote {
        first: vote(1, VoteKind::Precommit, 0, b1),
        second: vote(1, VoteKind::Precommit, 0, b2),
    };
    forged.second.signature.0[0] ^= 1;
    assert_eq!(
        forged
            .verify(&CHAIN, &validators(&[1, 1, 1]))
            .unwrap_err()
            .code(),
        "CERT_BAD_SIGNATURE"
    );
    let stranger = DoubleVote {
        first: vote(6, VoteKind::Precommit, 0, b1),
        second: vote(6, VoteKind::Precommit, 0, b2),
    };
    assert_eq!(
        stranger
            .verify(&CHAIN, &validators(&[1, 1, 1]))
            .unwrap_err()
            .code(),
        "CERT_UNKNOWN_VALIDATOR"
    );
}

#[test]
fn vote_signing_bytes_have_the_documented_layout() {
    let vote = VoteData {
        kind: VoteKind::Precommit,
        height: 0x0102,
        round: 3,
        block: Some(Hash32([0xAB; 32])),
        validator: PublicKey([0xCD; 32]),
    };
    let bytes = vote.signing_bytes(&CHAIN);
    let tag = b"EBL/CONSENSUS/VOTE/v1";
    assert_eq!(&bytes[..tag.len()], tag);
    let rest = &bytes[tag.len()..];
    assert_eq!(&rest[..32], &[9; 32]);
    assert_eq!(rest[32], 1);
    assert_eq!(&rest[33..41], &0x0102u64.to_be_bytes());
    assert_eq!(&rest[41..45], &3u32.to_be_bytes());
    assert_eq!(rest[45], 1);
    assert_eq!(&rest[46..78], &[0xAB; 32]);
    assert_eq!(&rest[78..], &[0xCD; 32]);
    let nil = VoteData {
        block: None,
        ..vote
    };
    assert_eq!(nil.signing_bytes(&CHAIN).len(), bytes.len() - 32);
}
