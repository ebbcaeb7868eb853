use super::*;

fn from(addr: &str) -> Multiaddr {
    addr.parse().unwrap()
}

#[test]
fn one_address_gets_a_bounded_number_of_handshakes_and_another_is_unaffected() {
    let mut limit = HandshakeLimit::default();
    let busy = from("/ip4/203.0.113.7/tcp/5000");
    for n in 0..PER_ADDRESS {
        limit.begin(ConnectionId::new_unchecked(n), &busy).unwrap();
    }
    let refused = limit.begin(ConnectionId::new_unchecked(100), &busy);
    assert!(
        refused.is_err(),
        "handshake {} from one address was admitted",
        PER_ADDRESS + 1
    );
    let ip: IpAddr = "203.0.113.7".parse().unwrap();
    assert_eq!(
        limit.in_flight(&ip),
        PER_ADDRESS,
        "a refusal is not counted"
    );
    limit
        .begin(
            ConnectionId::new_unchecked(101),
            &from("/ip4/203.0.113.8/tcp/5000"),
        )
        .unwrap();
}

#[test]
fn a_finished_handshake_frees_its_slot_once() {
    let mut limit = HandshakeLimit::default();
    let at = from("/ip4/203.0.113.7/tcp/5000");
    for n in 0..PER_ADDRESS {
        limit.begin(ConnectionId::new_unchecked(n), &at).unwrap();
    }
    limit.end(ConnectionId::new_unchecked(0));
    limit.end(ConnectionId::new_unchecked(0));
    limit.begin(ConnectionId::new_unchecked(200), &at).unwrap();
    assert!(limit.begin(ConnectionId::new_unchecked(201), &at).is_err());
    for n in 1..PER_ADDRESS {
        limit.end(ConnectionId::new_unchecked(n));
    }
    limit.end(ConnectionId::new_unchecked(200));
    assert!(limit.per_address.is_empty() && limit.pending.is_empty());
}

#[test]
fn ipv6_addresses_of_one_site_share_a_count_and_mapped_ipv4_counts_as_ipv4() {
    let a = counted_address(&from("/ip6/2001:db8:1:2:aaaa::1/tcp/1")).unwrap();
    let b = counted_address(&from("/ip6/2001:db8:1:2:bbbb::2/tcp/1")).unwrap();
    let other = counted_address(&from("/ip6/2001:db8:1:3::1/tcp/1")).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, other);
    let mapped = counted_address(&from("/ip6/::ffff:203.0.113.7/tcp/1")).unwrap();
    assert_eq!(mapped, "203.0.113.7".parse::<IpAddr>().unwrap());
}
