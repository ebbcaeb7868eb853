//! JSON shapes of the API, written for clients rather than copied from ledger structs: times
//! are RFC 3339, actions use their DCSA-style codes, keys and hashes are lowercase hex.

use ebl_ledger::cert::{CertificateRecord, CertificateRef, Stamp};
use ebl_ledger::ebl::{EblRecord, HistoryEntry};
use ebl_ledger::identity::{DisplayNames, GrantRecord, Organisation};
use ebl_ledger::receipt::ReceiptRecord;
use ebl_ledger::time::Timestamp;
use serde::Serialize;
use serde_json::{Value, json};

pub(crate) fn time(t: Timestamp) -> String {
    t.to_rfc3339()
}

/// An eBL as the API shows it.
#[derive(Debug, Serialize)]
pub struct EblView {
    /// Document id (transportDocumentChecksum).
    pub id: String,
    /// transportDocumentReference.
    pub reference: String,
    /// STRAIGHT_BL, TO_ORDER_BL or SEA_WAYBILL.
    pub kind: Value,
    /// Issuing carrier.
    pub carrier: String,
    /// Status code.
    pub status: &'static str,
    /// Party in possession.
    pub holder: String,
    /// Title party, absent when blank-endorsed.
    pub endorsee: Option<String>,
    /// TO_ORDER, NAMED or BLANK.
    pub endorsement: Value,
    /// Pending nominee.
    pub nominee: Option<String>,
    /// Party that may still reject what it received.
    pub may_reject: Option<String>,
    /// Parties that signed the document (SIGN), with heights and times.
    pub signatures: Vec<Value>,
    /// Documents this one replaces.
    pub replaces: Vec<String>,
    /// Documents that replace it.
    pub replaced_by: Vec<String>,
    /// Issuance height.
    pub issued_height: u64,
    /// Issuance time.
    pub issued_at: String,
    /// Every applied action, oldest first.
    pub history: Vec<HistoryView>,
}

/// R232: an eBL as anyone may see it: integrity (its id), status and issuer. The
/// reference, kind, holder, endorsee, nominee, signatures, replacements and history are for
/// the readers of R231–R235.
#[derive(Debug, Serialize)]
pub struct PublicEblView {
    /// Document id (transportDocumentChecksum).
    pub id: String,
    /// Issuing carrier.
    pub carrier: String,
    /// The carrier's display names (R380).
    pub carrier_names: DisplayNames,
    /// Status code.
    pub status: &'static str,
    /// Issuance time.
    pub issued_at: String,
}

impl PublicEblView {
    /// The public view of `r`, whose carrier's record is `carrier`.
    pub fn new(r: &EblRecord, carrier: Option<&Organisation>) -> Self {
        PublicEblView {
            id: r.id.to_hex(),
            carrier: r.carrier.0.clone(),
            carrier_names: display_names(carrier, r.carrier.as_str()),
            status: r.status.code(),
            issued_at: time(r.issued_time),
        }
    }
}

/// One applied action.
#[derive(Debug, Serialize)]
pub struct HistoryView {
    /// DCSA-style action code.
    pub action: &'static str,
    /// Block height.
    pub height: u64,
    /// Block time.
    pub time: String,
    /// Entry id.
    pub entry: String,
    /// Party on whose behalf it was done.
    pub actor: String,
    /// Signing key.
    pub signer: String,
    /// Party giving up possession or title.
    pub from: Option<String>,
    /// Party receiving it.
    pub to: Option<String>,
    /// Reason, for REJECT, SREJ and VOID.
    pub reason: Option<String>,
}

impl From<&HistoryEntry> for HistoryView {
    fn from(h: &HistoryEntry) -> Self {
        HistoryView {
            action: h.action.code(),
            height: h.height,
            time: time(h.time),
            entry: h.entry.to_hex(),
            actor: h.actor.0.clone(),
            signer: h.signer.to_hex(),
            from: h.from.as_ref().map(|o| o.0.clone()),
            to: h.to.as_ref().map(|o| o.0.clone()),
            reason: h.reason.clone(),
        }
    }
}

impl From<&EblRecord> for EblView {
    fn from(r: &EblRecord) -> Self {
        EblView {
            id: r.id.to_hex(),
            reference: r.reference.clone(),
            kind: json!(r.kind),
            carrier: r.carrier.0.clone(),
            status: r.status.code(),
            holder: r.position.holder.0.clone(),
            endorsee: r.position.endorsee.as_ref().map(|o| o.0.clone()),
            endorsement: json!(r.position.endorsement),
            nominee: r.position.nominee.as_ref().map(|o| o.0.clone()),
            may_reject: r.pending_reject.as_ref().map(|p| p.receiver.0.clone()),
            signatures: r
                .signatures
                .iter()
                .map(|s| {
                    json!({"org": s.org.0, "key": s.key.to_hex(), "height": s.height,
                           "time": time(s.time)})
                })
                .collect(),
            replaces: r.replaces.iter().map(|d| d.to_hex()).collect(),
            replaced_by: r.replaced_by.iter().map(|d| d.to_hex()).collect(),
            issued_height: r.issued_height,
            issued_at: time(r.issued_time),
            history: r.history.iter().map(HistoryView::from).collect(),
        }
    }
}

pub(crate) fn stamp(s: &Stamp) -> Value {
    json!({
        "height": s.height,
        "time": time(s.time),
        "entry": s.entry.to_hex(),
        "actor": s.actor.0,
        "signer": s.signer.to_hex(),
        "signed_by": s.signed_by.as_ref().map(|o| o.0.clone()),
    })
}

fn cert_ref(c: &CertificateRef) -> Value {
    json!({"administration": c.administration.0, "utn": c.utn})
}

/// A certificate with its status at `at`.
pub fn certificate(r: &CertificateRecord, at: Timestamp) -> Value {
    json!({
        "administration": r.reference.administration.0,
        "utn": r.reference.utn,
        "kind": r.kind,
        "ship": {
            "imo_number": r.ship.imo_number,
            "name": r.ship.name,
            "flag": r.ship.flag,
            "call_sign": r.ship.call_sign,
            "gross_tonnage": r.ship.gross_tonnage,
        },
        "status": r.status_at(at).code(),
        "status_at": time(at),
        "issued_on": r.issued_on.to_string(),
        "expires_on": r.expires_on_at(at).to_string(),
        "original_expires_on": r.original_expires_on.to_string(),
        "document": r.document.map(|d| d.to_hex()),
        "place": r.place,
        // R383: the zone in which this certificate's days are judged.
        "administration_zone": r.administration_zone,
        "issued": stamp(&r.issued),
        "endorsements": r.endorsements.iter().map(|e| json!({
            "kind": e.endorsement.kind,
            "survey_date": e.endorsement.survey_date.to_string(),
            "place": e.endorsement.place,
            "surveyor": e.endorsement.surveyor,
            "extended_until": e.endorsement.extended_until.map(|d| d.to_string()),
            "recorded": stamp(&e.stamp),
        })).collect::<Vec<_>>(),
        "extension": r.extension.as_ref().map(|x| json!({
            "previous_expiry": x.previous_expiry.to_string(),
            "new_expiry": x.new_expiry.to_string(),
            "reason": x.reason,
            "recorded": stamp(&x.stamp),
        })),
        "status_events": r.status_events.iter().map(|e| json!({
            "change": e.change, "recorded": stamp(&e.stamp),
        })).collect::<Vec<_>>(),
        "superseded_by": r.superseded_by.as_ref().map(cert_ref),
        "supersedes": r.supersedes.as_ref().map(cert_ref),
        "history": r.history.iter().map(|h| json!({
            "action": h.action.code(), "recorded": stamp(&h.stamp),
        })).collect::<Vec<_>>(),
    })
}

/// An organisation (the certificate DER is left out; the fingerprint identifies it).
pub fn organisation(o: &Organisation) -> Value {
    json!({
        "id": o.id.0,
        "name": o.name,
        "country": o.country,
        "roles": o.roles.iter().map(|r| r.code()).collect::<Vec<_>>(),
        "key": o.key.to_hex(),
        "valid_from": time(o.not_before),
        "valid_until": time(o.not_after),
        "certificate_fingerprint": o.certificate_fingerprint.to_hex(),
        "admitted_at_height": o.admitted_at_height,
        "revoked": o.revoked_at_height.is_some(),
        "revoked_at_height": o.revoked_at_height,
        // R380: display names in both scripts and the local zone.
        "display_names": o.profile.names,
        "zone": o.profile.zone,
    })
}

/// R380: the display names of `org` (`{"en", "zh"}`), or its id as the English name when it is
/// not on the ledger.
pub fn display_names(org: Option<&Organisation>, id: &str) -> DisplayNames {
    org.map_or_else(
        || DisplayNames {
            en: id.to_string(),
            zh: None,
        },
        |o| o.profile.names.clone(),
    )
}

/// A grant.
pub fn grant(g: &GrantRecord) -> Value {
    json!({
        "id": g.id.to_hex(),
        "grantor": g.grantor.0,
        "grantee": g.terms.grantee,
        "actions": g.terms.actions.iter().map(|a| a.code()).collect::<Vec<_>>(),
        "document_kinds": g.terms.document_kinds,
        "document": g.terms.document,
        "valid_from": time(g.terms.valid_from),
        "valid_until": time(g.terms.valid_until),
        "created_at_height": g.created_at_height,
        "created_at": time(g.created_at),
        "revoked": g.revoked_at_height.is_some(),
        "revoked_at_height": g.revoked_at_height,
        "revoked_at": g.revoked_at.map(time),
    })
}

/// A verification receipt.
pub fn receipt(r: &ReceiptRecord) -> Value {
    json!({
        "subject": r.receipt.subject,
        "outcome": r.receipt.outcome,
        "purpose": r.receipt.purpose,
        "detail": r.receipt.detail,
        "cites": r.receipt.cites,
        "verifier": r.verifier.0,
        "signer": r.signer.to_hex(),
        "height": r.height,
        "time": time(r.time),
        "entry": r.entry.to_hex(),
    })
}
