//! A certificate's status at any instant, derived from its record alone (specs/protocol.md R79).
//!
//! Pure: the gateway and offline verifiers call it with whatever time they ask about, and a past
//! time gives the past status because status changes are replayed only up to that time.

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::cert::record::{CertificateRecord, StatusChange};
use crate::cert::regime::Requirement;
use crate::cert::stateless::MAX_VALIDITY_MONTHS;
use crate::time::{CalendarDate, Timestamp};

/// Months either side of an anniversary date in which the annual survey is due (SOLAS I/8–I/10,
/// HSSC).
pub const WINDOW_MONTHS: i32 = 3;

/// The standing of a certificate at an instant (R79).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CertificateStatus {
    /// Before its first day of validity.
    NotYetValid,
    /// In force.
    Valid,
    /// A survey the kind's regime requires was not made by the last day of its window.
    EndorsementOverdue,
    /// After its last day of validity.
    Expired,
    /// Suspended by its Administration.
    Suspended,
    /// Withdrawn for good.
    Withdrawn,
    /// Replaced by another certificate.
    Superseded,
    /// R388: its ship moved to another flag (SOLAS I/14).
    FlagChanged,
}

impl CertificateStatus {
    /// The code shown in APIs and error messages.
    pub fn code(self) -> &'static str {
        match self {
            CertificateStatus::NotYetValid => "NOT_YET_VALID",
            CertificateStatus::Valid => "VALID",
            CertificateStatus::EndorsementOverdue => "ENDORSEMENT_OVERDUE",
            CertificateStatus::Expired => "EXPIRED",
            CertificateStatus::Suspended => "SUSPENDED",
            CertificateStatus::Withdrawn => "WITHDRAWN",
            CertificateStatus::Superseded => "SUPERSEDED",
            CertificateStatus::FlagChanged => "FLAG_CHANGED",
        }
    }
}

/// An annual survey window: the anniversary date ± [`WINDOW_MONTHS`], both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct EndorsementWindow {
    /// The anniversary date (day and month of the original expiry).
    pub anniversary: CalendarDate,
    /// First day a survey counts for this window.
    pub opens: CalendarDate,
    /// Last day a survey counts for this window.
    pub closes: CalendarDate,
}

impl EndorsementWindow {
    fn around(anniversary: CalendarDate) -> Self {
        EndorsementWindow {
            anniversary,
            opens: anniversary.add_months(-WINDOW_MONTHS),
            closes: anniversary.add_months(WINDOW_MONTHS),
        }
    }

    /// Whether `date` lies in the window.
    pub fn contains(&self, date: CalendarDate) -> bool {
        self.opens <= date && date <= self.closes
    }
}

impl CertificateRecord {
    /// R72: the annual windows, earliest first. The anniversaries are the day and month of the
    /// original expiry in each year of validity, strictly after the first day and strictly
    /// before the original expiry (the last one is covered by the renewal survey).
    pub fn annual_windows(&self) -> Vec<EndorsementWindow> {
        let mut windows = Vec::new();
        // Validity is at most five years (R63), so at most five anniversaries precede expiry.
        for years in 1..=(MAX_VALIDITY_MONTHS / 12 + 1) {
            let anniversary = self.original_expires_on.add_months(-12 * years);
            if anniversary <= self.issued_on {
                break;
            }
            windows.push(EndorsementWindow::around(anniversary));
        }
        windows.reverse();
        windows
    }

    /// The last day of validity as known at `time`: the original expiry, changed by the latest
    /// extension or renewal endorsement recorded at or before `time`.
    pub fn expires_on_at(&self, time: Timestamp) -> CalendarDate {
        let renewal = self.renewal().and_then(|r| {
            r.endorsement
                .extended_until
                .map(|until| (r.stamp.height, r.stamp.time, until))
        });
        let extension = self
            .extension
            .as_ref()
            .map(|x| (x.stamp.height, x.stamp.time, x.new_expiry));
        [renewal, extension]
            .into_iter()
            .flatten()
            .filter(|(_, at, _)| *at <= time)
            .max_by_key(|(height, _, _)| *height)
            .map_or(self.original_expires_on, |(_, _, until)| until)
    }

    /// R79: the status at `time`. Every day is the day of `time` in the issuing
    /// Administration's zone (R384): a status that changes with the date changes at local
    /// midnight.
    ///
    /// 1. WITHDRAWN, SUPERSEDED or SUSPENDED if, replaying the status changes recorded at or
    ///    before `time` in order, the certificate was closed or left suspended (first, so that a
    ///    certificate withdrawn before its first day never reads as "not yet valid");
    ///    FLAG_CHANGED (R388) once a recorded change of flag is effective on that day;
    /// 2. NOT_YET_VALID before the first day of validity;
    /// 3. EXPIRED after the last day of validity known at `time`;
    /// 4. ENDORSEMENT_OVERDUE if a survey the kind's regime requires (R280–R282) was not
    ///    made by the last day of its window, before the day of `time`;
    /// 5. VALID otherwise.
    pub fn status_at(&self, time: Timestamp) -> CertificateStatus {
        let today = self.local_date(time);
        let mut suspended = false;
        for event in self
            .status_events
            .iter()
            .take_while(|e| e.stamp.time <= time)
        {
            match event.change {
                StatusChange::FlagChanged { effective_on, .. } if effective_on <= today => {
                    return CertificateStatus::FlagChanged;
                }
                // Recorded ahead of its effective day: in force until then.
                StatusChange::FlagChanged { .. } => {}
                StatusChange::Withdrawn { .. } => return CertificateStatus::Withdrawn,
                StatusChange::Superseded { .. } => return CertificateStatus::Superseded,
                StatusChange::Suspended { .. } => suspended = true,
                StatusChange::Reinstated => suspended = false,
            }
        }
        if suspended {
            return CertificateStatus::Suspended;
        }
        if today < self.issued_on {
            return CertificateStatus::NotYetValid;
        }
        if today > self.expires_on_at(time) {
            return CertificateStatus::Expired;
        }
        let closed_unmet = |r: &Requirement| r.closes().is_some_and(|c| c < today) && !self.met(r);
        if self.requirements().iter().any(closed_unmet) {
            return CertificateStatus::EndorsementOverdue;
        }
        CertificateStatus::Valid
    }

    /// For the gateway (R283): the earliest window, by its last day, that has not closed by the
    /// local day of `time` (R384) and in which a survey the regime requires is still missing; `None` when
    /// the kind has no periodic survey or none is left. For a requirement that may be met in
    /// two windows (the HSSC intermediate or periodical survey) it is the first still open.
    pub fn next_endorsement_window(&self, time: Timestamp) -> Option<EndorsementWindow> {
        let today = self.local_date(time);
        self.requirements()
            .iter()
            .filter(|r| !self.met(r))
            .filter_map(|r| r.windows.iter().find(|w| w.closes >= today).copied())
            .min_by_key(|w| w.closes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cert::record::Stamp;
    use crate::cert::{CertificateKind, CertificateRef, Ship};
    use crate::crypto::PublicKey;
    use crate::hash::Hash32;
    use crate::ids::OrgId;

    fn date(text: &str) -> CalendarDate {
        text.parse().unwrap()
    }

    fn record(issued_on: &str, expires_on: &str) -> CertificateRecord {
        let administration = OrgId("MSA".into());
        CertificateRecord {
            reference: CertificateRef {
                administration: administration.clone(),
                utn: "U".into(),
            },
            kind: CertificateKind::LoadLine,
            ship: Ship {
                imo_number: "9074729".into(),
                name: "S".into(),
                flag: "CN".into(),
                call_sign: "C".into(),
                gross_tonnage: 1,
            },
            issued_on: date(issued_on),
            expires_on: date(expires_on),
            original_expires_on: date(expires_on),
            document: None,
            place: "P".into(),
            issued: Stamp {
                height: 1,
                time: Timestamp(0),
                entry: Hash32::ZERO,
                actor: administration,
                signer: PublicKey([0; 32]),
                signed_by: None,
            },
            endorsements: Vec::new(),
            extension: None,
            status_events: Vec::new(),
            superseded_by: None,
            supersedes: None,
            history: Vec::new(),
            administration_zone: crate::local_time::LocalZone::utc(),
        }
    }

    #[test]
    fn a_leap_day_expiry_has_anniversaries_on_the_last_day_of_february() {
        let windows = record("2024-03-01", "2028-02-29").annual_windows();
        let anniversaries: Vec<_> = windows.iter().map(|w| w.anniversary.to_string()).collect();
        assert_eq!(anniversaries, ["2025-02-28", "2026-02-28", "2027-02-28"]);
        assert_eq!(windows[0].opens, date("2024-11-28"));
        assert_eq!(windows[0].closes, date("2025-05-28"));
    }

    #[test]
    fn a_certificate_of_a_year_or_less_has_no_annual_window() {
        let short = record("2026-01-15", "2027-01-14");
        assert!(short.annual_windows().is_empty());
        assert_eq!(
            short.status_at(date("2027-01-14").start()),
            CertificateStatus::Valid
        );
        assert_eq!(short.next_endorsement_window(Timestamp(0)), None);
    }

    #[test]
    fn status_flips_at_local_midnight_not_utc_midnight() {
        let mut shanghai = record("2026-01-15", "2027-01-14");
        shanghai.administration_zone = crate::local_time::LocalZone::new(480, "Asia/Shanghai");
        // Local midnight starting 2027-01-15 is 16:00 UTC on the 14th.
        let local_midnight = shanghai.administration_zone.start_of(date("2027-01-15"));
        assert_eq!(
            local_midnight,
            Timestamp(date("2027-01-14").start().0 + 16 * 3_600_000)
        );
        let before = Timestamp(local_midnight.0 - 1);
        assert_eq!(shanghai.status_at(before), CertificateStatus::Valid);
        assert_eq!(
            shanghai.status_at(local_midnight),
            CertificateStatus::Expired
        );
        // Judged in UTC, the same instant is still the last day of validity.
        let utc = record("2026-01-15", "2027-01-14");
        assert_eq!(utc.status_at(local_midnight), CertificateStatus::Valid);
        assert_eq!(
            utc.status_at(date("2027-01-15").start()),
            CertificateStatus::Expired
        );
        // And the first day starts at local midnight too.
        let first = shanghai.administration_zone.start_of(date("2026-01-15"));
        assert_eq!(
            shanghai.status_at(Timestamp(first.0 - 1)),
            CertificateStatus::NotYetValid
        );
        assert_eq!(shanghai.status_at(first), CertificateStatus::Valid);
    }

    #[test]
    fn an_anniversary_on_the_first_day_of_validity_is_not_counted() {
        let windows = record("2026-01-14", "2031-01-14").annual_windows();
        assert_eq!(windows.len(), 4);
        assert_eq!(windows[0].anniversary, date("2027-01-14"));
    }
}
