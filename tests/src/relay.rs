//! A controllable TCP relay on 127.0.0.1, to partition an in-process cluster without network
//! namespaces.
//!
//! # Design
//!
//! Each node dials its peers through relays (one per ordered pair of nodes), so every byte
//! between two nodes crosses a relay the test controls. [`Relay::cut`] closes the links in
//! flight and makes the relay drop new connections at once (the dialer sees a closed
//! connection and retries with its own backoff); [`Relay::heal`] lets new connections through
//! again. Bounded: at most [`MAX_LINKS`] connections per relay at a time, copy buffers of the
//! tokio default size, and every task ends when the relay is dropped.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinHandle;

/// Most connections one relay carries at once (a node opens one or two per peer).
pub const MAX_LINKS: usize = 8;

/// A relay from a local port to `target`; cut or healed by the test.
#[derive(Debug)]
pub struct Relay {
    port: u16,
    open: watch::Sender<bool>,
    accept: JoinHandle<()>,
}

impl Relay {
    /// Listens on a free port of 127.0.0.1 and forwards each connection to `target`.
    pub async fn start(target: SocketAddr) -> std::io::Result<Relay> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let (open, open_rx) = watch::channel(true);
        let accept = tokio::spawn(accept_loop(listener, target, open_rx));
        Ok(Relay { port, open, accept })
    }

    /// The port peers dial.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Closes the links in flight and drops new connections until [`Relay::heal`].
    pub fn cut(&self) {
        self.open.send_replace(false);
    }

    /// Forwards new connections again.
    pub fn heal(&self) {
        self.open.send_replace(true);
    }

    /// Whether the relay forwards.
    pub fn is_open(&self) -> bool {
        *self.open.borrow()
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        // Closing the watch ends every link task; the accept loop is aborted here.
        self.accept.abort();
    }
}

async fn accept_loop(listener: TcpListener, target: SocketAddr, open: watch::Receiver<bool>) {
    let slots = Arc::new(Semaphore::new(MAX_LINKS));
    loop {
        let Ok((inbound, _)) = listener.accept().await else {
            continue;
        };
        if !*open.borrow() {
            drop(inbound);
            continue;
        }
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
            drop(inbound);
            continue;
        };
        let open = open.clone();
        tokio::spawn(async move {
            let _slot = slot;
            link(inbound, target, open).await;
        });
    }
}

/// Copies both ways until either side closes or the relay is cut (or dropped).
async fn link(mut inbound: TcpStream, target: SocketAddr, mut open: watch::Receiver<bool>) {
    let Ok(mut outbound) = TcpStream::connect(target).await else {
        return;
    };
    let _ = inbound.set_nodelay(true);
    let _ = outbound.set_nodelay(true);
    tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
        _ = open.wait_for(|o| !*o) => {}
    }
}
