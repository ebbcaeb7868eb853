//! ENDORSE, ENDORSE_TO_ORDER, BLANK_ENDORSE, NOMINATE, SIGN (R42–R45, R48).

mod ebl_support;

use ebl_ledger::ebl::{AmendmentReason, Endorsement};
use ebl_ledger::entry::ActionKind;
use ebl_support::*;

#[test]
fn the_holding_endorsee_endorses_to_order() {
    let (mut net, id) = to_order_bl();
    ok(&mut net, "SHIPPER", endorse_to_order(id, "BANK"));
    let r = record(&net, id);
    assert_eq!(r.endorsee(), Some(&org("BANK")));
    assert_eq!(r.position.endorsement, Endorsement::ToOrder);
    assert_eq!(r.holder(), &org("SHIPPER"));
    let last = r.history.last().unwrap();
    assert_eq!(last.action, ActionKind::EblEndorseToOrder);
    assert_eq!(last.to, Some(org("BANK")));
}

#[test]
fn a_holder_who_is_not_the_endorsee_cannot_endorse() {
    let (mut net, id) = to_order_bl();
    ok(&mut net, "SHIPPER", transfer(id, "BANK"));
    fails(
        &mut net,
        "BANK",
        id,
        endorse_to_order(id, "BUYER2"),
        "NOT_ENDORSEE",
    );
    fails(&mut net, "BANK", id, blank_endorse(id), "NOT_ENDORSEE");
}

#[test]
fn an_endorsee_who_does_not_hold_cannot_endorse() {
    let (mut net, id) = to_order_bl();
    ok(&mut net, "SHIPPER", transfer(id, "BANK"));
    fails(
        &mut net,
        "SHIPPER",
        id,
        endorse_to_order(id, "BUYER2"),
        "NOT_HOLDER",
    );
}

#[test]
fn the_holder_of_a_blank_bill_endorses() {
    let (mut net, id) = blank_bl();
    ok(&mut net, "SHIPPER", transfer(id, "BANK"));
    ok(&mut net, "BANK", endorse_to_order(id, "CONSIGNEE"));
    let r = record(&net, id);
    assert_eq!(r.endorsee(), Some(&org("CONSIGNEE")));
    assert_eq!(r.position.endorsement, Endorsement::ToOrder);
}

#[test]
fn a_blank_endorsement_makes_the_bill_bearer() {
    let (mut net, id) = to_order_bl();
    ok(&mut net, "SHIPPER", blank_endorse(id));
    let r = record(&net, id);
    assert_eq!(r.endorsee(), None);
    assert_eq!(r.position.endorsement, Endorsement::Blank);
    ok(&mut net, "SHIPPER", transfer(id, "BUYER2"));
    // Whoever holds a bearer bill has title.
    ok(&mut net, "BUYER2", surrender_for_delivery(id));
}

#[test]
fn endorsing_to_the_current_endorsee_or_blank_twice_changes_nothing() {
    let (mut net, id) = to_order_bl();
    fails(
        &mut net,
        "SHIPPER",
        id,
        endorse_to_order(id, "SHIPPER"),
        "NO_CHANGE",
    );
    ok(&mut net, "SHIPPER", blank_endorse(id));
    fails(&mut net, "SHIPPER", id, blank_endorse(id), "NO_CHANGE");
}

#[test]
fn endorsement_to_an_unknown_organisation_is_rejected() {
    let (mut net, id) = to_order_bl();
    let body = endorse_to_order(id, "NOBODY");
    fails(&mut net, "SHIPPER", id, body, "UNKNOWN_ORGANISATION");
}

#[test]
fn after_a_named_endorsement_the_bill_is_not_negotiable() {
    let (mut net, id) = to_order_bl();
    ok(&mut net, "SHIPPER", endorse(id, "CONSIGNEE"));
    let r = record(&net, id);
    assert_eq!(r.position.endorsement, Endorsement::Named);
    assert_eq!(r.history.last().unwrap().action, ActionKind::EblEndorse);
    ok(&mut net, "SHIPPER", transfer(id, "CONSIGNEE"));
    fails(
        &mut net,
        "CONSIGNEE",
        id,
        endorse_to_order(id, "BUYER2"),
        "NOT_NEGOTIABLE",
    );
    fails(
        &mut net,
        "CONSIGNEE",
        id,
        endorse(id, "BUYER2"),
        "NOT_NEGOTIABLE",
    );
    fails(
        &mut net,
        "CONSIGNEE",
        id,
        blank_endorse(id),
        "NOT_NEGOTIABLE",
    );
}

#[test]
fn a_named_endorsed_bill_moves_to_anyone_but_only_its_endorsee_takes_delivery() {
    let (mut net, id) = to_order_bl();
    ok(&mut net, "SHIPPER", endorse(id, "CONSIGNEE"));
    // R40: possession may pass to a bank; R42: the bank cannot endorse it on.
    ok(&mut net, "SHIPPER", transfer(id, "BANK"));
    fails(
        &mut net,
        "BANK",
        id,
        endorse(id, "BUYER2"),
        "NOT_NEGOTIABLE",
    );
    fails(
        &mut net,
        "BANK",
        id,
        surrender_for_delivery(id),
        "NOT_ENDORSEE",
    );
    ok(&mut net, "BANK", transfer(id, "CONSIGNEE"));
    ok(&mut net, "CONSIGNEE", surrender_for_delivery(id));
}

#[test]
fn straight_bills_and_waybills_are_never_endorsed() {
    for make in [straight_bl as fn() -> _, sea_waybill] {
        let (mut net, id) = make();
        fails(
            &mut net,
            "SHIPPER",
            id,
            endorse(id, "BANK"),
            "NOT_NEGOTIABLE",
        );
        fails(&mut net, "SHIPPER", id, blank_endorse(id), "NOT_NEGOTIABLE");
        fails(
            &mut net,
            "CONSIGNEE",
            id,
            nominate(id, "BANK"),
            "NOT_NEGOTIABLE",
        );
    }
}

#[test]
fn the_endorsee_nominates_and_the_holder_executes() {
    let (mut net, id) = to_order_bl();
    ok(&mut net, "SHIPPER", endorse_to_order(id, "CONSIGNEE"));
    ok(&mut net, "SHIPPER", transfer(id, "BANK"));
    ok(&mut net, "CONSIGNEE", nominate(id, "BUYER2"));
    assert_eq!(record(&net, id).position.nominee, Some(org("BUYER2")));
    ok(&mut net, "BANK", endorse_to_order(id, "BUYER2"));
    let r = record(&net, id);
    assert_eq!(r.endorsee(), Some(&org("BUYER2")));
    assert_eq!(r.position.nominee, None);
    assert_eq!(r.holder(), &org("BANK"));
}

#[test]
fn the_holder_executing_a_nomination_must_endorse_the_nominee() {
    let (mut net, id) = to_order_bl();
    ok(&mut net, "SHIPPER", endorse_to_order(id, "CONSIGNEE"));
    ok(&mut net, "SHIPPER", transfer(id, "BANK"));
    ok(&mut net, "CONSIGNEE", nominate(id, "BUYER2"));
    fails(
        &mut net,
        "BANK",
        id,
        endorse_to_order(id, "SHIPPER"),
        "NOT_NOMINEE",
    );
    fails(&mut net, "BANK", id, blank_endorse(id), "NOT_NOMINEE");
}

#[test]
fn only_the_endorsee_who_does_not_hold_nominates() {
    let (mut net, id) = to_order_bl();
    fails(
        &mut net,
        "SHIPPER",
        id,
        nominate(id, "BUYER2"),
        "WRONG_STATUS",
    );
    ok(&mut net, "SHIPPER", transfer(id, "BANK"));
    fails(&mut net, "BANK", id, nominate(id, "BUYER2"), "NOT_ENDORSEE");
    fails(
        &mut net,
        "BUYER2",
        id,
        nominate(id, "BUYER2"),
        "NOT_ENDORSEE",
    );
    fails(
        &mut net,
        "SHIPPER",
        id,
        nominate(id, "SHIPPER"),
        "NO_CHANGE",
    );
    ok(&mut net, "SHIPPER", nominate(id, "BUYER2"));
    fails(&mut net, "SHIPPER", id, nominate(id, "BUYER2"), "NO_CHANGE");
}

#[test]
fn a_blank_bill_has_no_endorsee_to_nominate() {
    let (mut net, id) = blank_bl();
    ok(&mut net, "SHIPPER", transfer(id, "BANK"));
    fails(
        &mut net,
        "SHIPPER",
        id,
        nominate(id, "BUYER2"),
        "NOT_ENDORSEE",
    );
}

#[test]
fn only_the_holder_signs_and_only_once() {
    let (mut net, id) = to_order_bl();
    ok(&mut net, "SHIPPER", endorse_to_order(id, "CONSIGNEE"));
    ok(&mut net, "SHIPPER", sign(id));
    fails(&mut net, "SHIPPER", id, sign(id), "NO_CHANGE");
    // R48: the endorsee has title but not possession; DCSA's SIGN confirms possession.
    fails(&mut net, "CONSIGNEE", id, sign(id), "NOT_HOLDER");
    ok(&mut net, "SHIPPER", transfer(id, "CONSIGNEE"));
    ok(&mut net, "CONSIGNEE", sign(id));
    let r = record(&net, id);
    let signers: Vec<_> = r.signatures.iter().map(|s| s.org.clone()).collect();
    assert_eq!(signers, vec![org("SHIPPER"), org("CONSIGNEE")]);
}

#[test]
fn a_party_without_possession_or_title_cannot_sign() {
    let (mut net, id) = to_order_bl();
    fails(&mut net, "BANK", id, sign(id), "NOT_HOLDER");
    ok(
        &mut net,
        "SHIPPER",
        surrender_for_amendment(id, AmendmentReason::SwitchBl),
    );
    fails(&mut net, "CARRIER", id, sign(id), "WRONG_STATUS");
}

#[test]
fn a_nomination_may_be_executed_by_a_named_endorsement() {
    let (mut net, id) = to_order_bl();
    ok(&mut net, "SHIPPER", endorse_to_order(id, "CONSIGNEE"));
    ok(&mut net, "SHIPPER", transfer(id, "BANK"));
    ok(&mut net, "CONSIGNEE", nominate(id, "BUYER2"));
    ok(&mut net, "BANK", endorse(id, "BUYER2"));
    let r = record(&net, id);
    assert_eq!(r.endorsee(), Some(&org("BUYER2")));
    assert_eq!(r.position.endorsement, Endorsement::Named);
    // The named endorsee takes the bill and surrenders it.
    ok(&mut net, "BANK", transfer(id, "BUYER2"));
    ok(&mut net, "BUYER2", surrender_for_delivery(id));
}
