//! Shared helpers of the trade certificate tests (included with `#[path]` by each `attest_*`
//! test).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use ebl_ledger::attest::{
    AttestAction, AttestFacts, AttestIssue, AttestRecord, AttestRef, Subject, TradeCertificateKind,
};
use ebl_ledger::entry::{ActionKind, Body};
use ebl_ledger::hash::Hash32;
use ebl_ledger::identity::{DocumentKind, GrantAction, GrantTerms, Grantee, Role};
use ebl_ledger::ids::OrgId;
use ebl_ledger::state::keys;
use ebl_ledger::testkit::{GENESIS_TIME, PILOT_ORGS, TestNetwork};
use ebl_ledger::time::{CalendarDate, Timestamp};

/// A date from `YYYY-MM-DD`.
pub fn d(text: &str) -> CalendarDate {
    text.parse().unwrap()
}

/// The pilot's zone (UTC+8), in which the authorities' days are judged (R397a).
pub const LOCAL_OFFSET_MS: u64 = 8 * 3_600_000;

/// Local midnight (UTC+8) starting a day.
pub fn at(text: &str) -> Timestamp {
    Timestamp(d(text).start().0 - LOCAL_OFFSET_MS)
}

/// The last millisecond of a local (UTC+8) day.
pub fn end_of(text: &str) -> Timestamp {
    Timestamp(at(text).0 + 86_400_000 - 1)
}

/// The pilot consortium plus a chamber of commerce (CERTIFYING_BODY).
pub fn network() -> TestNetwork {
    let mut orgs: Vec<(&str, &str, &str, &[Role])> = PILOT_ORGS.to_vec();
    orgs.push((
        "CCPIT",
        "China Council for the Promotion of International Trade",
        "CN",
        &[Role::CertifyingBody],
    ));
    // A customs broker GDSW may let issue for it; its own role does not matter (R391).
    orgs.push((
        "BROKER",
        "Nansha Customs Brokerage",
        "CN",
        &[Role::TradeParty],
    ));
    TestNetwork::with_orgs(&orgs)
}

pub fn subject() -> Subject {
    Subject {
        exporter: "Guangzhou Soy Exporters, Nansha, Guangzhou".into(),
        importer: "Singapore Foods Pte, 1 Jurong Port Road".into(),
        goods: "2,000 t soybean meal, HS 2304.00, 40 containers".into(),
        origin_country: "CN".into(),
        destination_country: "SG".into(),
        ebl: None,
    }
}

/// Facts valid 2026-01-10 to 2026-12-31 with document hash `n`.
pub fn facts(n: u8) -> AttestFacts {
    AttestFacts {
        subject: subject(),
        document: Hash32([n; 32]),
        valid_from: d("2026-01-10"),
        valid_until: d("2026-12-31"),
        place: "Guangzhou".into(),
    }
}

pub fn issue(number: &str, kind: TradeCertificateKind) -> AttestIssue {
    AttestIssue {
        number: number.into(),
        kind,
        facts: facts(1),
    }
}

pub fn issue_body(issue: AttestIssue) -> Body {
    Body::Attested(AttestAction::Issue(issue))
}

pub fn aref(authority: &str, number: &str) -> AttestRef {
    AttestRef {
        authority: OrgId::new(authority).unwrap(),
        number: number.into(),
    }
}

pub fn amend_body(certificate: &AttestRef, facts: AttestFacts) -> Body {
    Body::Attested(AttestAction::Amend {
        certificate: certificate.clone(),
        facts,
        reason: "corrected container count".into(),
    })
}

pub fn supersede_body(certificate: &AttestRef, by_number: &str) -> Body {
    Body::Attested(AttestAction::Supersede {
        certificate: certificate.clone(),
        by_number: by_number.into(),
    })
}

pub fn revoke_body(certificate: &AttestRef) -> Body {
    Body::Attested(AttestAction::Revoke {
        certificate: certificate.clone(),
        reason: "issued on a forged invoice".into(),
    })
}

/// Submits `body` signed by `org` and keeps the test's sequence numbers right.
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

pub fn stored(net: &TestNetwork, certificate: &AttestRef) -> Option<AttestRecord> {
    net.ledger
        .get::<AttestRecord>(&keys::attested(certificate))
        .unwrap()
}

pub fn record(net: &TestNetwork, certificate: &AttestRef) -> AttestRecord {
    stored(net, certificate).expect("trade certificate on the ledger")
}

/// Submits `body`, expects `code`, and checks the certificate record did not change.
pub fn assert_rejected(
    net: &mut TestNetwork,
    org: &str,
    body: Body,
    code: &str,
    certificate: &AttestRef,
) {
    let before = stored(net, certificate);
    assert_eq!(submit(net, org, body), Err(code.to_string()));
    assert_eq!(stored(net, certificate), before, "record changed on {code}");
}

/// A network (dated 2026-01-05) with GDSW's approval certificate `number` issued.
pub fn network_with(number: &str) -> (TestNetwork, AttestRef) {
    let mut net = network();
    net.set_date(d("2026-01-05"));
    submit(
        &mut net,
        "GDSW",
        issue_body(issue(number, TradeCertificateKind::ApprovalCertificate)),
    )
    .unwrap();
    (net, aref("GDSW", number))
}

/// `grantor` lets organisation `grantee` take `actions` on its trade certificates.
pub fn grant(net: &mut TestNetwork, grantor: &str, grantee: &str, actions: Vec<ActionKind>) {
    let terms = GrantTerms {
        grantee: Grantee::Organisation(net.org(grantee)),
        actions,
        document_kinds: vec![DocumentKind::TradeCertificate],
        document: None,
        valid_from: GENESIS_TIME,
        valid_until: at("2040-01-01"),
    };
    submit(net, grantor, Body::Grant(GrantAction::Create(terms))).unwrap();
}
