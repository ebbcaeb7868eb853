//! Double-vote evidence in blocks: recorded in state when valid, left out by the proposer and
//! refused by verifiers when invalid or already recorded (R135–R139).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ebl_ledger::block::Block;
use ebl_ledger::crypto::{PublicKey, Signature};
use ebl_ledger::evidence::{EvidenceRecord, MAX_EVIDENCE_AGE};
use ebl_ledger::execute::BlockError;
use ebl_ledger::finality::{DoubleVote, SignedVote, VoteData, VoteKind};
use ebl_ledger::hash::Hash32;
use ebl_ledger::state::keys;
use ebl_ledger::testkit::{TestNetwork, key_from_label};
use ed25519_dalek::{Signer, SigningKey};

fn signed(net: &TestNetwork, key: &SigningKey, height: u64, block: Option<Hash32>) -> SignedVote {
    let vote = VoteData {
        kind: VoteKind::Precommit,
        height,
        round: 0,
        block,
        validator: PublicKey::from(key.verifying_key()),
    };
    let chain = net.ledger.chain().genesis_hash;
    SignedVote {
        signature: Signature(key.sign(&vote.signing_bytes(&chain)).to_bytes()),
        vote,
    }
}

/// Validator `v` precommitting two different blocks at `height`.
fn double_vote(net: &TestNetwork, v: usize, height: u64) -> DoubleVote {
    let key = net.validator_keys[v].clone();
    DoubleVote {
        first: signed(net, &key, height, Some(Hash32([1; 32]))),
        second: signed(net, &key, height, Some(Hash32([2; 32]))),
    }
}

/// A pilot network with three empty blocks committed.
fn network() -> TestNetwork {
    let mut net = TestNetwork::pilot();
    for _ in 0..3 {
        net.commit(vec![]);
    }
    net
}

/// Executes the next block with `evidence` (what a proposer does).
fn propose(net: &mut TestNetwork, evidence: Vec<DoubleVote>) -> Block {
    net.advance(1000);
    let proposer = PublicKey::from(net.validator_keys[0].verifying_key());
    let executed = net
        .ledger
        .execute_with_evidence(net.time(), proposer, vec![], evidence, None)
        .unwrap();
    executed.block
}

/// Commits a proposed block after verifying it.
fn commit(net: &mut TestNetwork, block: Block) {
    let executed = net.ledger.verify(block).unwrap();
    net.ledger.commit(executed, vec![]).unwrap();
}

fn record(net: &TestNetwork, v: usize, height: u64) -> Option<EvidenceRecord> {
    let key = PublicKey::from(net.validator_keys[v].verifying_key());
    net.ledger.get(&keys::evidence(&key, height)).unwrap()
}

fn refusal(net: &TestNetwork, mut block: Block, evidence: Vec<DoubleVote>) -> &'static str {
    block.evidence = evidence;
    match net.ledger.verify(block) {
        Err(BlockError::Evidence(e)) => e.code(),
        other => panic!("expected an evidence refusal, got {other:?}"),
    }
}

#[test]
fn a_valid_double_vote_is_recorded_in_state() {
    let mut net = network();
    let evidence = double_vote(&net, 3, 2);
    let block = propose(&mut net, vec![evidence.clone()]);
    assert_eq!(block.evidence, vec![evidence.clone()]);
    let height = block.header.height;
    commit(&mut net, block);
    let rec = record(&net, 3, 2).expect("evidence recorded");
    assert_eq!(rec.recorded_at, height);
    assert_eq!(rec.evidence, evidence);
    assert_eq!(record(&net, 2, 2), None);
}

#[test]
fn a_block_with_evidence_verifies_on_another_ledger() {
    let mut a = network();
    let mut b = network();
    let evidence = double_vote(&a, 1, 3);
    let block = propose(&mut a, vec![evidence]);
    commit(&mut a, block.clone());
    commit(&mut b, block);
    assert_eq!(a.state_root(), b.state_root());
    assert!(record(&b, 1, 3).is_some());
}

#[test]
fn votes_that_do_not_conflict_are_left_out_and_refused() {
    let mut net = network();
    let key = net.validator_keys[2].clone();
    let same = DoubleVote {
        first: signed(&net, &key, 2, Some(Hash32([1; 32]))),
        second: signed(&net, &key, 2, Some(Hash32([1; 32]))),
    };
    let block = propose(&mut net, vec![same.clone()]);
    assert!(
        block.evidence.is_empty(),
        "the proposer keeps only valid evidence"
    );
    assert_eq!(refusal(&net, block, vec![same]), "INVALID_EVIDENCE");
}

#[test]
fn evidence_against_a_non_validator_is_refused() {
    let mut net = network();
    let outsider = key_from_label("not-a-validator");
    let forged = DoubleVote {
        first: signed(&net, &outsider, 2, Some(Hash32([1; 32]))),
        second: signed(&net, &outsider, 2, None),
    };
    let block = propose(&mut net, vec![forged.clone()]);
    assert!(block.evidence.is_empty());
    assert_eq!(refusal(&net, block, vec![forged]), "INVALID_EVIDENCE");
}

#[test]
fn evidence_with_a_forged_signature_is_refused() {
    let mut net = network();
    let mut forged = double_vote(&net, 1, 2);
    forged.second.signature = forged.first.signature;
    let block = propose(&mut net, vec![]);
    assert_eq!(refusal(&net, block, vec![forged]), "INVALID_EVIDENCE");
}

#[test]
fn evidence_from_the_future_or_too_old_is_refused() {
    let mut net = network();
    let block = propose(&mut net, vec![]);
    let next = block.header.height;
    let future = double_vote(&net, 1, next);
    assert_eq!(refusal(&net, block, vec![future]), "INVALID_EVIDENCE");
    assert!(
        next <= MAX_EVIDENCE_AGE,
        "a young chain has no evidence too old"
    );
}

#[test]
fn evidence_of_an_already_recorded_offence_is_dropped_and_refused() {
    let mut net = network();
    let evidence = double_vote(&net, 3, 2);
    // Twice in one proposal: included once.
    let block = propose(&mut net, vec![evidence.clone(), evidence.clone()]);
    assert_eq!(block.evidence.len(), 1);
    assert_eq!(
        refusal(
            &net,
            block.clone(),
            vec![evidence.clone(), evidence.clone()]
        ),
        "DUPLICATE_EVIDENCE"
    );
    commit(&mut net, block);
    // Already recorded: a proposer drops it, a verifier refuses it.
    let again = propose(&mut net, vec![evidence.clone()]);
    assert!(again.evidence.is_empty());
    assert_eq!(refusal(&net, again, vec![evidence]), "DUPLICATE_EVIDENCE");
}
