#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use libp2p::{Multiaddr, PeerId};

use super::{identity_entry, list_change, persistent_list, pinned_peer};

fn peer(n: u8) -> PeerId {
    let mut secret = [n; 32];
    secret[31] = 0x77;
    libp2p::identity::Keypair::ed25519_from_bytes(secret)
        .unwrap()
        .public()
        .to_peer_id()
}

fn addr(port: u16, id: Option<PeerId>) -> Multiaddr {
    let base: Multiaddr = format!("/ip4/127.0.0.1/tcp/{port}").parse().unwrap();
    match id {
        Some(id) => base.with_p2p(id).unwrap(),
        None => base,
    }
}

#[test]
fn a_pinned_address_names_its_peer_and_a_plain_one_none() {
    assert_eq!(pinned_peer(&addr(1, Some(peer(1)))), Some(peer(1)));
    assert_eq!(pinned_peer(&addr(1, None)), None);
    assert_eq!(pinned_peer(&identity_entry(peer(2))), Some(peer(2)));
}

#[test]
fn every_admitted_peer_but_this_node_gets_an_identity_entry() {
    let allowed: BTreeSet<PeerId> = [peer(1), peer(2), peer(3)].into();
    let list = persistent_list(&[], &allowed, &peer(1));
    let expected: BTreeSet<Multiaddr> = [identity_entry(peer(2)), identity_entry(peer(3))].into();
    assert_eq!(list, expected);
}

#[test]
fn a_configured_address_pinned_to_a_peer_the_ledger_does_not_admit_is_left_out() {
    let allowed: BTreeSet<PeerId> = [peer(1), peer(2)].into();
    let configured = [
        addr(10, Some(peer(2))),
        addr(11, Some(peer(9))),
        addr(12, None),
    ];
    let list = persistent_list(&configured, &allowed, &peer(1));
    assert!(list.contains(&addr(10, Some(peer(2)))));
    assert!(
        !list.contains(&addr(11, Some(peer(9)))),
        "stranger's address kept"
    );
    assert!(!list.contains(&identity_entry(peer(9))));
    // A plain address pins nobody: it is dialled and trusted by address (R153).
    assert!(list.contains(&addr(12, None)));
}

#[test]
fn a_revoked_peer_loses_its_entries_and_an_admitted_one_gains_them() {
    let configured = [addr(10, Some(peer(2))), addr(11, Some(peer(3)))];
    let before = persistent_list(&configured, &[peer(1), peer(2)].into(), &peer(1));
    let after = persistent_list(&configured, &[peer(1), peer(3)].into(), &peer(1));
    let change = list_change(&before, &after);
    let add: BTreeSet<Multiaddr> = change.add.into_iter().collect();
    let remove: BTreeSet<Multiaddr> = change.remove.into_iter().collect();
    assert_eq!(
        add,
        [addr(11, Some(peer(3))), identity_entry(peer(3))].into()
    );
    assert_eq!(
        remove,
        [addr(10, Some(peer(2))), identity_entry(peer(2))].into()
    );
    assert_eq!(list_change(&after, &after), Default::default());
}
