//! Shared helpers of the eBL integration tests: action builders and record assertions.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use ebl_ledger::ebl::{AmendmentReason, EblAction, EblIssue, EblRecord, EblType};
use ebl_ledger::entry::Body;
use ebl_ledger::hash::{DocumentId, Hash32};
use ebl_ledger::ids::OrgId;
use ebl_ledger::state::keys;
use ebl_ledger::testkit::TestNetwork;

/// A document id derived from a label (stands in for a DCSA checksum).
pub fn doc(label: &str) -> DocumentId {
    Hash32::sha256(label.as_bytes())
}

pub fn org(id: &str) -> OrgId {
    OrgId(id.to_string())
}

/// An issuance with document id `doc(reference)`.
pub fn issue_of(reference: &str, kind: EblType, to: &str, consignee: Option<&str>) -> EblIssue {
    EblIssue {
        document: doc(reference),
        reference: reference.to_string(),
        kind,
        issue_to: org(to),
        consignee: consignee.map(org),
    }
}

pub fn issue(reference: &str, kind: EblType, to: &str, consignee: Option<&str>) -> Body {
    Body::Ebl(EblAction::Issue(issue_of(reference, kind, to, consignee)))
}

pub fn transfer(id: DocumentId, to: &str) -> Body {
    Body::Ebl(EblAction::Transfer {
        document: id,
        to: org(to),
    })
}

pub fn endorse(id: DocumentId, to: &str) -> Body {
    Body::Ebl(EblAction::Endorse {
        document: id,
        endorsee: org(to),
    })
}

pub fn endorse_to_order(id: DocumentId, to: &str) -> Body {
    Body::Ebl(EblAction::EndorseToOrder {
        document: id,
        endorsee: org(to),
    })
}

pub fn blank_endorse(id: DocumentId) -> Body {
    Body::Ebl(EblAction::BlankEndorse { document: id })
}

pub fn nominate(id: DocumentId, nominee: &str) -> Body {
    Body::Ebl(EblAction::Nominate {
        document: id,
        nominee: org(nominee),
    })
}

pub fn reject(id: DocumentId) -> Body {
    Body::Ebl(EblAction::Reject {
        document: id,
        reason: "not expected".into(),
    })
}

pub fn sign(id: DocumentId) -> Body {
    Body::Ebl(EblAction::Sign { document: id })
}

pub fn surrender_for_delivery(id: DocumentId) -> Body {
    Body::Ebl(EblAction::SurrenderForDelivery {
        document: id,
        request_reference: None,
    })
}

pub fn surrender_for_amendment(id: DocumentId, reason: AmendmentReason) -> Body {
    Body::Ebl(EblAction::SurrenderForAmendment {
        document: id,
        reason,
        request_reference: None,
    })
}

pub fn sacc(id: DocumentId) -> Body {
    Body::Ebl(EblAction::AcceptSurrender { document: id })
}

pub fn srej(id: DocumentId) -> Body {
    Body::Ebl(EblAction::RejectSurrender {
        document: id,
        reason: "signature missing".into(),
    })
}

pub fn amend(id: DocumentId, replacement: EblIssue) -> Body {
    Body::Ebl(EblAction::Amend {
        document: id,
        replacement,
    })
}

pub fn split(id: DocumentId, replacements: Vec<EblIssue>) -> Body {
    Body::Ebl(EblAction::Split {
        document: id,
        replacements,
    })
}

pub fn combine(documents: Vec<DocumentId>, replacement: EblIssue) -> Body {
    Body::Ebl(EblAction::Combine {
        documents,
        replacement,
    })
}

pub fn void(id: DocumentId) -> Body {
    Body::Ebl(EblAction::Void {
        document: id,
        reason: "issued in error".into(),
    })
}

/// The stored record, which must exist.
pub fn record(net: &TestNetwork, id: DocumentId) -> EblRecord {
    net.ledger
        .get::<EblRecord>(&keys::ebl(&id))
        .unwrap()
        .expect("record exists")
}

/// Submits `body` as `who` and expects it to apply.
pub fn ok(net: &mut TestNetwork, who: &str, body: Body) {
    if let Err(code) = net.submit(who, body) {
        panic!("{who}: expected success, got {code}");
    }
}

/// Submits `body` as `who`, expects `code`, and checks that the document did not change.
pub fn fails(net: &mut TestNetwork, who: &str, id: DocumentId, body: Body, code: &str) {
    let before = net.ledger.get::<EblRecord>(&keys::ebl(&id)).unwrap();
    assert_eq!(net.submit(who, body), Err(code.to_string()), "{who}");
    // Stateless failures do not consume the sequence number.
    let key = net.party(who).key.clone();
    net.resync_sequence(&key);
    let after = net.ledger.get::<EblRecord>(&keys::ebl(&id)).unwrap();
    assert_eq!(
        before, after,
        "a failed action must leave the record unchanged"
    );
}

/// A network with a to-order BL `OLSC1` issued by CARRIER to SHIPPER, to the order of SHIPPER.
pub fn to_order_bl() -> (TestNetwork, DocumentId) {
    let mut net = TestNetwork::pilot();
    let body = issue("OLSC1", EblType::ToOrderBl, "SHIPPER", Some("SHIPPER"));
    ok(&mut net, "CARRIER", body);
    (net, doc("OLSC1"))
}

/// A network with a blank (bearer) to-order BL `OLSC1` held by SHIPPER.
pub fn blank_bl() -> (TestNetwork, DocumentId) {
    let mut net = TestNetwork::pilot();
    ok(
        &mut net,
        "CARRIER",
        issue("OLSC1", EblType::ToOrderBl, "SHIPPER", None),
    );
    (net, doc("OLSC1"))
}

/// A network with a straight BL `OLSC1` held by SHIPPER, consignee CONSIGNEE.
pub fn straight_bl() -> (TestNetwork, DocumentId) {
    let mut net = TestNetwork::pilot();
    let body = issue("OLSC1", EblType::StraightBl, "SHIPPER", Some("CONSIGNEE"));
    ok(&mut net, "CARRIER", body);
    (net, doc("OLSC1"))
}

/// A network with a sea waybill `OLSC1` held by SHIPPER, consignee CONSIGNEE.
pub fn sea_waybill() -> (TestNetwork, DocumentId) {
    let mut net = TestNetwork::pilot();
    let body = issue("OLSC1", EblType::SeaWaybill, "SHIPPER", Some("CONSIGNEE"));
    ok(&mut net, "CARRIER", body);
    (net, doc("OLSC1"))
}

/// Whether a record exists for `id`.
pub fn exists(net: &TestNetwork, id: DocumentId) -> bool {
    net.ledger
        .get::<EblRecord>(&keys::ebl(&id))
        .unwrap()
        .is_some()
}
