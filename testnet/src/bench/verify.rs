//! The machine's signature bound: single verifications under the one signature rule (R171,
//! ZIP-215) per second on all cores, measured in the same run as the benchmark (every validator
//! decides every entry's signature once, R155).
//!
//! R477: the bound is the median of several short samples, half taken before the run's load
//! and half after it, with the network idle both times. One 1-second sample moved by ±25 %
//! from run to run on a shared machine (BENCHMARKS.md, "Issue 16, stop 31"), and the ratio of
//! committed entries to the bound moved with it; the median of ten keeps one slow or fast
//! second from deciding, and the report gives the smallest and largest sample beside it.

use std::time::{Duration, Instant};

use ebl_ledger::crypto::{PublicKey, Signature};
use ed25519_dalek::{Signer as _, SigningKey};

/// Samples taken before the run, and again after it.
pub const SAMPLES_EACH_SIDE: usize = 5;

/// Length of one sample.
pub const SAMPLE_SPAN: Duration = Duration::from_millis(400);

/// Samples of the bound (verifications per second), in the order they were taken.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BoundSamples(pub Vec<f64>);

impl BoundSamples {
    /// `count` samples of `span` each, one after the other.
    pub fn measure(count: usize, span: Duration) -> Self {
        BoundSamples((0..count).map(|_| verify_per_sec(span)).collect())
    }

    /// These samples and `later` ones together.
    pub fn and(&self, later: &BoundSamples) -> Self {
        BoundSamples(self.0.iter().chain(&later.0).copied().collect())
    }

    /// The median (the mean of the middle two for an even count); 0 without samples.
    pub fn median(&self) -> f64 {
        let sorted = self.sorted();
        let n = sorted.len();
        match n {
            0 => 0.0,
            _ if n % 2 == 1 => sorted[n / 2],
            _ => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
        }
    }

    /// The smallest sample; 0 without samples.
    pub fn min(&self) -> f64 {
        self.sorted().first().copied().unwrap_or(0.0)
    }

    /// The largest sample; 0 without samples.
    pub fn max(&self) -> f64 {
        self.sorted().last().copied().unwrap_or(0.0)
    }

    fn sorted(&self) -> Vec<f64> {
        let mut sorted = self.0.clone();
        sorted.sort_by(f64::total_cmp);
        sorted
    }
}

/// Single verifications (R171) per second with one thread per available core, over `span`.
pub fn verify_per_sec(span: Duration) -> f64 {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let key = SigningKey::from_bytes(&[7; 32]);
    let message = [0x5a_u8; 200];
    let signature = Signature::from(key.sign(&message));
    let public = PublicKey::from(key.verifying_key());
    let started = Instant::now();
    let total: u64 = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut n = 0u64;
                    while started.elapsed() < span {
                        for _ in 0..64 {
                            if public.verify(&message, &signature).is_ok() {
                                n += 1;
                            }
                        }
                    }
                    n
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or(0)).sum()
    });
    total as f64 / started.elapsed().as_secs_f64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verify_bound_is_positive() {
        assert!(verify_per_sec(Duration::from_millis(50)) > 0.0);
        let samples = BoundSamples::measure(2, Duration::from_millis(20));
        assert_eq!(samples.0.len(), 2);
        assert!(samples.min() > 0.0);
    }

    #[test]
    fn one_slow_or_fast_sample_does_not_decide_the_bound() {
        let before = BoundSamples(vec![20_000.0, 9_000.0, 21_000.0, 20_500.0, 19_500.0]);
        let after = BoundSamples(vec![20_200.0, 35_000.0, 19_800.0, 20_100.0, 20_300.0]);
        let all = before.and(&after);
        assert_eq!(all.0.len(), 10);
        // Sorted: 9,000 19,500 19,800 20,000 20,100 | 20,200 20,300 20,500 21,000 35,000.
        assert_eq!(all.median(), 20_150.0);
        assert_eq!(all.min(), 9_000.0);
        assert_eq!(all.max(), 35_000.0);
        assert_eq!(before.median(), 20_000.0);
    }

    #[test]
    fn no_samples_give_a_zero_bound_not_a_panic() {
        let none = BoundSamples::default();
        assert_eq!((none.median(), none.min(), none.max()), (0.0, 0.0, 0.0));
    }
}
