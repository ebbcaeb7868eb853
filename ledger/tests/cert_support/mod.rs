//! Shared helpers of the certificate tests (included with `#[path]` by each `cert_*` test).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use ebl_ledger::cert::{
    CertAction, CertificateIssue, CertificateKind, CertificateRecord, CertificateRef, Endorsement,
    EndorsementKind, Ship,
};
use ebl_ledger::entry::{ActionKind, Body};
use ebl_ledger::identity::{DocumentKind, GrantAction, GrantTerms, Grantee};
use ebl_ledger::ids::OrgId;
use ebl_ledger::local_time::LocalZone;
use ebl_ledger::state::keys;
use ebl_ledger::testkit::{GENESIS_TIME, TestNetwork};
use ebl_ledger::time::{CalendarDate, Timestamp};

/// A date from `YYYY-MM-DD`.
pub fn d(text: &str) -> CalendarDate {
    text.parse().unwrap()
}

/// The zone of the pilot's Administrations (MSA and MPA), in which their certificates' days
/// are judged (R383).
pub fn pilot_zone() -> LocalZone {
    LocalZone::new(480, "Asia/Shanghai")
}

/// Local midnight (UTC+8) starting a day.
pub fn at(text: &str) -> Timestamp {
    pilot_zone().start_of(d(text))
}

/// The last millisecond of a local (UTC+8) day.
pub fn end_of(text: &str) -> Timestamp {
    Timestamp(at(text).0 + 86_400_000 - 1)
}

pub fn ship() -> Ship {
    Ship {
        imo_number: "9074729".into(),
        name: "OCEAN PIONEER".into(),
        flag: "CN".into(),
        call_sign: "BQAB2".into(),
        gross_tonnage: 51_000,
    }
}

/// A Singapore-flagged ship, whose certificates MPA issues (R385).
pub fn sg_ship() -> Ship {
    Ship {
        imo_number: "9321483".into(),
        name: "LION CITY".into(),
        flag: "SG".into(),
        call_sign: "9VAB1".into(),
        gross_tonnage: 32_000,
    }
}

/// [`issue`] for the Singapore-flagged [`sg_ship`].
pub fn sg_issue(utn: &str) -> CertificateIssue {
    CertificateIssue {
        ship: sg_ship(),
        place: "Singapore".into(),
        ..issue(utn)
    }
}

/// A safety construction certificate valid 2026-01-15 to 2031-01-14.
pub fn issue(utn: &str) -> CertificateIssue {
    CertificateIssue {
        utn: utn.into(),
        kind: CertificateKind::SafetyConstruction,
        ship: ship(),
        issued_on: d("2026-01-15"),
        expires_on: d("2031-01-14"),
        document: None,
        place: "Shanghai".into(),
    }
}

pub fn issue_body(issue: CertificateIssue) -> Body {
    Body::Certificate(CertAction::Issue(issue))
}

pub fn cref(administration: &str, utn: &str) -> CertificateRef {
    CertificateRef {
        administration: OrgId::new(administration).unwrap(),
        utn: utn.into(),
    }
}

pub fn survey(kind: EndorsementKind, date: &str) -> Endorsement {
    Endorsement {
        kind,
        survey_date: d(date),
        place: "Singapore".into(),
        surveyor: "J. Tan".into(),
        extended_until: None,
    }
}

pub fn endorse_body(certificate: &CertificateRef, endorsement: Endorsement) -> Body {
    Body::Certificate(CertAction::Endorse {
        certificate: certificate.clone(),
        endorsement,
    })
}

pub fn annual_body(certificate: &CertificateRef, date: &str) -> Body {
    endorse_body(certificate, survey(EndorsementKind::Annual, date))
}

pub fn extend_body(certificate: &CertificateRef, new_expiry: &str) -> Body {
    Body::Certificate(CertAction::Extend {
        certificate: certificate.clone(),
        new_expiry: d(new_expiry),
        reason: "voyage to the port of survey".into(),
    })
}

pub fn suspend_body(certificate: &CertificateRef) -> Body {
    Body::Certificate(CertAction::Suspend {
        certificate: certificate.clone(),
        reason: "detained by port State control".into(),
    })
}

pub fn reinstate_body(certificate: &CertificateRef) -> Body {
    Body::Certificate(CertAction::Reinstate {
        certificate: certificate.clone(),
    })
}

pub fn withdraw_body(certificate: &CertificateRef) -> Body {
    Body::Certificate(CertAction::Withdraw {
        certificate: certificate.clone(),
        reason: "ship sold to another flag".into(),
    })
}

pub fn supersede_body(certificate: &CertificateRef, by_utn: &str) -> Body {
    Body::Certificate(CertAction::Supersede {
        certificate: certificate.clone(),
        by_utn: by_utn.into(),
    })
}

/// Submits `body` signed by `org` and keeps the test's sequence numbers right whether or not
/// the entry consumed one (stateless failures do not).
pub fn submit(net: &mut TestNetwork, org: &str, body: Body) -> Result<(), String> {
    let result = net.submit(org, body);
    let key = net.party(org).key.clone();
    net.resync_sequence(&key);
    result
}

/// Submits `body` signed by `signer`'s key, acting for `act_for`.
pub fn submit_for(
    net: &mut TestNetwork,
    signer: &str,
    act_for: &str,
    body: Body,
) -> Result<(), String> {
    let key = net.party(signer).key.clone();
    let entry = net.sign_with(&key, Some(act_for), body);
    let result = net.submit_entry(entry);
    net.resync_sequence(&key);
    result
}

/// The stored record, if any.
pub fn stored(net: &TestNetwork, certificate: &CertificateRef) -> Option<CertificateRecord> {
    net.ledger
        .get::<CertificateRecord>(&keys::certificate(certificate))
        .unwrap()
}

/// The stored record, which must exist.
pub fn record(net: &TestNetwork, certificate: &CertificateRef) -> CertificateRecord {
    stored(net, certificate).expect("certificate on the ledger")
}

/// Submits `body`, expects `code`, and checks the certificate record did not change.
pub fn assert_rejected(
    net: &mut TestNetwork,
    org: &str,
    body: Body,
    code: &str,
    certificate: &CertificateRef,
) {
    let before = stored(net, certificate);
    assert_eq!(submit(net, org, body), Err(code.to_string()));
    assert_eq!(stored(net, certificate), before, "record changed on {code}");
}

/// A pilot network with MSA's certificate `utn` issued (2026-01-15 to 2031-01-14).
pub fn network_with(utn: &str, kind: CertificateKind) -> (TestNetwork, CertificateRef) {
    let mut net = TestNetwork::pilot();
    let mut issue = issue(utn);
    issue.kind = kind;
    submit(&mut net, "MSA", issue_body(issue)).unwrap();
    (net, cref("MSA", utn))
}

/// MSA lets CLASS issue and endorse its ship certificates (a recognized organization's grant).
pub fn grant_class_for_msa(net: &mut TestNetwork, actions: Vec<ActionKind>) {
    let terms = GrantTerms {
        grantee: Grantee::Organisation(net.org("CLASS")),
        actions,
        document_kinds: vec![DocumentKind::ShipCertificate],
        document: None,
        valid_from: GENESIS_TIME,
        valid_until: at("2040-01-01"),
    };
    submit(net, "MSA", Body::Grant(GrantAction::Create(terms))).unwrap();
}
