//! Grants exercised through eBL actions (R26–R27 with R30–R59). These need the eBL rules, which
//! are written in parallel; until they land the tests are ignored.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use ebl_ledger::ebl::{EblAction, EblIssue, EblType};
use ebl_ledger::entry::{ActionKind, Body, DocumentRef};
use ebl_ledger::hash::Hash32;
use ebl_ledger::identity::{DocumentKind, GrantAction, GrantTerms, Grantee};
use ebl_ledger::ids::OrgId;
use ebl_ledger::testkit::TestNetwork;
use ebl_ledger::time::Timestamp;

mod governance_support;
use governance_support::{fails, receipt};

fn org(id: &str) -> OrgId {
    OrgId::new(id).unwrap()
}

fn document() -> Hash32 {
    Hash32::sha256(b"agent-issued bill")
}

fn issue() -> Body {
    Body::Ebl(EblAction::Issue(EblIssue {
        document: document(),
        reference: "AGT-0001".into(),
        kind: EblType::StraightBl,
        issue_to: org("SHIPPER"),
        consignee: Some(org("CONSIGNEE")),
    }))
}

/// CARRIER lets CARRIER2 (its agent in Singapore) issue its eBLs for a year.
fn agency_grant(net: &TestNetwork) -> Body {
    Body::Grant(GrantAction::Create(GrantTerms {
        grantee: Grantee::Organisation(org("CARRIER2")),
        actions: vec![ActionKind::EblIssue],
        document_kinds: vec![DocumentKind::Ebl],
        document: None,
        valid_from: net.time(),
        valid_until: Timestamp(net.time().0 + 365 * 86_400_000),
    }))
}

fn agent_acts_for_carrier(net: &mut TestNetwork, body: Body) -> Result<(), String> {
    let key = net.party("CARRIER2").key.clone();
    let entry = net.sign_with(&key, Some("CARRIER"), body);
    net.submit_entry(entry)
}

#[test]
fn a_carriers_agent_issues_its_ebls_under_a_grant() {
    let mut net = TestNetwork::pilot();
    assert_eq!(
        agent_acts_for_carrier(&mut net, issue()),
        fails("NOT_AUTHORIZED")
    );
    let grant = agency_grant(&net);
    net.submit("CARRIER", grant).unwrap();
    assert_eq!(agent_acts_for_carrier(&mut net, issue()), Ok(()));
    // The document now exists: a receipt about it applies.
    let probe = receipt(b"agent-issued bill");
    assert!(
        matches!(&probe, Body::Verification(r) if r.subject == DocumentRef::Ebl { id: document() })
    );
    assert_eq!(net.submit("SGSW", probe), Ok(()));
}

#[test]
fn a_grant_to_issue_does_not_allow_voiding() {
    let mut net = TestNetwork::pilot();
    let grant = agency_grant(&net);
    net.submit("CARRIER", grant).unwrap();
    agent_acts_for_carrier(&mut net, issue()).unwrap();
    let void = Body::Ebl(EblAction::Void {
        document: document(),
        reason: "issued in error".into(),
    });
    assert_eq!(
        agent_acts_for_carrier(&mut net, void),
        fails("NOT_AUTHORIZED")
    );
}
