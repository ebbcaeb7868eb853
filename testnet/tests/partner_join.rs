//! A partner joins a live network (issue 17, R440–R449): `up --validators 4 --late SGSW` starts
//! four validators without the Singapore single window, `join SGSW` runs the join sequence
//! (keys and CSR, the CA's certificate, admission by vote, a follower node that syncs, a second
//! vote that makes it a validator, business through its gateway), and afterwards all five
//! nodes hold the same state at the same height.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

mod support;

use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::Body;
use ebl_ledger::identity::{GovernanceAction, Proposal, Validator};
use ebl_ledger::ids::OrgId;
use ebl_testnet::join::network::{Network, Outcome};
use ebl_testnet::join::vote::voters;
use ebl_testnet::pki::{RootCa, fresh_key};
use ebl_testnet::state::TestnetState;
use support::Fixture;

/// Opens `proposal` as the first validator through its node; the ledger's answer.
fn open(net: &mut Network, proposal: Proposal) -> Outcome {
    let (voters, _) = voters(net).unwrap();
    let body = Body::Governance(GovernanceAction::Propose {
        proposal,
        expires_at_height: net.height(0) + 100,
    });
    net.sign_and_submit(voters[0].node, &voters[0].key, body)
        .unwrap()
}

/// R443, R446 on the running network, before SGSW joins: a certificate from another root is
/// refused when the admission is proposed, and so is a validator run by an organisation that
/// is not admitted.
fn refusals_before_the_join(state: TestnetState) {
    let mut net = Network::new(state).unwrap();
    let sgsw = ebl_testnet::orgs::pilot_org("SGSW").unwrap();
    let mut other = RootCa::new("SGSW's own CA", time::OffsetDateTime::now_utc()).unwrap();
    let (foreign, _) = other
        .issue(&sgsw, &fresh_key(), time::OffsetDateTime::now_utc())
        .unwrap();
    let admit = Proposal::AdmitOrganisation {
        certificate_der: foreign,
        profile: None,
    };
    assert_eq!(
        open(&mut net, admit),
        Outcome::Refused("UNTRUSTED_ISSUER".into())
    );
    let add = Proposal::AddValidator {
        validator: Validator {
            key: PublicKey::from(fresh_key().verifying_key()),
            operator: OrgId::new("SGSW").unwrap(),
            power: 10,
        },
    };
    assert_eq!(
        open(&mut net, add),
        Outcome::Refused("UNKNOWN_ORGANISATION".into())
    );
}

#[test]
fn sgsw_joins_a_running_four_validator_network_and_becomes_its_fifth_validator() {
    let net = Fixture::new();
    let up = net.succeeds(&["up", "--validators", "4", "--late", "SGSW"], 120);
    assert!(up.stdout.contains("is up"), "{}", up.stdout);
    let before = TestnetState::load(net.dir()).unwrap();
    assert!(before.org("SGSW").is_none(), "SGSW is not in genesis");
    let operators: Vec<&str> = before.nodes.iter().map(|n| n.operator.as_str()).collect();
    assert_eq!(operators, ["GDSW", "MSA", "BANK", "OPERATOR5"]);
    // The organisations SGSW's node would have held sit on the Singapore stand-in.
    for org in ["CONSIGNEE", "MPA"] {
        assert_eq!(before.org(org).unwrap().node, 3, "{org}");
    }

    refusals_before_the_join(before.clone());

    // A partner that is a member already cannot join again.
    net.refused(&["join", "GDSW"], 30, &["member already"]);

    let join = net.succeeds(&["join", "SGSW"], 240);
    let out = &join.stdout;
    for step in ["a. ", "b. ", "c. ", "d. ", "e. ", "f. "] {
        assert!(out.contains(step), "step {step} printed:\n{out}");
    }
    // R447: before admission the network refuses its entries.
    assert!(
        out.contains("refused by node0-GDSW: UNKNOWN_SIGNER"),
        "{out}"
    );
    // R444: after the proposal and one approval (20 of 40) it is not admitted.
    assert!(
        out.contains("20 of 40 power, not more than 2/3: not yet"),
        "{out}"
    );
    assert!(
        out.contains("30 of 40 power, more than 2/3: admission done"),
        "{out}"
    );
    // R446: the second vote, then its precommit in a certificate.
    assert!(
        out.contains("30 of 40 power, more than 2/3: validator done"),
        "{out}"
    );
    assert!(out.contains("lists it as a validator: true"), "{out}");
    assert!(
        out.contains("all 5 nodes hold the bill and state root"),
        "{out}"
    );

    let after = TestnetState::load(net.dir()).unwrap();
    assert_eq!(after.nodes.len(), 5);
    let sgsw = &after.nodes[4];
    assert_eq!(sgsw.operator, "SGSW");
    assert!(sgsw.validator);
    assert_eq!(after.org("SGSW").unwrap().node, 4);

    let status = net.succeeds(&["status"], 30);
    assert!(status.stdout.contains("node4-SGSW"), "{}", status.stdout);
    net.succeeds(&["down"], 60);
}
