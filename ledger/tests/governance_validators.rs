//! Governance of the validator set: add, remove, change power, and the limits (R91, R97–R99).
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use ebl_ledger::crypto::PublicKey;
use ebl_ledger::identity::{Proposal, ProposalStatus, Validator, ValidatorSet};
use ebl_ledger::ids::OrgId;
use ebl_ledger::state::keys;
use ebl_ledger::testkit::{TestNetwork, key_from_label};

mod governance_support;
use governance_support::{fails, pass, propose, record, try_propose, vote};

fn validator_key(net: &TestNetwork, i: usize) -> PublicKey {
    PublicKey::from(net.validator_keys[i].verifying_key())
}

fn validators(net: &TestNetwork) -> ValidatorSet {
    net.ledger.get(&keys::validators()).unwrap().unwrap()
}

fn remove(net: &TestNetwork, i: usize) -> Proposal {
    Proposal::RemoveValidator {
        key: validator_key(net, i),
    }
}

fn revoke(org: &str) -> Proposal {
    Proposal::RevokeOrganisation {
        org: OrgId::new(org).unwrap(),
        reason: "test".into(),
    }
}

#[test]
fn removing_a_validator_shrinks_the_set_and_its_key_can_no_longer_vote() {
    let mut net = TestNetwork::pilot();
    let removal = remove(&net, 3);
    pass(&mut net, removal);
    let set = validators(&net);
    assert_eq!(set.validators.len(), 3);
    assert!(!set.contains(&validator_key(&net, 3)));
    let id = propose(&mut net, 0, revoke("BUYER2"));
    // R180: a removed validator's key belongs to no organisation, so it has no standing left.
    assert_eq!(vote(&mut net, 3, id, true), fails("UNKNOWN_SIGNER"));
    // An organisation's key has standing but is no validator (R93).
    let entry = {
        let body =
            ebl_ledger::entry::Body::Governance(ebl_ledger::identity::GovernanceAction::Vote {
                proposal: id,
                approve: true,
            });
        net.sign("BUYER2", body)
    };
    assert_eq!(net.submit_entry(entry), fails("NOT_VALIDATOR"));
}

#[test]
fn after_removing_a_validator_one_rejection_of_three_decides() {
    let mut net = TestNetwork::pilot();
    // With four validators, one rejection leaves the proposal open.
    let open = propose(&mut net, 0, revoke("BUYER2"));
    vote(&mut net, 1, open, false).unwrap();
    assert_eq!(record(&net, open).status, ProposalStatus::Open);
    let removal = remove(&net, 3);
    pass(&mut net, removal);
    // With three, approval needs all 30: one rejection (10) makes it impossible.
    let id = propose(&mut net, 0, revoke("CONSIGNEE"));
    vote(&mut net, 1, id, false).unwrap();
    assert_eq!(record(&net, id).status, ProposalStatus::Rejected);
}

#[test]
fn votes_of_a_removed_validator_no_longer_count() {
    let mut net = TestNetwork::pilot();
    // Validator 3 proposes (10 of 40); then it is removed.
    let id = propose(&mut net, 3, revoke("BUYER2"));
    let removal = remove(&net, 3);
    pass(&mut net, removal);
    // 0 and 1 approve: 20 of 30 is not more than 2/3 without 3's vote.
    vote(&mut net, 0, id, true).unwrap();
    vote(&mut net, 1, id, true).unwrap();
    assert_eq!(record(&net, id).status, ProposalStatus::Open);
    vote(&mut net, 2, id, true).unwrap();
    assert_eq!(record(&net, id).status, ProposalStatus::Executed);
}

#[test]
fn adding_a_validator_raises_the_number_of_approvals_needed() {
    let mut net = TestNetwork::pilot();
    let new_key = key_from_label("validator:new");
    let added = Validator {
        key: PublicKey::from(new_key.verifying_key()),
        operator: OrgId::new("BANK").unwrap(),
        power: 10,
    };
    pass(
        &mut net,
        Proposal::AddValidator {
            validator: added.clone(),
        },
    );
    assert_eq!(validators(&net).validators.len(), 5);
    assert_eq!(validators(&net).power_of(&added.key), added.power);
    net.validator_keys.push(new_key);
    // Five validators of 10: three approvals (30 of 50) no longer pass, four do.
    let id = pass(&mut net, revoke("BUYER2"));
    assert_eq!(record(&net, id).status, ProposalStatus::Open);
    vote(&mut net, 4, id, true).unwrap();
    assert_eq!(record(&net, id).status, ProposalStatus::Executed);
}

#[test]
fn a_validator_run_by_an_organisation_without_the_operator_role_is_refused() {
    let mut net = TestNetwork::pilot();
    let proposal = Proposal::AddValidator {
        validator: Validator {
            key: PublicKey::from(key_from_label("validator:carrier").verifying_key()),
            operator: OrgId::new("CARRIER").unwrap(),
            power: 10,
        },
    };
    let before = validators(&net);
    assert_eq!(try_propose(&mut net, 0, proposal).1, fails("MISSING_ROLE"));
    assert_eq!(validators(&net), before);
}

#[test]
fn adding_an_existing_validator_key_is_an_invalid_set() {
    let mut net = TestNetwork::pilot();
    let proposal = Proposal::AddValidator {
        validator: Validator {
            key: validator_key(&net, 1),
            operator: OrgId::new("BANK").unwrap(),
            power: 5,
        },
    };
    assert_eq!(
        try_propose(&mut net, 0, proposal).1,
        fails("INVALID_VALIDATOR_SET")
    );
}

#[test]
fn a_heavier_validator_passes_proposals_with_fewer_approvals() {
    let mut net = TestNetwork::pilot();
    let key = validator_key(&net, 0);
    pass(&mut net, Proposal::SetValidatorPower { key, power: 40 });
    assert_eq!(validators(&net).power_of(&key), 40);
    // 40 + 10 of 70 is more than 2/3.
    let id = propose(&mut net, 0, revoke("BUYER2"));
    vote(&mut net, 1, id, true).unwrap();
    assert_eq!(record(&net, id).status, ProposalStatus::Executed);
}

#[test]
fn removing_the_last_validator_is_an_invalid_set() {
    let mut net = TestNetwork::pilot();
    // 3 of 4, then 3 of 3, then 2 of 2 approvals.
    let r3 = remove(&net, 3);
    pass(&mut net, r3);
    let r2 = remove(&net, 2);
    pass(&mut net, r2);
    let r1 = remove(&net, 1);
    let id = propose(&mut net, 0, r1);
    vote(&mut net, 1, id, true).unwrap();
    assert_eq!(validators(&net).validators.len(), 1);
    let r0 = remove(&net, 0);
    let before = validators(&net);
    assert_eq!(
        try_propose(&mut net, 0, r0).1,
        fails("INVALID_VALIDATOR_SET")
    );
    assert_eq!(validators(&net), before);
}

#[test]
fn a_sole_validator_decides_alone_in_its_proposing_entry() {
    let mut net = TestNetwork::pilot();
    for i in [3, 2] {
        let removal = remove(&net, i);
        pass(&mut net, removal);
    }
    let r1 = remove(&net, 1);
    let id = propose(&mut net, 0, r1);
    vote(&mut net, 1, id, true).unwrap();
    let id = propose(&mut net, 0, revoke("BUYER2"));
    assert_eq!(record(&net, id).status, ProposalStatus::Executed);
}

#[test]
fn removing_an_unknown_validator_is_an_invalid_set() {
    let mut net = TestNetwork::pilot();
    let proposal = Proposal::RemoveValidator {
        key: PublicKey::from(key_from_label("nobody").verifying_key()),
    };
    assert_eq!(
        try_propose(&mut net, 0, proposal).1,
        fails("INVALID_VALIDATOR_SET")
    );
}

#[test]
fn an_approved_proposal_that_no_longer_applies_is_closed_as_failed() {
    let mut net = TestNetwork::pilot();
    let key = validator_key(&net, 3);
    let reweigh = propose(&mut net, 0, Proposal::SetValidatorPower { key, power: 20 });
    let removal = remove(&net, 3);
    pass(&mut net, removal);
    let before = validators(&net);
    // 0 already approved; 1 and 2 make 30 of 30, but validator 3 is gone.
    vote(&mut net, 1, reweigh, true).unwrap();
    assert_eq!(vote(&mut net, 2, reweigh, true), Ok(()));
    let r = record(&net, reweigh);
    assert!(
        matches!(&r.status, ProposalStatus::Failed { code, .. } if code == "INVALID_VALIDATOR_SET"),
        "{:?}",
        r.status
    );
    assert_eq!(r.votes.len(), 3);
    assert_eq!(validators(&net), before);
}

#[test]
fn an_organisation_that_runs_a_validator_cannot_be_revoked() {
    let mut net = TestNetwork::pilot();
    assert_eq!(
        try_propose(&mut net, 0, revoke("BANK")).1,
        fails("INVALID_VALIDATOR_SET")
    );
}

#[test]
fn a_validator_run_by_a_revoked_organisation_is_refused() {
    let mut net = TestNetwork::pilot();
    let key = key_from_label("org:OPS");
    let der = net.ca.issue(
        "OPS",
        "Node Operations Ltd",
        "SG",
        &[ebl_ledger::identity::Role::ValidatorOperator],
        &key,
        ebl_ledger::testkit::Validity::default(),
    );
    pass(
        &mut net,
        Proposal::AdmitOrganisation {
            certificate_der: der,
            profile: None,
        },
    );
    pass(&mut net, revoke("OPS"));
    let proposal = Proposal::AddValidator {
        validator: Validator {
            key: PublicKey::from(key_from_label("validator:ops").verifying_key()),
            operator: OrgId::new("OPS").unwrap(),
            power: 10,
        },
    };
    assert_eq!(
        try_propose(&mut net, 0, proposal).1,
        fails("ORGANISATION_REVOKED")
    );
}
