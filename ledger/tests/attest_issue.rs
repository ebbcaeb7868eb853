//! Trade certificates: bounds, who issues which kind, delegation and ISSUE
//! (specs/protocol.md R390–R392).

#[path = "attest_support/mod.rs"]
mod support;

use ebl_ledger::attest::{AttestAction, TradeCertificateKind as K};
use ebl_ledger::ebl::{EblAction, EblIssue, EblType};
use ebl_ledger::entry::{ActionKind, Body};
use ebl_ledger::hash::Hash32;
use support::*;

fn expect_stateless(body: Body, code: &str) {
    let mut net = network();
    net.set_date(d("2026-01-05"));
    assert_eq!(submit(&mut net, "GDSW", body), Err(code.to_string()));
}

#[test]
fn r390_well_formed_facts_pass_and_each_bound_is_enforced() {
    let mut net = network();
    net.set_date(d("2026-01-05"));
    submit(
        &mut net,
        "GDSW",
        issue_body(issue("AP-1", K::ApprovalCertificate)),
    )
    .unwrap();

    let mut blank = issue("AP-2", K::ApprovalCertificate);
    blank.facts.subject.exporter = "  ".into();
    expect_stateless(issue_body(blank), "INVALID_FIELD");
    let mut long = issue("AP-2", K::ApprovalCertificate);
    long.facts.subject.goods = "x".repeat(1025);
    expect_stateless(issue_body(long), "INVALID_FIELD");
    let mut country = issue("AP-2", K::ApprovalCertificate);
    country.facts.subject.origin_country = "cn".into();
    expect_stateless(issue_body(country), "INVALID_FIELD");
    let mut number = issue("AP 2", K::ApprovalCertificate);
    number.number = "AP 2".into();
    expect_stateless(issue_body(number), "INVALID_FIELD");
    let mut control = issue("AP-2", K::ApprovalCertificate);
    control.facts.place = "Guang\u{7}zhou".into();
    expect_stateless(issue_body(control), "INVALID_FIELD");
}

#[test]
fn r390_validity_is_one_day_to_five_years() {
    let mut one_day = issue("AP-1", K::ApprovalCertificate);
    one_day.facts.valid_until = one_day.facts.valid_from;
    let mut net = network();
    net.set_date(d("2026-01-05"));
    submit(&mut net, "GDSW", issue_body(one_day)).unwrap();

    let mut backwards = issue("AP-2", K::ApprovalCertificate);
    backwards.facts.valid_until = d("2026-01-09");
    expect_stateless(issue_body(backwards), "INVALID_DATES");
    let mut too_long = issue("AP-2", K::ApprovalCertificate);
    too_long.facts.valid_until = d("2031-01-11");
    expect_stateless(issue_body(too_long), "INVALID_DATES");
}

#[test]
fn r390_a_certificate_does_not_supersede_itself_and_a_revocation_gives_a_reason() {
    let certificate = aref("GDSW", "AP-1");
    expect_stateless(supersede_body(&certificate, "AP-1"), "INVALID_FIELD");
    expect_stateless(
        Body::Attested(AttestAction::Revoke {
            certificate,
            reason: String::new(),
        }),
        "INVALID_FIELD",
    );
}

#[test]
fn r391_each_kind_is_issued_by_its_roles_only() {
    let mut net = network();
    net.set_date(d("2026-01-05"));
    // A border agency issues every kind.
    for (n, kind) in K::ALL.into_iter().enumerate() {
        submit(
            &mut net,
            "SGSW",
            issue_body(issue(&format!("SG-{n}"), kind)),
        )
        .unwrap();
    }
    // A chamber of commerce issues certificates of origin and fumigation certificates only.
    submit(
        &mut net,
        "CCPIT",
        issue_body(issue("CO-1", K::CertificateOfOrigin)),
    )
    .unwrap();
    submit(&mut net, "CCPIT", issue_body(issue("FU-1", K::Fumigation))).unwrap();
    for kind in [
        K::Phytosanitary,
        K::VeterinaryHealth,
        K::ApprovalCertificate,
    ] {
        let number = format!("X-{}", kind.code());
        assert_rejected(
            &mut net,
            "CCPIT",
            issue_body(issue(&number, kind)),
            "MISSING_ROLE",
            &aref("CCPIT", &number),
        );
    }
    // A trader, a carrier or a maritime administration certifies nothing.
    for org in ["SHIPPER", "CARRIER", "MSA"] {
        assert_rejected(
            &mut net,
            org,
            issue_body(issue("CO-9", K::CertificateOfOrigin)),
            "MISSING_ROLE",
            &aref(org, "CO-9"),
        );
    }
}

#[test]
fn r391_a_delegate_issues_for_the_authority_only_under_a_grant_of_trade_certificates() {
    let mut net = network();
    net.set_date(d("2026-01-05"));
    let body = || issue_body(issue("AP-7", K::ApprovalCertificate));
    let certificate = aref("GDSW", "AP-7");
    // No grant: refused.
    assert_eq!(
        submit_for(&mut net, "BROKER", "GDSW", body()),
        Err("NOT_AUTHORIZED".into())
    );
    // A grant for ship certificates does not cover trade certificates.
    let terms = ebl_ledger::identity::GrantTerms {
        grantee: ebl_ledger::identity::Grantee::Organisation(net.org("BROKER")),
        actions: vec![ActionKind::AttestIssue],
        document_kinds: vec![ebl_ledger::identity::DocumentKind::ShipCertificate],
        document: None,
        valid_from: ebl_ledger::testkit::GENESIS_TIME,
        valid_until: at("2040-01-01"),
    };
    submit(
        &mut net,
        "GDSW",
        Body::Grant(ebl_ledger::identity::GrantAction::Create(terms)),
    )
    .unwrap();
    assert_eq!(
        submit_for(&mut net, "BROKER", "GDSW", body()),
        Err("NOT_AUTHORIZED".into())
    );
    assert!(stored(&net, &certificate).is_none());

    grant(&mut net, "GDSW", "BROKER", vec![ActionKind::AttestIssue]);
    submit_for(&mut net, "BROKER", "GDSW", body()).unwrap();
    let stored = record(&net, &certificate);
    assert_eq!(stored.seal.actor, net.org("GDSW"));
    assert_eq!(stored.seal.signed_by, Some(net.org("BROKER")));
    assert_eq!(
        stored.seal.signer,
        net.party("BROKER").key.verifying_key().into()
    );
    // The grant covers issuing, not revoking.
    assert_eq!(
        submit_for(&mut net, "BROKER", "GDSW", revoke_body(&certificate)),
        Err("NOT_AUTHORIZED".into())
    );
}

#[test]
fn r392_a_number_is_used_once_per_authority() {
    let (mut net, certificate) = network_with("AP-1");
    assert_rejected(
        &mut net,
        "GDSW",
        issue_body(issue("AP-1", K::Phytosanitary)),
        "DUPLICATE_CERTIFICATE_NUMBER",
        &certificate,
    );
    // The same number from another authority is another certificate.
    submit(
        &mut net,
        "SGSW",
        issue_body(issue("AP-1", K::ApprovalCertificate)),
    )
    .unwrap();
    assert_eq!(
        record(&net, &aref("SGSW", "AP-1")).reference.authority,
        net.org("SGSW")
    );
}

#[test]
fn r392_an_expired_certificate_is_not_issued_but_a_future_one_is() {
    let mut net = network();
    net.set_date(d("2027-01-01"));
    assert_rejected(
        &mut net,
        "GDSW",
        issue_body(issue("AP-1", K::ApprovalCertificate)),
        "INVALID_DATES",
        &aref("GDSW", "AP-1"),
    );
    let mut later = issue("AP-2", K::ApprovalCertificate);
    later.facts.valid_from = d("2027-02-01");
    later.facts.valid_until = d("2027-03-01");
    submit(&mut net, "GDSW", issue_body(later)).unwrap();
}

#[test]
fn r392_a_named_ebl_must_be_on_the_ledger() {
    let mut net = network();
    net.set_date(d("2026-01-05"));
    let id = Hash32([7; 32]);
    let mut linked = issue("CO-1", K::CertificateOfOrigin);
    linked.facts.subject.ebl = Some(id);
    assert_rejected(
        &mut net,
        "GDSW",
        issue_body(linked.clone()),
        "UNKNOWN_DOCUMENT",
        &aref("GDSW", "CO-1"),
    );
    let ebl = EblIssue {
        document: id,
        reference: "ATT0000001".into(),
        kind: EblType::ToOrderBl,
        issue_to: net.org("SHIPPER"),
        consignee: Some(net.org("SHIPPER")),
    };
    submit(&mut net, "CARRIER", Body::Ebl(EblAction::Issue(ebl))).unwrap();
    submit(&mut net, "GDSW", issue_body(linked)).unwrap();
    assert_eq!(
        record(&net, &aref("GDSW", "CO-1")).facts.subject.ebl,
        Some(id)
    );
}
