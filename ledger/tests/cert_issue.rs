//! Certificate ISSUE: field bounds, IMO check digits, dates, authority and UTN uniqueness
//! (specs/protocol.md R60–R68).

#[path = "cert_support/mod.rs"]
mod support;

use ebl_ledger::cert::{CertificateKind, CertificateRef, CertificateStatus, is_valid_imo_number};
use ebl_ledger::entry::ActionKind;
use ebl_ledger::state::keys;
use ebl_ledger::testkit::TestNetwork;
use support::*;

fn rejected_issue(
    net: &mut TestNetwork,
    org: &str,
    issue: ebl_ledger::cert::CertificateIssue,
    code: &str,
) {
    let certificate = cref(org, &issue.utn);
    assert_rejected(net, org, issue_body(issue), code, &certificate);
}

#[test]
fn an_administration_issues_a_certificate_and_indexes_it_by_imo_number() {
    let mut net = TestNetwork::pilot();
    submit(&mut net, "MSA", issue_body(issue("MSA-2026-0001"))).unwrap();
    let certificate = cref("MSA", "MSA-2026-0001");
    let stored = record(&net, &certificate);
    assert_eq!(stored.reference, certificate);
    assert_eq!(stored.kind, CertificateKind::SafetyConstruction);
    assert_eq!(stored.ship, ship());
    assert_eq!(stored.issued_on, d("2026-01-15"));
    assert_eq!(stored.expires_on, d("2031-01-14"));
    assert_eq!(stored.original_expires_on, d("2031-01-14"));
    assert_eq!(stored.place, "Shanghai");
    assert_eq!(stored.issued.actor, net.org("MSA"));
    assert_eq!(stored.issued.signed_by, None);
    assert_eq!(stored.issued.height, 1);
    assert_eq!(stored.history.len(), 1);
    assert_eq!(stored.history[0].action, ActionKind::CertIssue);
    assert!(stored.endorsements.is_empty() && stored.status_events.is_empty());
    let indexed: Option<CertificateRef> = net
        .ledger
        .get(&keys::certificate_by_imo("9074729", &certificate))
        .unwrap();
    assert_eq!(indexed, Some(certificate));
    assert_eq!(stored.status_at(at("2026-02-01")), CertificateStatus::Valid);
}

#[test]
fn imo_check_digits_follow_the_weighted_sum() {
    assert!(is_valid_imo_number("9074729"));
    assert!(!is_valid_imo_number("9074728"));
    assert!(!is_valid_imo_number("907472"));
    assert!(!is_valid_imo_number("IMO9074729"));
}

#[test]
fn a_certificate_for_an_invalid_imo_number_is_rejected() {
    let mut net = TestNetwork::pilot();
    for imo in ["9074728", "907472", "90747290", "IMO9074", "907472X"] {
        let mut bad = issue("MSA-BAD-IMO");
        bad.ship.imo_number = imo.into();
        rejected_issue(&mut net, "MSA", bad, "INVALID_IMO_NUMBER");
    }
}

#[test]
fn unique_tracking_numbers_must_be_printable_ascii_up_to_64_characters() {
    let mut net = TestNetwork::pilot();
    for utn in [
        String::new(),
        "x".repeat(65),
        "MSA 0001".into(),
        "MSA-ü".into(),
    ] {
        rejected_issue(&mut net, "MSA", issue(&utn), "INVALID_FIELD");
    }
    submit(&mut net, "MSA", issue_body(issue(&"U".repeat(64)))).unwrap();
}

#[test]
fn ship_particulars_and_place_are_bounded() {
    let mut net = TestNetwork::pilot();
    let cases: Vec<fn(&mut ebl_ledger::cert::CertificateIssue)> = vec![
        |i| i.ship.name = String::new(),
        |i| i.ship.name = "N".repeat(129),
        |i| i.ship.flag = "cn".into(),
        |i| i.ship.flag = "CHN".into(),
        |i| i.ship.call_sign = String::new(),
        |i| i.ship.call_sign = "BQ AB2".into(),
        |i| i.ship.call_sign = "B".repeat(17),
        |i| i.ship.gross_tonnage = 0,
        |i| i.place = "  ".into(),
        |i| i.place = "Shang\u{7}hai".into(),
    ];
    for mutate in cases {
        let mut bad = issue("MSA-BAD-SHIP");
        mutate(&mut bad);
        rejected_issue(&mut net, "MSA", bad, "INVALID_FIELD");
    }
    let mut good = issue("MSA-GOOD-SHIP");
    good.ship.name = "N".repeat(128);
    submit(&mut net, "MSA", issue_body(good)).unwrap();
}

#[test]
fn expiry_must_follow_issue_within_five_years() {
    let mut net = TestNetwork::pilot();
    let mut same_day = issue("MSA-D1");
    same_day.expires_on = same_day.issued_on;
    rejected_issue(&mut net, "MSA", same_day, "INVALID_DATES");
    let mut too_long = issue("MSA-D2");
    too_long.expires_on = d("2031-01-16");
    rejected_issue(&mut net, "MSA", too_long, "INVALID_DATES");
    let mut five_years = issue("MSA-D3");
    five_years.expires_on = d("2031-01-15");
    submit(&mut net, "MSA", issue_body(five_years)).unwrap();
}

#[test]
fn a_certificate_already_expired_at_the_block_date_is_rejected() {
    let mut net = TestNetwork::pilot();
    let mut old = issue("MSA-OLD");
    old.issued_on = d("2021-01-15");
    old.expires_on = d("2025-12-31");
    rejected_issue(&mut net, "MSA", old, "INVALID_DATES");
    let mut migrated = issue("MSA-MIGRATED");
    migrated.issued_on = d("2022-03-01");
    migrated.expires_on = d("2027-02-28");
    submit(&mut net, "MSA", issue_body(migrated)).unwrap();
}

#[test]
fn only_maritime_administrations_issue_for_themselves() {
    let mut net = TestNetwork::pilot();
    rejected_issue(&mut net, "CARRIER", issue("C-1"), "MISSING_ROLE");
    rejected_issue(&mut net, "CLASS", issue("C-1"), "MISSING_ROLE");
    submit(&mut net, "MPA", issue_body(sg_issue("C-1"))).unwrap();
    assert_eq!(
        record(&net, &cref("MPA", "C-1")).issued.actor,
        net.org("MPA")
    );
}

#[test]
fn a_recognized_organization_without_a_grant_cannot_issue_for_an_administration() {
    let mut net = TestNetwork::pilot();
    let result = submit_for(&mut net, "CLASS", "MSA", issue_body(issue("RO-1")));
    assert_eq!(result, Err("NOT_AUTHORIZED".into()));
    assert_eq!(stored(&net, &cref("MSA", "RO-1")), None);
}

#[test]
fn a_recognized_organization_issues_for_its_administration_under_a_grant() {
    let mut net = TestNetwork::pilot();
    grant_class_for_msa(&mut net, vec![ActionKind::CertIssue]);
    submit_for(&mut net, "CLASS", "MSA", issue_body(issue("RO-1"))).unwrap();
    let stored = record(&net, &cref("MSA", "RO-1"));
    assert_eq!(stored.issued.actor, net.org("MSA"));
    assert_eq!(stored.issued.signed_by, Some(net.org("CLASS")));
}

#[test]
fn a_unique_tracking_number_is_used_once_per_administration() {
    let mut net = TestNetwork::pilot();
    submit(&mut net, "MSA", issue_body(issue("UTN-1"))).unwrap();
    let first = record(&net, &cref("MSA", "UTN-1"));
    let mut other = issue("UTN-1");
    other.kind = CertificateKind::LoadLine;
    rejected_issue(&mut net, "MSA", other, "DUPLICATE_UTN");
    assert_eq!(record(&net, &cref("MSA", "UTN-1")), first);
}

#[test]
fn the_same_tracking_number_from_two_administrations_is_two_certificates() {
    let mut net = TestNetwork::pilot();
    submit(&mut net, "MSA", issue_body(issue("UTN-1"))).unwrap();
    submit(&mut net, "MPA", issue_body(sg_issue("UTN-1"))).unwrap();
    assert_eq!(
        record(&net, &cref("MSA", "UTN-1")).issued.actor,
        net.org("MSA")
    );
    assert_eq!(
        record(&net, &cref("MPA", "UTN-1")).issued.actor,
        net.org("MPA")
    );
}

#[test]
fn pilot_administrations_carry_both_of_their_roles() {
    use ebl_ledger::identity::{Organisation, Role};
    let net = TestNetwork::pilot();
    let msa: Organisation = net
        .ledger
        .get(&keys::organisation(&net.org("MSA")))
        .unwrap()
        .unwrap();
    assert!(msa.has_role(Role::MaritimeAdministration));
    assert!(msa.has_role(Role::ValidatorOperator));
}
