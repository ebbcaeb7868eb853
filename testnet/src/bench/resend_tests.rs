//! The resend rule (R170) without sockets.

use super::*;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn busy(code: &str) -> Verdict {
    Verdict::Busy(code.into())
}

#[test]
fn saturation_codes_are_busy_and_faults_of_the_entry_are_refusals() {
    assert_eq!(Verdict::of_answer(202, None), Verdict::Accepted);
    assert_eq!(
        Verdict::of_answer(200, None),
        Verdict::Accepted,
        "duplicate"
    );
    assert_eq!(
        Verdict::of_answer(429, Some("RATE_LIMITED".into())),
        busy("RATE_LIMITED")
    );
    assert_eq!(Verdict::of_answer(503, None), busy("HTTP_503"));
    assert_eq!(
        Verdict::of_answer(409, Some("SEQUENCE_GAP".into())),
        busy("SEQUENCE_GAP")
    );
    assert_eq!(
        Verdict::of_code("MEMPOOL_FULL".into()),
        busy("MEMPOOL_FULL")
    );
    assert_eq!(Verdict::send_failed(), busy("SEND_FAILED"));
    assert_eq!(
        Verdict::of_answer(422, Some("BAD_SIGNATURE".into())),
        Verdict::Refused("BAD_SIGNATURE".into())
    );
    assert_eq!(
        Verdict::of_code("REPLAY".into()),
        Verdict::Refused("REPLAY".into())
    );
    assert_eq!(
        Verdict::of_answer(400, None),
        Verdict::Refused("HTTP_400".into())
    );
}

#[test]
fn a_busy_entry_and_the_later_unaccepted_ones_are_resent_in_order_after_the_backoff() {
    let mut r = Resend::new(true);
    // A batch of entries 0..4: 0 accepted, 1 mempool full, 2 accepted (queued), 3 a gap.
    assert_eq!(r.take(10), Vec::<usize>::new());
    assert_eq!(r.on_result(0, &Verdict::Accepted), Some(Sent::Accepted));
    assert_eq!(r.on_result(1, &busy("MEMPOOL_FULL")), None);
    assert_eq!(r.on_result(2, &Verdict::Accepted), Some(Sent::Accepted));
    assert_eq!(r.on_result(3, &busy("SEQUENCE_GAP")), None);
    r.end_round(ms(100));
    assert!(r.is_blocked());
    // Partial progress: the backoff starts over, so the wait is the first one.
    assert_eq!(r.not_before(), ms(150));
    // Entries due meanwhile go behind the waiting ones.
    r.defer(5);
    r.defer(4);
    assert_eq!(r.take(3), vec![1, 3, 4]);
    assert_eq!(r.take(3), vec![5]);
    // 1 and 3 were sent before: two resends; 4 and 5 are first sends.
    assert_eq!(r.retried(), 2);
    assert!(!r.is_blocked());
}

#[test]
fn the_backoff_doubles_up_to_a_second_and_starts_over_after_a_success() {
    let mut r = Resend::new(true);
    let mut waits = Vec::new();
    let mut now = ms(0);
    for _ in 0..7 {
        let batch = r.take(10);
        let batch = if batch.is_empty() { vec![0] } else { batch };
        for i in batch {
            assert_eq!(r.on_result(i, &busy("RATE_LIMITED")), None);
        }
        r.end_round(now);
        waits.push(r.not_before() - now);
        now = r.not_before();
    }
    assert_eq!(
        waits,
        vec![
            ms(50),
            ms(100),
            ms(200),
            ms(400),
            ms(800),
            ms(1_000),
            ms(1_000)
        ]
    );
    assert_eq!(r.retried(), 6);
    assert_eq!(r.take(10), vec![0]);
    assert_eq!(r.on_result(0, &Verdict::Accepted), Some(Sent::Accepted));
    r.end_round(now);
    assert_eq!(r.backoff(), FIRST_BACKOFF);
    assert!(!r.is_blocked());
    // A round without a busy answer imposes no wait.
    assert_eq!(r.not_before(), now);
}

#[test]
fn a_refusal_for_good_is_never_resent() {
    let mut r = Resend::new(true);
    assert_eq!(
        r.on_result(7, &Verdict::Refused("BAD_SIGNATURE".into())),
        Some(Sent::Rejected)
    );
    r.end_round(ms(10));
    assert!(!r.is_blocked());
    assert_eq!(r.not_before(), ms(0));
    assert_eq!(r.pop_first(), None);
    assert_eq!(r.retried(), 0);
}

#[test]
fn without_retry_busy_refusals_are_final_as_before() {
    let mut r = Resend::new(false);
    assert_eq!(r.on_result(0, &busy("RATE_LIMITED")), Some(Sent::Throttled));
    assert_eq!(r.on_result(1, &busy("HTTP_429")), Some(Sent::Throttled));
    assert_eq!(r.on_result(2, &busy("SEQUENCE_GAP")), Some(Sent::Rejected));
    r.end_round(ms(5));
    assert!(!r.is_blocked());
    assert!(r.unsent().is_empty());
}

#[test]
fn entries_still_waiting_when_sending_stops_are_unsent() {
    let mut r = Resend::new(true);
    assert_eq!(r.on_result(4, &busy("MEMPOOL_FULL")), None);
    r.defer(6);
    r.defer(4);
    assert_eq!(r.unsent(), vec![4, 6]);
}
