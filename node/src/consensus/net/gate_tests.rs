use libp2p::identity::Keypair;

use super::*;

fn peer() -> PeerId {
    Keypair::generate_ed25519().public().to_peer_id()
}

fn addr(s: &str) -> Multiaddr {
    s.parse().unwrap()
}

#[test]
fn an_admitted_key_is_let_in_both_ways_and_a_stranger_neither() {
    let (member, stranger) = (peer(), peer());
    let mut rule = Admission::default();
    rule.allow(member);
    let at = addr("/ip4/127.0.0.1/tcp/4000");
    assert!(rule.admits_inbound(&member));
    assert!(rule.admits_outbound(&member, &at));
    assert!(!rule.admits_inbound(&stranger));
    assert!(!rule.admits_outbound(&stranger, &at));
}

#[test]
fn a_disallowed_key_is_refused_from_then_on() {
    let member = peer();
    let mut rule = Admission::default();
    rule.allow(member);
    assert!(rule.disallow(&member));
    assert!(!rule.admits_inbound(&member));
    assert!(!rule.disallow(&member), "a second removal changes nothing");
}

/// R153: a plain configured address is trusted on the connections this node dials to it,
/// whatever `/p2p` suffix the swarm reports; never for a connection the peer opens.
#[test]
fn a_trusted_address_admits_only_the_peer_this_node_dialled_there() {
    let anyone = peer();
    let mut rule = Admission::default();
    rule.trust_address(&addr("/ip4/10.0.0.2/tcp/27000"));
    assert!(rule.admits_outbound(&anyone, &addr("/ip4/10.0.0.2/tcp/27000")));
    let pinned = addr("/ip4/10.0.0.2/tcp/27000").with(Protocol::P2p(anyone));
    assert!(rule.admits_outbound(&anyone, &pinned));
    assert!(!rule.admits_outbound(&anyone, &addr("/ip4/10.0.0.3/tcp/27000")));
    assert!(!rule.admits_inbound(&anyone));
    assert!(rule.distrust_address(&addr("/ip4/10.0.0.2/tcp/27000")));
    assert!(!rule.admits_outbound(&anyone, &addr("/ip4/10.0.0.2/tcp/27000")));
}

#[test]
fn the_gate_closes_the_connections_of_a_peer_it_stops_admitting_and_only_then() {
    let (member, other) = (peer(), peer());
    let mut gate = Gate::default();
    gate.allow(member);
    gate.disallow(other);
    assert!(
        gate.to_close.is_empty(),
        "a peer never admitted has nothing to close"
    );
    gate.disallow(member);
    assert_eq!(gate.to_close, vec![member]);
}

#[test]
fn distrusting_an_address_closes_its_peer_unless_the_ledger_admits_it() {
    let (by_key, by_addr) = (peer(), peer());
    let mut gate = Gate::default();
    gate.allow(by_key);
    gate.trust_address(&addr("/ip4/10.0.0.2/tcp/1"));
    gate.trust_address(&addr("/ip4/10.0.0.3/tcp/1"));
    gate.distrust_address(&addr("/ip4/10.0.0.2/tcp/1"), Some(by_key));
    assert!(gate.to_close.is_empty());
    gate.distrust_address(&addr("/ip4/10.0.0.3/tcp/1"), Some(by_addr));
    assert_eq!(gate.to_close, vec![by_addr]);
}
