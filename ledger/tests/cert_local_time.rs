//! Certificate dates judged on the issuing Administration's local day, from the zone recorded
//! at issue (specs/protocol.md R383–R384).
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod governance_support;
#[path = "cert_support/mod.rs"]
mod support;

use ebl_ledger::cert::{CertificateKind, CertificateRef, CertificateStatus as S};
use ebl_ledger::identity::{OrgProfile, Proposal};
use ebl_ledger::ids::OrgId;
use ebl_ledger::local_time::LocalZone;
use ebl_ledger::testkit::TestNetwork;
use support::*;

/// Moves the clock so that the next block is at `hour`:00 UTC on `date`.
fn next_block_at(net: &mut TestNetwork, date: &str, hour: u64) {
    let target = d(date).start().0 + hour * 3_600_000 - 1000;
    let now = net.time().0;
    assert!(target >= now, "test clock cannot go back");
    net.advance(target - now);
}

/// MSA's profile with `zone` instead of UTC+8, through governance.
fn msa_in(net: &mut TestNetwork, zone: LocalZone) {
    let profile = OrgProfile::new(
        "Maritime Safety Administration",
        Some("中华人民共和国海事局"),
        zone,
    );
    governance_support::pass(
        net,
        Proposal::SetOrganisationProfile {
            org: OrgId::new("MSA").unwrap(),
            profile,
        },
    );
}

/// A pilot network (MSA in UTC+8, or in UTC) with MSA's safety construction certificate
/// 2026-01-15 to 2031-01-14; its first annual window is 2026-10-14 to 2027-04-14.
fn certificate(utc: bool) -> (TestNetwork, CertificateRef) {
    let mut net = TestNetwork::pilot();
    if utc {
        msa_in(&mut net, LocalZone::utc());
    }
    submit(&mut net, "MSA", issue_body(issue("MSA-LOCAL"))).unwrap();
    (net, cref("MSA", "MSA-LOCAL"))
}

#[test]
fn a_survey_recorded_at_seven_in_the_morning_local_time_on_its_day_is_accepted() {
    let (mut net, cert) = certificate(false);
    assert_eq!(
        record(&net, &cert).administration_zone.utc_offset_minutes,
        480
    );
    // 23:00 UTC on the 9th is 07:00 on the 10th in Shanghai.
    next_block_at(&mut net, "2027-02-09", 23);
    submit(&mut net, "MSA", annual_body(&cert, "2027-02-10")).unwrap();
    let stored = record(&net, &cert);
    assert_eq!(stored.endorsements.len(), 1);
    assert_eq!(stored.endorsements[0].stamp.time.date(), d("2027-02-09"));
}

#[test]
fn the_same_survey_is_refused_for_an_administration_on_utc() {
    let (mut net, cert) = certificate(true);
    assert_eq!(record(&net, &cert).administration_zone, LocalZone::utc());
    next_block_at(&mut net, "2027-02-09", 23);
    // In UTC the block is still on the 9th: a survey dated the 10th is in the future.
    assert_rejected(
        &mut net,
        "MSA",
        annual_body(&cert, "2027-02-10"),
        "INVALID_DATES",
        &cert,
    );
}

#[test]
fn a_certificate_that_expired_at_local_midnight_cannot_be_issued() {
    let mut net = TestNetwork::pilot();
    // 17:00 UTC on 14 January is 01:00 on the 15th in Shanghai.
    next_block_at(&mut net, "2026-01-14", 17);
    let mut late = issue("MSA-LATE");
    late.issued_on = d("2025-01-15");
    late.expires_on = d("2026-01-14");
    late.kind = CertificateKind::Registry;
    assert_rejected(
        &mut net,
        "MSA",
        issue_body(late.clone()),
        "INVALID_DATES",
        &cref("MSA", "MSA-LATE"),
    );
    // The same block time is still the 14th for an Administration on UTC.
    msa_in(&mut net, LocalZone::utc());
    next_block_at(&mut net, "2026-01-14", 18);
    submit(&mut net, "MSA", issue_body(late)).unwrap();
}

#[test]
fn a_later_change_of_zone_does_not_move_the_days_of_certificates_already_issued() {
    let (mut net, cert) = certificate(false);
    msa_in(&mut net, LocalZone::new(-300, "America/New_York"));
    let stored = record(&net, &cert);
    assert_eq!(stored.administration_zone.time_zone, "Asia/Shanghai");
    // Expiry at the end of 2031-01-14 in Shanghai: 16:00 UTC that day.
    assert_eq!(stored.status_at(at("2031-01-15")), S::Expired);
    // (Overdue, not expired: it never had its annual surveys.)
    assert_eq!(
        stored.status_at(end_of("2031-01-14")),
        S::EndorsementOverdue
    );
    // A new certificate takes the new zone.
    let mut new = issue("MSA-NY");
    new.ship.imo_number = "9176187".into();
    submit(&mut net, "MSA", issue_body(new)).unwrap();
    let ny = record(&net, &cref("MSA", "MSA-NY"));
    assert_eq!(ny.administration_zone.utc_offset_minutes, -300);
}
