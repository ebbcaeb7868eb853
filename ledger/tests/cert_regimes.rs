//! The survey regime of each certificate kind, with the regime's own dates
//! (specs/protocol.md §6 "Survey regime per kind", R72, R79, R280–R283).
//!
//! Every certificate here runs 2026-01-15 to 2031-01-14: anniversaries 2027-01-14 …
//! 2030-01-14, annual windows 2026-10-14–2027-04-14, 2027-10-14–2028-04-14,
//! 2028-10-14–2029-04-14, 2029-10-14–2030-04-14, and the SMC/ISSC/MLC intermediate window
//! 2028-01-14–2029-01-14.

#[path = "cert_support/mod.rs"]
mod support;

use ebl_ledger::cert::{
    CertificateKind as K, CertificateRef, CertificateStatus as S, EndorsementKind as E,
    SurveyRegime,
};
use ebl_ledger::testkit::TestNetwork;
use support::*;

/// The last day the test network's organisation certificates allow signing is 2029-12-31, so
/// every survey is recorded on 2029-12-01 (late recording counts for the survey's date, R72).
const RECORDED_ON: &str = "2029-12-01";

/// A certificate of `kind` with the surveys `(kind, date)` recorded, all accepted.
fn surveyed(utn: &str, kind: K, surveys: &[(E, &str)]) -> (TestNetwork, CertificateRef) {
    let (mut net, certificate) = network_with(utn, kind);
    net.set_date(d(RECORDED_ON));
    for (survey_kind, date) in surveys {
        let body = endorse_body(&certificate, survey(*survey_kind, date));
        assert_eq!(
            submit(&mut net, "MSA", body),
            Ok(()),
            "{kind:?} {survey_kind:?} {date}"
        );
    }
    (net, certificate)
}

fn assert_statuses(net: &TestNetwork, certificate: &CertificateRef, expected: &[(&str, S)]) {
    let stored = record(net, certificate);
    for (day, status) in expected {
        assert_eq!(
            stored.status_at(end_of(day)),
            *status,
            "{:?} on {day}",
            stored.kind
        );
    }
}

fn refused(kind: K, survey_kind: E, date: &str, code: &str) {
    let (mut net, certificate) = network_with("REFUSED", kind);
    net.set_date(d(RECORDED_ON));
    let body = endorse_body(&certificate, survey(survey_kind, date));
    assert_rejected(&mut net, "MSA", body, code, &certificate);
}

#[test]
fn every_kind_has_the_regime_of_its_instrument() {
    use SurveyRegime as R;
    let table = [
        (K::SafetyConstruction, R::AnnualWithIntermediate),
        (K::Iopp, R::AnnualWithIntermediate),
        (K::Iapp, R::AnnualWithIntermediate),
        (K::SafetyEquipment, R::AnnualWithPeriodical),
        (K::SafetyRadio, R::PeriodicalEachYear),
        (K::LoadLine, R::AnnualOnly),
        (K::Doc, R::AnnualOnly),
        (K::Smc, R::IntermediateVerification),
        (K::Issc, R::IntermediateVerification),
        (K::Mlc, R::IntermediateInspection),
        (K::PassengerShipSafety, R::RenewalOnly),
        (K::Registry, R::RenewalOnly),
        (K::MinimumSafeManning, R::RenewalOnly),
        (K::Tonnage, R::RenewalOnly),
    ];
    for (kind, regime) in table {
        assert_eq!(kind.survey_regime(), regime, "{kind:?}");
    }
}

#[test]
fn hssc_kinds_stay_valid_with_annual_surveys_and_one_intermediate() {
    for kind in [K::SafetyConstruction, K::Iopp, K::Iapp] {
        let surveys = [
            (E::Annual, "2027-01-14"),
            (E::Annual, "2028-01-14"),
            (E::Intermediate, "2029-04-14"),
            (E::Annual, "2029-10-14"),
        ];
        let (net, certificate) = surveyed("H-1", kind, &surveys);
        assert_statuses(&net, &certificate, &[("2029-12-01", S::Valid)]);
        let stored = record(&net, &certificate);
        assert_eq!(stored.status_at(end_of("2031-01-14")), S::Valid);
        assert_eq!(stored.status_at(at("2031-01-15")), S::Expired);
    }
}

#[test]
fn hssc_kinds_are_overdue_when_the_intermediate_survey_is_missing() {
    let annual_only = [
        (E::Annual, "2027-01-14"),
        (E::Annual, "2028-01-14"),
        (E::Annual, "2029-01-14"),
    ];
    let (net, certificate) = surveyed("H-2", K::SafetyConstruction, &annual_only);
    let expected = [
        ("2029-04-14", S::Valid),
        ("2029-04-15", S::EndorsementOverdue),
    ];
    assert_statuses(&net, &certificate, &expected);
    // The windows are all endorsed; what is still due is the intermediate survey in the third.
    let next = record(&net, &certificate).next_endorsement_window(at("2029-02-01"));
    assert_eq!(next.map(|w| w.anniversary), Some(d("2029-01-14")));
}

#[test]
fn hssc_kinds_take_an_intermediate_survey_only_in_the_second_or_third_window() {
    refused(
        K::SafetyConstruction,
        E::Intermediate,
        "2027-01-14",
        "INVALID_DATES",
    );
    refused(K::Iopp, E::Intermediate, "2029-10-14", "INVALID_DATES");
    refused(K::Iapp, E::Periodical, "2028-01-14", "INVALID_FIELD");
}

#[test]
fn safety_equipment_stays_valid_with_one_periodical_survey() {
    let surveys = [
        (E::Annual, "2027-01-14"),
        (E::Periodical, "2027-10-14"),
        (E::Annual, "2029-01-14"),
        (E::Annual, "2029-12-01"),
    ];
    let (net, certificate) = surveyed("Q-1", K::SafetyEquipment, &surveys);
    assert_statuses(&net, &certificate, &[("2029-12-01", S::Valid)]);
    assert_eq!(
        record(&net, &certificate).status_at(end_of("2031-01-14")),
        S::Valid
    );
}

#[test]
fn safety_equipment_without_a_periodical_survey_is_overdue_and_has_no_intermediate() {
    let annual_only = [
        (E::Annual, "2027-01-14"),
        (E::Annual, "2028-01-14"),
        (E::Annual, "2029-01-14"),
    ];
    let (net, certificate) = surveyed("Q-2", K::SafetyEquipment, &annual_only);
    assert_statuses(&net, &certificate, &[("2029-04-15", S::EndorsementOverdue)]);
    refused(
        K::SafetyEquipment,
        E::Intermediate,
        "2028-01-14",
        "INVALID_FIELD",
    );
    refused(
        K::SafetyEquipment,
        E::Periodical,
        "2027-01-14",
        "INVALID_DATES",
    );
}

#[test]
fn safety_radio_takes_a_periodical_survey_in_every_window() {
    let surveys = [
        (E::Periodical, "2027-01-14"),
        (E::Periodical, "2028-01-14"),
        (E::Periodical, "2029-01-14"),
        (E::Periodical, "2029-12-01"),
    ];
    let (net, certificate) = surveyed("R-1", K::SafetyRadio, &surveys);
    assert_statuses(&net, &certificate, &[("2029-12-01", S::Valid)]);
    let missed_first = surveyed("R-2", K::SafetyRadio, &surveys[1..]);
    let expected = [
        ("2027-04-14", S::Valid),
        ("2027-04-15", S::EndorsementOverdue),
    ];
    assert_statuses(&missed_first.0, &missed_first.1, &expected);
    refused(K::SafetyRadio, E::Annual, "2027-01-14", "INVALID_FIELD");
    refused(
        K::SafetyRadio,
        E::Intermediate,
        "2028-01-14",
        "INVALID_FIELD",
    );
}

#[test]
fn load_line_and_doc_take_an_annual_survey_in_every_window() {
    for kind in [K::LoadLine, K::Doc] {
        let surveys = [
            (E::Annual, "2026-10-14"),
            (E::Annual, "2028-04-14"),
            (E::Annual, "2029-01-14"),
            (E::Annual, "2029-12-01"),
        ];
        let (net, certificate) = surveyed("A-1", kind, &surveys);
        assert_statuses(&net, &certificate, &[("2029-12-01", S::Valid)]);
        let (net, certificate) = surveyed("A-2", kind, &surveys[..1]);
        let expected = [
            ("2028-04-14", S::Valid),
            ("2028-04-15", S::EndorsementOverdue),
        ];
        assert_statuses(&net, &certificate, &expected);
        refused(kind, E::Intermediate, "2028-01-14", "INVALID_FIELD");
        refused(kind, E::Periodical, "2028-01-14", "INVALID_FIELD");
    }
}

#[test]
fn smc_issc_and_mlc_need_no_annual_survey_and_one_intermediate_from_the_second_anniversary() {
    for kind in [K::Smc, K::Issc, K::Mlc] {
        // On the first and on the last day of the window, both ends included (R282).
        for date in ["2028-01-14", "2029-01-14"] {
            let (net, certificate) = surveyed("I-1", kind, &[(E::Intermediate, date)]);
            let expected = [
                ("2027-04-15", S::Valid),
                ("2029-01-15", S::Valid),
                ("2029-12-01", S::Valid),
            ];
            assert_statuses(&net, &certificate, &expected);
            let stored = record(&net, &certificate);
            assert_eq!(stored.status_at(end_of("2031-01-14")), S::Valid);
            assert_eq!(stored.next_endorsement_window(at("2027-01-01")), None);
        }
    }
}

#[test]
fn smc_issc_and_mlc_are_overdue_the_day_after_the_third_anniversary_without_one() {
    for kind in [K::Smc, K::Issc, K::Mlc] {
        let (net, certificate) = network_with("I-2", kind);
        let expected = [
            ("2028-06-01", S::Valid),
            ("2029-01-14", S::Valid),
            ("2029-01-15", S::EndorsementOverdue),
        ];
        assert_statuses(&net, &certificate, &expected);
        let window = record(&net, &certificate)
            .next_endorsement_window(at("2026-06-01"))
            .unwrap();
        assert_eq!(
            (window.opens, window.closes),
            (d("2028-01-14"), d("2029-01-14"))
        );
        refused(kind, E::Annual, "2027-01-14", "INVALID_FIELD");
        refused(kind, E::Periodical, "2028-06-01", "INVALID_FIELD");
    }
}

#[test]
fn an_mlc_intermediate_inspection_outside_its_window_is_refused() {
    refused(K::Mlc, E::Intermediate, "2028-01-13", "INVALID_DATES");
    refused(K::Mlc, E::Intermediate, "2029-01-15", "INVALID_DATES");
}

#[test]
fn an_additional_ism_or_isps_verification_is_recorded_but_does_not_replace_the_required_one() {
    for kind in [K::Smc, K::Issc] {
        let (net, certificate) = surveyed("I-3", kind, &[(E::Intermediate, "2027-06-01")]);
        assert_eq!(record(&net, &certificate).endorsements.len(), 1);
        assert_statuses(&net, &certificate, &[("2029-01-15", S::EndorsementOverdue)]);
    }
}

#[test]
fn without_a_third_anniversary_no_intermediate_is_due() {
    // 2026-01-15 to 2028-06-30: anniversaries 2026-06-30 and 2027-06-30 only.
    let mut net = TestNetwork::pilot();
    let mut mlc = issue("SHORT");
    mlc.kind = K::Mlc;
    mlc.expires_on = d("2028-06-30");
    submit(&mut net, "MSA", issue_body(mlc)).unwrap();
    let certificate = cref("MSA", "SHORT");
    assert_statuses(&net, &certificate, &[("2028-06-30", S::Valid)]);
    net.set_date(d("2027-06-30"));
    let body = endorse_body(&certificate, survey(E::Intermediate, "2027-06-30"));
    assert_rejected(&mut net, "MSA", body, "INVALID_DATES", &certificate);
}

#[test]
fn kinds_without_periodic_survey_refuse_every_periodic_endorsement_and_are_never_overdue() {
    for kind in [
        K::PassengerShipSafety,
        K::Registry,
        K::MinimumSafeManning,
        K::Tonnage,
    ] {
        let (net, certificate) = network_with("N-1", kind);
        assert_statuses(&net, &certificate, &[("2031-01-14", S::Valid)]);
        let stored = record(&net, &certificate);
        assert_eq!(stored.next_endorsement_window(at("2026-06-01")), None);
        for survey_kind in [E::Annual, E::Intermediate, E::Periodical] {
            refused(kind, survey_kind, "2028-01-14", "INVALID_FIELD");
        }
    }
}
