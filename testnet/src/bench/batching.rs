//! `--batch-ms N` (R169): which of a stream's entries go in which `POST /v1/entries/batch` request.
//! Pure: the run's sender ([`super::run`]) asks [`next_send`] when to wake and [`due`] what to
//! send; [`schedule`] is the plan those two give when every request is answered in time.
//!
//! A stream sends at the ticks `j × N ms` after the start, each time every entry whose
//! scheduled send time (`k / rate`) has come and that is not sent yet, in sequence order, at
//! most [`MAX_BATCH`] per request. The stream has one request in flight at a time, so its
//! batches reach the gateway in order; when an answer comes late, the next request carries
//! everything due by then (the schedule never slows down, batches grow instead), and every
//! entry's latency is still measured from its own scheduled time.

use std::ops::Range;
use std::time::Duration;

/// The most entries of one batch request (the gateway's limit, R165).
pub const MAX_BATCH: usize = 1_000;

/// The first tick at or after `offset`: when an entry scheduled at `offset` leaves.
pub fn next_send(offset: Duration, tick: Duration) -> Duration {
    let tick_ns = tick.as_nanos().max(1);
    let ticks = offset.as_nanos().div_ceil(tick_ns);
    let nanos = ticks.saturating_mul(tick_ns);
    Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
}

/// The entries of `offsets` (scheduled send times, non-decreasing) from `from` whose time has
/// come at `now`, at most `max` (and at least one if `from` is in range, so a sender woken at
/// [`next_send`] of `offsets[from]` always makes progress).
pub fn due(offsets: &[Duration], from: usize, now: Duration, max: usize) -> Range<usize> {
    let rest = offsets.get(from..).unwrap_or_default();
    let ready = rest
        .partition_point(|o| *o <= now)
        .max(usize::from(!rest.is_empty()));
    from..from + ready.min(max.max(1))
}

/// One request of the plan: when it leaves (from the start) and which entries it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// Send time, from the start of the run.
    pub at: Duration,
    /// Indices into the stream.
    pub entries: Range<usize>,
}

/// The batches of a stream whose requests are all answered at once: a request at each tick
/// with entries due, carrying them (split in requests of at most `max` at the same tick).
pub fn schedule(offsets: &[Duration], tick: Duration, max: usize) -> Vec<Batch> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(first) = offsets.get(from) {
        let at = next_send(*first, tick);
        let entries = due(offsets, from, at, max);
        from = entries.end;
        out.push(Batch { at, entries });
    }
    out
}

/// The body of `POST /v1/entries/batch` for entries given as hex of their canonical bytes.
pub fn request_body<'a>(hexes: impl Iterator<Item = &'a str>) -> String {
    let mut body = String::from("{\"entries\":[");
    for (i, hex) in hexes.enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push('"');
        body.push_str(hex);
        body.push('"');
    }
    body.push_str("]}");
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::stats::send_offset;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// Send offsets of the entries `ks` of a run at `rate`.
    fn offsets(ks: &[u64], rate: f64) -> Vec<Duration> {
        ks.iter().map(|k| send_offset(rate, *k)).collect()
    }

    #[test]
    fn each_tick_carries_the_entries_that_came_due_since_the_last() {
        // A stream holding every third entry of a run at 100/s: scheduled every 30 ms.
        let ks: Vec<u64> = (0..7).map(|i| i * 3).collect();
        let plan = schedule(&offsets(&ks, 100.0), ms(50), MAX_BATCH);
        // Due at 0, 30, 60, 90, 120, 150, 180 ms; ticks at 0, 50, 100, 150, 200 ms.
        assert_eq!(
            plan,
            vec![
                Batch {
                    at: ms(0),
                    entries: 0..1
                },
                Batch {
                    at: ms(50),
                    entries: 1..2
                },
                Batch {
                    at: ms(100),
                    entries: 2..4
                },
                Batch {
                    at: ms(150),
                    entries: 4..6
                },
                Batch {
                    at: ms(200),
                    entries: 6..7
                },
            ]
        );
    }

    #[test]
    fn ticks_without_due_entries_send_nothing() {
        // One entry per second, ticks of 100 ms: one batch per second, of one entry.
        let plan = schedule(&offsets(&[0, 1, 2], 1.0), ms(100), MAX_BATCH);
        let at: Vec<Duration> = plan.iter().map(|b| b.at).collect();
        assert_eq!(at, vec![ms(0), ms(1_000), ms(2_000)]);
        assert!(plan.iter().all(|b| b.entries.len() == 1));
    }

    #[test]
    fn a_tick_with_more_than_the_limit_is_split_into_requests_at_the_same_time() {
        let ks: Vec<u64> = (0..25).collect();
        let plan = schedule(&offsets(&ks, 1_000.0), ms(10), 4);
        let first_tick: Vec<&Batch> = plan.iter().filter(|b| b.at == ms(10)).collect();
        // Due in (0, 10] ms: entries 1..=10, ten entries, in requests of 4, 4 and 2.
        let sizes: Vec<usize> = first_tick.iter().map(|b| b.entries.len()).collect();
        assert_eq!(sizes, vec![4, 4, 2]);
        // Every entry once, in order.
        let all: Vec<usize> = plan.iter().flat_map(|b| b.entries.clone()).collect();
        assert_eq!(all, (0..25).collect::<Vec<_>>());
    }

    #[test]
    fn a_late_sender_takes_everything_due_and_always_makes_progress() {
        let o = offsets(&[0, 1, 2, 3, 4], 10.0); // 0, 100, ..., 400 ms
        assert_eq!(
            due(&o, 1, ms(350), MAX_BATCH),
            1..4,
            "late: 100, 200, 300 ms"
        );
        assert_eq!(
            due(&o, 1, ms(50), MAX_BATCH),
            1..2,
            "early wake still sends one"
        );
        assert_eq!(due(&o, 5, ms(999), MAX_BATCH), 5..5, "nothing left");
        assert_eq!(due(&o, 0, ms(999), 2), 0..2, "bounded by the limit");
    }

    #[test]
    fn sends_happen_on_tick_boundaries_at_or_after_the_schedule() {
        assert_eq!(next_send(ms(0), ms(20)), ms(0));
        assert_eq!(next_send(ms(1), ms(20)), ms(20));
        assert_eq!(next_send(ms(20), ms(20)), ms(20));
        assert_eq!(next_send(ms(41), ms(20)), ms(60));
    }

    #[test]
    fn the_request_body_lists_the_hex_entries_in_order() {
        let body = request_body(["ab", "cd"].into_iter());
        assert_eq!(body, r#"{"entries":["ab","cd"]}"#);
        let value: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        assert_eq!(value["entries"][1], "cd");
    }
}
