//! Protocol versions in headers and governance-scheduled upgrades (R410–R414).
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use ebl_ledger::Ledger;
use ebl_ledger::crypto::PublicKey;
use ebl_ledger::execute::BlockError;
use ebl_ledger::identity::{Proposal, ProposalStatus};
use ebl_ledger::protocol_version::{
    KnownVersions, MAX_PROTOCOL_VERSION, PROTOCOL_VERSION, ProtocolSchedule, ScheduledUpgrade,
};
use ebl_ledger::testkit::TestNetwork;
use ebl_ledger::time::Timestamp;

mod governance_support;
use governance_support::{fails, pass, propose_entry, record};

fn upgrade(version: u32, activation_height: u64) -> Proposal {
    Proposal::ScheduleProtocolUpgrade {
        version,
        activation_height,
    }
}

fn proposer(net: &TestNetwork) -> PublicKey {
    PublicKey::from(net.validator_keys[0].verifying_key())
}

/// A block time one second after the head.
fn later(net: &TestNetwork) -> Timestamp {
    Timestamp(net.time().0 + 1000)
}

/// Commits empty blocks until the head is at `height`.
fn commit_until(net: &mut TestNetwork, height: u64) {
    while net.ledger.head().height < height {
        net.commit(vec![]);
    }
}

/// The new build of an upgrade test: implements version 1 and 2.
const NEW_BUILD: KnownVersions = KnownVersions {
    oldest: 1,
    newest: 2,
};

#[test]
fn genesis_and_blocks_carry_the_genesis_version() {
    let mut net = TestNetwork::pilot();
    assert_eq!(net.genesis.protocol_version, PROTOCOL_VERSION);
    assert_eq!(net.ledger.head().protocol_version, PROTOCOL_VERSION);
    net.commit(vec![]);
    assert_eq!(net.ledger.head().protocol_version, PROTOCOL_VERSION);
    let schedule = net.ledger.protocol_schedule().unwrap();
    assert_eq!(schedule, ProtocolSchedule::starting_at(PROTOCOL_VERSION));
}

#[test]
fn a_genesis_with_version_zero_or_over_the_bound_is_refused() {
    let net = TestNetwork::pilot();
    for bad in [0, MAX_PROTOCOL_VERSION + 1] {
        let mut genesis = net.genesis.clone();
        genesis.protocol_version = bad;
        let err = genesis.execute().unwrap_err().to_string();
        assert!(err.contains("protocol_version"), "{err}");
    }
}

#[test]
fn a_block_naming_another_version_than_the_one_in_force_is_refused() {
    let net = TestNetwork::pilot();
    let mut block = net
        .ledger
        .execute(later(&net), proposer(&net), vec![])
        .unwrap()
        .block;
    net.ledger.verify(block.clone()).unwrap();
    block.header.protocol_version = 2;
    assert_eq!(
        net.ledger.verify(block).unwrap_err(),
        BlockError::ProtocolVersion {
            got: 2,
            expected: 1
        }
    );
}

#[test]
fn a_scheduled_upgrade_activates_at_its_height_and_is_recorded_in_state() {
    let mut net = TestNetwork::pilot();
    net.ledger.set_known_versions(NEW_BUILD);
    let activation = net.ledger.head().height + 10;
    let id = pass(&mut net, upgrade(2, activation));
    assert_eq!(record(&net, id).status, ProposalStatus::Executed);
    assert_eq!(
        net.ledger.protocol_schedule().unwrap().upgrade,
        Some(ScheduledUpgrade {
            version: 2,
            activation_height: activation
        })
    );
    commit_until(&mut net, activation - 1);
    assert_eq!(net.ledger.head().protocol_version, 1);
    let before = net.state_root();
    net.commit(vec![]);
    assert_eq!(net.ledger.head().protocol_version, 2);
    assert_ne!(net.state_root(), before);
    // Once active, the schedule holds version 2 and nothing pending.
    assert_eq!(
        net.ledger.protocol_schedule().unwrap(),
        ProtocolSchedule::starting_at(2)
    );
    net.commit(vec![]);
    assert_eq!(net.ledger.head().protocol_version, 2);
}

#[test]
fn an_old_build_refuses_the_height_an_upgrade_activates_and_the_blocks_before_it_are_fine() {
    let mut net = TestNetwork::pilot();
    let activation = net.ledger.head().height + 8;
    pass(&mut net, upgrade(2, activation));
    commit_until(&mut net, activation - 2);
    // This build implements version 1 only: the height before activation is fine.
    net.ledger.check_next_version().unwrap();
    net.commit(vec![]);
    let err = net.ledger.check_next_version().unwrap_err();
    let BlockError::UnsupportedVersion(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!((e.version, e.height), (2, activation));
    let message = err.to_string();
    assert!(
        message.contains("protocol version 2 from height") && message.contains("install a build"),
        "{message}"
    );
    // A block of the new build at that height is refused by the old one before it executes.
    let block = {
        let mut upgraded = Ledger::open(net.ledger.store().clone(), &net.genesis).unwrap();
        upgraded.set_known_versions(NEW_BUILD);
        upgraded.check_next_version().unwrap();
        upgraded
            .execute(later(&net), proposer(&net), vec![])
            .unwrap()
            .block
    };
    assert_eq!(block.header.protocol_version, 2);
    assert!(matches!(
        net.ledger.verify(block),
        Err(BlockError::UnsupportedVersion(_))
    ));
}

#[test]
fn an_upgrade_must_be_newer_and_activate_later_within_the_bound() {
    let mut net = TestNetwork::pilot();
    let height = net.ledger.head().height;
    // R413, checked when the proposal opens (R94).
    for bad in [
        upgrade(1, height + 10),
        upgrade(2, height),
        upgrade(2, height + 2_000_000),
    ] {
        let entry = propose_entry(&mut net, 0, bad);
        assert_eq!(net.submit_entry(entry), fails("INVALID_FIELD"));
    }
    // R412: stateless bound.
    let entry = propose_entry(&mut net, 0, upgrade(0, height + 10));
    assert_eq!(net.submit_entry(entry), fails("INVALID_FIELD"));
    assert_eq!(
        net.ledger.protocol_schedule().unwrap(),
        ProtocolSchedule::starting_at(1)
    );
}

#[test]
fn a_later_decision_replaces_a_pending_upgrade() {
    let mut net = TestNetwork::pilot();
    let first = net.ledger.head().height + 50;
    pass(&mut net, upgrade(2, first));
    let later = net.ledger.head().height + 80;
    pass(&mut net, upgrade(3, later));
    assert_eq!(
        net.ledger.protocol_schedule().unwrap().upgrade,
        Some(ScheduledUpgrade {
            version: 3,
            activation_height: later
        })
    );
}
