//! TRANSFER and REJECT (R38–R41, R46, R47).

mod ebl_support;

use ebl_ledger::block::Outcome;
use ebl_ledger::ebl::AmendmentReason;
use ebl_ledger::entry::ActionKind;
use ebl_support::*;

#[test]
fn the_holder_transfers_and_is_divested_at_once() {
    let (mut net, id) = to_order_bl();
    ok(&mut net, "SHIPPER", transfer(id, "BANK"));
    let r = record(&net, id);
    assert_eq!(r.holder(), &org("BANK"));
    // Possession moves; title (the endorsee) does not.
    assert_eq!(r.endorsee(), Some(&org("SHIPPER")));
    let last = r.history.last().unwrap();
    assert_eq!(last.action, ActionKind::EblTransfer);
    assert_eq!(
        (last.from.clone(), last.to.clone()),
        (Some(org("SHIPPER")), Some(org("BANK")))
    );
}

#[test]
fn transfer_by_a_non_holder_is_rejected() {
    let (mut net, id) = to_order_bl();
    fails(&mut net, "BANK", id, transfer(id, "BANK"), "NOT_HOLDER");
    fails(&mut net, "CARRIER", id, transfer(id, "BANK"), "NOT_HOLDER");
}

#[test]
fn of_two_transfers_in_one_block_the_first_applies_and_the_second_fails() {
    let (mut net, id) = to_order_bl();
    let first = net.sign("SHIPPER", transfer(id, "BANK"));
    let second = net.sign("SHIPPER", transfer(id, "BUYER2"));
    let outcomes = net.commit(vec![first, second]);
    assert_eq!(outcomes[0], Outcome::Applied);
    assert!(matches!(&outcomes[1], Outcome::Failed { code, .. } if code == "NOT_HOLDER"));
    let r = record(&net, id);
    assert_eq!(r.holder(), &org("BANK"));
    assert_eq!(r.history.len(), 2);
}

#[test]
fn a_former_holder_cannot_transfer_after_it_passed_on() {
    let (mut net, id) = to_order_bl();
    ok(&mut net, "SHIPPER", transfer(id, "BANK"));
    fails(
        &mut net,
        "SHIPPER",
        id,
        transfer(id, "BUYER2"),
        "NOT_HOLDER",
    );
}

#[test]
fn transfer_to_the_current_holder_changes_nothing() {
    let (mut net, id) = to_order_bl();
    fails(
        &mut net,
        "SHIPPER",
        id,
        transfer(id, "SHIPPER"),
        "NO_CHANGE",
    );
}

#[test]
fn transfer_to_an_unknown_organisation_is_rejected() {
    let (mut net, id) = to_order_bl();
    fails(
        &mut net,
        "SHIPPER",
        id,
        transfer(id, "NOBODY"),
        "UNKNOWN_ORGANISATION",
    );
}

#[test]
fn a_sea_waybill_is_never_transferred() {
    let (mut net, id) = sea_waybill();
    fails(
        &mut net,
        "SHIPPER",
        id,
        transfer(id, "CONSIGNEE"),
        "NOT_TRANSFERABLE",
    );
}

#[test]
fn a_straight_bill_passes_through_banks_but_only_its_consignee_takes_delivery() {
    // R40, R49: a documentary collection. The shipper hands the bill to its (remitting) bank,
    // which passes it to the consignee's (collecting) bank; possession moves, title does not.
    let (mut net, id) = straight_bl();
    ok(&mut net, "SHIPPER", transfer(id, "BANK"));
    assert_eq!(record(&net, id).holder(), &org("BANK"));
    assert_eq!(record(&net, id).endorsee(), Some(&org("CONSIGNEE")));
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
fn the_consignee_of_a_straight_bill_may_reject_it_back() {
    let (mut net, id) = straight_bl();
    ok(&mut net, "SHIPPER", transfer(id, "CONSIGNEE"));
    ok(&mut net, "CONSIGNEE", reject(id));
    let r = record(&net, id);
    assert_eq!(r.holder(), &org("SHIPPER"));
    assert_eq!(r.pending_reject, None);
}

#[test]
fn transfer_while_a_surrender_is_pending_is_rejected() {
    let (mut net, id) = to_order_bl();
    ok(
        &mut net,
        "SHIPPER",
        surrender_for_amendment(id, AmendmentReason::ChangeOfDestination),
    );
    fails(
        &mut net,
        "CARRIER",
        id,
        transfer(id, "BANK"),
        "WRONG_STATUS",
    );
}

#[test]
fn the_receiver_rejects_a_transfer_as_its_first_action() {
    let (mut net, id) = to_order_bl();
    let before = record(&net, id).position;
    ok(&mut net, "SHIPPER", transfer(id, "BANK"));
    ok(&mut net, "BANK", reject(id));
    let r = record(&net, id);
    assert_eq!(r.position, before);
    let last = r.history.last().unwrap();
    assert_eq!(last.action, ActionKind::EblReject);
    assert_eq!(last.to, Some(org("SHIPPER")));
    assert_eq!(last.reason.as_deref(), Some("not expected"));
}

#[test]
fn reject_by_anyone_but_the_receiver_is_rejected() {
    let (mut net, id) = to_order_bl();
    fails(&mut net, "SHIPPER", id, reject(id), "NOTHING_TO_REJECT");
    ok(&mut net, "SHIPPER", transfer(id, "BANK"));
    fails(&mut net, "SHIPPER", id, reject(id), "NOTHING_TO_REJECT");
    fails(&mut net, "BUYER2", id, reject(id), "NOTHING_TO_REJECT");
}

#[test]
fn any_other_action_by_the_receiver_ends_its_right_to_reject() {
    let (mut net, id) = to_order_bl();
    ok(&mut net, "SHIPPER", transfer(id, "BANK"));
    ok(&mut net, "BANK", sign(id));
    fails(&mut net, "BANK", id, reject(id), "NOTHING_TO_REJECT");
}

#[test]
fn the_party_a_rejection_returns_to_cannot_reject_it_again() {
    let (mut net, id) = to_order_bl();
    ok(&mut net, "SHIPPER", transfer(id, "BANK"));
    ok(&mut net, "BANK", reject(id));
    fails(&mut net, "SHIPPER", id, reject(id), "NOTHING_TO_REJECT");
    fails(&mut net, "BANK", id, reject(id), "NOTHING_TO_REJECT");
}

#[test]
fn the_receiver_of_an_endorsement_may_reject_it() {
    let (mut net, id) = to_order_bl();
    ok(&mut net, "SHIPPER", endorse_to_order(id, "BANK"));
    assert_eq!(record(&net, id).endorsee(), Some(&org("BANK")));
    ok(&mut net, "BANK", reject(id));
    let r = record(&net, id);
    assert_eq!(r.endorsee(), Some(&org("SHIPPER")));
    assert_eq!(r.holder(), &org("SHIPPER"));
}

#[test]
fn endorsement_and_transfer_to_the_same_receiver_are_rejected_together() {
    let (mut net, id) = to_order_bl();
    let before = record(&net, id).position;
    ok(&mut net, "SHIPPER", endorse_to_order(id, "BANK"));
    ok(&mut net, "SHIPPER", transfer(id, "BANK"));
    ok(&mut net, "BANK", reject(id));
    assert_eq!(record(&net, id).position, before);
}

#[test]
fn a_transfer_to_another_party_replaces_the_right_to_reject() {
    let (mut net, id) = to_order_bl();
    ok(&mut net, "SHIPPER", endorse_to_order(id, "BANK"));
    ok(&mut net, "SHIPPER", transfer(id, "BUYER2"));
    fails(&mut net, "BANK", id, reject(id), "NOTHING_TO_REJECT");
    ok(&mut net, "BUYER2", reject(id));
    let r = record(&net, id);
    assert_eq!(r.holder(), &org("SHIPPER"));
    assert_eq!(r.endorsee(), Some(&org("BANK")));
}
