use super::*;

fn pending(active: u32, version: u32, activation_height: u64) -> ProtocolSchedule {
    ProtocolSchedule {
        active,
        upgrade: Some(ScheduledUpgrade {
            version,
            activation_height,
        }),
    }
}

#[test]
fn the_version_switches_at_the_activation_height_and_not_before() {
    let s = pending(1, 2, 10);
    assert_eq!(s.version_at(9), 1);
    assert_eq!(s.version_at(10), 2);
    assert_eq!(s.version_at(11), 2);
    assert_eq!(s.after(9), s);
    assert_eq!(s.after(10), ProtocolSchedule::starting_at(2));
}

#[test]
fn a_build_checks_the_version_of_a_height_against_what_it_implements() {
    let s = pending(1, 2, 10);
    let old = KnownVersions::BUILD;
    assert!(old.check(&s, 9).is_ok());
    let err = old.check(&s, 10).unwrap_err();
    assert_eq!((err.version, err.height), (2, 10));
    assert!(err.to_string().contains("implements version 1:"), "{err}");
    let new = KnownVersions {
        oldest: 1,
        newest: 2,
    };
    assert!(new.check(&s, 10).is_ok());
    assert_eq!(new.to_string(), "1 to 2");
    // A build that dropped version 1 cannot check the blocks before the switch.
    let only_two = KnownVersions {
        oldest: 2,
        newest: 2,
    };
    assert!(only_two.check(&s, 9).is_err());
}

#[test]
fn versions_outside_one_to_the_bound_are_refused() {
    assert!(check_version("v", 0).is_err());
    assert!(check_version("v", 1).is_ok());
    assert!(check_version("v", MAX_PROTOCOL_VERSION).is_ok());
    assert!(check_version("v", MAX_PROTOCOL_VERSION + 1).is_err());
}
