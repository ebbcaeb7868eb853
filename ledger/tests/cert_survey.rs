//! ENDORSE and EXTEND: survey windows, renewal endorsements and extension limits
//! (specs/protocol.md R64, R69–R74).

#[path = "cert_support/mod.rs"]
mod support;

use ebl_ledger::cert::{
    CertificateKind, CertificateRef, CertificateStatus, Endorsement, EndorsementKind,
};
use ebl_ledger::entry::ActionKind;
use ebl_ledger::testkit::TestNetwork;
use support::*;

/// A one-year certificate, 2026-01-15 to 2027-01-14: no annual window, renewal from 2026-10-14.
#[allow(clippy::unwrap_used)]
fn one_year(utn: &str) -> (TestNetwork, CertificateRef) {
    let mut net = TestNetwork::pilot();
    let mut issue = issue(utn);
    issue.kind = CertificateKind::Issc;
    issue.expires_on = d("2027-01-14");
    submit(&mut net, "MSA", issue_body(issue)).unwrap();
    (net, cref("MSA", utn))
}

fn renewal(survey_date: &str, until: &str) -> Endorsement {
    Endorsement {
        extended_until: Some(d(until)),
        ..survey(EndorsementKind::Renewal, survey_date)
    }
}

#[test]
fn an_annual_survey_inside_a_window_is_recorded_with_who_and_when() {
    let (mut net, certificate) = network_with("E-1", CertificateKind::SafetyConstruction);
    net.set_date(d("2027-02-10"));
    submit(&mut net, "MSA", annual_body(&certificate, "2027-02-01")).unwrap();
    let stored = record(&net, &certificate);
    let endorsement = &stored.endorsements[0];
    assert_eq!(
        endorsement.endorsement,
        survey(EndorsementKind::Annual, "2027-02-01")
    );
    assert_eq!(endorsement.stamp.actor, net.org("MSA"));
    assert_eq!(endorsement.stamp.time, net.time());
    assert_eq!(endorsement.stamp.height, net.ledger.head().height);
    assert_eq!(
        stored.history.last().unwrap().action,
        ActionKind::CertEndorse
    );
}

#[test]
fn an_annual_survey_outside_every_window_is_rejected() {
    let (mut net, certificate) = network_with("E-2", CertificateKind::SafetyConstruction);
    net.set_date(d("2027-06-01"));
    for date in ["2026-06-01", "2026-10-13", "2027-04-15", "2027-06-01"] {
        assert_rejected(
            &mut net,
            "MSA",
            annual_body(&certificate, date),
            "INVALID_DATES",
            &certificate,
        );
    }
    submit(&mut net, "MSA", annual_body(&certificate, "2027-04-14")).unwrap();
}

#[test]
fn a_survey_dated_after_the_block_date_is_rejected() {
    let (mut net, certificate) = network_with("E-3", CertificateKind::SafetyConstruction);
    net.set_date(d("2027-01-13"));
    assert_rejected(
        &mut net,
        "MSA",
        annual_body(&certificate, "2027-01-14"),
        "INVALID_DATES",
        &certificate,
    );
    submit(&mut net, "MSA", annual_body(&certificate, "2027-01-13")).unwrap();
}

#[test]
fn a_survey_before_the_first_day_of_validity_is_rejected() {
    let mut net = TestNetwork::pilot();
    let mut migrated = issue("E-4");
    migrated.issued_on = d("2022-03-01");
    migrated.expires_on = d("2027-02-28");
    submit(&mut net, "MSA", issue_body(migrated)).unwrap();
    let certificate = cref("MSA", "E-4");
    assert_rejected(
        &mut net,
        "MSA",
        annual_body(&certificate, "2022-02-28"),
        "INVALID_DATES",
        &certificate,
    );
    // A survey of the past, recorded late, still counts for its window.
    submit(&mut net, "MSA", annual_body(&certificate, "2023-02-28")).unwrap();
}

#[test]
fn endorsement_fields_are_checked_before_any_state() {
    let (mut net, certificate) = network_with("E-5", CertificateKind::SafetyConstruction);
    net.set_date(d("2027-01-14"));
    let mut no_surveyor = survey(EndorsementKind::Annual, "2027-01-14");
    no_surveyor.surveyor = String::new();
    let mut annual_extending = survey(EndorsementKind::Annual, "2027-01-14");
    annual_extending.extended_until = Some(d("2031-02-01"));
    let renewal_without_date = survey(EndorsementKind::Renewal, "2027-01-14");
    let mut long_place = survey(EndorsementKind::Annual, "2027-01-14");
    long_place.place = "P".repeat(129);
    for bad in [
        no_surveyor,
        annual_extending,
        renewal_without_date,
        long_place,
    ] {
        assert_rejected(
            &mut net,
            "MSA",
            endorse_body(&certificate, bad),
            "INVALID_FIELD",
            &certificate,
        );
    }
    let bad_reference = cref("MSA", "E-5");
    let mut bad_reference_body = annual_body(&bad_reference, "2027-01-14");
    if let ebl_ledger::entry::Body::Certificate(ebl_ledger::cert::CertAction::Endorse {
        certificate,
        ..
    }) = &mut bad_reference_body
    {
        certificate.administration = ebl_ledger::ids::OrgId("not an org".into());
    }
    assert_eq!(
        submit(&mut net, "MSA", bad_reference_body),
        Err("INVALID_FIELD".into())
    );
}

#[test]
fn an_unknown_certificate_cannot_be_endorsed() {
    let mut net = TestNetwork::pilot();
    let result = submit(
        &mut net,
        "MSA",
        annual_body(&cref("MSA", "NONE"), "2026-01-01"),
    );
    assert_eq!(result, Err("UNKNOWN_CERTIFICATE".into()));
}

#[test]
fn only_the_issuing_administration_endorses() {
    let (mut net, certificate) = network_with("E-6", CertificateKind::SafetyConstruction);
    net.set_date(d("2027-01-14"));
    let body = annual_body(&certificate, "2027-01-14");
    assert_rejected(&mut net, "MPA", body.clone(), "NOT_ISSUER", &certificate);
    assert_rejected(&mut net, "CLASS", body.clone(), "NOT_ISSUER", &certificate);
    assert_eq!(
        submit_for(&mut net, "CLASS", "MSA", body.clone()),
        Err("NOT_AUTHORIZED".into())
    );
    submit(&mut net, "MSA", body).unwrap();
}

#[test]
fn a_recognized_organization_endorses_for_the_administration_under_a_grant() {
    let (mut net, certificate) = network_with("E-7", CertificateKind::SafetyConstruction);
    grant_class_for_msa(&mut net, vec![ActionKind::CertEndorse]);
    net.set_date(d("2027-01-14"));
    submit_for(
        &mut net,
        "CLASS",
        "MSA",
        annual_body(&certificate, "2027-01-14"),
    )
    .unwrap();
    let stamp = &record(&net, &certificate).endorsements[0].stamp;
    assert_eq!(stamp.actor, net.org("MSA"));
    assert_eq!(stamp.signed_by, Some(net.org("CLASS")));
    // The grant covers endorsing only.
    assert_eq!(
        submit_for(&mut net, "CLASS", "MSA", suspend_body(&certificate)),
        Err("NOT_AUTHORIZED".into())
    );
}

#[test]
fn a_suspended_certificate_can_still_be_endorsed() {
    let (mut net, certificate) = network_with("E-8", CertificateKind::SafetyConstruction);
    submit(&mut net, "MSA", suspend_body(&certificate)).unwrap();
    net.set_date(d("2027-01-14"));
    submit(&mut net, "MSA", annual_body(&certificate, "2027-01-14")).unwrap();
    assert_eq!(record(&net, &certificate).endorsements.len(), 1);
}

#[test]
fn a_renewal_endorsement_keeps_the_certificate_valid_up_to_five_months() {
    let (mut net, certificate) = one_year("R-1");
    net.set_date(d("2026-12-01"));
    let before = net.time();
    submit(
        &mut net,
        "MSA",
        endorse_body(&certificate, renewal("2026-12-01", "2027-06-14")),
    )
    .unwrap();
    let stored = record(&net, &certificate);
    assert_eq!(stored.expires_on, d("2027-06-14"));
    assert_eq!(stored.original_expires_on, d("2027-01-14"));
    assert_eq!(stored.expires_on_at(before), d("2027-01-14"));
    assert_eq!(
        stored.status_at(end_of("2027-06-14")),
        CertificateStatus::Valid
    );
    assert_eq!(
        stored.status_at(at("2027-06-15")),
        CertificateStatus::Expired
    );
}

#[test]
fn a_renewal_survey_must_fall_in_the_last_three_months_of_validity() {
    let (mut net, certificate) = one_year("R-2");
    net.set_date(d("2026-12-01"));
    let early = endorse_body(&certificate, renewal("2026-10-13", "2027-06-14"));
    assert_rejected(&mut net, "MSA", early, "INVALID_DATES", &certificate);
    let first_day = endorse_body(&certificate, renewal("2026-10-14", "2027-06-14"));
    submit(&mut net, "MSA", first_day).unwrap();
}

#[test]
fn a_renewal_may_extend_by_at_most_five_months_and_only_once() {
    let (mut net, certificate) = one_year("R-3");
    net.set_date(d("2026-12-01"));
    for until in ["2027-06-15", "2027-01-14", "2027-01-01"] {
        let body = endorse_body(&certificate, renewal("2026-12-01", until));
        assert_rejected(&mut net, "MSA", body, "INVALID_DATES", &certificate);
    }
    submit(
        &mut net,
        "MSA",
        endorse_body(&certificate, renewal("2026-12-01", "2027-03-01")),
    )
    .unwrap();
    let again = endorse_body(&certificate, renewal("2026-12-02", "2027-06-01"));
    net.set_date(d("2026-12-02"));
    assert_rejected(&mut net, "MSA", again, "INVALID_DATES", &certificate);
}

#[test]
fn an_expired_certificate_cannot_be_renewed() {
    let (mut net, certificate) = one_year("R-4");
    net.set_date(d("2027-01-15"));
    let body = endorse_body(&certificate, renewal("2027-01-10", "2027-06-01"));
    assert_rejected(&mut net, "MSA", body, "INVALID_DATES", &certificate);
}

#[test]
fn an_extension_reaches_at_most_three_months_past_the_original_expiry() {
    let (mut net, certificate) = one_year("X-1");
    net.set_date(d("2027-01-10"));
    for new_expiry in ["2027-04-15", "2027-01-14", "2026-12-31"] {
        let body = extend_body(&certificate, new_expiry);
        assert_rejected(&mut net, "MSA", body, "INVALID_DATES", &certificate);
    }
    let before = net.time();
    submit(&mut net, "MSA", extend_body(&certificate, "2027-04-14")).unwrap();
    let stored = record(&net, &certificate);
    let extension = stored.extension.as_ref().unwrap();
    assert_eq!(extension.previous_expiry, d("2027-01-14"));
    assert_eq!(extension.new_expiry, d("2027-04-14"));
    assert_eq!(extension.stamp.actor, net.org("MSA"));
    assert_eq!(stored.expires_on, d("2027-04-14"));
    assert_eq!(stored.expires_on_at(before), d("2027-01-14"));
    assert_eq!(
        stored.status_at(end_of("2027-04-14")),
        CertificateStatus::Valid
    );
    assert_eq!(
        stored.status_at(at("2027-04-15")),
        CertificateStatus::Expired
    );
}

#[test]
fn a_certificate_is_extended_only_once() {
    let (mut net, certificate) = one_year("X-2");
    net.set_date(d("2027-01-10"));
    submit(&mut net, "MSA", extend_body(&certificate, "2027-02-14")).unwrap();
    let again = extend_body(&certificate, "2027-04-14");
    assert_rejected(&mut net, "MSA", again, "INVALID_DATES", &certificate);
}

#[test]
fn an_expired_or_suspended_certificate_is_not_extended() {
    let (mut net, certificate) = one_year("X-3");
    submit(&mut net, "MSA", suspend_body(&certificate)).unwrap();
    let body = extend_body(&certificate, "2027-03-14");
    assert_rejected(&mut net, "MSA", body.clone(), "WRONG_STATUS", &certificate);
    submit(&mut net, "MSA", reinstate_body(&certificate)).unwrap();
    net.set_date(d("2027-01-15"));
    assert_rejected(&mut net, "MSA", body, "INVALID_DATES", &certificate);
}

#[test]
fn only_the_issuing_administration_extends() {
    let (mut net, certificate) = one_year("X-4");
    net.set_date(d("2027-01-10"));
    let body = extend_body(&certificate, "2027-03-14");
    assert_rejected(&mut net, "MPA", body.clone(), "NOT_ISSUER", &certificate);
    let mut no_reason = body;
    if let ebl_ledger::entry::Body::Certificate(ebl_ledger::cert::CertAction::Extend {
        reason,
        ..
    }) = &mut no_reason
    {
        reason.clear();
    }
    assert_rejected(&mut net, "MSA", no_reason, "INVALID_FIELD", &certificate);
}
