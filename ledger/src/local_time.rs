//! An Administration's local time: a fixed offset from UTC and an informational zone label
//! (specs/protocol.md R380, R383; ADR 0043).
//!
//! Consensus never consults a time-zone database: two nodes with different tz data would judge
//! a different calendar day from the same block and fork. The offset is a number recorded on
//! the ledger, changed only by governance (R382), so every node and every offline verifier
//! derives the same local day from the same bytes.

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::error::RuleError;
use crate::time::{CalendarDate, Timestamp};

/// R380: the westernmost offset in use (UTC−12:00), in minutes.
pub const MIN_UTC_OFFSET_MINUTES: i16 = -720;
/// R380: the easternmost offset in use (UTC+14:00, Line Islands), in minutes.
pub const MAX_UTC_OFFSET_MINUTES: i16 = 840;
/// R380: longest zone label; the longest IANA name today is 32 bytes.
pub const MAX_ZONE_LABEL: usize = 64;

const MILLIS_PER_MINUTE: i64 = 60_000;
const MILLIS_PER_DAY: i64 = 86_400_000;

/// Where an Administration judges calendar days: a fixed UTC offset and the IANA name of its
/// zone (the label is shown to people and never used in a rule).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Encode, Decode, Serialize, Deserialize)]
pub struct LocalZone {
    /// Minutes east of UTC, −720 to +840 (e.g. 480 for China and Singapore).
    pub utc_offset_minutes: i16,
    /// IANA time-zone name, e.g. `Asia/Shanghai` (informational).
    pub time_zone: String,
}

impl Default for LocalZone {
    fn default() -> Self {
        LocalZone::utc()
    }
}

impl LocalZone {
    /// UTC itself: offset 0, label `UTC` (the zone of an organisation admitted without one).
    pub fn utc() -> Self {
        LocalZone {
            utc_offset_minutes: 0,
            time_zone: "UTC".into(),
        }
    }

    /// A zone with `offset` minutes east of UTC and IANA label `label`.
    pub fn new(offset: i16, label: &str) -> Self {
        LocalZone {
            utc_offset_minutes: offset,
            time_zone: label.into(),
        }
    }

    fn offset_millis(&self) -> i64 {
        i64::from(self.utc_offset_minutes) * MILLIS_PER_MINUTE
    }

    /// R383: the calendar day `time` falls on in this zone: the UTC day of `time + offset`.
    pub fn date_of(&self, time: Timestamp) -> CalendarDate {
        let millis = i64::try_from(time.0)
            .unwrap_or(i64::MAX)
            .saturating_add(self.offset_millis());
        let days = millis.div_euclid(MILLIS_PER_DAY);
        CalendarDate(i32::try_from(days).unwrap_or(i32::MAX))
    }

    /// The instant local midnight starts `date` in this zone (0 for instants before 1970).
    pub fn start_of(&self, date: CalendarDate) -> Timestamp {
        let millis = i64::from(date.0)
            .saturating_mul(MILLIS_PER_DAY)
            .saturating_sub(self.offset_millis());
        Timestamp(u64::try_from(millis).unwrap_or(0))
    }

    /// R380: the offset is −720..=+840 minutes and the label is 1–64 bytes of the characters
    /// IANA names use (ASCII letters, digits, `/`, `_`, `-`, `+`).
    pub fn check(&self, field: &'static str) -> Result<(), RuleError> {
        let offset = self.utc_offset_minutes;
        if !(MIN_UTC_OFFSET_MINUTES..=MAX_UTC_OFFSET_MINUTES).contains(&offset) {
            return Err(RuleError::invalid(
                field,
                format!(
                    "utc_offset_minutes {offset} is outside {MIN_UTC_OFFSET_MINUTES}..={MAX_UTC_OFFSET_MINUTES}"
                ),
            ));
        }
        let label = self.time_zone.as_bytes();
        let allowed = |b: &u8| b.is_ascii_alphanumeric() || b"/_-+".contains(b);
        if label.is_empty() || label.len() > MAX_ZONE_LABEL || !label.iter().all(allowed) {
            return Err(RuleError::invalid(
                field,
                format!(
                    "time_zone must be 1-{MAX_ZONE_LABEL} bytes of ASCII letters, digits, '/', '_', '-', '+'"
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> CalendarDate {
        text.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    fn hours(t: Timestamp, h: u64) -> Timestamp {
        Timestamp(t.0 + h * 3_600_000)
    }

    #[test]
    fn eight_hours_east_the_day_starts_at_16_00_utc_the_day_before() {
        let shanghai = LocalZone::new(480, "Asia/Shanghai");
        let midnight = shanghai.start_of(date("2026-03-10"));
        assert_eq!(midnight, hours(date("2026-03-09").start(), 16));
        assert_eq!(shanghai.date_of(midnight), date("2026-03-10"));
        assert_eq!(
            shanghai.date_of(Timestamp(midnight.0 - 1)),
            date("2026-03-09")
        );
        // The same instant is still the 9th in UTC.
        assert_eq!(LocalZone::utc().date_of(midnight), date("2026-03-09"));
    }

    #[test]
    fn west_of_utc_the_local_day_lags() {
        let honolulu = LocalZone::new(-600, "Pacific/Honolulu");
        let t = hours(date("2026-03-10").start(), 5);
        assert_eq!(honolulu.date_of(t), date("2026-03-09"));
        assert_eq!(
            honolulu.start_of(date("2026-03-10")),
            hours(date("2026-03-10").start(), 10)
        );
    }

    #[test]
    fn offsets_and_labels_are_bounded() {
        assert!(
            LocalZone::new(840, "Pacific/Kiritimati")
                .check("zone")
                .is_ok()
        );
        assert!(LocalZone::new(-720, "Etc/GMT+12").check("zone").is_ok());
        for bad in [
            LocalZone::new(841, "UTC"),
            LocalZone::new(-721, "UTC"),
            LocalZone::new(0, ""),
            LocalZone::new(0, "Asia/Shang hai"),
            LocalZone::new(0, "Asia/上海"),
            LocalZone::new(0, &"A".repeat(65)),
        ] {
            assert!(bad.check("zone").is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn extreme_instants_do_not_overflow() {
        let east = LocalZone::new(840, "X");
        let west = LocalZone::new(-720, "X");
        assert_eq!(west.date_of(Timestamp(0)), CalendarDate(-1));
        let _ = east.date_of(Timestamp(u64::MAX));
        assert_eq!(east.start_of(CalendarDate(0)), Timestamp(0));
        let _ = west.start_of(CalendarDate(i32::MAX));
    }
}
