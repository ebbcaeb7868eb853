//! A partner joins a running network, as the ledger sees it (R443–R447): admission by more than
//! 2/3 of the validator power, a certificate that must chain to the consortium root, and a
//! validator key that only an admitted validator operator may hold. The process-level test
//! of the same sequence is testnet/tests/partner_join.rs.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use ebl_ledger::crypto::PublicKey;
use ebl_ledger::identity::{Proposal, ProposalStatus, Role, Validator, ValidatorSet};
use ebl_ledger::ids::OrgId;
use ebl_ledger::state::keys;
use ebl_ledger::testkit::{TestCa, TestNetwork, Validity, key_from_label};

mod governance_support;
use governance_support::{
    authorized, fails, organisation, propose, receipt, record, try_propose, vote,
};

/// The joining partner: a single window that will run a validator.
const PARTNER: &str = "SGSW2";

fn partner_certificate(ca: &TestCa) -> Vec<u8> {
    ca.issue(
        PARTNER,
        "Second Singapore Single Window",
        "SG",
        &[Role::PortOrSingleWindow, Role::ValidatorOperator],
        &key_from_label("org:SGSW2"),
        Validity::default(),
    )
}

fn admit(certificate_der: Vec<u8>) -> Proposal {
    Proposal::AdmitOrganisation {
        certificate_der,
        profile: None,
    }
}

fn partner_validator() -> Validator {
    Validator {
        key: PublicKey::from(key_from_label("validator:SGSW2").verifying_key()),
        operator: OrgId::new(PARTNER).unwrap(),
        power: 10,
    }
}

fn validators(net: &TestNetwork) -> ValidatorSet {
    net.ledger.get(&keys::validators()).unwrap().unwrap()
}

fn partner_signs(net: &mut TestNetwork) -> Result<(), String> {
    let entry = net.sign_with(&key_from_label("org:SGSW2"), None, receipt(b"join"));
    net.submit_entry(entry)
}

#[test]
fn r447_before_admission_the_partner_s_entries_are_refused() {
    let mut net = TestNetwork::pilot();
    assert_eq!(partner_signs(&mut net), fails("UNKNOWN_SIGNER"));
}

#[test]
fn r444_two_thirds_of_the_power_or_less_does_not_admit_and_more_does() {
    let mut net = TestNetwork::pilot();
    // Three validators of 10 left: two approvals are exactly 2/3, not more.
    let gone = PublicKey::from(net.validator_keys[3].verifying_key());
    let id = propose(&mut net, 0, Proposal::RemoveValidator { key: gone });
    vote(&mut net, 1, id, true).unwrap();
    vote(&mut net, 2, id, true).unwrap();
    assert_eq!(validators(&net).validators.len(), 3);
    let der = partner_certificate(&net.ca);
    let id = propose(&mut net, 0, admit(der));
    vote(&mut net, 1, id, true).unwrap();
    assert_eq!(record(&net, id).status, ProposalStatus::Open);
    assert_eq!(
        organisation(&net, PARTNER),
        None,
        "20 of 30 is not more than 2/3"
    );
    vote(&mut net, 2, id, true).unwrap();
    assert_eq!(record(&net, id).status, ProposalStatus::Executed);
    assert!(organisation(&net, PARTNER).is_some());
}

#[test]
fn r443_a_certificate_not_chaining_to_the_consortium_root_is_refused_at_admission() {
    let mut net = TestNetwork::pilot();
    let der = partner_certificate(&TestCa::new("Partner's own CA"));
    assert_eq!(
        try_propose(&mut net, 0, admit(der)).1,
        fails("UNTRUSTED_ISSUER")
    );
    assert_eq!(organisation(&net, PARTNER), None);
}

#[test]
fn r446_a_validator_of_an_organisation_not_admitted_is_refused() {
    let mut net = TestNetwork::pilot();
    let before = validators(&net);
    let add = Proposal::AddValidator {
        validator: partner_validator(),
    };
    assert_eq!(
        try_propose(&mut net, 0, add).1,
        fails("UNKNOWN_ORGANISATION")
    );
    assert_eq!(validators(&net), before);
}

#[test]
fn r446_an_admitted_partner_s_validator_joins_the_set_and_its_vote_counts() {
    let mut net = TestNetwork::pilot();
    let der = partner_certificate(&net.ca);
    let id = propose(&mut net, 0, admit(der));
    vote(&mut net, 1, id, true).unwrap();
    vote(&mut net, 2, id, true).unwrap();
    assert_eq!(partner_signs(&mut net), authorized());
    let added = partner_validator();
    let id = propose(
        &mut net,
        0,
        Proposal::AddValidator {
            validator: added.clone(),
        },
    );
    vote(&mut net, 1, id, true).unwrap();
    vote(&mut net, 2, id, true).unwrap();
    assert_eq!(validators(&net).power_of(&added.key), 10);
    net.validator_keys.push(key_from_label("validator:SGSW2"));
    // Five validators of 10: three approvals no longer pass; the partner's fourth does.
    let revoke = Proposal::RevokeOrganisation {
        org: OrgId::new("BUYER2").unwrap(),
        reason: "left the trade".into(),
    };
    let id = propose(&mut net, 0, revoke);
    vote(&mut net, 1, id, true).unwrap();
    vote(&mut net, 2, id, true).unwrap();
    assert_eq!(record(&net, id).status, ProposalStatus::Open);
    vote(&mut net, 4, id, true).unwrap();
    assert_eq!(record(&net, id).status, ProposalStatus::Executed);
}
