#![allow(clippy::unwrap_used, clippy::expect_used)]

use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::Body;
use ebl_ledger::identity::governance::proposal_id;
use ebl_ledger::identity::{GovernanceAction, Proposal};
use ebl_ledger::ids::OrgId;
use ebl_ledger::testkit::{TestNetwork, key_from_label};

use super::*;

fn org_key(net: &TestNetwork, id: &str) -> PublicKey {
    PublicKey::from(net.party(id).key.verifying_key())
}

fn validator_key(net: &TestNetwork, i: usize) -> PublicKey {
    PublicKey::from(net.validator_keys[i].verifying_key())
}

/// Revokes `org` by governance: validator 0 proposes, validators 1 and 2 approve (30 of 40).
fn revoke(net: &mut TestNetwork, org: &str) {
    let proposal = Proposal::RevokeOrganisation {
        org: OrgId::new(org).unwrap(),
        reason: "left the consortium".into(),
    };
    let key = net.validator_keys[0].clone();
    let expires_at_height = net.ledger.head().height + 100;
    let propose = net.sign_with(
        &key,
        None,
        Body::Governance(GovernanceAction::Propose {
            proposal,
            expires_at_height,
        }),
    );
    let id = proposal_id(&propose.id());
    net.submit_entry(propose).unwrap();
    for v in [1, 2] {
        let key = net.validator_keys[v].clone();
        let vote = net.sign_with(
            &key,
            None,
            Body::Governance(GovernanceAction::Vote {
                proposal: id,
                approve: true,
            }),
        );
        net.submit_entry(vote).unwrap();
    }
}

#[test]
fn validators_and_active_organisations_are_allowed_and_a_stranger_is_not() {
    let net = TestNetwork::pilot();
    let allowed = allowed_keys(&net.ledger).unwrap();
    for i in 0..4 {
        assert!(allowed.contains(&validator_key(&net, i)), "validator {i}");
    }
    for id in ["CARRIER", "BANK", "BUYER2", "CLASS"] {
        assert!(allowed.contains(&org_key(&net, id)), "{id}");
    }
    assert_eq!(allowed.len(), 4 + net.parties.len());
    let stranger = PublicKey::from(key_from_label("stranger").verifying_key());
    assert!(!allowed.contains(&stranger));
}

#[test]
fn a_revoked_organisation_leaves_the_allowed_set_and_the_others_stay() {
    let mut net = TestNetwork::pilot();
    let before = allowed_peers(&allowed_keys(&net.ledger).unwrap());
    revoke(&mut net, "BUYER2");
    let keys = allowed_keys(&net.ledger).unwrap();
    assert!(!keys.contains(&org_key(&net, "BUYER2")));
    assert!(keys.contains(&org_key(&net, "CARRIER")));
    assert!(keys.contains(&validator_key(&net, 3)));
    let after = allowed_peers(&keys);
    let change = gate_change(&before, &after);
    let buyer2 = peer_id_of(&org_key(&net, "BUYER2")).unwrap();
    assert_eq!(change.disallow, vec![buyer2]);
    assert!(change.allow.is_empty());
}

#[test]
fn the_peer_id_of_a_ledger_key_is_the_one_libp2p_derives_from_its_secret() {
    let net = TestNetwork::pilot();
    let secret = net.validator_keys[0].to_bytes();
    let keypair = libp2p::identity::Keypair::ed25519_from_bytes(secret).unwrap();
    let expected = keypair.public().to_peer_id();
    assert_eq!(peer_id_of(&validator_key(&net, 0)), Some(expected));
    let other = peer_id_of(&validator_key(&net, 1)).unwrap();
    assert_ne!(other, expected);
}

#[test]
fn bytes_that_are_not_a_curve_point_have_no_peer_id() {
    // y = 2 has no x on edwards25519, so the bytes decompress to nothing.
    let mut bytes = [0u8; 32];
    bytes[0] = 2;
    assert_eq!(peer_id_of(&PublicKey(bytes)), None);
}

#[test]
fn a_newly_allowed_peer_is_allowed_and_an_unchanged_set_changes_nothing() {
    let net = TestNetwork::pilot();
    let all = allowed_peers(&allowed_keys(&net.ledger).unwrap());
    let mut fewer = all.clone();
    let first = *all.iter().next().unwrap();
    fewer.remove(&first);
    assert_eq!(gate_change(&fewer, &all).allow, vec![first]);
    assert_eq!(gate_change(&all, &all), GateChange::default());
}
