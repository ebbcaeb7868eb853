//! The machine's signature bound: single verifications under the one signature rule (R171,
//! ZIP-215) per second on all cores, measured in the same run as the benchmark (every validator
//! decides every entry's signature once, R155).

use std::time::{Duration, Instant};

use ebl_ledger::crypto::{PublicKey, Signature};
use ed25519_dalek::{Signer as _, SigningKey};

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
    #[test]
    fn the_verify_bound_is_positive() {
        assert!(super::verify_per_sec(std::time::Duration::from_millis(50)) > 0.0);
    }
}
