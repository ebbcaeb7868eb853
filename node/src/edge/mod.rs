//! The gateway's network edge: the accept loop in front of the axum router, over plain TCP or
//! TLS, bounded against clients that never finish (R200–R202, specs/adr/0028).
//!
//! # Design
//!
//! - R200: a failed `accept` (e.g. `EMFILE`) is logged, counted and followed by a pause that
//!   doubles from 5 ms to 1 s ([`AcceptBackoff`]); a successful accept resets it. The loop
//!   never spins.
//! - R201: at most [`EdgeLimits::max_connections`] connections are served at once; one more is
//!   accepted and closed at once, and counted, so the listen queue never fills with them.
//! - R202: a connection that does not deliver a request head in time (the TLS handshake
//!   included) or stays idle too long is closed ([`activity`]).
//! - Each connection runs in its own task; on stop, the loop stops accepting, asks every
//!   connection to finish its requests in flight and waits at most [`DRAIN_TIMEOUT`].

pub mod activity;
pub mod backoff;
mod connection;
pub mod metrics;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot, watch};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

pub use activity::{Expiry, Timeouts};
pub use backoff::AcceptBackoff;
pub use metrics::EdgeMetrics;

/// Longest a stop waits for requests in flight.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// R201, R202: the bounds of one listener (`[api]` `max_connections`,
/// `header_read_timeout_secs`, `idle_timeout_secs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EdgeLimits {
    /// Connections served at once.
    pub max_connections: usize,
    /// For the TLS handshake and a request's head.
    pub header_read_timeout: Duration,
    /// For a keep-alive connection between requests.
    pub idle_timeout: Duration,
}

impl Default for EdgeLimits {
    fn default() -> Self {
        EdgeLimits {
            max_connections: 1024,
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
        }
    }
}

impl EdgeLimits {
    /// The watchdog's timeouts.
    pub fn timeouts(&self) -> Timeouts {
        Timeouts {
            header_read: self.header_read_timeout,
            idle: self.idle_timeout,
        }
    }
}

/// A socket the gateway serves.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send + 'static {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + 'static> Io for T {}

/// Where connections come from: a TCP listener, or a test's stand-in.
pub trait Accept: Send + 'static {
    /// The accepted socket.
    type Io: Io;
    /// The next connection and its peer address.
    fn accept(&mut self) -> impl Future<Output = std::io::Result<(Self::Io, SocketAddr)>> + Send;
}

impl Accept for tokio::net::TcpListener {
    type Io = tokio::net::TcpStream;

    async fn accept(&mut self) -> std::io::Result<(Self::Io, SocketAddr)> {
        tokio::net::TcpListener::accept(self).await
    }
}

/// Serves `router` on `listener` (over TLS with `tls`) within `limits` until `stopped`
/// fires, then drains the connections.
pub async fn serve<L: Accept>(
    mut listener: L,
    tls: Option<TlsAcceptor>,
    router: Router,
    limits: EdgeLimits,
    metrics: EdgeMetrics,
    mut stopped: oneshot::Receiver<()>,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let shared = Arc::new(connection::Shared {
        router,
        tls,
        limits,
        metrics,
    });
    let (closing, close) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut backoff = AcceptBackoff::default();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = &mut stopped => break,
        };
        while connections.try_join_next().is_some() {}
        let (io, peer) = match accepted {
            Ok(accepted) => {
                backoff.on_success();
                accepted
            }
            Err(e) => {
                // R200: the error is likely to repeat at once (EMFILE): pause, never spin.
                let pause = backoff.on_error();
                shared.metrics.accept_errors.inc();
                tracing::warn!(error = %e, pause_ms = pause.as_millis(),
                    failures = backoff.failures(), "gateway accept failed; pausing (R200)");
                tokio::select! {
                    () = tokio::time::sleep(pause) => continue,
                    _ = &mut stopped => break,
                }
            }
        };
        // R201: over the cap, the connection is closed before any byte is read.
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            shared.metrics.refused.inc();
            tracing::debug!(%peer, "gateway connection refused: max_connections open (R201)");
            drop(io);
            continue;
        };
        shared.metrics.accepted.inc();
        shared.metrics.open.inc();
        let open = OpenConnection {
            metrics: shared.metrics.clone(),
            _permit: permit,
        };
        let (shared, close) = (shared.clone(), close.clone());
        connections.spawn(async move {
            connection::serve(io, peer, shared, close).await;
            drop(open);
        });
    }
    let _ = closing.send(true);
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    connections.abort_all();
    Ok(())
}

/// A served connection's place under the cap; dropping it (also when the task is aborted)
/// frees the place.
struct OpenConnection {
    metrics: EdgeMetrics,
    _permit: OwnedSemaphorePermit,
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.metrics.open.dec();
    }
}

#[cfg(test)]
#[path = "serve_tests.rs"]
mod tests;
