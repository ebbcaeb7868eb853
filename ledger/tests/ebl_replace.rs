//! AMEND, SPLIT, COMBINE and VOID (R55–R58).
#![allow(clippy::expect_used)]

mod ebl_support;

use ebl_ledger::ebl::EblAction;
use ebl_ledger::ebl::{AmendmentReason, EblStatus, EblType};
use ebl_ledger::entry::{ActionKind, Body};
use ebl_ledger::hash::DocumentId;
use ebl_ledger::state::keys;
use ebl_ledger::testkit::TestNetwork;
use ebl_support::*;

/// Surrenders `id` (held with title by `holder`) for a change of destination; CARRIER accepts.
fn surrendered(net: &mut TestNetwork, id: DocumentId, holder: &str) {
    let body = surrender_for_amendment(id, AmendmentReason::ChangeOfDestination);
    ok(net, holder, body);
    ok(net, "CARRIER", sacc(id));
}

/// The document the carrier's reference names (R31's index).
fn by_reference(net: &TestNetwork, carrier: &str, reference: &str) -> Option<DocumentId> {
    let key = keys::ebl_reference(&org(carrier), reference);
    net.ledger
        .get::<DocumentId>(&key)
        .expect("the memory store answers")
}

#[test]
fn amend_replaces_a_surrendered_document_with_links_both_ways() {
    let (mut net, id) = to_order_bl();
    surrendered(&mut net, id, "SHIPPER");
    let new = issue_of("OLSC1-A", EblType::ToOrderBl, "SHIPPER", Some("SHIPPER"));
    ok(&mut net, "CARRIER", amend(id, new.clone()));
    let old = record(&net, id);
    assert_eq!(old.status, EblStatus::Replaced);
    assert_eq!(old.replaced_by, vec![new.document]);
    assert_eq!(old.history.last().unwrap().action, ActionKind::EblAmend);
    let r = record(&net, new.document);
    assert_eq!(r.status, EblStatus::Active);
    assert_eq!(r.replaces, vec![id]);
    assert_eq!(r.holder(), &org("SHIPPER"));
    assert_eq!(r.history[0].action, ActionKind::EblAmend);
    fails(
        &mut net,
        "CARRIER",
        id,
        transfer(id, "BANK"),
        "DOCUMENT_CLOSED",
    );
    ok(&mut net, "SHIPPER", transfer(new.document, "BANK"));
}

#[test]
fn amend_by_another_carrier_is_rejected() {
    let (mut net, id) = to_order_bl();
    surrendered(&mut net, id, "SHIPPER");
    let new = issue_of("OLSC1-A", EblType::ToOrderBl, "SHIPPER", None);
    fails(&mut net, "CARRIER2", id, amend(id, new), "NOT_ISSUER");
}

#[test]
fn amend_of_a_document_not_surrendered_for_amendment_is_rejected() {
    let (mut net, id) = to_order_bl();
    let new = issue_of("OLSC1-A", EblType::ToOrderBl, "SHIPPER", None);
    fails(
        &mut net,
        "CARRIER",
        id,
        amend(id, new.clone()),
        "WRONG_STATUS",
    );
    let body = surrender_for_amendment(id, AmendmentReason::SwitchBl);
    ok(&mut net, "SHIPPER", body);
    // Pending: the carrier must answer the surrender first.
    fails(&mut net, "CARRIER", id, amend(id, new), "WRONG_STATUS");
    assert!(!exists(&net, doc("OLSC1-A")));
}

#[test]
fn a_replacement_goes_to_the_party_that_surrendered() {
    let (mut net, id) = to_order_bl();
    surrendered(&mut net, id, "SHIPPER");
    let new = issue_of("OLSC1-A", EblType::ToOrderBl, "BANK", None);
    fails(&mut net, "CARRIER", id, amend(id, new), "INVALID_FIELD");
}

#[test]
fn an_amendment_keeps_the_reference_of_the_document_it_replaces() {
    // R31: DCSA amends under the same transportDocumentReference (a new sub-reference inside
    // the document); the reference then names the replacement.
    let (mut net, id) = to_order_bl();
    surrendered(&mut net, id, "SHIPPER");
    let mut new = issue_of("OLSC1", EblType::ToOrderBl, "SHIPPER", None);
    new.document = doc("OLSC1 version 2");
    ok(&mut net, "CARRIER", amend(id, new.clone()));
    assert_eq!(by_reference(&net, "CARRIER", "OLSC1"), Some(new.document));
    assert_eq!(record(&net, new.document).reference, "OLSC1");
    // The carrier's other live documents keep their references to themselves.
    ok(
        &mut net,
        "CARRIER",
        issue("OLSC2", EblType::ToOrderBl, "SHIPPER", None),
    );
    let mut clash = issue_of("OLSC2", EblType::ToOrderBl, "SHIPPER", None);
    clash.document = doc("another OLSC2");
    fails(
        &mut net,
        "CARRIER",
        clash.document,
        Body::Ebl(EblAction::Issue(clash)),
        "DUPLICATE_DOCUMENT",
    );
}

#[test]
fn a_replacement_cannot_take_the_reference_of_a_document_it_does_not_replace() {
    let (mut net, id) = to_order_bl();
    ok(
        &mut net,
        "CARRIER",
        issue("OLSC2", EblType::ToOrderBl, "SHIPPER", None),
    );
    surrendered(&mut net, id, "SHIPPER");
    let mut new = issue_of("OLSC2", EblType::ToOrderBl, "SHIPPER", None);
    new.document = doc("fresh");
    fails(
        &mut net,
        "CARRIER",
        id,
        amend(id, new),
        "DUPLICATE_DOCUMENT",
    );
    // A split's parts have distinct references (R33), so at most one carries the reference on.
    let mut first = issue_of("OLSC1", EblType::ToOrderBl, "SHIPPER", None);
    first.document = doc("OLSC1 part 1");
    let mut second = issue_of("OLSC1", EblType::ToOrderBl, "SHIPPER", None);
    second.document = doc("OLSC1 part 2");
    fails(
        &mut net,
        "CARRIER",
        id,
        split(id, vec![first, second]),
        "INVALID_FIELD",
    );
    assert!(!exists(&net, doc("OLSC1 part 1")));
}

#[test]
fn a_replacement_passes_the_issue_checks() {
    let (mut net, id) = to_order_bl();
    surrendered(&mut net, id, "SHIPPER");
    let new = issue_of("OLSC1-A", EblType::StraightBl, "SHIPPER", Some("NOBODY"));
    fails(
        &mut net,
        "CARRIER",
        id,
        amend(id, new),
        "UNKNOWN_ORGANISATION",
    );
}

#[test]
fn split_replaces_one_document_by_several() {
    let (mut net, id) = to_order_bl();
    surrendered(&mut net, id, "SHIPPER");
    let parts = vec![
        issue_of("OLSC1-1", EblType::ToOrderBl, "SHIPPER", Some("SHIPPER")),
        issue_of("OLSC1-2", EblType::StraightBl, "SHIPPER", Some("CONSIGNEE")),
    ];
    ok(&mut net, "CARRIER", split(id, parts.clone()));
    let old = record(&net, id);
    assert_eq!(old.status, EblStatus::Replaced);
    assert_eq!(old.replaced_by, vec![parts[0].document, parts[1].document]);
    for part in &parts {
        let r = record(&net, part.document);
        assert_eq!(r.replaces, vec![id]);
        assert_eq!(r.history[0].action, ActionKind::EblSplit);
    }
}

#[test]
fn split_into_one_part_is_rejected() {
    let (mut net, id) = to_order_bl();
    surrendered(&mut net, id, "SHIPPER");
    let parts = vec![issue_of("OLSC1-1", EblType::ToOrderBl, "SHIPPER", None)];
    fails(&mut net, "CARRIER", id, split(id, parts), "INVALID_FIELD");
}

#[test]
fn combine_replaces_documents_surrendered_by_the_same_party() {
    let (mut net, a) = to_order_bl();
    ok(
        &mut net,
        "CARRIER",
        issue("OLSC2", EblType::ToOrderBl, "SHIPPER", None),
    );
    let b = doc("OLSC2");
    surrendered(&mut net, a, "SHIPPER");
    surrendered(&mut net, b, "SHIPPER");
    let new = issue_of("OLSC3", EblType::ToOrderBl, "SHIPPER", None);
    ok(&mut net, "CARRIER", combine(vec![a, b], new.clone()));
    for old in [a, b] {
        let r = record(&net, old);
        assert_eq!(r.status, EblStatus::Replaced);
        assert_eq!(r.replaced_by, vec![new.document]);
    }
    assert_eq!(record(&net, new.document).replaces, vec![a, b]);
}

#[test]
fn combine_of_documents_surrendered_by_different_parties_is_rejected() {
    let (mut net, a) = to_order_bl();
    ok(
        &mut net,
        "CARRIER",
        issue("OLSC2", EblType::ToOrderBl, "BANK", None),
    );
    let b = doc("OLSC2");
    surrendered(&mut net, a, "SHIPPER");
    surrendered(&mut net, b, "BANK");
    let new = issue_of("OLSC3", EblType::ToOrderBl, "SHIPPER", None);
    fails(
        &mut net,
        "CARRIER",
        a,
        combine(vec![a, b], new),
        "INVALID_FIELD",
    );
    assert_eq!(record(&net, b).status, EblStatus::SurrenderedForAmendment);
}

#[test]
fn combine_including_an_active_document_is_rejected() {
    let (mut net, a) = to_order_bl();
    ok(
        &mut net,
        "CARRIER",
        issue("OLSC2", EblType::ToOrderBl, "SHIPPER", None),
    );
    let b = doc("OLSC2");
    surrendered(&mut net, a, "SHIPPER");
    let new = issue_of("OLSC3", EblType::ToOrderBl, "SHIPPER", None);
    fails(
        &mut net,
        "CARRIER",
        a,
        combine(vec![a, b], new),
        "WRONG_STATUS",
    );
    assert!(!exists(&net, doc("OLSC3")));
}

#[test]
fn the_carrier_voids_a_document_it_holds() {
    let mut net = TestNetwork::pilot();
    ok(
        &mut net,
        "CARRIER",
        issue("OLSC1", EblType::ToOrderBl, "CARRIER", None),
    );
    let id = doc("OLSC1");
    fails(&mut net, "CARRIER2", id, void(id), "NOT_ISSUER");
    ok(&mut net, "CARRIER", void(id));
    let r = record(&net, id);
    assert_eq!(r.status, EblStatus::Void);
    assert_eq!(
        r.history.last().unwrap().reason.as_deref(),
        Some("issued in error")
    );
    fails(
        &mut net,
        "CARRIER",
        id,
        transfer(id, "SHIPPER"),
        "DOCUMENT_CLOSED",
    );
}

#[test]
fn the_carrier_cannot_void_a_document_someone_else_holds() {
    let (mut net, id) = to_order_bl();
    fails(&mut net, "CARRIER", id, void(id), "NOT_HOLDER");
    ok(&mut net, "SHIPPER", surrender_for_delivery(id));
    fails(&mut net, "CARRIER", id, void(id), "WRONG_STATUS");
}

#[test]
fn the_carrier_cannot_void_a_document_it_holds_while_another_party_has_title() {
    let (mut net, id) = to_order_bl();
    ok(&mut net, "SHIPPER", transfer(id, "CARRIER"));
    // SHIPPER is still the endorsee: it must surrender for amendment instead.
    fails(&mut net, "CARRIER", id, void(id), "NOT_ENDORSEE");
    ok(&mut net, "CARRIER", transfer(id, "SHIPPER"));
}

#[test]
fn the_carrier_voids_a_document_surrendered_for_amendment() {
    let (mut net, id) = to_order_bl();
    surrendered(&mut net, id, "SHIPPER");
    ok(&mut net, "CARRIER", void(id));
    assert_eq!(record(&net, id).status, EblStatus::Void);
}

#[test]
fn combine_by_another_carrier_is_rejected() {
    let (mut net, a) = to_order_bl();
    ok(
        &mut net,
        "CARRIER",
        issue("OLSC2", EblType::ToOrderBl, "SHIPPER", None),
    );
    let b = doc("OLSC2");
    surrendered(&mut net, a, "SHIPPER");
    surrendered(&mut net, b, "SHIPPER");
    let new = issue_of("OLSC3", EblType::ToOrderBl, "SHIPPER", None);
    fails(
        &mut net,
        "CARRIER2",
        a,
        combine(vec![a, b], new),
        "NOT_ISSUER",
    );
    assert!(!exists(&net, doc("OLSC3")));
}

#[test]
fn combine_of_an_unknown_document_is_rejected() {
    let (mut net, a) = to_order_bl();
    surrendered(&mut net, a, "SHIPPER");
    let new = issue_of("OLSC3", EblType::ToOrderBl, "SHIPPER", None);
    let body = combine(vec![a, doc("nothing")], new);
    fails(&mut net, "CARRIER", a, body, "UNKNOWN_DOCUMENT");
}

#[test]
fn a_replaced_document_cannot_be_replaced_again() {
    let (mut net, id) = to_order_bl();
    surrendered(&mut net, id, "SHIPPER");
    let first = issue_of("OLSC1-A", EblType::ToOrderBl, "SHIPPER", None);
    ok(&mut net, "CARRIER", amend(id, first));
    let second = issue_of("OLSC1-B", EblType::ToOrderBl, "SHIPPER", None);
    fails(
        &mut net,
        "CARRIER",
        id,
        amend(id, second),
        "DOCUMENT_CLOSED",
    );
}
