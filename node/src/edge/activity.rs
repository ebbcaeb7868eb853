//! R202: what a gateway connection is doing, and when it has waited too long.
//!
//! hyper's own HTTP/1 header timeout also closes a keep-alive connection after the same time
//! and HTTP/2 has none, so the node keeps one small state per connection instead: bytes read
//! below TLS and HTTP (so the TLS handshake counts too), requests begun, response bodies
//! finished. A watchdog closes the connection when, with no request in flight,
//!
//! - a new connection has not delivered its first request (TLS handshake included) within the
//!   header-read timeout of being accepted;
//! - a client that started sending the next request has not completed its head within the
//!   header-read timeout of its first byte;
//! - nothing at all arrived for the idle timeout since the last response ended.
//!
//! While a request is in flight (its handler runs, or its response body — an event stream —
//! is being sent) the watchdog waits: the gateway's request timeout and R203 bound those.

use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::body::{Body, Frame, SizeHint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;
use tokio::time::Instant;

/// R202: how long a connection may wait for its client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// For a request's head (and, on a new connection, the TLS handshake before it).
    pub header_read: Duration,
    /// Between a response's end and the next request's first byte.
    pub idle: Duration,
}

/// Why the watchdog closed a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// A request head (or the TLS handshake) did not arrive in time.
    HeaderRead,
    /// The keep-alive connection stayed silent too long.
    Idle,
}

impl Expiry {
    /// Its label in metrics.
    pub fn label(self) -> &'static str {
        match self {
            Expiry::HeaderRead => "header_read",
            Expiry::Idle => "idle",
        }
    }
}

/// One connection's state (pure: every method takes the time it happened at).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnState {
    in_flight: usize,
    served: bool,
    /// When the connection was accepted, or its last response ended.
    quiet_since: Instant,
    /// The first byte read since then, if any.
    head_since: Option<Instant>,
}

impl ConnState {
    /// A connection accepted at `now`.
    pub fn new(now: Instant) -> Self {
        ConnState {
            in_flight: 0,
            served: false,
            quiet_since: now,
            head_since: None,
        }
    }

    /// Bytes arrived at `now`; `true` if that changes the deadline.
    pub fn on_read(&mut self, now: Instant) -> bool {
        if self.in_flight == 0 && self.head_since.is_none() {
            self.head_since = Some(now);
            return true;
        }
        false
    }

    /// A request's head was read: the service is called.
    pub fn on_request(&mut self) {
        self.in_flight += 1;
        self.served = true;
        self.head_since = None;
    }

    /// A response ended (its body was sent or dropped) at `now`.
    pub fn on_response_end(&mut self, now: Instant) {
        self.in_flight = self.in_flight.saturating_sub(1);
        if self.in_flight == 0 {
            self.quiet_since = now;
            self.head_since = None;
        }
    }

    /// R202: when the connection is to be closed if nothing changes, and why; `None` while a
    /// request is in flight.
    pub fn deadline(&self, timeouts: Timeouts) -> Option<(Instant, Expiry)> {
        if self.in_flight > 0 {
            return None;
        }
        let (since, wait, why) = match self.head_since {
            // The first request counts from the accept, whenever its first byte came.
            _ if !self.served => (self.quiet_since, timeouts.header_read, Expiry::HeaderRead),
            Some(first_byte) => (first_byte, timeouts.header_read, Expiry::HeaderRead),
            None => (self.quiet_since, timeouts.idle, Expiry::Idle),
        };
        since.checked_add(wait).map(|at| (at, why))
    }
}

/// A connection's shared state and the watchdog's wake-up.
#[derive(Debug)]
pub(crate) struct Activity {
    state: Mutex<ConnState>,
    changed: Notify,
}

impl Activity {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Activity {
            state: Mutex::new(ConnState::new(Instant::now())),
            changed: Notify::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, ConnState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn on_read(&self) {
        if self.lock().on_read(Instant::now()) {
            self.changed.notify_one();
        }
    }

    /// A request begins; the guard ends it when dropped (with its response body).
    pub(crate) fn begin_request(self: &Arc<Self>) -> RequestGuard {
        self.lock().on_request();
        self.changed.notify_one();
        RequestGuard(self.clone())
    }

    /// Resolves when the connection has waited longer than `timeouts` allow.
    pub(crate) async fn expired(&self, timeouts: Timeouts) -> Expiry {
        loop {
            let deadline = self.lock().deadline(timeouts);
            match deadline {
                // A stored permit of `notify_one` wakes this even if the change came between
                // reading the state and waiting.
                None => self.changed.notified().await,
                Some((at, why)) if at <= Instant::now() => return why,
                Some((at, _)) => {
                    tokio::select! {
                        () = tokio::time::sleep_until(at) => {}
                        () = self.changed.notified() => {}
                    }
                }
            }
        }
    }
}

/// One request in flight; dropping it (with the response body) ends the request.
#[derive(Debug)]
pub(crate) struct RequestGuard(Arc<Activity>);

impl Drop for RequestGuard {
    fn drop(&mut self) {
        self.0.lock().on_response_end(Instant::now());
        self.0.changed.notify_one();
    }
}

/// A response body that keeps its request in flight until it is sent or dropped.
#[derive(Debug)]
pub(crate) struct TrackedBody<B> {
    body: B,
    _request: RequestGuard,
}

impl<B> TrackedBody<B> {
    pub(crate) fn new(body: B, request: RequestGuard) -> Self {
        TrackedBody {
            body,
            _request: request,
        }
    }
}

impl<B: Body + Unpin> Body for TrackedBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// The accepted socket, reporting every read to the connection's [`Activity`].
#[derive(Debug)]
pub(crate) struct ActivityIo<T> {
    io: T,
    activity: Arc<Activity>,
}

impl<T> ActivityIo<T> {
    pub(crate) fn new(io: T, activity: Arc<Activity>) -> Self {
        ActivityIo { io, activity }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for ActivityIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.io).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.on_read();
        }
        polled
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for ActivityIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
#[path = "activity_tests.rs"]
mod tests;
