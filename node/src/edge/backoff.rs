//! R200: the accept loop's pause after a failed `accept`.
//!
//! An accept error such as `EMFILE` (out of file descriptors) is not consumed by the failed
//! call: the pending connection stays queued and the next `accept` fails at once again, so a
//! loop that retries immediately spins a core at 100 % and floods the log. The loop instead
//! waits a delay that doubles from [`FIRST`] to [`LONGEST`], and starts over after any
//! successful accept.

use std::time::Duration;

/// Wait after the first failure in a row.
pub const FIRST: Duration = Duration::from_millis(5);
/// Longest wait, however many failures in a row.
pub const LONGEST: Duration = Duration::from_secs(1);

/// The delay schedule of consecutive accept failures (pure: the loop does the waiting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AcceptBackoff {
    /// Failures since the last successful accept.
    failures: u32,
}

impl AcceptBackoff {
    /// Records a failure and returns how long to wait before accepting again:
    /// `FIRST × 2^(n-1)` for the n-th failure in a row, at most [`LONGEST`].
    pub fn on_error(&mut self) -> Duration {
        self.failures = self.failures.saturating_add(1);
        let doublings = self.failures.saturating_sub(1).min(31);
        FIRST.saturating_mul(1u32 << doublings).min(LONGEST)
    }

    /// Records a successful accept: the next failure waits [`FIRST`] again.
    pub fn on_success(&mut self) {
        self.failures = 0;
    }

    /// Failures in a row so far.
    pub fn failures(&self) -> u32 {
        self.failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn the_delay_doubles_from_5_ms_to_at_most_1_s() {
        let mut backoff = AcceptBackoff::default();
        let schedule: Vec<Duration> = (0..10).map(|_| backoff.on_error()).collect();
        assert_eq!(
            schedule,
            [5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000].map(ms)
        );
        assert_eq!(backoff.failures(), 10);
    }

    #[test]
    fn a_success_starts_the_schedule_over() {
        let mut backoff = AcceptBackoff::default();
        for _ in 0..6 {
            backoff.on_error();
        }
        backoff.on_success();
        assert_eq!(backoff.failures(), 0);
        assert_eq!(backoff.on_error(), ms(5));
        assert_eq!(backoff.on_error(), ms(10));
    }

    #[test]
    fn endless_failures_never_overflow_and_never_go_below_the_cap() {
        let mut backoff = AcceptBackoff {
            failures: u32::MAX - 1,
        };
        for _ in 0..3 {
            assert_eq!(backoff.on_error(), LONGEST);
        }
        assert_eq!(backoff.failures(), u32::MAX);
    }

    #[test]
    fn no_delay_is_zero() {
        let mut backoff = AcceptBackoff::default();
        assert!((0..100).all(|_| backoff.on_error() >= FIRST));
    }
}
