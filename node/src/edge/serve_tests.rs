//! R200 attack: the listener fails every accept (as with `EMFILE`); the loop must pause on the
//! backoff schedule, count each failure and still stop when asked.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::DuplexStream;
use tokio::time::Instant;

use super::*;

/// Fails the first `failures` accepts with `EMFILE`, then never returns; records each call.
struct FailingListener {
    failures: usize,
    calls: Arc<Mutex<Vec<Instant>>>,
}

impl Accept for FailingListener {
    type Io = DuplexStream;

    async fn accept(&mut self) -> std::io::Result<(DuplexStream, SocketAddr)> {
        self.calls.lock().unwrap().push(Instant::now());
        if self.failures > 0 {
            self.failures -= 1;
            return Err(std::io::Error::from_raw_os_error(24));
        }
        std::future::pending().await
    }
}

/// A loop serving a [`FailingListener`]: its calls, its metrics, its stop and its task.
struct Running {
    calls: Arc<Mutex<Vec<Instant>>>,
    metrics: EdgeMetrics,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

fn start(failures: usize) -> Running {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let listener = FailingListener {
        failures,
        calls: calls.clone(),
    };
    let metrics = EdgeMetrics::default();
    let (stop, stopped) = oneshot::channel();
    let task = tokio::spawn(serve(
        listener,
        None,
        Router::new(),
        EdgeLimits::default(),
        metrics.clone(),
        stopped,
    ));
    Running {
        calls,
        metrics,
        stop,
        task,
    }
}

async fn wait_for_calls(calls: &Mutex<Vec<Instant>>, n: usize) -> Vec<Instant> {
    tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let seen = calls.lock().unwrap().clone();
            if seen.len() >= n {
                return seen;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the loop kept accepting")
}

#[tokio::test]
async fn accept_errors_are_followed_by_doubling_pauses_and_counted() {
    let Running {
        calls,
        metrics,
        stop,
        task,
    } = start(6);
    let seen = wait_for_calls(&calls, 7).await;
    let gaps: Vec<Duration> = seen.windows(2).map(|w| w[1] - w[0]).collect();
    let mut schedule = AcceptBackoff::default();
    for (i, gap) in gaps.iter().enumerate() {
        let pause = schedule.on_error();
        assert!(
            *gap >= pause,
            "call {i}: waited {gap:?}, less than {pause:?}"
        );
    }
    assert_eq!(metrics.accept_errors.get(), 6);
    stop.send(()).unwrap();
    task.await.unwrap().unwrap();
    assert_eq!(
        calls.lock().unwrap().len(),
        7,
        "no accept after the last failure's pause"
    );
}

#[tokio::test]
async fn a_listener_that_always_fails_is_not_a_busy_loop_and_still_stops() {
    let Running {
        calls,
        metrics,
        stop,
        task,
    } = start(usize::MAX);
    // Nine failures take at least 5+10+...+640 = 1275 ms; a busy loop would make millions.
    let started = Instant::now();
    wait_for_calls(&calls, 9).await;
    assert!(started.elapsed() >= Duration::from_millis(1275));
    assert!(metrics.accept_errors.get() >= 9);
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(2), task)
        .await
        .expect("a pause does not delay the stop")
        .unwrap()
        .unwrap();
}
