use super::*;
use crate::crypto::PublicKey;
use crate::hash::Hash32;
use crate::identity::Validator;
use crate::ids::OrgId;

fn key(label: &str) -> PublicKey {
    PublicKey::from(crate::testkit::key_from_label(label).verifying_key())
}

fn set(powers: &[u64]) -> ValidatorSet {
    let validators = powers
        .iter()
        .enumerate()
        .map(|(i, p)| Validator {
            key: key(&format!("v{i}")),
            operator: OrgId("OP".into()),
            power: *p,
        })
        .collect();
    ValidatorSet::new(validators).unwrap()
}

fn record(votes: &[(usize, bool)]) -> ProposalRecord {
    ProposalRecord {
        id: Hash32::ZERO,
        proposal: Proposal::RemoveValidator { key: key("v0") },
        proposer: key("v0"),
        votes: votes
            .iter()
            .map(|(i, approve)| Vote {
                key: key(&format!("v{i}")),
                approve: *approve,
                height: 1,
            })
            .collect(),
        status: ProposalStatus::Open,
        created_at_height: 1,
        expires_at_height: 10,
        closed_at_height: None,
    }
}

#[test]
fn two_of_four_equal_validators_do_not_decide_and_three_approve() {
    let four = set(&[10, 10, 10, 10]);
    assert_eq!(
        record(&[(0, true), (1, true)]).decision(&four),
        Decision::Pending
    );
    assert_eq!(
        record(&[(0, true), (1, true), (2, true)]).decision(&four),
        Decision::Approve
    );
}

#[test]
fn one_rejection_of_three_equal_validators_rejects() {
    // 2 of 3 is exactly 2/3, which is not more than 2/3.
    let three = set(&[10, 10, 10]);
    assert_eq!(
        record(&[(0, true), (1, false)]).decision(&three),
        Decision::Reject
    );
}

#[test]
fn two_rejections_of_four_reject_but_one_does_not() {
    let four = set(&[10, 10, 10, 10]);
    assert_eq!(
        record(&[(0, true), (1, false)]).decision(&four),
        Decision::Pending
    );
    assert_eq!(
        record(&[(0, true), (1, false), (2, false)]).decision(&four),
        Decision::Reject
    );
}

#[test]
fn votes_of_keys_outside_the_set_count_for_nothing() {
    let four = set(&[10, 10, 10, 10]);
    let r = record(&[(0, true), (7, true), (8, true)]);
    assert_eq!(r.tally(&four), (10, 0));
    assert_eq!(r.decision(&four), Decision::Pending);
}

#[test]
fn an_open_proposal_reads_as_expired_after_its_last_height() {
    let r = record(&[(0, true)]);
    assert_eq!(r.status_at(10), ProposalStatus::Open);
    assert_eq!(r.status_at(11), ProposalStatus::Expired);
}

fn propose(proposal: Proposal) -> GovernanceAction {
    GovernanceAction::Propose {
        proposal,
        expires_at_height: 10,
    }
}

#[test]
fn stateless_checks_bound_certificates_reasons_and_powers() {
    let empty_cert = propose(Proposal::AdmitOrganisation {
        certificate_der: vec![],
        profile: None,
    });
    let big_cert = propose(Proposal::AdmitOrganisation {
        certificate_der: vec![0; MAX_CERTIFICATE_BYTES + 1],
        profile: None,
    });
    let no_reason = propose(Proposal::RevokeOrganisation {
        org: OrgId("BANK".into()),
        reason: " ".into(),
    });
    let long_reason = propose(Proposal::RevokeOrganisation {
        org: OrgId("BANK".into()),
        reason: "x".repeat(MAX_REASON_BYTES + 1),
    });
    let zero_power = propose(Proposal::SetValidatorPower {
        key: key("v0"),
        power: 0,
    });
    let weak_validator = propose(Proposal::AddValidator {
        validator: Validator {
            key: PublicKey([0; 32]),
            operator: OrgId("BANK".into()),
            power: 1,
        },
    });
    let code = |a: &GovernanceAction| check_governance_stateless(a).unwrap_err().code();
    assert_eq!(code(&empty_cert), "BAD_CERTIFICATE");
    assert_eq!(code(&big_cert), "BAD_CERTIFICATE");
    assert_eq!(code(&no_reason), "INVALID_FIELD");
    assert_eq!(code(&long_reason), "INVALID_FIELD");
    assert_eq!(code(&zero_power), "INVALID_FIELD");
    assert_eq!(code(&weak_validator), "WEAK_KEY");
}

#[test]
fn stateless_checks_accept_a_reasoned_revocation_and_a_vote() {
    let revoke = propose(Proposal::RevokeOrganisation {
        org: OrgId("BANK".into()),
        reason: "licence withdrawn".into(),
    });
    let vote = GovernanceAction::Vote {
        proposal: Hash32::ZERO,
        approve: false,
    };
    assert_eq!(check_governance_stateless(&revoke), Ok(()));
    assert_eq!(check_governance_stateless(&vote), Ok(()));
}
