//! Governance proposals and votes: who may vote, thresholds, closing (R90–R97).
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use ebl_ledger::block::Outcome;
use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::Body;
use ebl_ledger::hash::Hash32;
use ebl_ledger::identity::governance::proposal_id;
use ebl_ledger::identity::{
    GovernanceAction, Organisation, Proposal, ProposalRecord, ProposalStatus,
};
use ebl_ledger::ids::OrgId;
use ebl_ledger::state::keys;
use ebl_ledger::testkit::TestNetwork;

mod governance_support;
use governance_support::{propose, propose_entry, record, vote};

/// Revoking BUYER2: a proposal with a visible effect and no side conditions.
fn revoke_buyer2() -> Proposal {
    Proposal::RevokeOrganisation {
        org: OrgId::new("BUYER2").unwrap(),
        reason: "left the consortium".into(),
    }
}

fn buyer2_revoked(net: &TestNetwork) -> bool {
    let org: Organisation = net
        .ledger
        .get(&keys::organisation(&OrgId::new("BUYER2").unwrap()))
        .unwrap()
        .unwrap();
    org.revoked_at_height.is_some()
}

#[test]
fn a_proposal_counts_as_the_proposers_approving_vote() {
    let mut net = TestNetwork::pilot();
    let id = propose(&mut net, 0, revoke_buyer2());
    let r = record(&net, id);
    assert_eq!(r.status, ProposalStatus::Open);
    assert_eq!(r.votes.len(), 1);
    assert!(r.votes[0].approve);
    assert_eq!(
        r.proposer,
        PublicKey::from(net.validator_keys[0].verifying_key())
    );
}

#[test]
fn two_approvals_of_four_do_not_pass_and_three_do() {
    let mut net = TestNetwork::pilot();
    let id = propose(&mut net, 0, revoke_buyer2());
    vote(&mut net, 1, id, true).unwrap();
    assert_eq!(record(&net, id).status, ProposalStatus::Open);
    assert!(!buyer2_revoked(&net));
    vote(&mut net, 2, id, true).unwrap();
    let r = record(&net, id);
    assert_eq!(r.status, ProposalStatus::Executed);
    assert_eq!(r.closed_at_height, Some(net.ledger.head().height));
    assert!(buyer2_revoked(&net));
}

#[test]
fn a_vote_on_an_executed_proposal_is_closed() {
    let mut net = TestNetwork::pilot();
    let id = propose(&mut net, 0, revoke_buyer2());
    vote(&mut net, 1, id, true).unwrap();
    vote(&mut net, 2, id, true).unwrap();
    let before = record(&net, id);
    assert_eq!(
        vote(&mut net, 3, id, true),
        Err("PROPOSAL_CLOSED".to_string())
    );
    assert_eq!(record(&net, id), before);
}

#[test]
fn two_rejections_of_four_reject_the_proposal() {
    let mut net = TestNetwork::pilot();
    let id = propose(&mut net, 0, revoke_buyer2());
    vote(&mut net, 1, id, false).unwrap();
    assert_eq!(record(&net, id).status, ProposalStatus::Open);
    vote(&mut net, 2, id, false).unwrap();
    assert_eq!(record(&net, id).status, ProposalStatus::Rejected);
    assert!(!buyer2_revoked(&net));
    assert_eq!(
        vote(&mut net, 3, id, true),
        Err("PROPOSAL_CLOSED".to_string())
    );
}

#[test]
fn a_proposal_by_a_non_validator_is_rejected() {
    let mut net = TestNetwork::pilot();
    let key = net.party("GDSW").key.clone();
    let body = Body::Governance(GovernanceAction::Propose {
        proposal: revoke_buyer2(),
        expires_at_height: 100,
    });
    let entry = net.sign_with(&key, None, body);
    let id = proposal_id(&entry.id());
    assert_eq!(net.submit_entry(entry), Err("NOT_VALIDATOR".to_string()));
    assert_eq!(
        net.ledger
            .get::<ProposalRecord>(&keys::proposal(&id))
            .unwrap(),
        None
    );
}

#[test]
fn a_vote_by_a_non_validator_is_rejected() {
    let mut net = TestNetwork::pilot();
    let id = propose(&mut net, 0, revoke_buyer2());
    let key = net.party("BANK").key.clone();
    let body = Body::Governance(GovernanceAction::Vote {
        proposal: id,
        approve: true,
    });
    let entry = net.sign_with(&key, None, body);
    assert_eq!(net.submit_entry(entry), Err("NOT_VALIDATOR".to_string()));
    assert_eq!(record(&net, id).votes.len(), 1);
}

#[test]
fn a_governance_entry_acting_for_an_organisation_is_not_authorized() {
    let mut net = TestNetwork::pilot();
    let key = net.validator_keys[0].clone();
    let body = Body::Governance(GovernanceAction::Propose {
        proposal: revoke_buyer2(),
        expires_at_height: 100,
    });
    let entry = net.sign_with(&key, Some("BANK"), body);
    assert_eq!(net.submit_entry(entry), Err("NOT_AUTHORIZED".to_string()));
}

#[test]
fn a_second_vote_by_the_same_validator_is_rejected() {
    let mut net = TestNetwork::pilot();
    let id = propose(&mut net, 0, revoke_buyer2());
    vote(&mut net, 1, id, true).unwrap();
    assert_eq!(
        vote(&mut net, 1, id, false),
        Err("ALREADY_VOTED".to_string())
    );
    assert_eq!(
        vote(&mut net, 0, id, true),
        Err("ALREADY_VOTED".to_string())
    );
    assert_eq!(record(&net, id).votes.len(), 2);
}

#[test]
fn a_vote_on_an_unknown_proposal_is_rejected() {
    let mut net = TestNetwork::pilot();
    assert_eq!(
        vote(&mut net, 1, Hash32::sha256(b"no such proposal"), true),
        Err("UNKNOWN_PROPOSAL".to_string())
    );
}

#[test]
fn votes_are_accepted_up_to_the_last_height_and_closed_after_it() {
    let mut net = TestNetwork::pilot();
    let key = net.validator_keys[0].clone();
    // Proposed at height 1, last voting height 3.
    let body = Body::Governance(GovernanceAction::Propose {
        proposal: revoke_buyer2(),
        expires_at_height: 3,
    });
    let entry = net.sign_with(&key, None, body);
    let id = proposal_id(&entry.id());
    net.submit_entry(entry).unwrap();
    vote(&mut net, 1, id, true).unwrap(); // height 2
    net.commit(vec![]); // height 3
    assert_eq!(record(&net, id).status_at(3), ProposalStatus::Open);
    assert_eq!(
        vote(&mut net, 2, id, true), // height 4
        Err("PROPOSAL_CLOSED".to_string())
    );
    let r = record(&net, id);
    assert_eq!(r.status_at(4), ProposalStatus::Expired);
    assert_eq!(r.votes.len(), 2);
    assert!(!buyer2_revoked(&net));
}

#[test]
fn an_expiry_in_the_past_or_too_far_ahead_is_invalid() {
    let mut net = TestNetwork::pilot();
    let key = net.validator_keys[0].clone();
    for offset in [-1i64, 0, 100_001] {
        let next_height = net.ledger.head().height + 1;
        let expires_at_height = next_height.checked_add_signed(offset).unwrap();
        let body = Body::Governance(GovernanceAction::Propose {
            proposal: revoke_buyer2(),
            expires_at_height,
        });
        let entry = net.sign_with(&key, None, body);
        assert_eq!(net.submit_entry(entry), Err("INVALID_FIELD".to_string()));
    }
}

#[test]
fn the_longest_expiry_is_accepted() {
    let mut net = TestNetwork::pilot();
    let key = net.validator_keys[0].clone();
    let body = Body::Governance(GovernanceAction::Propose {
        proposal: revoke_buyer2(),
        expires_at_height: 1 + 100_000,
    });
    let entry = net.sign_with(&key, None, body);
    assert_eq!(net.submit_entry(entry), Ok(()));
}

#[test]
fn three_approvals_in_one_block_execute_once() {
    let mut net = TestNetwork::pilot();
    let proposal = propose_entry(&mut net, 0, revoke_buyer2());
    let id = proposal_id(&proposal.id());
    let keys_ = [
        net.validator_keys[1].clone(),
        net.validator_keys[2].clone(),
        net.validator_keys[3].clone(),
    ];
    let mut entries = vec![proposal];
    for key in &keys_ {
        let body = Body::Governance(GovernanceAction::Vote {
            proposal: id,
            approve: true,
        });
        entries.push(net.sign_with(key, None, body));
    }
    let outcomes = net.commit(entries);
    assert_eq!(
        outcomes[..3],
        [Outcome::Applied, Outcome::Applied, Outcome::Applied]
    );
    assert!(matches!(&outcomes[3], Outcome::Failed { code, .. } if code == "PROPOSAL_CLOSED"));
    assert_eq!(record(&net, id).status, ProposalStatus::Executed);
    assert!(buyer2_revoked(&net));
}

#[test]
fn the_same_governance_history_gives_the_same_state_root() {
    let run = || {
        let mut net = TestNetwork::pilot();
        let id = propose(&mut net, 0, revoke_buyer2());
        vote(&mut net, 1, id, false).unwrap();
        vote(&mut net, 2, id, true).unwrap();
        vote(&mut net, 3, id, true).unwrap();
        (record(&net, id).status, net.state_root())
    };
    let (status, root) = run();
    assert_eq!(status, ProposalStatus::Executed);
    assert_eq!(run().1, root);
}
