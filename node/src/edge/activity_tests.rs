//! R202: the connection watchdog's decisions, on explicit times.

use std::time::Duration;

use tokio::time::Instant;

use super::*;

const TIMEOUTS: Timeouts = Timeouts {
    header_read: Duration::from_secs(10),
    idle: Duration::from_secs(60),
};

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

#[test]
fn a_new_connection_must_deliver_its_first_request_within_the_header_timeout() {
    let t0 = Instant::now();
    let mut state = ConnState::new(t0);
    assert_eq!(
        state.deadline(TIMEOUTS),
        Some((t0 + secs(10), Expiry::HeaderRead))
    );
    // Trickling the first bytes late does not buy more time (slowloris).
    assert!(state.on_read(t0 + secs(9)));
    assert_eq!(
        state.deadline(TIMEOUTS),
        Some((t0 + secs(10), Expiry::HeaderRead))
    );
    assert!(!state.on_read(t0 + secs(9)), "later bytes change nothing");
}

#[test]
fn a_request_in_flight_has_no_deadline_here() {
    let t0 = Instant::now();
    let mut state = ConnState::new(t0);
    state.on_request();
    assert_eq!(state.deadline(TIMEOUTS), None);
    assert!(!state.on_read(t0 + secs(100)), "bytes of a request body");
    assert_eq!(state.deadline(TIMEOUTS), None);
}

#[test]
fn a_served_connection_may_stay_idle_for_the_idle_timeout() {
    let t0 = Instant::now();
    let mut state = ConnState::new(t0);
    state.on_request();
    state.on_response_end(t0 + secs(2));
    assert_eq!(
        state.deadline(TIMEOUTS),
        Some((t0 + secs(62), Expiry::Idle))
    );
}

#[test]
fn the_next_request_head_must_complete_within_the_header_timeout_of_its_first_byte() {
    let t0 = Instant::now();
    let mut state = ConnState::new(t0);
    state.on_request();
    state.on_response_end(t0 + secs(2));
    assert!(state.on_read(t0 + secs(30)));
    assert_eq!(
        state.deadline(TIMEOUTS),
        Some((t0 + secs(40), Expiry::HeaderRead))
    );
    state.on_request();
    assert_eq!(state.deadline(TIMEOUTS), None);
}

#[test]
fn the_idle_clock_starts_when_the_last_of_several_responses_ends() {
    let t0 = Instant::now();
    let mut state = ConnState::new(t0);
    state.on_request();
    state.on_request();
    state.on_response_end(t0 + secs(1));
    assert_eq!(state.deadline(TIMEOUTS), None, "one is still in flight");
    state.on_response_end(t0 + secs(5));
    assert_eq!(
        state.deadline(TIMEOUTS),
        Some((t0 + secs(65), Expiry::Idle))
    );
}

#[tokio::test]
async fn the_watchdog_fires_once_the_deadline_passes_and_waits_while_a_request_is_in_flight() {
    let short = Timeouts {
        header_read: Duration::from_millis(50),
        idle: Duration::from_millis(50),
    };
    let activity = Activity::new();
    let started = Instant::now();
    assert_eq!(activity.expired(short).await, Expiry::HeaderRead);
    assert!(started.elapsed() >= short.header_read);

    let activity = Activity::new();
    let request = activity.begin_request();
    let watch = activity.clone();
    let mut watchdog = tokio::spawn(async move { watch.expired(short).await });
    // Three times the timeout pass with the request in flight and nothing fires.
    let early = tokio::time::timeout(Duration::from_millis(150), &mut watchdog).await;
    assert!(early.is_err(), "no expiry while a request is in flight");
    let ended = Instant::now();
    drop(request);
    assert_eq!(watchdog.await.unwrap(), Expiry::Idle);
    assert!(ended.elapsed() >= short.idle);
}
