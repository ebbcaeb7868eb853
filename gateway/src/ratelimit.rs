//! Per-key token buckets in memory. The map is bounded: only authenticated keys get a bucket,
//! and at most `max_keys` of them (the oldest is dropped when full).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::RateLimit;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Token buckets keyed by the key hash.
#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimit,
    max_keys: usize,
    buckets: Mutex<BTreeMap<[u8; 32], Bucket>>,
}

impl RateLimiter {
    /// Buckets for at most `max_keys` keys.
    pub fn new(limit: RateLimit, max_keys: usize) -> Self {
        RateLimiter {
            limit,
            max_keys: max_keys.max(1),
            buckets: Mutex::new(BTreeMap::new()),
        }
    }

    /// Takes one token for `key` at `now`; `Err(wait)` tells how long until one is available.
    pub fn check(&self, key: [u8; 32], now: Instant) -> Result<(), Duration> {
        self.check_n(key, 1, now)
    }

    /// R166: takes `n` tokens for `key` at `now`, all or none; `Err(wait)` tells how long until
    /// `n` are available (a wait that never ends when `n` is over the burst: see
    /// [`RateLimiter::burst`]).
    pub fn check_n(&self, key: [u8; 32], n: u32, now: Instant) -> Result<(), Duration> {
        let cost = f64::from(n.max(1));
        let burst = f64::from(self.limit.burst.max(1));
        let rate = self.limit.per_second.max(f64::MIN_POSITIVE);
        // A poisoned lock only means another request panicked mid-update; the map is still usable.
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !buckets.contains_key(&key) && buckets.len() >= self.max_keys {
            let oldest = buckets
                .iter()
                .min_by_key(|(_, b)| b.updated)
                .map(|(k, _)| *k);
            if let Some(k) = oldest {
                buckets.remove(&k);
            }
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: burst,
            updated: now,
        });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(burst);
        bucket.updated = now;
        if bucket.tokens >= cost {
            bucket.tokens -= cost;
            Ok(())
        } else {
            // Capped so that an absurd cost or a tiny rate cannot overflow the conversion.
            let secs = ((cost - bucket.tokens) / rate).min(86_400.0);
            Err(Duration::from_secs_f64(secs))
        }
    }

    /// The most tokens a key can hold: a batch costing more never passes.
    pub fn burst(&self) -> u32 {
        self.limit.burst.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_gets_its_burst_then_waits_for_a_refill() {
        let limiter = RateLimiter::new(
            RateLimit {
                burst: 2,
                per_second: 1.0,
            },
            4,
        );
        let t0 = Instant::now();
        assert!(limiter.check([1; 32], t0).is_ok());
        assert!(limiter.check([1; 32], t0).is_ok());
        let wait = limiter.check([1; 32], t0).unwrap_err();
        assert!(wait <= Duration::from_secs(1) && wait > Duration::ZERO);
        assert!(
            limiter.check([2; 32], t0).is_ok(),
            "other keys are independent"
        );
        assert!(limiter.check([1; 32], t0 + Duration::from_secs(1)).is_ok());
    }

    #[test]
    fn several_tokens_are_taken_all_or_none() {
        let limiter = RateLimiter::new(
            RateLimit {
                burst: 5,
                per_second: 1.0,
            },
            4,
        );
        let t0 = Instant::now();
        let wait = limiter.check_n([1; 32], 6, t0).unwrap_err();
        assert!(wait >= Duration::from_secs(1), "{wait:?}");
        assert!(limiter.check_n([1; 32], 5, t0).is_ok(), "nothing was taken");
        assert!(limiter.check([1; 32], t0).is_err(), "the five are spent");
        assert_eq!(limiter.burst(), 5);
    }

    #[test]
    fn the_map_never_holds_more_than_max_keys() {
        let limiter = RateLimiter::new(
            RateLimit {
                burst: 1,
                per_second: 1.0,
            },
            2,
        );
        let t0 = Instant::now();
        for i in 0..10u8 {
            let _ = limiter.check([i; 32], t0 + Duration::from_millis(u64::from(i)));
        }
        assert_eq!(limiter.buckets.lock().unwrap().len(), 2);
    }
}
