//! Pure statistics of a run: latency percentiles (nearest rank) and the open-loop schedule.

use std::time::Duration;

// The float-to-integer casts are of values range-checked just before.
#[allow(clippy::cast_possible_truncation)]
/// The `p`-quantile (0 < p ≤ 1) of `sorted` by the nearest-rank method: the smallest value
/// with at least `p` of the values at or below it. `None` for no values.
pub fn percentile(sorted: &[Duration], p: f64) -> Option<Duration> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len();
    // Nearest rank ⌈p·n⌉, computed in integers of parts per million so no float rounds to
    // a rank off by one (p = 0.95 of 20 values is rank 19, not 20).
    let ppm = (p.clamp(0.0, 1.0) * 1_000_000.0).round();
    let ppm = if ppm >= 1_000_000.0 {
        1_000_000u128
    } else if ppm <= 0.0 {
        0
    } else {
        // In range (0, 1e6): the conversion is exact.
        u128::from(ppm as u32)
    };
    let rank = (ppm * n as u128).div_ceil(1_000_000);
    let index = usize::try_from(rank).unwrap_or(n).clamp(1, n) - 1;
    sorted.get(index).copied()
}

/// Milliseconds of `d`, as a float for reports.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

/// When the `k`-th entry of an open-loop run at `rate` entries/s leaves, from the start.
pub fn send_offset(rate: f64, k: u64) -> Duration {
    if rate <= 0.0 {
        return Duration::ZERO;
    }
    // k < 2^53 for any run that fits in memory, so the float is exact.
    Duration::from_secs_f64(k as f64 / rate)
}

#[allow(clippy::cast_possible_truncation)]
/// Entries in a run of `secs` seconds at `rate` entries/s (at least one).
pub fn entries_in(rate: f64, secs: f64) -> u64 {
    let n = (rate.max(0.0) * secs.max(0.0)).round();
    if n < 1.0 {
        1
    } else if n >= 1e15 {
        1_000_000_000_000_000
    } else {
        n as u64
    }
}

/// The offered rates of a sweep up to `max`: `steps` evenly spaced rates ending at `max`.
pub fn sweep_rates(max: f64, steps: usize) -> Vec<f64> {
    let steps = steps.max(1);
    (1..=steps)
        .map(|i| (max * i as f64 / steps as f64).max(1.0).round())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn millis(values: &[u64]) -> Vec<Duration> {
        let mut v: Vec<Duration> = values.iter().map(|m| Duration::from_millis(*m)).collect();
        v.sort();
        v
    }

    #[test]
    fn percentiles_follow_the_nearest_rank_method() {
        let v = millis(&(1..=20).collect::<Vec<_>>());
        assert_eq!(percentile(&v, 0.50), Some(Duration::from_millis(10)));
        assert_eq!(percentile(&v, 0.95), Some(Duration::from_millis(19)));
        assert_eq!(percentile(&v, 0.99), Some(Duration::from_millis(20)));
        assert_eq!(percentile(&v, 1.0), Some(Duration::from_millis(20)));
        let one = millis(&[7]);
        assert_eq!(percentile(&one, 0.5), Some(Duration::from_millis(7)));
        assert_eq!(percentile(&one, 0.0), Some(Duration::from_millis(7)));
    }

    #[test]
    fn no_latencies_have_no_percentile() {
        assert_eq!(percentile(&[], 0.5), None);
    }

    #[test]
    fn the_schedule_spaces_sends_evenly_at_the_rate() {
        assert_eq!(send_offset(1_000.0, 0), Duration::ZERO);
        assert_eq!(send_offset(1_000.0, 1_500), Duration::from_millis(1_500));
        assert_eq!(send_offset(4.0, 3), Duration::from_millis(750));
        assert_eq!(send_offset(0.0, 9), Duration::ZERO);
        assert_eq!(entries_in(5_000.0, 60.0), 300_000);
        assert_eq!(entries_in(0.1, 1.0), 1);
    }

    #[test]
    fn a_sweep_ends_at_the_maximum_rate_in_even_steps() {
        assert_eq!(
            sweep_rates(4_000.0, 4),
            vec![1_000.0, 2_000.0, 3_000.0, 4_000.0]
        );
        assert_eq!(sweep_rates(10.0, 0), vec![10.0]);
    }
}
