//! A trade certificate's status at any instant, from its record alone (specs/protocol.md R397).

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::attest::record::{AttestRecord, Closing};
use crate::time::Timestamp;

/// The standing of a trade certificate at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AttestStatus {
    /// Before its first day of validity.
    NotYetValid,
    /// In force.
    Valid,
    /// After its last day of validity.
    Expired,
    /// Revoked by its authority.
    Revoked,
    /// Replaced by another certificate.
    Superseded,
}

impl AttestStatus {
    /// Every status.
    pub const ALL: [AttestStatus; 5] = [
        AttestStatus::NotYetValid,
        AttestStatus::Valid,
        AttestStatus::Expired,
        AttestStatus::Revoked,
        AttestStatus::Superseded,
    ];

    /// The code shown in APIs.
    pub fn code(self) -> &'static str {
        match self {
            AttestStatus::NotYetValid => "NOT_YET_VALID",
            AttestStatus::Valid => "VALID",
            AttestStatus::Expired => "EXPIRED",
            AttestStatus::Revoked => "REVOKED",
            AttestStatus::Superseded => "SUPERSEDED",
        }
    }
}

impl AttestRecord {
    /// R397: pure. (1) REVOKED or SUPERSEDED if it was closed at or before `t`; (2) with the
    /// facts in force at `t` ([`AttestRecord::facts_at`]), NOT_YET_VALID if the day of `t` is
    /// before `valid_from`, (3) EXPIRED if it is after `valid_until`, (4) else VALID.
    pub fn status_at(&self, t: Timestamp) -> AttestStatus {
        if let Some(closed) = &self.closed
            && closed.stamp.time <= t
        {
            return match closed.change {
                Closing::Revoked { .. } => AttestStatus::Revoked,
                Closing::Superseded { .. } => AttestStatus::Superseded,
            };
        }
        let facts = self.facts_at(t);
        let day = self.authority_zone.date_of(t);
        if day < facts.valid_from {
            AttestStatus::NotYetValid
        } else if day > facts.valid_until {
            AttestStatus::Expired
        } else {
            AttestStatus::Valid
        }
    }
}

#[cfg(test)]
mod tests {
    use super::AttestStatus;

    #[test]
    fn all_lists_every_status_once() {
        // The match fails to compile when a status is added without being listed here.
        for status in AttestStatus::ALL {
            match status {
                AttestStatus::NotYetValid
                | AttestStatus::Valid
                | AttestStatus::Expired
                | AttestStatus::Revoked
                | AttestStatus::Superseded => {}
            }
        }
        let mut codes: Vec<_> = AttestStatus::ALL.iter().map(|s| s.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 5);
    }
}
