//! Revoking organisations through governance and what a revoked organisation can no longer do
//! (R23, R98).
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use ebl_ledger::entry::{ActionKind, Body};
use ebl_ledger::identity::{DocumentKind, GrantAction, GrantTerms, Grantee, Proposal};
use ebl_ledger::ids::OrgId;
use ebl_ledger::testkit::{TestNetwork, key_from_label};
use ebl_ledger::time::Timestamp;

mod governance_support;
use governance_support::{authorized, fails, organisation, pass, receipt, try_propose};

fn revoke(org: &str) -> Proposal {
    Proposal::RevokeOrganisation {
        org: OrgId::new(org).unwrap(),
        reason: "licence withdrawn".into(),
    }
}

fn verify_grant(net: &TestNetwork, grantee: Grantee) -> Body {
    Body::Grant(GrantAction::Create(GrantTerms {
        grantee,
        actions: vec![ActionKind::RecordVerification],
        document_kinds: vec![DocumentKind::Ebl],
        document: None,
        valid_from: net.time(),
        valid_until: Timestamp(net.time().0 + 86_400_000),
    }))
}

#[test]
fn a_revoked_organisation_can_no_longer_sign() {
    let mut net = TestNetwork::pilot();
    assert_eq!(net.submit("BUYER2", receipt(b"doc")), authorized());
    pass(&mut net, revoke("BUYER2"));
    let org = organisation(&net, "BUYER2").unwrap();
    assert_eq!(org.revoked_at_height, Some(net.ledger.head().height));
    assert_eq!(
        net.submit("BUYER2", receipt(b"doc")),
        fails("ORGANISATION_REVOKED")
    );
}

#[test]
fn revoking_twice_is_refused() {
    let mut net = TestNetwork::pilot();
    pass(&mut net, revoke("BUYER2"));
    assert_eq!(
        try_propose(&mut net, 0, revoke("BUYER2")).1,
        fails("ORGANISATION_REVOKED")
    );
}

#[test]
fn revoking_an_unknown_organisation_is_refused() {
    let mut net = TestNetwork::pilot();
    assert_eq!(
        try_propose(&mut net, 0, revoke("NOBODY")).1,
        fails("UNKNOWN_ORGANISATION")
    );
}

#[test]
fn a_revoked_organisation_cannot_be_admitted_again() {
    let mut net = TestNetwork::pilot();
    pass(&mut net, revoke("BUYER2"));
    let der = net.party("BUYER2").certificate_der.clone();
    assert_eq!(
        try_propose(
            &mut net,
            0,
            Proposal::AdmitOrganisation {
                certificate_der: der,
                profile: None,
            }
        )
        .1,
        fails("DUPLICATE_ORGANISATION")
    );
}

#[test]
fn a_grant_to_a_revoked_organisation_stops_covering() {
    let mut net = TestNetwork::pilot();
    let grant = verify_grant(&net, Grantee::Organisation(OrgId::new("BUYER2").unwrap()));
    net.submit("BANK", grant).unwrap();
    let key = net.party("BUYER2").key.clone();
    let entry = net.sign_with(&key, Some("BANK"), receipt(b"doc"));
    assert_eq!(net.submit_entry(entry), authorized());
    pass(&mut net, revoke("BUYER2"));
    let entry = net.sign_with(&key, Some("BANK"), receipt(b"doc"));
    assert_eq!(net.submit_entry(entry), fails("ORGANISATION_REVOKED"));
}

#[test]
fn a_grant_by_a_revoked_organisation_stops_covering() {
    let mut net = TestNetwork::pilot();
    let system = key_from_label("buyer2-system");
    let grant = verify_grant(&net, Grantee::Key(system.verifying_key().into()));
    net.submit("BUYER2", grant).unwrap();
    let entry = net.sign_with(&system, Some("BUYER2"), receipt(b"doc"));
    assert_eq!(net.submit_entry(entry), authorized());
    pass(&mut net, revoke("BUYER2"));
    let entry = net.sign_with(&system, Some("BUYER2"), receipt(b"doc"));
    assert_eq!(net.submit_entry(entry), fails("ORGANISATION_REVOKED"));
}

#[test]
fn a_revoked_organisation_cannot_be_named_as_a_grantee() {
    let mut net = TestNetwork::pilot();
    pass(&mut net, revoke("BUYER2"));
    let grant = verify_grant(&net, Grantee::Organisation(OrgId::new("BUYER2").unwrap()));
    assert_eq!(net.submit("BANK", grant), fails("ORGANISATION_REVOKED"));
}
