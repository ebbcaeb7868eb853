//! Admitting organisations by X.509 certificate through governance (R20–R23, R98).
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use ebl_ledger::identity::{Proposal, ProposalStatus, Role};
use ebl_ledger::testkit::{TestCa, TestNetwork, Validity, key_from_label};

mod governance_support;
use governance_support::{
    authorized, fails, organisation, pass, propose, receipt, record, try_propose, vote,
};

const NEWCO: &str = "NEWCO";

fn certificate(ca: &TestCa, id: &str, label: &str, validity: Validity) -> Vec<u8> {
    ca.issue(
        id,
        "New Trading Co",
        "SG",
        &[Role::TradeParty],
        &key_from_label(label),
        validity,
    )
}

fn newco_certificate(net: &TestNetwork, validity: Validity) -> Vec<u8> {
    certificate(&net.ca, NEWCO, "org:NEWCO", validity)
}

fn admit(certificate_der: Vec<u8>) -> Proposal {
    Proposal::AdmitOrganisation {
        certificate_der,
        profile: None,
    }
}

fn newco_submits_a_receipt(net: &mut TestNetwork) -> Result<(), String> {
    let key = key_from_label("org:NEWCO");
    let entry = net.sign_with(&key, None, receipt(b"doc"));
    net.submit_entry(entry)
}

fn valid_until(year: i32, month: u8, day: u8) -> Validity {
    Validity {
        not_before: (2025, 1, 1),
        not_after: (year, month, day),
    }
}

#[test]
fn an_organisation_admitted_by_governance_can_sign() {
    let mut net = TestNetwork::pilot();
    assert_eq!(newco_submits_a_receipt(&mut net), fails("UNKNOWN_SIGNER"));
    // R181: the refused entry recorded nothing, not even NEWCO's sequence.
    net.resync_sequence(&key_from_label("org:NEWCO"));
    let der = newco_certificate(&net, Validity::default());
    let id = pass(&mut net, admit(der.clone()));
    assert_eq!(record(&net, id).status, ProposalStatus::Executed);
    let org = organisation(&net, NEWCO).unwrap();
    assert_eq!(org.roles, vec![Role::TradeParty]);
    assert_eq!(org.country, "SG");
    assert_eq!(org.certificate_der, der);
    assert_eq!(org.admitted_at_height, net.ledger.head().height);
    assert_eq!(newco_submits_a_receipt(&mut net), authorized());
}

#[test]
fn an_organisation_is_not_admitted_before_the_supermajority() {
    let mut net = TestNetwork::pilot();
    let der = newco_certificate(&net, Validity::default());
    let id = propose(&mut net, 0, admit(der));
    vote(&mut net, 1, id, true).unwrap();
    assert_eq!(organisation(&net, NEWCO), None);
}

#[test]
fn a_certificate_from_a_foreign_ca_is_untrusted() {
    let mut net = TestNetwork::pilot();
    let other = TestCa::new("Other CA");
    let der = certificate(&other, NEWCO, "org:NEWCO", Validity::default());
    assert_eq!(
        try_propose(&mut net, 0, admit(der)).1,
        fails("UNTRUSTED_ISSUER")
    );
    assert_eq!(organisation(&net, NEWCO), None);
}

#[test]
fn a_certificate_expired_at_the_block_time_is_refused() {
    let mut net = TestNetwork::pilot();
    let der = newco_certificate(&net, valid_until(2025, 12, 31));
    assert_eq!(
        try_propose(&mut net, 0, admit(der)).1,
        fails("CERT_EXPIRED")
    );
    assert_eq!(organisation(&net, NEWCO), None);
}

#[test]
fn a_certificate_not_yet_valid_at_the_block_time_is_refused() {
    let mut net = TestNetwork::pilot();
    let validity = Validity {
        not_before: (2026, 6, 1),
        not_after: (2030, 1, 1),
    };
    let der = newco_certificate(&net, validity);
    assert_eq!(
        try_propose(&mut net, 0, admit(der)).1,
        fails("CERT_NOT_YET_VALID")
    );
    assert_eq!(organisation(&net, NEWCO), None);
}

#[test]
fn a_certificate_that_is_not_ed25519_is_bad() {
    let mut net = TestNetwork::pilot();
    // Rewrite every Ed25519 OID (1.3.101.112) as Ed448 (1.3.101.113): still valid DER.
    let mut der = newco_certificate(&net, Validity::default());
    let ed25519 = [0x06, 0x03, 0x2b, 0x65, 0x70];
    let mut replaced = 0;
    for i in 0..der.len() - ed25519.len() {
        if der[i..i + ed25519.len()] == ed25519 {
            der[i + 4] = 0x71;
            replaced += 1;
        }
    }
    assert!(replaced >= 2);
    assert_eq!(
        try_propose(&mut net, 0, admit(der)).1,
        fails("BAD_CERTIFICATE")
    );
    assert_eq!(organisation(&net, NEWCO), None);
}

#[test]
fn garbage_bytes_are_a_bad_certificate() {
    let mut net = TestNetwork::pilot();
    let der = b"this is not DER".to_vec();
    assert_eq!(
        try_propose(&mut net, 0, admit(der)).1,
        fails("BAD_CERTIFICATE")
    );
}

#[test]
fn a_certificate_with_trailing_bytes_is_bad() {
    let mut net = TestNetwork::pilot();
    let mut der = newco_certificate(&net, Validity::default());
    der.push(0);
    assert_eq!(
        try_propose(&mut net, 0, admit(der)).1,
        fails("BAD_CERTIFICATE")
    );
}

#[test]
fn an_empty_certificate_fails_the_stateless_check_without_using_a_sequence() {
    let mut net = TestNetwork::pilot();
    assert_eq!(
        try_propose(&mut net, 0, admit(Vec::new())).1,
        fails("BAD_CERTIFICATE")
    );
    let key = net.validator_keys[0].clone();
    net.resync_sequence(&key);
    let der = newco_certificate(&net, Validity::default());
    assert_eq!(try_propose(&mut net, 0, admit(der)).1, Ok(()));
}

#[test]
fn admitting_an_existing_organisation_id_is_a_duplicate() {
    let mut net = TestNetwork::pilot();
    let same = net.party("CARRIER").certificate_der.clone();
    assert_eq!(
        try_propose(&mut net, 0, admit(same)).1,
        fails("DUPLICATE_ORGANISATION")
    );
    let new_key = certificate(&net.ca, "CARRIER", "org:CARRIER-new", Validity::default());
    assert_eq!(
        try_propose(&mut net, 0, admit(new_key)).1,
        fails("DUPLICATE_ORGANISATION")
    );
}

#[test]
fn a_key_that_already_belongs_to_an_organisation_is_refused() {
    let mut net = TestNetwork::pilot();
    let der = certificate(&net.ca, NEWCO, "org:CARRIER", Validity::default());
    assert_eq!(
        try_propose(&mut net, 0, admit(der)).1,
        fails("INVALID_FIELD")
    );
}

#[test]
fn entries_signed_after_the_certificate_expires_are_refused() {
    let mut net = TestNetwork::pilot();
    let der = newco_certificate(&net, valid_until(2026, 2, 1));
    pass(&mut net, admit(der));
    assert_eq!(newco_submits_a_receipt(&mut net), authorized());
    net.advance(31 * 86_400_000);
    assert_eq!(newco_submits_a_receipt(&mut net), fails("CERT_EXPIRED"));
}

#[test]
fn an_admission_whose_certificate_expires_before_approval_is_closed_as_failed() {
    let mut net = TestNetwork::pilot();
    let der = newco_certificate(&net, valid_until(2026, 1, 5));
    let id = propose(&mut net, 0, admit(der));
    net.advance(5 * 86_400_000);
    vote(&mut net, 1, id, true).unwrap();
    // The deciding vote applies; the proposal records why the admission failed.
    assert_eq!(vote(&mut net, 2, id, true), Ok(()));
    let r = record(&net, id);
    assert!(
        matches!(&r.status, ProposalStatus::Failed { code, .. } if code == "CERT_EXPIRED"),
        "{:?}",
        r.status
    );
    assert_eq!(organisation(&net, NEWCO), None);
}
