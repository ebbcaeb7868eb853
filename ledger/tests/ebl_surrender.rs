//! SURRENDER_FOR_DELIVERY / _FOR_AMENDMENT, SACC, SREJ and closed documents (R32, R49–R54).

mod ebl_support;

use ebl_ledger::ebl::{AmendmentReason, EblStatus, EblType, SurrenderKind};
use ebl_ledger::entry::ActionKind;
use ebl_support::*;

#[test]
fn full_to_order_flow_ends_accomplished_and_closed() {
    // A documentary-credit bill: "to the order of" the issuing bank, issued to the shipper.
    let mut net = ebl_ledger::testkit::TestNetwork::pilot();
    let body = issue("OLSC1", EblType::ToOrderBl, "SHIPPER", Some("BANK"));
    ok(&mut net, "CARRIER", body);
    let id = doc("OLSC1");
    ok(&mut net, "SHIPPER", transfer(id, "BANK"));
    ok(&mut net, "BANK", endorse_to_order(id, "CONSIGNEE"));
    fails(
        &mut net,
        "SHIPPER",
        id,
        transfer(id, "CONSIGNEE"),
        "NOT_HOLDER",
    );
    ok(&mut net, "BANK", transfer(id, "CONSIGNEE"));
    ok(&mut net, "CONSIGNEE", surrender_for_delivery(id));
    let r = record(&net, id);
    assert_eq!(r.status, EblStatus::SurrenderForDeliveryPending);
    assert_eq!(r.holder(), &org("CARRIER"));
    ok(&mut net, "CARRIER", sacc(id));
    let r = record(&net, id);
    assert_eq!(r.status, EblStatus::Accomplished);
    let actions: Vec<&str> = r.history.iter().map(|h| h.action.code()).collect();
    assert_eq!(
        actions,
        [
            "ISSUE",
            "TRANSFER",
            "ENDORSE_TO_ORDER",
            "TRANSFER",
            "SURRENDER_FOR_DELIVERY",
            "SACC"
        ]
    );
    fails(
        &mut net,
        "CARRIER",
        id,
        transfer(id, "BANK"),
        "DOCUMENT_CLOSED",
    );
    fails(
        &mut net,
        "CONSIGNEE",
        id,
        transfer(id, "BANK"),
        "DOCUMENT_CLOSED",
    );
    fails(&mut net, "CARRIER", id, void(id), "DOCUMENT_CLOSED");
}

#[test]
fn the_straight_bill_consignee_surrenders_for_delivery() {
    let (mut net, id) = straight_bl();
    // R242: the shipper of a straight BL may surrender it for amendment, never for delivery.
    fails(
        &mut net,
        "SHIPPER",
        id,
        surrender_for_delivery(id),
        "NOT_ENDORSEE",
    );
    ok(&mut net, "SHIPPER", transfer(id, "CONSIGNEE"));
    ok(&mut net, "CONSIGNEE", surrender_for_delivery(id));
    ok(&mut net, "CARRIER", sacc(id));
    assert_eq!(record(&net, id).status, EblStatus::Accomplished);
}

#[test]
fn surrender_by_a_non_holder_is_rejected() {
    let (mut net, id) = to_order_bl();
    fails(
        &mut net,
        "BANK",
        id,
        surrender_for_delivery(id),
        "NOT_HOLDER",
    );
}

#[test]
fn surrender_by_a_holder_without_title_is_rejected() {
    let (mut net, id) = to_order_bl();
    ok(&mut net, "SHIPPER", transfer(id, "BANK"));
    fails(
        &mut net,
        "BANK",
        id,
        surrender_for_delivery(id),
        "NOT_ENDORSEE",
    );
    let body = surrender_for_amendment(id, AmendmentReason::SwitchToPaper);
    fails(&mut net, "BANK", id, body, "NOT_ENDORSEE");
}

#[test]
fn a_sea_waybill_is_surrendered_for_amendment_only() {
    let (mut net, id) = sea_waybill();
    fails(
        &mut net,
        "SHIPPER",
        id,
        surrender_for_delivery(id),
        "NOT_NEGOTIABLE",
    );
    let body = surrender_for_amendment(id, AmendmentReason::ChangeOfDestination);
    fails(&mut net, "BANK", id, body.clone(), "NOT_HOLDER");
    ok(&mut net, "CONSIGNEE", body);
    let r = record(&net, id);
    assert_eq!(r.status, EblStatus::SurrenderForAmendmentPending);
    assert_eq!(r.surrender.as_ref().unwrap().by, org("CONSIGNEE"));
    // R244: SREJ gives possession to the party that requested the surrender (DCSA SUR), here
    // the consignee, not to the holder before it (the shipper).
    ok(&mut net, "CARRIER", srej(id));
    assert_eq!(record(&net, id).holder(), &org("CONSIGNEE"));
}

#[test]
fn only_the_issuing_carrier_answers_a_surrender() {
    let (mut net, id) = to_order_bl();
    ok(&mut net, "SHIPPER", surrender_for_delivery(id));
    fails(&mut net, "CARRIER2", id, sacc(id), "NOT_ISSUER");
    fails(&mut net, "SHIPPER", id, srej(id), "NOT_ISSUER");
}

#[test]
fn sacc_or_srej_without_a_pending_surrender_is_rejected() {
    let (mut net, id) = to_order_bl();
    fails(&mut net, "CARRIER", id, sacc(id), "WRONG_STATUS");
    fails(&mut net, "CARRIER", id, srej(id), "WRONG_STATUS");
}

#[test]
fn srej_returns_possession_to_the_surrendering_holder() {
    let (mut net, id) = to_order_bl();
    ok(&mut net, "SHIPPER", surrender_for_delivery(id));
    ok(&mut net, "CARRIER", srej(id));
    let r = record(&net, id);
    assert_eq!(r.status, EblStatus::Active);
    assert_eq!(r.holder(), &org("SHIPPER"));
    // The answered surrender stays recorded with its reference (R243).
    assert_eq!(
        r.surrender.as_ref().map(|s| s.by.clone()),
        Some(org("SHIPPER"))
    );
    let last = r.history.last().unwrap();
    assert_eq!(last.action, ActionKind::EblRejectSurrender);
    assert_eq!(last.to, Some(org("SHIPPER")));
    // It circulates again.
    ok(&mut net, "SHIPPER", transfer(id, "BANK"));
}

#[test]
fn sacc_of_a_switch_to_paper_closes_the_document() {
    let (mut net, id) = to_order_bl();
    let body = surrender_for_amendment(id, AmendmentReason::SwitchToPaper);
    ok(&mut net, "SHIPPER", body);
    ok(&mut net, "CARRIER", sacc(id));
    assert_eq!(record(&net, id).status, EblStatus::SwitchedToPaper);
    fails(
        &mut net,
        "CARRIER",
        id,
        transfer(id, "SHIPPER"),
        "DOCUMENT_CLOSED",
    );
    fails(&mut net, "CARRIER", id, srej(id), "DOCUMENT_CLOSED");
}

#[test]
fn sacc_of_a_change_of_destination_awaits_the_replacement() {
    for reason in [
        AmendmentReason::ChangeOfDestination,
        AmendmentReason::SwitchBl,
    ] {
        let (mut net, id) = to_order_bl();
        ok(&mut net, "SHIPPER", surrender_for_amendment(id, reason));
        ok(&mut net, "CARRIER", sacc(id));
        let r = record(&net, id);
        assert_eq!(r.status, EblStatus::SurrenderedForAmendment);
        assert_eq!(r.surrender.unwrap().kind, SurrenderKind::Amendment(reason));
        fails(
            &mut net,
            "CARRIER",
            id,
            transfer(id, "SHIPPER"),
            "WRONG_STATUS",
        );
    }
}

#[test]
fn a_bearer_bill_is_surrendered_by_whoever_holds_it() {
    let (mut net, id) = blank_bl();
    ok(&mut net, "SHIPPER", transfer(id, "BUYER2"));
    fails(
        &mut net,
        "SHIPPER",
        id,
        surrender_for_delivery(id),
        "NOT_HOLDER",
    );
    ok(&mut net, "BUYER2", surrender_for_delivery(id));
}

#[test]
fn history_records_who_acted_with_which_key_and_between_whom() {
    let (mut net, id) = to_order_bl();
    ok(&mut net, "SHIPPER", surrender_for_delivery(id));
    ok(&mut net, "CARRIER", sacc(id));
    let r = record(&net, id);
    let shipper_key = ebl_ledger::crypto::PublicKey::from(net.party("SHIPPER").key.verifying_key());
    let surrender = &r.history[1];
    assert_eq!(surrender.actor, org("SHIPPER"));
    assert_eq!(surrender.signer, shipper_key);
    assert_eq!(
        (surrender.from.clone(), surrender.to.clone()),
        (Some(org("SHIPPER")), Some(org("CARRIER")))
    );
    let accept = &r.history[2];
    assert_eq!(accept.action, ActionKind::EblAcceptSurrender);
    assert_eq!(
        (accept.from.clone(), accept.to.clone()),
        (Some(org("CARRIER")), Some(org("SHIPPER")))
    );
    assert!(accept.height > surrender.height);
    assert!(accept.time > surrender.time);
}

#[test]
fn a_correction_has_its_own_reason_and_is_amended_under_the_same_reference() {
    // OTHR: an amendment no DCSA reason code names (R49, R53), e.g. a clerical correction;
    // the replacement keeps the reference (R31).
    let (mut net, id) = to_order_bl();
    ok(
        &mut net,
        "SHIPPER",
        surrender_for_amendment(id, AmendmentReason::Other),
    );
    ok(&mut net, "CARRIER", sacc(id));
    assert_eq!(record(&net, id).status, EblStatus::SurrenderedForAmendment);
    let mut corrected = issue_of("OLSC1", EblType::ToOrderBl, "SHIPPER", None);
    corrected.document = doc("OLSC1 corrected");
    ok(&mut net, "CARRIER", amend(id, corrected.clone()));
    assert_eq!(record(&net, corrected.document).reference, "OLSC1");
}
