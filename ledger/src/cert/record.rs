//! The stored certificate record: what was issued, every endorsement, extension and status
//! change with who made it and when (specs/protocol.md R68).

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::cert::{CertificateKind, CertificateRef, Endorsement, Ship};
use crate::crypto::PublicKey;
use crate::entry::ActionKind;
use crate::error::{ExecResult, RuleError};
use crate::hash::{EntryId, Hash32};
use crate::identity::org::owner_of_key;
use crate::ids::OrgId;
use crate::local_time::LocalZone;
use crate::state::{EntryContext, Overlay, keys};
use crate::time::{CalendarDate, Timestamp};

/// Who did something to a certificate, and when, as the ledger saw it.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct Stamp {
    /// Block height.
    pub height: u64,
    /// Block time.
    pub time: Timestamp,
    /// Entry id.
    pub entry: EntryId,
    /// The organisation the action is attributed to (the Administration).
    pub actor: OrgId,
    /// The signing key.
    pub signer: PublicKey,
    /// The organisation that owns the signing key, when it is not the actor (e.g. the recognized
    /// organization that acted for the Administration under a grant).
    pub signed_by: Option<OrgId>,
}

impl Stamp {
    /// The stamp of the entry being executed, attributed to `actor`.
    pub fn of(ctx: &EntryContext<'_>, actor: &OrgId) -> ExecResult<Self> {
        let owner = owner_of_key(&ctx.state, &ctx.signer)?;
        Ok(Stamp {
            height: ctx.height,
            time: ctx.time,
            entry: ctx.entry_id,
            actor: actor.clone(),
            signer: ctx.signer,
            signed_by: owner.filter(|o| o != actor),
        })
    }
}

/// An endorsement as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct EndorsementRecord {
    /// The endorsement as signed.
    pub endorsement: Endorsement,
    /// Who recorded it and when.
    pub stamp: Stamp,
}

/// The one extension a certificate may get (R74).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct ExtensionRecord {
    /// Expiry before the extension.
    pub previous_expiry: CalendarDate,
    /// Expiry after it.
    pub new_expiry: CalendarDate,
    /// Why.
    pub reason: String,
    /// Who granted it and when.
    pub stamp: Stamp,
}

/// A change of standing.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StatusChange {
    /// Suspended (R75).
    Suspended {
        /// Why.
        reason: String,
    },
    /// Reinstated after a suspension (R76).
    Reinstated,
    /// Withdrawn for good (R77).
    Withdrawn {
        /// Why.
        reason: String,
    },
    /// Superseded by another certificate (R78).
    Superseded {
        /// The new certificate.
        by: CertificateRef,
    },
    /// R388: the ship moved to another flag; the certificate ceases to be valid on
    /// `effective_on` (SOLAS I/14).
    FlagChanged {
        /// The new flag.
        to_flag: String,
        /// First day under the new flag.
        effective_on: CalendarDate,
    },
}

/// A status change with its stamp.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct StatusEvent {
    /// What changed.
    pub change: StatusChange,
    /// Who changed it and when.
    pub stamp: Stamp,
}

/// One line of a certificate's history.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct HistoryItem {
    /// The action (`CERT_ISSUE`, `CERT_ENDORSE`, …). A certificate that supersedes another also
    /// gets a `CERT_SUPERSEDE` line.
    pub action: ActionKind,
    /// Who and when.
    pub stamp: Stamp,
}

/// A ship certificate as stored under [`keys::certificate`].
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct CertificateRecord {
    /// Administration and UTN.
    pub reference: CertificateRef,
    /// Kind.
    pub kind: CertificateKind,
    /// The ship.
    pub ship: Ship,
    /// First day of validity.
    pub issued_on: CalendarDate,
    /// Last day of validity now, after any extension or renewal endorsement.
    pub expires_on: CalendarDate,
    /// Last day of validity as issued; the anniversary dates are counted from it.
    pub original_expires_on: CalendarDate,
    /// SHA-256 of the certificate document kept off-ledger, if any.
    pub document: Option<Hash32>,
    /// Place of issue.
    pub place: String,
    /// Who issued it and when it was recorded.
    pub issued: Stamp,
    /// Survey endorsements in the order recorded.
    pub endorsements: Vec<EndorsementRecord>,
    /// The extension, if one was granted.
    pub extension: Option<ExtensionRecord>,
    /// Status changes in the order recorded.
    pub status_events: Vec<StatusEvent>,
    /// The certificate that replaced this one.
    pub superseded_by: Option<CertificateRef>,
    /// The certificate this one replaced.
    pub supersedes: Option<CertificateRef>,
    /// Every action on the certificate, in order.
    pub history: Vec<HistoryItem>,
    /// R383: the issuing Administration's local zone at issue, in which every date of this
    /// certificate is judged (recorded so that `status_at` needs nothing but the record).
    pub administration_zone: LocalZone,
}

impl CertificateRecord {
    /// R70: `Some(status code)` once the certificate is withdrawn or superseded, or (R388) its
    /// ship's change of flag is recorded: the old flag's Administration acts on it no more.
    pub fn closed(&self) -> Option<&'static str> {
        self.status_events.iter().find_map(|e| match e.change {
            StatusChange::Withdrawn { .. } => Some("WITHDRAWN"),
            StatusChange::Superseded { .. } => Some("SUPERSEDED"),
            StatusChange::FlagChanged { .. } => Some("FLAG_CHANGED"),
            StatusChange::Suspended { .. } | StatusChange::Reinstated => None,
        })
    }

    /// R383: the calendar day `time` falls on in the issuing Administration's zone.
    pub fn local_date(&self, time: Timestamp) -> CalendarDate {
        self.administration_zone.date_of(time)
    }

    /// Whether the latest suspension has not been lifted.
    pub fn is_suspended(&self) -> bool {
        self.status_events
            .iter()
            .rev()
            .find_map(|e| match e.change {
                StatusChange::Suspended { .. } => Some(true),
                StatusChange::Reinstated => Some(false),
                StatusChange::Withdrawn { .. }
                | StatusChange::Superseded { .. }
                | StatusChange::FlagChanged { .. } => None,
            })
            .unwrap_or(false)
    }

    /// The renewal endorsement, if one was recorded (at most one, R73).
    pub fn renewal(&self) -> Option<&EndorsementRecord> {
        self.endorsements
            .iter()
            .find(|e| e.endorsement.kind == crate::cert::EndorsementKind::Renewal)
    }

    /// Appends a history line.
    pub fn log(&mut self, action: ActionKind, stamp: &Stamp) {
        self.history.push(HistoryItem {
            action,
            stamp: stamp.clone(),
        });
    }
}

/// Reads a certificate; UNKNOWN_CERTIFICATE when there is none (R69).
pub fn load(state: &Overlay<'_>, reference: &CertificateRef) -> ExecResult<CertificateRecord> {
    state
        .get::<CertificateRecord>(&keys::certificate(reference))?
        .ok_or_else(|| RuleError::UnknownCertificate.into())
}

/// Stages a certificate write.
pub fn store(state: &mut Overlay<'_>, record: &CertificateRecord) {
    state.put(keys::certificate(&record.reference), record);
}
