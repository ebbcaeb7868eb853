//! ISSUE (R30, R31, R33–R37).

mod ebl_support;

use ebl_ledger::ebl::{EblStatus, EblType, Endorsement};
use ebl_ledger::entry::ActionKind;
use ebl_ledger::state::keys;
use ebl_ledger::testkit::TestNetwork;
use ebl_support::*;

#[test]
fn a_carrier_issues_a_to_order_bill_held_by_the_shipper() {
    let (net, id) = to_order_bl();
    let r = record(&net, id);
    assert_eq!(r.id, id);
    assert_eq!(r.reference, "OLSC1");
    assert_eq!(r.kind, EblType::ToOrderBl);
    assert_eq!(r.carrier, org("CARRIER"));
    assert_eq!(r.holder(), &org("SHIPPER"));
    assert_eq!(r.endorsee(), Some(&org("SHIPPER")));
    assert_eq!(r.position.endorsement, Endorsement::ToOrder);
    assert_eq!(r.status, EblStatus::Active);
    assert_eq!(r.issued_height, 1);
    assert_eq!(r.history.len(), 1);
    let first = &r.history[0];
    assert_eq!(first.action, ActionKind::EblIssue);
    assert_eq!(first.actor, org("CARRIER"));
    assert_eq!(first.to, Some(org("SHIPPER")));
    let indexed = net
        .ledger
        .get::<ebl_ledger::hash::DocumentId>(&keys::ebl_reference(&org("CARRIER"), "OLSC1"))
        .unwrap();
    assert_eq!(indexed, Some(id));
}

#[test]
fn a_to_order_bill_without_consignee_is_blank() {
    let (net, id) = blank_bl();
    let r = record(&net, id);
    assert_eq!(r.endorsee(), None);
    assert_eq!(r.position.endorsement, Endorsement::Blank);
}

#[test]
fn straight_bills_and_waybills_name_their_consignee() {
    for (make, kind) in [
        (straight_bl as fn() -> _, EblType::StraightBl),
        (sea_waybill, EblType::SeaWaybill),
    ] {
        let (net, id) = make();
        let r = record(&net, id);
        assert_eq!(r.kind, kind);
        assert_eq!(r.endorsee(), Some(&org("CONSIGNEE")));
        assert_eq!(r.position.endorsement, Endorsement::Named);
    }
}

#[test]
fn straight_bill_or_waybill_without_consignee_is_rejected() {
    let mut net = TestNetwork::pilot();
    for kind in [EblType::StraightBl, EblType::SeaWaybill] {
        let body = issue("OLSC1", kind, "SHIPPER", None);
        fails(&mut net, "CARRIER", doc("OLSC1"), body, "INVALID_FIELD");
    }
}

#[test]
fn issue_by_an_organisation_without_the_carrier_role_is_rejected() {
    let mut net = TestNetwork::pilot();
    let body = issue("OLSC1", EblType::ToOrderBl, "SHIPPER", None);
    fails(&mut net, "SHIPPER", doc("OLSC1"), body, "MISSING_ROLE");
    assert!(!exists(&net, doc("OLSC1")));
}

#[test]
fn issue_of_an_existing_document_id_is_rejected() {
    let (mut net, id) = to_order_bl();
    let mut again = issue_of("OLSC2", EblType::ToOrderBl, "SHIPPER", None);
    again.document = id;
    let body = ebl_ledger::entry::Body::Ebl(ebl_ledger::ebl::EblAction::Issue(again));
    fails(&mut net, "CARRIER2", id, body, "DUPLICATE_DOCUMENT");
}

#[test]
fn a_reference_is_unique_per_carrier_only() {
    let (mut net, _) = to_order_bl();
    let mut same_ref = issue_of("OLSC1", EblType::ToOrderBl, "SHIPPER", None);
    same_ref.document = doc("other document");
    let body = ebl_ledger::entry::Body::Ebl(ebl_ledger::ebl::EblAction::Issue(same_ref));
    fails(
        &mut net,
        "CARRIER",
        doc("other document"),
        body.clone(),
        "DUPLICATE_DOCUMENT",
    );
    ok(&mut net, "CARRIER2", body);
    assert_eq!(record(&net, doc("other document")).carrier, org("CARRIER2"));
}

#[test]
fn a_bad_reference_is_rejected_before_any_state_is_read() {
    let mut net = TestNetwork::pilot();
    for reference in ["", "WAY-TOO-LONG-REFERENCE-X", "A B"] {
        let body = issue(reference, EblType::ToOrderBl, "SHIPPER", None);
        fails(&mut net, "CARRIER", doc(reference), body, "INVALID_FIELD");
    }
}

#[test]
fn issue_to_or_consignee_outside_the_consortium_is_rejected() {
    let mut net = TestNetwork::pilot();
    let body = issue("OLSC1", EblType::ToOrderBl, "NOBODY", None);
    fails(
        &mut net,
        "CARRIER",
        doc("OLSC1"),
        body,
        "UNKNOWN_ORGANISATION",
    );
    let body = issue("OLSC1", EblType::StraightBl, "SHIPPER", Some("NOBODY"));
    fails(
        &mut net,
        "CARRIER",
        doc("OLSC1"),
        body,
        "UNKNOWN_ORGANISATION",
    );
}

#[test]
fn acting_for_a_carrier_without_a_grant_is_rejected() {
    let mut net = TestNetwork::pilot();
    let key = net.party("CARRIER2").key.clone();
    let body = issue("OLSC1", EblType::ToOrderBl, "SHIPPER", None);
    let entry = net.sign_with(&key, Some("CARRIER"), body);
    assert_eq!(net.submit_entry(entry), Err("NOT_AUTHORIZED".into()));
    assert!(!exists(&net, doc("OLSC1")));
}

#[test]
fn acting_as_oneself_through_act_for_is_the_same_as_signing_directly() {
    let mut net = TestNetwork::pilot();
    let key = net.party("CARRIER").key.clone();
    let body = issue("OLSC1", EblType::ToOrderBl, "SHIPPER", None);
    let entry = net.sign_with(&key, Some("CARRIER"), body);
    assert_eq!(net.submit_entry(entry), Ok(()));
    assert_eq!(record(&net, doc("OLSC1")).history[0].actor, org("CARRIER"));
}

#[test]
fn actions_on_an_unknown_document_are_rejected() {
    let mut net = TestNetwork::pilot();
    let id = doc("nothing");
    fails(
        &mut net,
        "SHIPPER",
        id,
        transfer(id, "BANK"),
        "UNKNOWN_DOCUMENT",
    );
}
