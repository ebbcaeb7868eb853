//! A certificate's status over its five years, with and without annual endorsements
//! (specs/protocol.md R72, R79).

#[path = "cert_support/mod.rs"]
mod support;

use ebl_ledger::cert::{CertificateKind, CertificateStatus as S, EndorsementKind};
use support::*;

const ANNIVERSARIES: [&str; 4] = ["2027-01-14", "2028-01-14", "2029-01-14", "2030-01-14"];

#[test]
fn annual_windows_surround_each_anniversary_of_the_expiry_date() {
    let (net, certificate) = network_with("W-1", CertificateKind::SafetyConstruction);
    let windows = record(&net, &certificate).annual_windows();
    let anniversaries: Vec<_> = windows.iter().map(|w| w.anniversary.to_string()).collect();
    assert_eq!(anniversaries, ANNIVERSARIES);
    assert_eq!(windows[0].opens, d("2026-10-14"));
    assert_eq!(windows[0].closes, d("2027-04-14"));
}

#[test]
fn an_endorsed_certificate_is_valid_for_five_years_then_expires() {
    let (mut net, certificate) = network_with("T-1", CertificateKind::SafetyConstruction);
    // Surveys early, late and on the day in successive windows; the HSSC intermediate survey
    // takes the place of the second annual one (R281).
    for survey_date in ["2026-10-14", "2028-04-14", "2029-01-14", "2029-12-01"] {
        net.set_date(d(survey_date));
        let kind = match survey_date {
            "2028-04-14" => EndorsementKind::Intermediate,
            _ => EndorsementKind::Annual,
        };
        let body = endorse_body(&certificate, survey(kind, survey_date));
        submit(&mut net, "MSA", body).unwrap();
    }
    let stored = record(&net, &certificate);
    assert_eq!(stored.endorsements.len(), 4);
    let expected = [
        (at("2026-01-14"), S::NotYetValid),
        (end_of("2026-01-14"), S::NotYetValid),
        (at("2026-01-15"), S::Valid),
        (at("2027-04-15"), S::Valid),
        (at("2028-04-15"), S::Valid),
        (at("2029-06-30"), S::Valid),
        (at("2030-04-15"), S::Valid),
        (at("2031-01-14"), S::Valid),
        (end_of("2031-01-14"), S::Valid),
        (at("2031-01-15"), S::Expired),
        (at("2035-01-01"), S::Expired),
    ];
    for (time, status) in expected {
        assert_eq!(stored.status_at(time), status, "at {}", time.to_rfc3339());
    }
}

#[test]
fn without_endorsements_the_certificate_is_overdue_once_the_first_window_closes() {
    let (net, certificate) = network_with("T-2", CertificateKind::SafetyConstruction);
    let stored = record(&net, &certificate);
    let expected = [
        (at("2026-01-15"), S::Valid),
        (at("2027-01-14"), S::Valid),
        (end_of("2027-04-14"), S::Valid),
        (at("2027-04-15"), S::EndorsementOverdue),
        (at("2029-01-01"), S::EndorsementOverdue),
        (end_of("2031-01-14"), S::EndorsementOverdue),
        (at("2031-01-15"), S::Expired),
    ];
    for (time, status) in expected {
        assert_eq!(stored.status_at(time), status, "at {}", time.to_rfc3339());
    }
}

#[test]
fn a_missed_third_window_makes_the_certificate_overdue_from_then_on() {
    let (mut net, certificate) = network_with("T-3", CertificateKind::SafetyConstruction);
    for survey_date in ["2027-01-20", "2028-02-01"] {
        net.set_date(d(survey_date));
        submit(&mut net, "MSA", annual_body(&certificate, survey_date)).unwrap();
    }
    let stored = record(&net, &certificate);
    assert_eq!(stored.status_at(end_of("2029-04-14")), S::Valid);
    assert_eq!(stored.status_at(at("2029-04-15")), S::EndorsementOverdue);
}

#[test]
fn intermediate_and_periodical_surveys_satisfy_their_windows() {
    // Safety equipment: a periodical survey in place of the second annual one (R281).
    let (mut net, equipment) = network_with("T-4", CertificateKind::SafetyEquipment);
    let surveys = [
        (EndorsementKind::Annual, "2027-01-14"),
        (EndorsementKind::Periodical, "2028-01-14"),
        (EndorsementKind::Annual, "2029-01-14"),
        // Organisation certificates of the test network end on 2030-01-01.
        (EndorsementKind::Annual, "2029-12-01"),
    ];
    for (kind, date) in surveys {
        net.set_date(d(date));
        submit(
            &mut net,
            "MSA",
            endorse_body(&equipment, survey(kind, date)),
        )
        .unwrap();
    }
    assert_eq!(
        record(&net, &equipment).status_at(end_of("2031-01-14")),
        S::Valid
    );
}

#[test]
fn kinds_without_annual_endorsement_are_never_overdue() {
    let (net, certificate) = network_with("T-5", CertificateKind::Registry);
    let stored = record(&net, &certificate);
    assert_eq!(stored.status_at(at("2029-06-01")), S::Valid);
    assert_eq!(stored.next_endorsement_window(at("2026-06-01")), None);
    assert_eq!(stored.status_at(at("2031-01-15")), S::Expired);
}

#[test]
fn the_next_endorsement_window_moves_on_as_surveys_are_recorded() {
    let (mut net, certificate) = network_with("T-6", CertificateKind::LoadLine);
    let first = record(&net, &certificate)
        .next_endorsement_window(at("2026-06-01"))
        .unwrap();
    assert_eq!(first.anniversary, d("2027-01-14"));
    net.set_date(d("2027-02-01"));
    submit(&mut net, "MSA", annual_body(&certificate, "2027-02-01")).unwrap();
    let stored = record(&net, &certificate);
    let next = stored.next_endorsement_window(at("2027-02-02")).unwrap();
    assert_eq!(next.anniversary, d("2028-01-14"));
    // A window that closed unendorsed is overdue, not "next": the next one is still due.
    let later = stored.next_endorsement_window(at("2028-05-01")).unwrap();
    assert_eq!(later.anniversary, d("2029-01-14"));
    assert_eq!(stored.next_endorsement_window(at("2030-04-15")), None);
}
