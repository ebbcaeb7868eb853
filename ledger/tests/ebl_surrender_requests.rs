//! The surrender request reference on the ledger, who may surrender a straight BL, and to whom
//! SREJ returns the document (R240–R244).

#![allow(clippy::unwrap_used)]

mod ebl_support;

use ebl_ledger::ebl::{AmendmentReason, EblAction, EblStatus};
use ebl_ledger::entry::Body;
use ebl_ledger::hash::DocumentId;
use ebl_ledger::state::keys;
use ebl_support::*;

fn for_delivery(id: DocumentId, reference: &str) -> Body {
    Body::Ebl(EblAction::SurrenderForDelivery {
        document: id,
        request_reference: Some(reference.to_string()),
    })
}

fn for_amendment(id: DocumentId, reason: AmendmentReason, reference: &str) -> Body {
    Body::Ebl(EblAction::SurrenderForAmendment {
        document: id,
        reason,
        request_reference: Some(reference.to_string()),
    })
}

fn indexed(net: &ebl_ledger::testkit::TestNetwork, reference: &str) -> Option<DocumentId> {
    net.ledger
        .get::<DocumentId>(&keys::surrender_request(reference))
        .unwrap()
}

#[test]
fn r240_the_request_reference_is_recorded_and_indexed() {
    let (mut net, id) = to_order_bl();
    ok(&mut net, "SHIPPER", for_delivery(id, "Z12345"));
    let r = record(&net, id);
    assert_eq!(r.surrender.as_ref().unwrap().reference, "Z12345");
    assert_eq!(indexed(&net, "Z12345"), Some(id));
}

#[test]
fn r240_without_a_reference_the_entry_id_names_the_request() {
    let (mut net, id) = to_order_bl();
    ok(&mut net, "SHIPPER", surrender_for_delivery(id));
    let r = record(&net, id);
    let entry = r.history.last().unwrap().entry.to_hex();
    assert_eq!(r.surrender.as_ref().unwrap().reference, entry);
    assert_eq!(indexed(&net, &entry), Some(id));
}

#[test]
fn r240_a_reference_dcsa_would_refuse_is_invalid() {
    let (mut net, id) = to_order_bl();
    let long = "R".repeat(101);
    for bad in ["", " Z1", "Z1 ", "Z\u{7}1", long.as_str()] {
        fails(
            &mut net,
            "SHIPPER",
            id,
            for_delivery(id, bad),
            "INVALID_FIELD",
        );
        assert_eq!(indexed(&net, bad), None);
    }
    ok(&mut net, "SHIPPER", for_delivery(id, &"R".repeat(100)));
}

#[test]
fn r241_a_reference_is_never_used_twice() {
    let (mut net, id) = to_order_bl();
    ok(&mut net, "SHIPPER", for_delivery(id, "Z1"));
    ok(&mut net, "CARRIER", srej(id));
    // The same document again, and another document, with the used reference.
    fails(
        &mut net,
        "SHIPPER",
        id,
        for_delivery(id, "Z1"),
        "DUPLICATE_SURRENDER_REQUEST",
    );
    ok(
        &mut net,
        "CARRIER",
        issue(
            "OLSC2",
            ebl_ledger::ebl::EblType::ToOrderBl,
            "SHIPPER",
            Some("SHIPPER"),
        ),
    );
    let other = doc("OLSC2");
    let body = for_amendment(other, AmendmentReason::SwitchToPaper, "Z1");
    fails(
        &mut net,
        "SHIPPER",
        other,
        body,
        "DUPLICATE_SURRENDER_REQUEST",
    );
    assert_eq!(
        indexed(&net, "Z1"),
        Some(id),
        "the index still names the first"
    );
    ok(&mut net, "SHIPPER", for_delivery(id, "Z2"));
    assert_eq!(record(&net, id).surrender.unwrap().reference, "Z2");
}

#[test]
fn r242_the_straight_bill_shipper_surrenders_for_amendment() {
    let (mut net, id) = straight_bl();
    let body = for_amendment(id, AmendmentReason::ChangeOfDestination, "A1");
    ok(&mut net, "SHIPPER", body);
    assert_eq!(
        record(&net, id).status,
        EblStatus::SurrenderForAmendmentPending
    );
    ok(&mut net, "CARRIER", sacc(id));
    // R56: the replacement goes to the shipper, who surrendered.
    let replacement = issue_of(
        "OLSC1B",
        ebl_ledger::ebl::EblType::StraightBl,
        "SHIPPER",
        Some("CONSIGNEE"),
    );
    ok(&mut net, "CARRIER", amend(id, replacement));
    assert_eq!(record(&net, doc("OLSC1B")).holder(), &org("SHIPPER"));
}

#[test]
fn r242_the_straight_bill_shipper_switches_to_paper() {
    let (mut net, id) = straight_bl();
    ok(
        &mut net,
        "SHIPPER",
        for_amendment(id, AmendmentReason::SwitchToPaper, "P1"),
    );
    ok(&mut net, "CARRIER", sacc(id));
    assert_eq!(record(&net, id).status, EblStatus::SwitchedToPaper);
}

#[test]
fn r242_nobody_else_surrenders_a_straight_bill() {
    let (mut net, id) = straight_bl();
    // The consignee does not hold it yet; a third party never does.
    let body = for_amendment(id, AmendmentReason::SwitchBl, "N1");
    fails(&mut net, "CONSIGNEE", id, body.clone(), "NOT_HOLDER");
    fails(&mut net, "BANK", id, body, "NOT_HOLDER");
    // Once the consignee holds it, the shipper no longer may.
    ok(&mut net, "SHIPPER", transfer(id, "CONSIGNEE"));
    let body = for_amendment(id, AmendmentReason::SwitchBl, "N2");
    fails(&mut net, "SHIPPER", id, body, "NOT_HOLDER");
    ok(
        &mut net,
        "CONSIGNEE",
        for_amendment(id, AmendmentReason::SwitchBl, "N3"),
    );
}

#[test]
fn r244_srej_returns_a_bill_to_its_requester_who_was_its_holder() {
    // To-order and straight BLs: only the holder surrenders, so the requester is the holder
    // before the surrender, and SREJ returns the bill to it.
    let (mut net, id) = straight_bl();
    ok(
        &mut net,
        "SHIPPER",
        for_amendment(id, AmendmentReason::SwitchBl, "S1"),
    );
    ok(&mut net, "CARRIER", srej(id));
    let r = record(&net, id);
    assert_eq!(
        (r.status, r.holder().clone()),
        (EblStatus::Active, org("SHIPPER"))
    );
    assert_eq!(r.history.last().unwrap().to, Some(org("SHIPPER")));
    let (mut net, id) = blank_bl();
    ok(&mut net, "SHIPPER", transfer(id, "BUYER2"));
    ok(&mut net, "BUYER2", for_delivery(id, "S2"));
    ok(&mut net, "CARRIER", srej(id));
    assert_eq!(record(&net, id).holder(), &org("BUYER2"));
}

#[test]
fn r244_srej_returns_a_waybill_to_the_consignee_that_requested_it() {
    let (mut net, id) = sea_waybill();
    ok(
        &mut net,
        "CONSIGNEE",
        for_amendment(id, AmendmentReason::SwitchBl, "W1"),
    );
    ok(&mut net, "CARRIER", srej(id));
    let r = record(&net, id);
    assert_eq!(
        r.holder(),
        &org("CONSIGNEE"),
        "the requester, not the shipper"
    );
    // A second answer to the same request is refused and changes nothing.
    fails(&mut net, "CARRIER", id, srej(id), "WRONG_STATUS");
    fails(&mut net, "CARRIER", id, sacc(id), "WRONG_STATUS");
}
