//! LINK_EVIDENCE, WITHDRAW_EVIDENCE and receipts citing links (R400–R407): a bill's parties
//! link the trade's order, goods and funds documents by reference and hash; a bank's receipt
//! cites the links it matched.
#![allow(clippy::unwrap_used)]

mod ebl_support;

use ebl_ledger::cert::CertificateRef;
use ebl_ledger::ebl::trade_links::{TradeDocumentKind, TradeLink, TradeLinks};
use ebl_ledger::ebl::{EblAction, ForeignParty, PartyCode};
use ebl_ledger::entry::{ActionKind, Body, DocumentRef};
use ebl_ledger::hash::{DocumentId, Hash32};
use ebl_ledger::receipt::{ReceiptRecord, VerificationOutcome, VerificationReceipt};
use ebl_ledger::state::keys;
use ebl_ledger::storage::Storage;
use ebl_ledger::testkit::TestNetwork;
use ebl_support::*;

use TradeDocumentKind::{CustomsDeclaration, LetterOfCredit, Payment, PurchaseOrder};

fn a_link(kind: TradeDocumentKind, reference: &str) -> TradeLink {
    TradeLink {
        kind,
        reference: reference.into(),
        issuer: None,
        hash: Hash32::sha256(format!("{kind:?} {reference}").as_bytes()),
    }
}

fn link(id: DocumentId, links: Vec<TradeLink>) -> Body {
    Body::Ebl(EblAction::LinkEvidence {
        document: id,
        links,
    })
}

fn link_one(id: DocumentId, kind: TradeDocumentKind, reference: &str) -> Body {
    link(id, vec![a_link(kind, reference)])
}

fn withdraw(id: DocumentId, number: u32) -> Body {
    Body::Ebl(EblAction::WithdrawEvidence {
        document: id,
        link: number,
        reason: "wrong version of the document".into(),
    })
}

fn citing(id: DocumentId, cites: Vec<u32>) -> Body {
    Body::Verification(VerificationReceipt {
        subject: DocumentRef::Ebl { id },
        outcome: VerificationOutcome::Verified,
        purpose: "OFFSHORE_TRADE_CHECK".into(),
        detail: "order, goods and funds flows match".into(),
        cites,
    })
}

fn receipts(net: &TestNetwork, id: DocumentId) -> Vec<ReceiptRecord> {
    let prefix = keys::receipt_prefix(&DocumentRef::Ebl { id });
    let records = net.ledger.store().scan_prefix(&prefix, 1000).unwrap();
    records
        .iter()
        .map(|(_, v)| ebl_ledger::codec::decode_stored(v).unwrap())
        .collect()
}

fn links(net: &TestNetwork, id: DocumentId) -> Option<TradeLinks> {
    net.ledger.get::<TradeLinks>(&keys::ebl_links(&id)).unwrap()
}

/// Expects `code`, and neither the bill, its links nor its receipts changed.
fn refused(net: &mut TestNetwork, who: &str, id: DocumentId, body: Body, code: &str) {
    let before = links(net, id);
    let stored = receipts(net, id).len();
    fails(net, who, id, body, code);
    assert_eq!(
        links(net, id),
        before,
        "a refused action must not touch links"
    );
    assert_eq!(
        stored,
        receipts(net, id).len(),
        "a refused receipt must not be stored"
    );
}

/// A to-order bill the shipper passed to BANK, with the shipper's purchase order as link 1.
fn bill_at_the_bank() -> (TestNetwork, DocumentId) {
    let (mut net, id) = to_order_bl();
    ok(
        &mut net,
        "SHIPPER",
        link_one(id, PurchaseOrder, "PO-2026-118"),
    );
    ok(&mut net, "SHIPPER", transfer(id, "BANK"));
    (net, id)
}

// --- R400: references and hashes only, bounded ---------------------------------------------

#[test]
fn a_link_stores_kind_reference_and_hash_numbered_from_one() {
    let (mut net, id) = to_order_bl();
    let mut po = a_link(PurchaseOrder, "PO-2026-118");
    po.issuer = Some("CONSIGNEE".into());
    ok(
        &mut net,
        "SHIPPER",
        link(
            id,
            vec![po.clone(), a_link(CustomsDeclaration, "5300 2026 1234")],
        ),
    );
    let set = links(&net, id).unwrap();
    assert_eq!(set.document, id);
    assert_eq!(set.links.len(), 2);
    assert_eq!(set.links[0].number, 1);
    assert_eq!(set.links[0].link, po);
    assert_eq!(set.links[0].linker, org("SHIPPER"));
    assert_eq!(set.links[1].number, 2);
    assert!(set.links.iter().all(|l| l.is_live()));
}

#[test]
fn malformed_links_are_refused_before_any_state_is_read() {
    let (mut net, id) = to_order_bl();
    let bad = |f: fn(&mut TradeLink)| {
        let mut l = a_link(PurchaseOrder, "PO-1");
        f(&mut l);
        link(id, vec![l])
    };
    refused(&mut net, "SHIPPER", id, link(id, vec![]), "INVALID_FIELD");
    let nine = (0..9)
        .map(|i| a_link(Payment, &format!("PAY-{i}")))
        .collect();
    refused(&mut net, "SHIPPER", id, link(id, nine), "INVALID_FIELD");
    refused(
        &mut net,
        "SHIPPER",
        id,
        bad(|l| l.reference = " PO-1".into()),
        "INVALID_FIELD",
    );
    refused(
        &mut net,
        "SHIPPER",
        id,
        bad(|l| l.reference = String::new()),
        "INVALID_FIELD",
    );
    refused(
        &mut net,
        "SHIPPER",
        id,
        bad(|l| l.reference = "P".repeat(65)),
        "INVALID_FIELD",
    );
    refused(
        &mut net,
        "SHIPPER",
        id,
        bad(|l| l.reference = "PO\n1".into()),
        "INVALID_FIELD",
    );
    refused(
        &mut net,
        "SHIPPER",
        id,
        bad(|l| l.issuer = Some("Bank A".into())),
        "INVALID_FIELD",
    );
    refused(
        &mut net,
        "SHIPPER",
        id,
        bad(|l| l.hash = Hash32::ZERO),
        "INVALID_FIELD",
    );
    let twice = vec![a_link(PurchaseOrder, "PO-1"), a_link(PurchaseOrder, "PO-1")];
    refused(&mut net, "SHIPPER", id, link(id, twice), "INVALID_FIELD");
    assert_eq!(links(&net, id), None);
}

// --- R401: parties of the bill link ----------------------------------------------------------

#[test]
fn the_carrier_the_holder_and_a_former_holder_link() {
    let (mut net, id) = bill_at_the_bank();
    ok(
        &mut net,
        "CARRIER",
        link_one(id, CustomsDeclaration, "CN-EXP-1"),
    );
    ok(&mut net, "BANK", link_one(id, LetterOfCredit, "LC-0042"));
    // The shipper no longer holds the bill but stays a party (R140).
    ok(
        &mut net,
        "SHIPPER",
        link_one(id, CustomsDeclaration, "CN-EXP-2"),
    );
    let linkers: Vec<_> = links(&net, id)
        .unwrap()
        .links
        .iter()
        .map(|l| l.linker.0.clone())
        .collect();
    assert_eq!(linkers, ["SHIPPER", "CARRIER", "BANK", "SHIPPER"]);
}

#[test]
fn an_organisation_that_is_not_a_party_cannot_link() {
    let (mut net, id) = to_order_bl();
    refused(
        &mut net,
        "BANK",
        id,
        link_one(id, LetterOfCredit, "LC-0042"),
        "NOT_PARTY",
    );
    refused(
        &mut net,
        "SGSW",
        id,
        link_one(id, CustomsDeclaration, "C-1"),
        "NOT_PARTY",
    );
    refused(
        &mut net,
        "SHIPPER",
        doc("NOPE"),
        link_one(doc("NOPE"), Payment, "P-1"),
        "UNKNOWN_DOCUMENT",
    );
}

// --- R402: one live link per kind and reference ------------------------------------------

#[test]
fn a_second_live_link_with_the_same_kind_and_reference_is_refused() {
    let (mut net, id) = bill_at_the_bank();
    refused(
        &mut net,
        "SHIPPER",
        id,
        link_one(id, PurchaseOrder, "PO-2026-118"),
        "DUPLICATE_LINK",
    );
    // Another party cannot shadow it either.
    refused(
        &mut net,
        "BANK",
        id,
        link_one(id, PurchaseOrder, "PO-2026-118"),
        "DUPLICATE_LINK",
    );
    // The same reference under another kind is another document.
    ok(&mut net, "BANK", link_one(id, Payment, "PO-2026-118"));
}

#[test]
fn after_a_withdrawal_the_reference_may_be_linked_again() {
    let (mut net, id) = bill_at_the_bank();
    ok(&mut net, "SHIPPER", withdraw(id, 1));
    ok(
        &mut net,
        "SHIPPER",
        link_one(id, PurchaseOrder, "PO-2026-118"),
    );
    let set = links(&net, id).unwrap();
    assert_eq!(set.links.len(), 2);
    assert!(!set.links[0].is_live());
    assert_eq!(set.live(PurchaseOrder, "PO-2026-118").unwrap().number, 2);
}

// --- R403: bounds per linker and per bill ----------------------------------------------------

fn eight(prefix: &str) -> Vec<TradeLink> {
    (0..8)
        .map(|i| a_link(Payment, &format!("{prefix}-{i}")))
        .collect()
}

#[test]
fn a_linker_makes_at_most_sixteen_links_on_a_bill_withdrawn_ones_included() {
    let (mut net, id) = to_order_bl();
    ok(&mut net, "SHIPPER", link(id, eight("A")));
    ok(&mut net, "SHIPPER", link(id, eight("B")));
    ok(&mut net, "SHIPPER", withdraw(id, 1));
    refused(
        &mut net,
        "SHIPPER",
        id,
        link_one(id, Payment, "C-0"),
        "TOO_MANY_LINKS",
    );
    // Another party still links.
    ok(&mut net, "CARRIER", link_one(id, Payment, "C-0"));
}

#[test]
fn a_bill_holds_at_most_sixty_four_links() {
    let (mut net, id) = to_order_bl();
    ok(&mut net, "SHIPPER", transfer(id, "BANK"));
    ok(&mut net, "BANK", transfer(id, "CONSIGNEE"));
    ok(&mut net, "CONSIGNEE", transfer(id, "BUYER2"));
    for who in ["CARRIER", "SHIPPER", "BANK", "CONSIGNEE"] {
        ok(&mut net, who, link(id, eight(&format!("{who}-A"))));
        ok(&mut net, who, link(id, eight(&format!("{who}-B"))));
    }
    assert_eq!(links(&net, id).unwrap().links.len(), 64);
    refused(
        &mut net,
        "BUYER2",
        id,
        link_one(id, Payment, "ONE-MORE"),
        "TOO_MANY_LINKS",
    );
}

// --- R404: numbering, history, right to reject ------------------------------------------------

#[test]
fn linking_appends_one_history_line_and_changes_no_title() {
    let (mut net, id) = to_order_bl();
    let before = record(&net, id);
    ok(&mut net, "SHIPPER", link_one(id, PurchaseOrder, "PO-1"));
    let after = record(&net, id);
    assert_eq!(after.position, before.position);
    assert_eq!(after.status, before.status);
    assert_eq!(after.history.len(), before.history.len() + 1);
    let line = after.history.last().unwrap();
    assert_eq!(line.action, ActionKind::EblLinkEvidence);
    assert_eq!(line.action.code(), "LINK_EVIDENCE");
    assert_eq!(
        (line.from.clone(), line.to.clone()),
        (Some(org("SHIPPER")), None)
    );
}

#[test]
fn a_bank_that_links_keeps_its_right_to_reject() {
    let (mut net, id) = bill_at_the_bank();
    ok(&mut net, "BANK", link_one(id, LetterOfCredit, "LC-0042"));
    ok(&mut net, "BANK", withdraw(id, 2));
    // The links did not match its credit: it sends the bill back.
    ok(&mut net, "BANK", reject(id));
    assert_eq!(record(&net, id).holder(), &org("SHIPPER"));
    // The links stay, as the history does.
    assert_eq!(links(&net, id).unwrap().links.len(), 2);
}

#[test]
fn any_title_action_still_ends_the_right_to_reject() {
    let (mut net, id) = bill_at_the_bank();
    ok(&mut net, "BANK", sign(id));
    refused(&mut net, "BANK", id, reject(id), "NOTHING_TO_REJECT");
}

// --- R405: withdrawal by the linker; the link stays -----------------------------------------

#[test]
fn the_linker_withdraws_its_link_which_stays_in_the_set() {
    let (mut net, id) = bill_at_the_bank();
    ok(&mut net, "SHIPPER", withdraw(id, 1));
    let set = links(&net, id).unwrap();
    let withdrawn = set.links[0].withdrawn.as_ref().unwrap();
    assert_eq!(withdrawn.reason, "wrong version of the document");
    let line = record(&net, id).history.last().cloned().unwrap();
    assert_eq!(line.action, ActionKind::EblWithdrawEvidence);
    assert_eq!(
        line.reason.as_deref(),
        Some("wrong version of the document")
    );
}

#[test]
fn only_the_linker_withdraws_a_live_link_that_exists() {
    let (mut net, id) = bill_at_the_bank();
    refused(&mut net, "BANK", id, withdraw(id, 1), "NOT_LINKER");
    refused(&mut net, "CARRIER", id, withdraw(id, 1), "NOT_LINKER");
    refused(&mut net, "SHIPPER", id, withdraw(id, 2), "UNKNOWN_LINK");
    refused(&mut net, "SHIPPER", id, withdraw(id, 0), "INVALID_FIELD");
    refused(&mut net, "SGSW", id, withdraw(id, 1), "NOT_PARTY");
    ok(&mut net, "SHIPPER", withdraw(id, 1));
    refused(&mut net, "SHIPPER", id, withdraw(id, 1), "LINK_WITHDRAWN");
}

// --- R406: open bills only, not while an export waits ----------------------------------------

#[test]
fn links_are_made_while_a_surrender_is_pending() {
    let (mut net, id) = to_order_bl();
    ok(&mut net, "SHIPPER", surrender_for_delivery(id));
    ok(
        &mut net,
        "SHIPPER",
        link_one(id, CustomsDeclaration, "SG-IMP-7"),
    );
}

#[test]
fn a_closed_bill_or_one_waiting_for_another_platform_takes_no_link() {
    let (mut net, id) = to_order_bl();
    ok(&mut net, "SHIPPER", link_one(id, PurchaseOrder, "PO-1"));
    ok(&mut net, "SHIPPER", surrender_for_delivery(id));
    ok(&mut net, "CARRIER", sacc(id));
    refused(
        &mut net,
        "SHIPPER",
        id,
        link_one(id, Payment, "P-1"),
        "DOCUMENT_CLOSED",
    );
    refused(&mut net, "SHIPPER", id, withdraw(id, 1), "DOCUMENT_CLOSED");

    let (mut net, id) = blank_bl();
    let export = Body::Ebl(EblAction::Export {
        document: id,
        to: ForeignParty {
            ebl_platform: "EBLB".into(),
            party_name: "Bank B".into(),
            identifying_codes: vec![PartyCode {
                code_list_provider: "EBLB".into(),
                party_code: "BANKB".into(),
                code_list_name: None,
            }],
        },
        endorse: false,
        chain_entry: "eyJhbGciOiJFZERTQSJ9.QTE.c2ln".into(),
    });
    ok(&mut net, "SHIPPER", export);
    refused(
        &mut net,
        "SHIPPER",
        id,
        link_one(id, Payment, "P-1"),
        "WRONG_STATUS",
    );
}

// --- R407: receipts cite live links of their bill -------------------------------------------

#[test]
fn a_banks_receipt_cites_the_links_it_matched() {
    let (mut net, id) = bill_at_the_bank();
    let funds = vec![
        a_link(LetterOfCredit, "LC-0042"),
        a_link(Payment, "MT103-9"),
    ];
    ok(&mut net, "BANK", link(id, funds));
    ok(&mut net, "BANK", citing(id, vec![1, 2, 3]));
    let stored = receipts(&net, id);
    let receipt = &stored[0];
    assert_eq!(receipt.receipt.cites, [1, 2, 3]);
    assert_eq!(receipt.verifier, org("BANK"));
}

#[test]
fn a_receipt_cites_only_live_links_of_its_bill_and_only_by_a_party() {
    let (mut net, id) = bill_at_the_bank();
    ok(&mut net, "BANK", link_one(id, LetterOfCredit, "LC-0042"));
    refused(&mut net, "BANK", id, citing(id, vec![3]), "UNKNOWN_LINK");
    refused(&mut net, "SGSW", id, citing(id, vec![1]), "NOT_PARTY");
    ok(&mut net, "BANK", withdraw(id, 2));
    refused(
        &mut net,
        "BANK",
        id,
        citing(id, vec![1, 2]),
        "LINK_WITHDRAWN",
    );
    refused(
        &mut net,
        "BANK",
        id,
        citing(id, vec![1, 1]),
        "INVALID_FIELD",
    );
    refused(&mut net, "BANK", id, citing(id, vec![0]), "INVALID_FIELD");
    refused(
        &mut net,
        "BANK",
        id,
        citing(id, (1..=17).collect()),
        "INVALID_FIELD",
    );
    // A receipt citing nothing stays open to every member (R81).
    ok(&mut net, "SGSW", citing(id, vec![]));
}

#[test]
fn a_receipt_about_a_certificate_cites_no_link() {
    let mut net = TestNetwork::pilot();
    let receipt = Body::Verification(VerificationReceipt {
        subject: DocumentRef::Certificate(CertificateRef {
            administration: org("MSA"),
            utn: "MSA-1".into(),
        }),
        outcome: VerificationOutcome::Verified,
        purpose: "PORT_STATE_CONTROL".into(),
        detail: String::new(),
        cites: vec![1],
    });
    assert_eq!(net.submit("MPA", receipt), Err("INVALID_FIELD".into()));
}
