use libp2p::identity::Keypair;
use libp2p::multiaddr::Protocol;

use super::*;

fn peer() -> PeerId {
    Keypair::generate_ed25519().public().to_peer_id()
}

fn at(port: u16) -> Multiaddr {
    format!("/ip4/127.0.0.1/tcp/{port}").parse().unwrap()
}

fn identity(peer: PeerId) -> Multiaddr {
    Multiaddr::empty().with(Protocol::P2p(peer))
}

#[test]
fn an_identity_entry_admits_its_key_and_is_never_dialled() {
    let member = peer();
    let (mut list, mut gate) = (PeerList::default(), Gate::default());
    list.add(&identity(member), &mut gate).unwrap();
    assert!(gate.admission().admits_inbound(&member));
    assert_eq!(list.dial_targets().count(), 0);
}

#[test]
fn a_pinned_address_is_dialled_and_its_key_stays_admitted_while_any_entry_names_it() {
    let member = peer();
    let pinned = at(1).with(Protocol::P2p(member));
    let (mut list, mut gate) = (PeerList::default(), Gate::default());
    list.add(&pinned, &mut gate).unwrap();
    list.add(&identity(member), &mut gate).unwrap();
    assert_eq!(list.dial_targets().collect::<Vec<_>>(), vec![&pinned]);
    list.remove(&identity(member), &mut gate, None).unwrap();
    assert!(
        gate.admission().admits_inbound(&member),
        "the pinned address still names it"
    );
    list.remove(&pinned, &mut gate, None).unwrap();
    assert!(!gate.admission().admits_inbound(&member));
}

#[test]
fn a_plain_address_is_dialled_and_trusted_only_outbound() {
    let anyone = peer();
    let (mut list, mut gate) = (PeerList::default(), Gate::default());
    list.add(&at(2), &mut gate).unwrap();
    assert_eq!(list.dial_targets().count(), 1);
    assert!(gate.admission().admits_outbound(&anyone, &at(2)));
    assert!(!gate.admission().admits_inbound(&anyone));
    list.remove(&at(2), &mut gate, Some(anyone)).unwrap();
    assert!(!gate.admission().admits_outbound(&anyone, &at(2)));
}

#[test]
fn adding_twice_and_removing_what_is_absent_are_refused_and_change_nothing() {
    let member = peer();
    let (mut list, mut gate) = (PeerList::default(), Gate::default());
    list.add(&identity(member), &mut gate).unwrap();
    assert_eq!(
        list.add(&identity(member), &mut gate),
        Err(PersistentPeerError::AlreadyExists)
    );
    assert_eq!(
        list.remove(&identity(peer()), &mut gate, None),
        Err(PersistentPeerError::NotFound)
    );
    assert_eq!(list.entries().len(), 1);
    assert!(gate.admission().admits_inbound(&member));
}
