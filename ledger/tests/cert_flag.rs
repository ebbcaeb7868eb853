//! The ship's flag: certificates are issued by the flag State's Administration, and a change of
//! flag ends the old flag's certificates (specs/protocol.md R385–R388, SOLAS I/14).
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

#[path = "cert_support/mod.rs"]
mod support;

use ebl_ledger::cert::{CertAction, CertificateStatus as S, ShipRecord, StatusChange};
use ebl_ledger::entry::{ActionKind, Body};
use ebl_ledger::state::keys;
use ebl_ledger::testkit::TestNetwork;
use support::*;

const IMO: &str = "9074729";

fn flag_change(imo: &str, to_flag: &str, effective_on: &str) -> Body {
    Body::Certificate(CertAction::FlagChange {
        imo_number: imo.into(),
        to_flag: to_flag.into(),
        effective_on: d(effective_on),
    })
}

fn ship_record(net: &TestNetwork, imo: &str) -> Option<ShipRecord> {
    net.ledger.get(&keys::ship(imo)).unwrap()
}

/// Submits `body` by `org`, expects `code`, and checks that neither the ship record nor the
/// certificate MSA-1 changed.
fn refused(net: &mut TestNetwork, org: &str, body: Body, code: &str) {
    let ship = ship_record(net, IMO);
    let cert = stored(net, &cref("MSA", "MSA-1"));
    assert_eq!(submit(net, org, body), Err(code.to_string()));
    assert_eq!(ship_record(net, IMO), ship, "ship record changed on {code}");
    assert_eq!(
        stored(net, &cref("MSA", "MSA-1")),
        cert,
        "certificate changed on {code}"
    );
}

/// The pilot on 2026-03-01 with MSA's certificates MSA-1 (open) and MSA-2 (withdrawn) for
/// the Chinese-flagged ship [`IMO`].
fn chinese_ship() -> TestNetwork {
    let mut net = TestNetwork::pilot();
    net.set_date(d("2026-03-01"));
    submit(&mut net, "MSA", issue_body(issue("MSA-1"))).unwrap();
    let mut second = issue("MSA-2");
    second.kind = ebl_ledger::cert::CertificateKind::LoadLine;
    submit(&mut net, "MSA", issue_body(second)).unwrap();
    submit(&mut net, "MSA", withdraw_body(&cref("MSA", "MSA-2"))).unwrap();
    net
}

#[test]
fn issue_records_the_ships_flag_and_lists_the_certificate() {
    let net = chinese_ship();
    let ship = ship_record(&net, IMO).unwrap();
    assert_eq!(ship.flag, "CN");
    assert!(ship.flag_changes.is_empty());
    assert_eq!(
        ship.certificates,
        [cref("MSA", "MSA-1"), cref("MSA", "MSA-2")]
    );
}

#[test]
fn an_administration_cannot_issue_for_a_ship_of_another_flag() {
    let mut net = TestNetwork::pilot();
    rejected(&mut net, "MSA", sg_issue("MSA-SG"));
    rejected(&mut net, "MPA", issue("MPA-CN"));
    assert_eq!(ship_record(&net, IMO), None);
    assert_eq!(ship_record(&net, &sg_ship().imo_number), None);
    // Nor a recognized organization acting for it.
    grant_class_for_msa(&mut net, vec![ActionKind::CertIssue]);
    let result = submit_for(&mut net, "CLASS", "MSA", issue_body(sg_issue("RO-SG")));
    assert_eq!(result, Err("FLAG_MISMATCH".into()));
    submit_for(&mut net, "CLASS", "MSA", issue_body(issue("RO-CN"))).unwrap();
}

fn rejected(net: &mut TestNetwork, org: &str, issue: ebl_ledger::cert::CertificateIssue) {
    let certificate = cref(org, &issue.utn);
    assert_rejected(net, org, issue_body(issue), "FLAG_MISMATCH", &certificate);
}

#[test]
fn the_new_flags_administration_records_the_change_and_the_old_certificates_end_on_its_day() {
    let mut net = chinese_ship();
    submit(&mut net, "MPA", flag_change(IMO, "SG", "2026-03-10")).unwrap();

    let ship = ship_record(&net, IMO).unwrap();
    assert_eq!(ship.flag, "SG");
    assert!(ship.certificates.is_empty());
    let change = &ship.flag_changes[0];
    assert_eq!(change.from_flag.as_deref(), Some("CN"));
    assert_eq!(
        (change.to_flag.as_str(), change.effective_on),
        ("SG", d("2026-03-10"))
    );
    assert_eq!(change.stamp.actor, net.org("MPA"));

    let open = record(&net, &cref("MSA", "MSA-1"));
    assert!(matches!(
        &open.status_events[0].change,
        StatusChange::FlagChanged { to_flag, effective_on } if to_flag == "SG" && *effective_on == d("2026-03-10")
    ));
    assert_eq!(
        open.history.last().unwrap().action,
        ActionKind::CertFlagChange
    );
    // In force until the last moment of the 9th, local time; FLAG_CHANGED from the 10th.
    assert_eq!(open.status_at(end_of("2026-03-09")), S::Valid);
    assert_eq!(open.status_at(at("2026-03-10")), S::FlagChanged);
    assert_eq!(open.status_at(at("2031-01-15")), S::FlagChanged);
    // A withdrawn certificate stays withdrawn.
    let withdrawn = record(&net, &cref("MSA", "MSA-2"));
    assert_eq!(withdrawn.status_events.len(), 1);
    assert_eq!(withdrawn.status_at(at("2026-03-10")), S::Withdrawn);

    // The old flag's Administration acts on its certificate no more, nor issues for the ship.
    assert_rejected(
        &mut net,
        "MSA",
        suspend_body(&cref("MSA", "MSA-1")),
        "DOCUMENT_CLOSED",
        &cref("MSA", "MSA-1"),
    );
    rejected(&mut net, "MSA", issue("MSA-3"));
    // The new one issues for it under its flag.
    let mut sg = sg_issue("MPA-1");
    sg.ship.imo_number = IMO.into();
    submit(&mut net, "MPA", issue_body(sg)).unwrap();
    assert_eq!(
        ship_record(&net, IMO).unwrap().certificates,
        [cref("MPA", "MPA-1")]
    );
}

#[test]
fn the_old_flags_administration_may_record_the_change_and_may_do_so_under_a_grant() {
    let mut net = chinese_ship();
    grant_class_for_msa(&mut net, vec![ActionKind::CertFlagChange]);
    submit_for(
        &mut net,
        "CLASS",
        "MSA",
        flag_change(IMO, "SG", "2026-02-20"),
    )
    .unwrap();
    let ship = ship_record(&net, IMO).unwrap();
    assert_eq!(ship.flag_changes[0].stamp.actor, net.org("MSA"));
    assert_eq!(ship.flag_changes[0].stamp.signed_by, Some(net.org("CLASS")));
    // Effective in the past: from the moment it was recorded.
    let open = record(&net, &cref("MSA", "MSA-1"));
    let recorded = open.status_events[0].stamp.time;
    assert_eq!(open.status_at(recorded), S::FlagChanged);
    assert_eq!(
        open.status_at(ebl_ledger::time::Timestamp(recorded.0 - 1)),
        S::Valid
    );
    // And back again, later, by the new flag's Administration.
    submit(&mut net, "MPA", flag_change(IMO, "CN", "2026-03-02")).unwrap();
    assert_eq!(ship_record(&net, IMO).unwrap().flag_changes.len(), 2);
}

#[test]
fn a_flag_change_by_anyone_else_or_of_no_change_is_refused_and_changes_nothing() {
    let mut net = chinese_ship();
    // MPA is of neither CN nor PA.
    refused(
        &mut net,
        "MPA",
        flag_change(IMO, "PA", "2026-03-10"),
        "FLAG_MISMATCH",
    );
    refused(
        &mut net,
        "CARRIER",
        flag_change(IMO, "SG", "2026-03-10"),
        "MISSING_ROLE",
    );
    refused(
        &mut net,
        "CLASS",
        flag_change(IMO, "SG", "2026-03-10"),
        "MISSING_ROLE",
    );
    refused(
        &mut net,
        "MSA",
        flag_change(IMO, "CN", "2026-03-10"),
        "NO_CHANGE",
    );
    // A ship the ledger knows no flag for is registered by its new flag only.
    let unknown = "9176187";
    let before = ship_record(&net, unknown);
    assert_eq!(
        submit(&mut net, "MPA", flag_change(unknown, "CN", "2026-03-10")),
        Err("FLAG_MISMATCH".into())
    );
    assert_eq!(ship_record(&net, unknown), before);
    submit(&mut net, "MPA", flag_change(unknown, "SG", "2026-03-10")).unwrap();
    let registered = ship_record(&net, unknown).unwrap();
    assert_eq!(
        (
            registered.flag.as_str(),
            registered.flag_changes[0].from_flag.as_ref()
        ),
        ("SG", None)
    );
}

#[test]
fn the_effective_day_is_within_a_month_and_after_the_last_change() {
    let mut net = chinese_ship();
    // Today is 2026-03-01 in Singapore: 31 days either way.
    refused(
        &mut net,
        "MPA",
        flag_change(IMO, "SG", "2026-04-02"),
        "INVALID_DATES",
    );
    refused(
        &mut net,
        "MPA",
        flag_change(IMO, "SG", "2026-01-28"),
        "INVALID_DATES",
    );
    submit(&mut net, "MPA", flag_change(IMO, "SG", "2026-04-01")).unwrap();
    refused(
        &mut net,
        "MPA",
        flag_change(IMO, "CN", "2026-04-01"),
        "INVALID_DATES",
    );
    refused(
        &mut net,
        "MSA",
        flag_change(IMO, "CN", "2026-03-20"),
        "INVALID_DATES",
    );
}

#[test]
fn flag_changes_must_name_a_valid_imo_number_and_flag() {
    let mut net = chinese_ship();
    refused(
        &mut net,
        "MPA",
        flag_change("9074728", "SG", "2026-03-10"),
        "INVALID_IMO_NUMBER",
    );
    for flag in ["sg", "SGP", "", "S1"] {
        refused(
            &mut net,
            "MPA",
            flag_change(IMO, flag, "2026-03-10"),
            "INVALID_FIELD",
        );
    }
}
