//! Time as the ledger sees it: the block time chosen by the proposer and bounded by consensus,
//! never a node's clock (specs/protocol.md R6).

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

/// Milliseconds since 1970-01-01T00:00:00Z.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Encode,
    Decode,
    Serialize,
    Deserialize,
)]
#[serde(transparent)]
pub struct Timestamp(pub u64);

const MILLIS_PER_DAY: u64 = 86_400_000;
/// Julian day number of 1970-01-01.
const UNIX_EPOCH_JULIAN_DAY: i32 = 2_440_588;

impl Timestamp {
    /// From whole seconds since the Unix epoch.
    pub const fn from_unix_seconds(seconds: u64) -> Self {
        Timestamp(seconds.saturating_mul(1000))
    }

    /// Whole seconds since the Unix epoch.
    pub const fn unix_seconds(self) -> u64 {
        self.0 / 1000
    }

    /// The UTC calendar day this instant falls on.
    pub fn date(self) -> CalendarDate {
        // u64 millis / day fits in i32 for any instant before year 5 million.
        let days = i32::try_from(self.0 / MILLIS_PER_DAY).unwrap_or(i32::MAX);
        CalendarDate(days)
    }

    /// RFC 3339 text in UTC, for humans and JSON.
    pub fn to_rfc3339(self) -> String {
        let nanos = i128::from(self.0) * 1_000_000;
        time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_default()
    }
}

/// A calendar day (UTC), stored as days since 1970-01-01. Certificate validity, survey dates and
/// anniversaries are days, not instants.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode, Serialize, Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct CalendarDate(pub i32);

impl CalendarDate {
    /// From a `time::Date`.
    pub fn from_date(date: time::Date) -> Self {
        CalendarDate(date.to_julian_day() - UNIX_EPOCH_JULIAN_DAY)
    }

    /// From year, month (1–12) and day; `None` when the day does not exist.
    pub fn from_ymd(year: i32, month: u8, day: u8) -> Option<Self> {
        let month = time::Month::try_from(month).ok()?;
        time::Date::from_calendar_date(year, month, day)
            .ok()
            .map(Self::from_date)
    }

    /// As a `time::Date` (dates outside `time`'s range clamp to its bounds).
    pub fn to_date(self) -> time::Date {
        let julian = self.0.saturating_add(UNIX_EPOCH_JULIAN_DAY);
        time::Date::from_julian_day(julian).unwrap_or(if self.0 < 0 {
            time::Date::MIN
        } else {
            time::Date::MAX
        })
    }

    /// Adds whole calendar months, clamping the day to the end of a shorter month
    /// (31 January + 1 month = 28/29 February), as survey windows are counted.
    pub fn add_months(self, months: i32) -> Self {
        let date = self.to_date();
        let total = date.year() * 12 + i32::from(u8::from(date.month())) - 1 + months;
        let year = total.div_euclid(12);
        let month_number = u8::try_from(total.rem_euclid(12) + 1).unwrap_or(1);
        let Ok(month) = time::Month::try_from(month_number) else {
            return self;
        };
        let last_day = month.length(year);
        let day = date.day().min(last_day);
        time::Date::from_calendar_date(year, month, day)
            .map(Self::from_date)
            .unwrap_or(self)
    }

    /// The instant at 00:00 UTC of this day (0 for days before 1970).
    pub fn start(self) -> Timestamp {
        Timestamp(
            u64::try_from(self.0)
                .unwrap_or(0)
                .saturating_mul(MILLIS_PER_DAY),
        )
    }
}

impl std::fmt::Display for CalendarDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let d = self.to_date();
        write!(
            f,
            "{:04}-{:02}-{:02}",
            d.year(),
            u8::from(d.month()),
            d.day()
        )
    }
}

impl std::str::FromStr for CalendarDate {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(s, &format)
            .map(Self::from_date)
            .map_err(|_| format!("`{s}` is not a date of the form YYYY-MM-DD"))
    }
}

impl TryFrom<String> for CalendarDate {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<CalendarDate> for String {
    fn from(d: CalendarDate) -> String {
        d.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> CalendarDate {
        text.parse().unwrap()
    }

    #[test]
    fn epoch_day_is_1970_01_01() {
        assert_eq!(CalendarDate(0).to_string(), "1970-01-01");
        assert_eq!(Timestamp(MILLIS_PER_DAY - 1).date(), CalendarDate(0));
    }

    #[test]
    fn adding_months_clamps_to_month_end() {
        assert_eq!(date("2024-01-31").add_months(1), date("2024-02-29"));
        assert_eq!(date("2023-11-30").add_months(3), date("2024-02-29"));
        assert_eq!(date("2025-05-15").add_months(-3), date("2025-02-15"));
        assert_eq!(date("2025-05-15").add_months(12), date("2026-05-15"));
    }

    #[test]
    fn bad_dates_are_rejected() {
        assert!("2025-02-30".parse::<CalendarDate>().is_err());
        assert!("yesterday".parse::<CalendarDate>().is_err());
        assert_eq!(CalendarDate::from_ymd(2025, 13, 1), None);
    }

    #[test]
    fn rfc3339_formats_block_times() {
        assert_eq!(
            Timestamp::from_unix_seconds(0).to_rfc3339(),
            "1970-01-01T00:00:00Z"
        );
    }
}
