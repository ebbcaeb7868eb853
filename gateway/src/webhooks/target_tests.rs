//! R204: the forbidden ranges, the operator's allowances and the delivery-time filter.

use std::net::{IpAddr, SocketAddr};

use super::*;

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

#[test]
fn public_unicast_addresses_are_permitted() {
    for text in [
        "8.8.8.8",
        "1.1.1.1",
        "100.63.255.255",
        "100.128.0.0",
        "172.15.0.1",
        "172.32.0.1",
        "2606:4700:4700::1111",
        "2a00:1450:4001::200e",
        "::ffff:8.8.8.8",
    ] {
        assert_eq!(forbidden_range(ip(text)), None, "{text}");
        assert_eq!(TargetPolicy::default().check(ip(text)), Ok(()), "{text}");
    }
}

#[test]
fn internal_and_special_addresses_are_forbidden_by_default() {
    use ForbiddenRange::*;
    for (text, range) in [
        ("169.254.169.254", CloudMetadata),
        ("168.63.129.16", CloudMetadata),
        ("127.0.0.1", Loopback),
        ("127.255.0.9", Loopback),
        ("0.0.0.0", Unspecified),
        ("0.1.2.3", Unspecified),
        ("10.0.0.1", Private),
        ("172.16.5.4", Private),
        ("192.168.1.1", Private),
        ("169.254.1.1", LinkLocal),
        ("100.64.0.1", SharedAddressSpace),
        ("100.100.100.200", SharedAddressSpace),
        ("224.0.0.1", Multicast),
        ("255.255.255.255", Broadcast),
        ("240.0.0.1", Reserved),
        ("192.0.0.192", Reserved),
        ("198.18.0.1", Reserved),
        ("192.0.2.1", Reserved),
        ("::", Unspecified),
        ("::1", Loopback),
        ("fe80::1", LinkLocal),
        ("fec0::1", Private),
        ("fc00::1", UniqueLocal),
        ("fd00:ec2::254", UniqueLocal),
        ("ff02::1", Multicast),
        ("2001:db8::1", Reserved),
        ("::ffff:127.0.0.1", Loopback),
        ("::ffff:169.254.169.254", CloudMetadata),
        ("::10.0.0.1", Private),
        ("64:ff9b::a9fe:a9fe", CloudMetadata),
        ("2002:c0a8:0101::1", Private),
    ] {
        assert_eq!(forbidden_range(ip(text)), Some(range), "{text}");
        assert_eq!(
            TargetPolicy::default().check(ip(text)),
            Err(range),
            "{text}"
        );
    }
}

#[test]
fn the_operator_may_allow_private_targets_or_some_networks() {
    let all = TargetPolicy::allow_private();
    assert_eq!(all.check(ip("127.0.0.1")), Ok(()));
    assert_eq!(all.check(ip("169.254.169.254")), Ok(()));
    let some = TargetPolicy {
        allow_private: false,
        allowed: vec!["10.1.0.0/16".parse().unwrap(), "fd12::/16".parse().unwrap()],
    };
    assert_eq!(some.check(ip("10.1.2.3")), Ok(()));
    assert_eq!(some.check(ip("::ffff:10.1.2.3")), Ok(()));
    assert_eq!(some.check(ip("fd12::9")), Ok(()));
    assert_eq!(
        some.check(ip("10.2.0.1")),
        Err(ForbiddenRange::Private),
        "outside the allowed network"
    );
    assert_eq!(
        some.check(ip("169.254.169.254")),
        Err(ForbiddenRange::CloudMetadata)
    );
}

#[test]
fn delivery_keeps_only_permitted_addresses_and_refuses_when_none_is_left() {
    let policy = TargetPolicy::default();
    let public: SocketAddr = "93.184.215.14:443".parse().unwrap();
    let internal: SocketAddr = "10.0.0.5:443".parse().unwrap();
    let kept = permitted(&policy, "rebind.example:443", vec![internal, public]).unwrap();
    assert_eq!(kept, vec![public]);
    let refused = permitted(&policy, "rebind.example:443", vec![internal]).unwrap_err();
    assert_eq!(refused.kind(), std::io::ErrorKind::PermissionDenied);
    assert!(refused.to_string().contains("R204"), "{refused}");
}

#[test]
fn the_guarded_resolver_refuses_a_name_that_resolves_to_loopback() {
    use ureq::Resolver as _;
    let guarded = GuardedResolver(TargetPolicy::default());
    let refused = guarded.resolve("localhost:9").unwrap_err();
    assert_eq!(refused.kind(), std::io::ErrorKind::PermissionDenied);
    assert!(guarded.resolve("127.0.0.1:9").is_err());
    assert!(guarded.resolve("[::1]:9").is_err());
    let allowed = GuardedResolver(TargetPolicy::allow_private());
    let addresses = allowed.resolve("127.0.0.1:9").unwrap();
    assert_eq!(
        addresses,
        vec!["127.0.0.1:9".parse::<SocketAddr>().unwrap()]
    );
}

#[tokio::test]
async fn creation_checks_literal_and_resolved_hosts() {
    let policy = TargetPolicy::default();
    let check = |url: &str| {
        let url = url::Url::parse(url).unwrap();
        let policy = policy.clone();
        async move { check_url_target(&url, &policy).await }
    };
    assert_eq!(
        check("http://169.254.169.254/latest/meta-data/").await,
        Err(TargetError::Forbidden(
            ip("169.254.169.254"),
            ForbiddenRange::CloudMetadata
        ))
    );
    // WHATWG parsing turns these spellings into 127.0.0.1 before anything is checked.
    for url in ["http://2130706433/", "http://0x7f.1/", "http://127.1/"] {
        assert!(
            matches!(
                check(url).await,
                Err(TargetError::Forbidden(_, ForbiddenRange::Loopback))
            ),
            "{url}"
        );
    }
    assert!(matches!(
        check("http://[::ffff:7f00:1]:8080/").await,
        Err(TargetError::Forbidden(_, ForbiddenRange::Loopback))
    ));
    assert!(matches!(
        check("http://localhost:9/hook").await,
        Err(TargetError::Forbidden(_, ForbiddenRange::Loopback))
    ));
    assert_eq!(check("https://93.184.215.14/hook").await, Ok(()));
    assert!(matches!(
        check("https://no-such-host.invalid/hook").await,
        Err(TargetError::Unresolvable(_))
    ));
}
