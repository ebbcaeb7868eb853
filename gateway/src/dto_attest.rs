//! JSON views of a trade certificate (R398): the members' view, with everything the ledger
//! holds, and the public view, with the facts a verifier needs and nothing that names the
//! trade's parties or goods.

use ebl_ledger::attest::{AttestFacts, AttestRecord, AttestRef, Closing};
use ebl_ledger::time::Timestamp;
use serde_json::{Value, json};

use crate::dto::stamp;

/// `{"authority", "number"}`.
pub fn attest_ref(r: &AttestRef) -> Value {
    json!({"authority": r.authority.0, "number": r.number})
}

fn facts(f: &AttestFacts) -> Value {
    json!({
        "subject": {
            "exporter": f.subject.exporter,
            "importer": f.subject.importer,
            "goods": f.subject.goods,
            "origin_country": f.subject.origin_country,
            "destination_country": f.subject.destination_country,
            "ebl": f.subject.ebl.map(|d| d.to_hex()),
        },
        "document": f.document.to_hex(),
        "valid_from": f.valid_from.to_string(),
        "valid_until": f.valid_until.to_string(),
        "place": f.place,
    })
}

/// The members' view at `at` (`GET /v1/trade-certificates/...`): the facts in force at `at`,
/// the seal, every amendment with the facts it replaced, the closing and the history.
pub fn trade_certificate(r: &AttestRecord, at: Timestamp) -> Value {
    let mut view = public_trade_certificate(r, at);
    let now = r.facts_at(at);
    view["subject"] = facts(now)["subject"].clone();
    view["amendments"] = r
        .amendments
        .iter()
        .map(|a| {
            json!({
                "previous": facts(&a.previous),
                "reason": a.reason,
                "recorded": stamp(&a.stamp),
            })
        })
        .collect::<Vec<_>>()
        .into();
    view["closed"] = match &r.closed {
        None => Value::Null,
        Some(c) => match &c.change {
            Closing::Revoked { reason } => json!({
                "change": "REVOKED", "reason": reason, "recorded": stamp(&c.stamp),
            }),
            Closing::Superseded { by } => json!({
                "change": "SUPERSEDED", "by": attest_ref(by), "recorded": stamp(&c.stamp),
            }),
        },
    };
    view["history"] = r
        .history
        .iter()
        .map(|h| json!({"action": h.action.code(), "recorded": stamp(&h.stamp)}))
        .collect::<Vec<_>>()
        .into();
    view
}

/// R398: the public view at `at` (`GET /public/v1/trade-certificates/...`, the page, the
/// printout): status, kind, authority and number, validity and place, the document hash, the
/// origin and destination countries, the seal (entry, key, height, time) and the links to a
/// replacement. Not the exporter, importer, goods or eBL: whoever holds the document proves
/// they match by its hash.
pub fn public_trade_certificate(r: &AttestRecord, at: Timestamp) -> Value {
    let f = r.facts_at(at);
    let superseded_by = r
        .closed
        .as_ref()
        .filter(|c| c.stamp.time <= at)
        .and_then(|_| r.superseded_by());
    json!({
        "authority": r.reference.authority.0,
        "number": r.reference.number,
        "kind": r.kind.code(),
        "status": r.status_at(at).code(),
        "status_at": at.to_rfc3339(),
        "valid_from": f.valid_from.to_string(),
        "valid_until": f.valid_until.to_string(),
        "place": f.place,
        "document": f.document.to_hex(),
        "origin_country": f.subject.origin_country,
        "destination_country": f.subject.destination_country,
        "seal": stamp(&r.seal),
        "amended": r.amendments.iter().filter(|a| a.stamp.time <= at).count(),
        "superseded_by": superseded_by.map(attest_ref),
        "supersedes": r.supersedes.as_ref().map(attest_ref),
    })
}
