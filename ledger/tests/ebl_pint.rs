//! PINT_EXPORT, PINT_EXPORT_ANSWER and PINT_IMPORT (R290–R299): a bill leaves for another
//! platform and comes back, and is never both exported and active.
#![allow(clippy::unwrap_used)]

mod ebl_support;

use ebl_ledger::ebl::pint::PintRecord;
use ebl_ledger::ebl::{
    EblAction, EblImport, EblStatus, EblType, Endorsement, ExportAnswerCode, ForeignParty,
    PartyCode,
};
use ebl_ledger::entry::Body;
use ebl_ledger::hash::DocumentId;
use ebl_ledger::state::keys;
use ebl_ledger::testkit::TestNetwork;
use ebl_support::*;

fn abroad(name: &str) -> ForeignParty {
    ForeignParty {
        ebl_platform: "EBLB".into(),
        party_name: name.into(),
        identifying_codes: vec![PartyCode {
            code_list_provider: "EBLB".into(),
            party_code: name.to_uppercase(),
            code_list_name: None,
        }],
    }
}

fn export(id: DocumentId, to: &str, endorse: bool) -> Body {
    Body::Ebl(EblAction::Export {
        document: id,
        to: abroad(to),
        endorse,
        chain_entry: jws(&format!("A1-{to}")),
    })
}

/// A syntactically valid compact JWS standing for a chain entry with `label` in its payload.
fn jws(label: &str) -> String {
    format!("eyJhbGciOiJFZERTQSJ9.{}.c2ln", hex::encode(label))
}

fn answer(id: DocumentId, code: ExportAnswerCode) -> Body {
    Body::Ebl(EblAction::ExportAnswer {
        document: id,
        code,
        response: jws("response"),
    })
}

fn import(reference: &str, kind: EblType, to: &str, title: Option<&str>, chain: &[&str]) -> Body {
    Body::Ebl(EblAction::Import(EblImport {
        issue: issue_of(reference, kind, to, title),
        carrier: org("PINT.EBLB.MSC"),
        from: abroad("Bank B"),
        chain: chain.iter().map(|label| jws(label)).collect(),
        visualisation: None,
    }))
}

fn pint(net: &TestNetwork, id: DocumentId) -> PintRecord {
    net.ledger
        .get::<PintRecord>(&keys::pint(&id))
        .unwrap()
        .unwrap_or_default()
}

fn outbox(net: &TestNetwork, id: DocumentId) -> bool {
    net.ledger
        .get::<ebl_ledger::ids::OrgId>(&keys::pint_outbox(&id))
        .unwrap()
        .is_some()
}

/// A blank bill exported by SHIPPER to Bank B on EBLB and accepted there.
fn exported_blank_bill() -> (TestNetwork, DocumentId) {
    let (mut net, id) = blank_bl();
    ok(&mut net, "SHIPPER", export(id, "Bank B", false));
    ok(&mut net, "SHIPPER", answer(id, ExportAnswerCode::Received));
    (net, id)
}

#[test]
fn an_export_waits_for_the_answer_and_nothing_else_applies() {
    let (mut net, id) = blank_bl();
    ok(&mut net, "SHIPPER", export(id, "Bank B", false));
    let r = record(&net, id);
    assert_eq!(r.status, EblStatus::ExportPending);
    assert_eq!(r.holder(), &org("SHIPPER"));
    assert_eq!(pint(&net, id).pending.unwrap().to, abroad("Bank B"));
    assert!(outbox(&net, id), "R294: the sending gateways find it");
    // R291: the bill is on its way; the holder cannot also pass it on here.
    fails(
        &mut net,
        "SHIPPER",
        id,
        transfer(id, "BANK"),
        "WRONG_STATUS",
    );
    fails(
        &mut net,
        "SHIPPER",
        id,
        export(id, "Other", false),
        "WRONG_STATUS",
    );
    fails(
        &mut net,
        "SHIPPER",
        id,
        surrender_for_delivery(id),
        "WRONG_STATUS",
    );
}

#[test]
fn an_accepted_export_closes_the_bill_here() {
    let (mut net, id) = exported_blank_bill();
    let r = record(&net, id);
    assert_eq!(r.status, EblStatus::Exported);
    let p = pint(&net, id);
    assert_eq!(p.chain, vec![jws("A1-Bank B")]);
    assert_eq!(p.exported_to, Some(abroad("Bank B")));
    assert!(p.pending.is_none());
    assert!(!outbox(&net, id));
    // R293: control left this platform: the former holder can do nothing with it here.
    fails(
        &mut net,
        "SHIPPER",
        id,
        transfer(id, "BANK"),
        "DOCUMENT_CLOSED",
    );
    fails(
        &mut net,
        "SHIPPER",
        id,
        export(id, "Other", false),
        "DOCUMENT_CLOSED",
    );
    fails(&mut net, "CARRIER", id, void(id), "DOCUMENT_CLOSED");
    let codes: Vec<&str> = r.history.iter().map(|h| h.action.code()).collect();
    assert_eq!(codes, ["ISSUE", "PINT_EXPORT", "PINT_EXPORT_ANSWER"]);
}

#[test]
fn a_refused_export_returns_the_bill_to_its_holder() {
    for code in [
        ExportAnswerCode::BadSignature,
        ExportAnswerCode::BadEnvelope,
    ] {
        let (mut net, id) = blank_bl();
        ok(&mut net, "SHIPPER", export(id, "Bank B", false));
        ok(&mut net, "SHIPPER", answer(id, code));
        let r = record(&net, id);
        assert_eq!(r.status, EblStatus::Active, "{code:?}");
        assert!(pint(&net, id).chain.is_empty());
        ok(&mut net, "SHIPPER", transfer(id, "BANK"));
    }
}

#[test]
fn only_the_exporting_holder_answers_and_only_once() {
    let (mut net, id) = blank_bl();
    let accepted = answer(id, ExportAnswerCode::Received);
    fails(&mut net, "SHIPPER", id, accepted.clone(), "WRONG_STATUS");
    ok(&mut net, "SHIPPER", export(id, "Bank B", false));
    fails(&mut net, "BANK", id, accepted.clone(), "NOT_HOLDER");
    ok(&mut net, "SHIPPER", accepted.clone());
    fails(&mut net, "SHIPPER", id, accepted, "DOCUMENT_CLOSED");
}

#[test]
fn who_may_export_what() {
    // R291: the holder only; never a waybill.
    let (mut net, id) = blank_bl();
    fails(
        &mut net,
        "BANK",
        id,
        export(id, "Bank B", false),
        "NOT_HOLDER",
    );
    let (mut net, id) = sea_waybill();
    fails(
        &mut net,
        "SHIPPER",
        id,
        export(id, "B", false),
        "NOT_TRANSFERABLE",
    );
    // A to-order holder-endorsee must endorse to the receiver; a blank bill cannot be.
    let (mut net, id) = to_order_bl();
    fails(
        &mut net,
        "SHIPPER",
        id,
        export(id, "Bank B", false),
        "NOT_ENDORSEE",
    );
    ok(&mut net, "SHIPPER", export(id, "Bank B", true));
    let (mut net, id) = blank_bl();
    fails(
        &mut net,
        "SHIPPER",
        id,
        export(id, "Bank B", true),
        "NOT_ENDORSEE",
    );
    // A straight BL travels to its consignee's platform by possession alone.
    let (mut net, id) = straight_bl();
    ok(&mut net, "SHIPPER", export(id, "Consignee B", false));
}

#[test]
fn foreign_parties_are_bounded() {
    let (mut net, id) = blank_bl();
    let mut long_platform = abroad("Bank B");
    long_platform.ebl_platform = "TOOLONG".into();
    let mut no_codes = abroad("Bank B");
    no_codes.identifying_codes.clear();
    // R290: the party; R294: the chain entry is a bounded compact JWS.
    let cases = [
        (long_platform, jws("A1")),
        (no_codes, jws("A1")),
        (abroad("Bank B"), "not a jws!".to_string()),
    ];
    for (to, chain_entry) in cases {
        let body = Body::Ebl(EblAction::Export {
            document: id,
            to,
            endorse: false,
            chain_entry,
        });
        fails(&mut net, "SHIPPER", id, body, "INVALID_FIELD");
    }
}

#[test]
fn a_bill_comes_back_only_on_the_chain_it_left_with() {
    let (mut net, id) = exported_blank_bill();
    // R297: a chain that does not start with what this platform sent is a fork: DISE.
    let forked = import("OLSC1", EblType::ToOrderBl, "BANK", None, &["X1", "B1"]);
    fails(&mut net, "BANK", id, forked, "IMPORT_CONFLICT");
    // Nor may a chain merely repeat it.
    let same = import("OLSC1", EblType::ToOrderBl, "BANK", None, &["A1-Bank B"]);
    fails(&mut net, "BANK", id, same, "IMPORT_CONFLICT");
    let back = import(
        "OLSC1",
        EblType::ToOrderBl,
        "BANK",
        None,
        &["A1-Bank B", "B1"],
    );
    ok(&mut net, "BANK", back.clone());
    let r = record(&net, id);
    assert_eq!(r.status, EblStatus::Active);
    assert_eq!(r.holder(), &org("BANK"));
    assert_eq!(r.position.endorsement, Endorsement::Blank);
    assert_eq!(r.carrier, org("CARRIER"), "the issuer stays the issuer");
    assert_eq!(pint(&net, id).chain, vec![jws("A1-Bank B"), jws("B1")]);
    // R297: once live here, a second import of the same bill is a double spend.
    fails(&mut net, "BANK", id, back, "IMPORT_CONFLICT");
    // The returned bill lives on: the issuer takes it back by surrender.
    ok(&mut net, "BANK", surrender_for_delivery(id));
    ok(&mut net, "CARRIER", sacc(id));
    assert_eq!(record(&net, id).status, EblStatus::Accomplished);
}

#[test]
fn a_bill_never_exported_cannot_be_imported_over() {
    let (mut net, id) = blank_bl();
    let over = import("OLSC1", EblType::ToOrderBl, "BANK", None, &["A1"]);
    fails(&mut net, "BANK", id, over, "IMPORT_CONFLICT");
    assert_eq!(record(&net, id).holder(), &org("SHIPPER"));
}

#[test]
fn a_bill_new_here_arrives_with_a_foreign_carrier() {
    let mut net = TestNetwork::pilot();
    let id = doc("FOREIGN1");
    let body = import(
        "FOREIGN1",
        EblType::ToOrderBl,
        "BANK",
        Some("BANK"),
        &["B1"],
    );
    ok(&mut net, "BANK", body);
    let r = record(&net, id);
    assert_eq!(r.carrier, org("PINT.EBLB.MSC"));
    assert_eq!(r.holder(), &org("BANK"));
    assert_eq!(r.endorsee(), Some(&org("BANK")));
    assert_eq!(r.position.endorsement, Endorsement::ToOrder);
    // It circulates here like any bill.
    ok(&mut net, "BANK", endorse_to_order(id, "CONSIGNEE"));
    ok(&mut net, "BANK", transfer(id, "CONSIGNEE"));
    // R296: no member is its issuer, so it is not surrendered here (it would wait forever).
    fails(
        &mut net,
        "CONSIGNEE",
        id,
        surrender_for_delivery(id),
        "INVALID_FIELD",
    );
    fails(&mut net, "CARRIER", id, void(id), "NOT_ISSUER");
    ok(&mut net, "CONSIGNEE", export(id, "MSC", true));
}

#[test]
fn an_import_is_signed_by_its_receiver_and_names_no_member_as_carrier() {
    let mut net = TestNetwork::pilot();
    let id = doc("FOREIGN1");
    // R295: a member cannot import a bill into another member's hands.
    let for_bank = import("FOREIGN1", EblType::ToOrderBl, "BANK", None, &["B1"]);
    fails(&mut net, "SHIPPER", id, for_bank, "INVALID_FIELD");
    // R296: nor claim that a member carrier issued it.
    let mut claimed = EblImport {
        issue: issue_of("FOREIGN1", EblType::ToOrderBl, "BANK", None),
        carrier: org("CARRIER"),
        from: abroad("Bank B"),
        chain: vec![jws("B1")],
        visualisation: None,
    };
    let body = Body::Ebl(EblAction::Import(claimed.clone()));
    fails(&mut net, "BANK", id, body, "INVALID_FIELD");
    claimed.carrier = org("PINT.EBLB.MSC");
    claimed.chain.clear();
    let body = Body::Ebl(EblAction::Import(claimed));
    fails(&mut net, "BANK", id, body, "INVALID_FIELD");
    assert!(!exists(&net, id));
}
