#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn at(ms: u64) -> Instant {
    // One fixed origin per test process; only the differences matter.
    static ORIGIN: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    *ORIGIN.get_or_init(Instant::now) + Duration::from_millis(ms)
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap()
}

fn signer(n: u8) -> PublicKey {
    PublicKey([n; 32])
}

/// A pace that saw arrivals at `times` (milliseconds).
fn saw(times: &[u64]) -> Pace {
    let mut pace = Pace::default();
    for t in times {
        pace.arrived(at(*t));
    }
    pace
}

#[test]
fn a_lone_submission_does_not_wait() {
    assert!(!saw(&[0]).may_wait(&signer(1), at(0)));
}

#[test]
fn a_batchs_worth_of_arrivals_within_the_hold_lets_an_untried_signer_wait() {
    let times = [0, 10, 20, 30];
    assert_eq!(times.len(), MIN_BATCH);
    assert!(saw(&times).may_wait(&signer(1), at(30)));
}

#[test]
fn arrivals_slower_than_a_batch_per_hold_do_not_wait() {
    let hold = ms(HOLD);
    // Fewer than a batch so far, however close together.
    assert!(!saw(&[0, 1, 2]).may_wait(&signer(1), at(2)));
    // A batch's worth, spread over the hold or more.
    let spread = [0, hold / 3, 2 * hold / 3, hold];
    assert!(!saw(&spread).may_wait(&signer(1), at(hold)));
}

#[test]
fn a_signer_that_sent_nothing_while_it_waited_is_decided_at_once_until_tried_again() {
    let mut pace = saw(&[0, 1, 2, 3]);
    pace.waited([&signer(1)], at(43));
    for t in [44, 45, 46, 47] {
        pace.arrived(at(t));
    }
    assert!(!pace.may_wait(&signer(1), at(47)), "an ordered client");
    assert!(
        pace.may_wait(&signer(2), at(47)),
        "another signer is untried"
    );
    // After RETRY_AFTER it is tried again.
    let later = 43 + ms(RETRY_AFTER);
    for t in later..later + 4 {
        pace.arrived(at(t));
    }
    assert!(pace.may_wait(&signer(1), at(later + 3)));
}

#[test]
fn a_signer_that_kept_sending_while_it_waited_waits_again() {
    let mut pace = saw(&[0, 1, 2, 3]);
    pace.waited([&signer(1), &signer(2), &signer(1)], at(43));
    for t in [44, 45, 46, 47] {
        pace.arrived(at(t));
    }
    assert!(pace.may_wait(&signer(1), at(47)), "streaming");
    assert!(
        !pace.may_wait(&signer(2), at(47)),
        "one submission: waits for answers"
    );
    // Even a streaming signer does not wait on a quiet node.
    let quiet = 47 + 2 * ms(HOLD);
    pace.arrived(at(quiet));
    assert!(!pace.may_wait(&signer(1), at(quiet)));
}

#[test]
fn the_memory_of_signers_is_bounded() {
    let mut pace = saw(&[0, 1, 2, 3]);
    let keys: Vec<PublicKey> = (0..=u32::try_from(MAX_SIGNERS).unwrap())
        .map(|n| {
            let mut key = [0u8; 32];
            key[..4].copy_from_slice(&n.to_be_bytes());
            PublicKey(key)
        })
        .collect();
    for key in &keys {
        pace.waited([key], at(10));
    }
    assert!(pace.signers.len() <= MAX_SIGNERS);
    // The last one is remembered (not streaming); a forgotten one is untried again.
    assert!(!pace.may_wait(keys.last().unwrap(), at(10)));
    assert!(pace.may_wait(&keys[0], at(10)));
}
