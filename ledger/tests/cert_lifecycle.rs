//! SUSPEND, REINSTATE, WITHDRAW, SUPERSEDE, and status at past times
//! (specs/protocol.md R69–R70, R75–R79).

#[path = "cert_support/mod.rs"]
mod support;

use ebl_ledger::cert::{CertificateKind, CertificateStatus as S, StatusChange};
use ebl_ledger::entry::ActionKind;
use support::*;

#[test]
fn suspension_and_reinstatement_are_replayed_for_past_times() {
    let (mut net, certificate) = network_with("L-1", CertificateKind::SafetyConstruction);
    net.set_date(d("2026-03-01"));
    submit(&mut net, "MSA", suspend_body(&certificate)).unwrap();
    let suspended_at = net.time();
    net.set_date(d("2026-04-01"));
    submit(&mut net, "MSA", reinstate_body(&certificate)).unwrap();
    let reinstated_at = net.time();
    net.set_date(d("2026-06-01"));
    submit(&mut net, "MSA", suspend_body(&certificate)).unwrap();

    let stored = record(&net, &certificate);
    assert_eq!(stored.status_events.len(), 3);
    let first = &stored.status_events[0];
    assert!(
        matches!(&first.change, StatusChange::Suspended { reason } if reason.contains("detained"))
    );
    assert_eq!(first.stamp.time, suspended_at);
    assert_eq!(first.stamp.actor, net.org("MSA"));
    assert_eq!(stored.status_events[1].change, StatusChange::Reinstated);
    assert_eq!(stored.status_events[1].stamp.time, reinstated_at);

    assert_eq!(stored.status_at(at("2026-02-28")), S::Valid);
    assert_eq!(stored.status_at(suspended_at), S::Suspended);
    assert_eq!(stored.status_at(at("2026-03-15")), S::Suspended);
    assert_eq!(stored.status_at(reinstated_at), S::Valid);
    assert_eq!(stored.status_at(at("2026-05-01")), S::Valid);
    assert_eq!(stored.status_at(at("2026-06-02")), S::Suspended);
    assert!(stored.is_suspended());
    let actions: Vec<_> = stored.history.iter().map(|h| h.action).collect();
    assert_eq!(
        actions,
        [
            ActionKind::CertIssue,
            ActionKind::CertSuspend,
            ActionKind::CertReinstate,
            ActionKind::CertSuspend
        ]
    );
}

#[test]
fn a_suspended_certificate_is_not_suspended_again() {
    let (mut net, certificate) = network_with("L-2", CertificateKind::SafetyConstruction);
    submit(&mut net, "MSA", suspend_body(&certificate)).unwrap();
    assert_rejected(
        &mut net,
        "MSA",
        suspend_body(&certificate),
        "WRONG_STATUS",
        &certificate,
    );
}

#[test]
fn an_expired_certificate_is_not_suspended() {
    let mut net = ebl_ledger::testkit::TestNetwork::pilot();
    let mut short = issue("L-3");
    short.expires_on = d("2026-06-30");
    submit(&mut net, "MSA", issue_body(short)).unwrap();
    let certificate = cref("MSA", "L-3");
    net.set_date(d("2026-07-01"));
    assert_rejected(
        &mut net,
        "MSA",
        suspend_body(&certificate),
        "WRONG_STATUS",
        &certificate,
    );
    // Withdrawal still applies to an expired certificate.
    submit(&mut net, "MSA", withdraw_body(&certificate)).unwrap();
}

#[test]
fn an_overdue_certificate_can_be_suspended() {
    let (mut net, certificate) = network_with("L-4", CertificateKind::SafetyConstruction);
    net.set_date(d("2027-05-01"));
    assert_eq!(
        record(&net, &certificate).status_at(net.time()),
        S::EndorsementOverdue
    );
    submit(&mut net, "MSA", suspend_body(&certificate)).unwrap();
    assert_eq!(
        record(&net, &certificate).status_at(net.time()),
        S::Suspended
    );
}

#[test]
fn only_a_suspended_certificate_is_reinstated() {
    let (mut net, certificate) = network_with("L-5", CertificateKind::SafetyConstruction);
    assert_rejected(
        &mut net,
        "MSA",
        reinstate_body(&certificate),
        "WRONG_STATUS",
        &certificate,
    );
    submit(&mut net, "MSA", suspend_body(&certificate)).unwrap();
    submit(&mut net, "MSA", reinstate_body(&certificate)).unwrap();
    assert_rejected(
        &mut net,
        "MSA",
        reinstate_body(&certificate),
        "WRONG_STATUS",
        &certificate,
    );
}

#[test]
fn only_the_issuing_administration_changes_the_status() {
    let (mut net, certificate) = network_with("L-6", CertificateKind::SafetyConstruction);
    for body in [
        suspend_body(&certificate),
        withdraw_body(&certificate),
        supersede_body(&certificate, "L-6B"),
    ] {
        assert_rejected(&mut net, "MPA", body.clone(), "NOT_ISSUER", &certificate);
        assert_eq!(
            submit_for(&mut net, "CLASS", "MSA", body),
            Err("NOT_AUTHORIZED".into())
        );
    }
    submit(&mut net, "MSA", suspend_body(&certificate)).unwrap();
    assert_rejected(
        &mut net,
        "MPA",
        reinstate_body(&certificate),
        "NOT_ISSUER",
        &certificate,
    );
}

#[test]
fn status_actions_need_a_reason_and_a_known_certificate() {
    let (mut net, certificate) = network_with("L-7", CertificateKind::SafetyConstruction);
    let mut no_reason = suspend_body(&certificate);
    if let ebl_ledger::entry::Body::Certificate(ebl_ledger::cert::CertAction::Suspend {
        reason,
        ..
    }) = &mut no_reason
    {
        *reason = "\u{0}".into();
    }
    assert_rejected(&mut net, "MSA", no_reason, "INVALID_FIELD", &certificate);
    let unknown = cref("MSA", "NOPE");
    assert_eq!(
        submit(&mut net, "MSA", withdraw_body(&unknown)),
        Err("UNKNOWN_CERTIFICATE".into())
    );
}

#[test]
fn a_withdrawn_certificate_is_closed_to_every_action() {
    let (mut net, certificate) = network_with("L-8", CertificateKind::SafetyConstruction);
    net.set_date(d("2026-09-01"));
    submit(&mut net, "MSA", withdraw_body(&certificate)).unwrap();
    let withdrawn_at = net.time();
    net.set_date(d("2027-01-14"));
    for body in [
        annual_body(&certificate, "2027-01-14"),
        extend_body(&certificate, "2031-02-14"),
        suspend_body(&certificate),
        reinstate_body(&certificate),
        withdraw_body(&certificate),
        supersede_body(&certificate, "OTHER"),
    ] {
        assert_rejected(&mut net, "MSA", body, "DOCUMENT_CLOSED", &certificate);
    }
    let stored = record(&net, &certificate);
    assert_eq!(stored.status_at(at("2026-08-31")), S::Valid);
    assert_eq!(stored.status_at(withdrawn_at), S::Withdrawn);
    assert_eq!(stored.status_at(at("2040-01-01")), S::Withdrawn);
}

#[test]
fn a_certificate_is_superseded_by_a_new_one_for_the_same_ship_and_kind() {
    let (mut net, old) = network_with("S-OLD", CertificateKind::SafetyConstruction);
    net.set_date(d("2027-01-14"));
    let mut renewal = issue("S-NEW");
    renewal.issued_on = d("2027-01-14");
    renewal.expires_on = d("2032-01-13");
    submit(&mut net, "MSA", issue_body(renewal)).unwrap();
    submit(&mut net, "MSA", supersede_body(&old, "S-NEW")).unwrap();
    let superseded_at = net.time();
    let new = cref("MSA", "S-NEW");
    let old_record = record(&net, &old);
    let new_record = record(&net, &new);
    assert_eq!(old_record.superseded_by, Some(new.clone()));
    assert_eq!(new_record.supersedes, Some(old.clone()));
    assert_eq!(
        old_record.status_events[0].change,
        StatusChange::Superseded { by: new }
    );
    assert_eq!(
        new_record.history.last().unwrap().action,
        ActionKind::CertSupersede
    );
    assert_eq!(old_record.status_at(at("2027-01-13")), S::Valid);
    assert_eq!(old_record.status_at(superseded_at), S::Superseded);
    assert_eq!(new_record.status_at(superseded_at), S::Valid);
    assert_rejected(&mut net, "MSA", suspend_body(&old), "DOCUMENT_CLOSED", &old);
}

#[test]
fn a_superseding_certificate_must_exist_and_match_ship_kind_and_administration() {
    let (mut net, old) = network_with("S-1", CertificateKind::SafetyConstruction);
    let mut other_ship = issue("S-SHIP");
    other_ship.ship.imo_number = "9176187".into();
    submit(&mut net, "MSA", issue_body(other_ship)).unwrap();
    let mut other_kind = issue("S-KIND");
    other_kind.kind = CertificateKind::LoadLine;
    submit(&mut net, "MSA", issue_body(other_kind)).unwrap();
    submit(&mut net, "MPA", issue_body(sg_issue("S-MPA"))).unwrap();

    assert_rejected(
        &mut net,
        "MSA",
        supersede_body(&old, "S-NONE"),
        "UNKNOWN_CERTIFICATE",
        &old,
    );
    assert_rejected(
        &mut net,
        "MSA",
        supersede_body(&old, "S-MPA"),
        "UNKNOWN_CERTIFICATE",
        &old,
    );
    assert_rejected(
        &mut net,
        "MSA",
        supersede_body(&old, "S-SHIP"),
        "INVALID_FIELD",
        &old,
    );
    assert_rejected(
        &mut net,
        "MSA",
        supersede_body(&old, "S-KIND"),
        "INVALID_FIELD",
        &old,
    );
    assert_rejected(
        &mut net,
        "MSA",
        supersede_body(&old, "S-1"),
        "INVALID_FIELD",
        &old,
    );
}

#[test]
fn a_closed_certificate_cannot_supersede_and_one_certificate_supersedes_only_one() {
    let (mut net, first) = network_with("S-A", CertificateKind::SafetyConstruction);
    submit(&mut net, "MSA", issue_body(issue("S-B"))).unwrap();
    submit(&mut net, "MSA", issue_body(issue("S-C"))).unwrap();
    submit(&mut net, "MSA", issue_body(issue("S-W"))).unwrap();
    let withdrawn = cref("MSA", "S-W");
    submit(&mut net, "MSA", withdraw_body(&withdrawn)).unwrap();
    assert_rejected(
        &mut net,
        "MSA",
        supersede_body(&first, "S-W"),
        "DOCUMENT_CLOSED",
        &first,
    );
    submit(&mut net, "MSA", supersede_body(&first, "S-C")).unwrap();
    let second = cref("MSA", "S-B");
    assert_rejected(
        &mut net,
        "MSA",
        supersede_body(&second, "S-C"),
        "INVALID_FIELD",
        &second,
    );
}

#[test]
fn a_certificate_withdrawn_before_its_first_day_reads_as_withdrawn() {
    let (mut net, certificate) = network_with("L-9", CertificateKind::SafetyConstruction);
    submit(&mut net, "MSA", withdraw_body(&certificate)).unwrap();
    let stored = record(&net, &certificate);
    assert_eq!(stored.status_at(net.time()), S::Withdrawn);
    assert_eq!(stored.status_at(at("2026-01-10")), S::Withdrawn);
    assert_eq!(
        stored.status_at(ebl_ledger::testkit::GENESIS_TIME),
        S::NotYetValid
    );
}
