//! The stored trade certificate: its facts, the authority's seal, every amendment with the
//! facts it replaced, and how it was closed (specs/protocol.md R392–R396).

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::attest::{AttestFacts, AttestRef, TradeCertificateKind};
use crate::cert::{HistoryItem, Stamp};
use crate::entry::ActionKind;
use crate::error::{ExecResult, RuleError};
use crate::state::{Overlay, keys};
use crate::time::Timestamp;

/// An amendment as recorded: the facts it replaced, why, and who made it.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct AmendmentRecord {
    /// The facts before the amendment.
    pub previous: AttestFacts,
    /// Why.
    pub reason: String,
    /// Who amended it and when.
    pub stamp: Stamp,
}

/// How a certificate was closed for good.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Closing {
    /// Revoked by its authority (R395).
    Revoked {
        /// Why.
        reason: String,
    },
    /// Replaced by another certificate of the same authority (R394).
    Superseded {
        /// The replacement.
        by: AttestRef,
    },
}

/// The closing with its stamp.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct ClosingEvent {
    /// What closed it.
    pub change: Closing,
    /// Who closed it and when.
    pub stamp: Stamp,
}

/// A trade certificate as stored under [`keys::attested`].
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct AttestRecord {
    /// Authority and number.
    pub reference: AttestRef,
    /// Kind.
    pub kind: TradeCertificateKind,
    /// The facts now, after any amendment.
    pub facts: AttestFacts,
    /// The seal: the issuing entry, its signing key and the authority it was attributed to
    /// (R393). Its signature is in the block that carries the entry.
    pub seal: Stamp,
    /// Amendments in the order recorded (at most [`MAX_AMENDMENTS`]).
    pub amendments: Vec<AmendmentRecord>,
    /// Revocation or supersession, once.
    pub closed: Option<ClosingEvent>,
    /// The certificate this one replaced.
    pub supersedes: Option<AttestRef>,
    /// Every action on the certificate, in order.
    pub history: Vec<HistoryItem>,
    /// R397a: the authority's local zone at issue, in which this certificate's days are judged
    /// (kept in the record so that `status_at` needs nothing else, as for ship certificates).
    pub authority_zone: crate::local_time::LocalZone,
}

/// Most amendments one certificate records (R393): the record stays bounded; a certificate
/// that needs more is replaced (SUPERSEDE).
pub const MAX_AMENDMENTS: usize = 16;

impl AttestRecord {
    /// R396: `Some(status code)` once the certificate is revoked or superseded.
    pub fn closed_code(&self) -> Option<&'static str> {
        self.closed.as_ref().map(|c| match c.change {
            Closing::Revoked { .. } => "REVOKED",
            Closing::Superseded { .. } => "SUPERSEDED",
        })
    }

    /// The replacement, if superseded.
    pub fn superseded_by(&self) -> Option<&AttestRef> {
        match &self.closed.as_ref()?.change {
            Closing::Superseded { by } => Some(by),
            Closing::Revoked { .. } => None,
        }
    }

    /// The facts in force at `t`: those an amendment recorded after `t` replaced, else the
    /// current ones (R397).
    pub fn facts_at(&self, t: Timestamp) -> &AttestFacts {
        self.amendments
            .iter()
            .find(|a| a.stamp.time > t)
            .map_or(&self.facts, |a| &a.previous)
    }

    /// Appends a history line.
    pub fn log(&mut self, action: ActionKind, stamp: &Stamp) {
        self.history.push(HistoryItem {
            action,
            stamp: stamp.clone(),
        });
    }
}

/// Reads a trade certificate; UNKNOWN_TRADE_CERTIFICATE when there is none.
pub fn load(state: &Overlay<'_>, reference: &AttestRef) -> ExecResult<AttestRecord> {
    state
        .get::<AttestRecord>(&keys::attested(reference))?
        .ok_or_else(|| RuleError::UnknownTradeCertificate.into())
}

/// Stages a write.
pub fn store(state: &mut Overlay<'_>, record: &AttestRecord) {
    state.put(keys::attested(&record.reference), record);
}
