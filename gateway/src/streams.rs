//! R203: Server-Sent Event streams (`GET /v1/events`) are bounded per client and in total.
//!
//! A stream holds a follower task, a 64-event buffer and a socket for as long as the client
//! keeps it open, so an unbounded number of them lets one API key (or one member organisation
//! over mTLS) exhaust the gateway. Every stream takes a [`StreamSlot`] before it starts; the
//! slot is released when the stream's body is dropped (the client went away or the server
//! stopped), so closing a stream frees its place at once.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// R203: how many event streams may be open at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamLimits {
    /// Per client: per API key, or per organisation for a member certificate (its rate-limit
    /// bucket, [`crate::auth::RateBucket`]).
    pub per_client: usize,
    /// On the whole gateway.
    pub total: usize,
}

impl Default for StreamLimits {
    fn default() -> Self {
        StreamLimits {
            per_client: 4,
            total: 256,
        }
    }
}

/// Why a stream was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StreamRefused {
    /// The client has [`StreamLimits::per_client`] streams open.
    #[error("this client has {0} event streams open already; close one first")]
    PerClient(usize),
    /// The gateway has [`StreamLimits::total`] streams open.
    #[error("the gateway serves {0} event streams already; retry later")]
    Total(usize),
}

impl StreamRefused {
    /// Stable code (R203).
    pub fn code(&self) -> &'static str {
        match self {
            StreamRefused::PerClient(_) => "TOO_MANY_STREAMS",
            StreamRefused::Total(_) => "STREAMS_EXHAUSTED",
        }
    }
}

#[derive(Debug, Default)]
struct Open {
    total: usize,
    /// Only clients with at least one open stream are present, so the map is bounded by
    /// [`StreamLimits::total`].
    by_client: BTreeMap<[u8; 32], usize>,
}

/// The open streams of one gateway.
#[derive(Debug)]
pub struct StreamSlots {
    limits: StreamLimits,
    open: Mutex<Open>,
}

impl StreamSlots {
    /// No stream open yet.
    pub fn new(limits: StreamLimits) -> Self {
        StreamSlots {
            limits,
            open: Mutex::new(Open::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Open> {
        self.open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// R203: a slot for one more stream of `client`, or why not (nothing changes then).
    pub fn acquire(self: &Arc<Self>, client: [u8; 32]) -> Result<StreamSlot, StreamRefused> {
        let mut open = self.lock();
        let mine = open.by_client.get(&client).copied().unwrap_or(0);
        if mine >= self.limits.per_client {
            return Err(StreamRefused::PerClient(mine));
        }
        if open.total >= self.limits.total {
            return Err(StreamRefused::Total(open.total));
        }
        open.total += 1;
        open.by_client.insert(client, mine + 1);
        Ok(StreamSlot {
            slots: self.clone(),
            client,
        })
    }

    /// Streams open now: in total, and of `client`.
    pub fn open(&self, client: &[u8; 32]) -> (usize, usize) {
        let open = self.lock();
        (open.total, open.by_client.get(client).copied().unwrap_or(0))
    }

    fn release(&self, client: &[u8; 32]) {
        let mut open = self.lock();
        open.total = open.total.saturating_sub(1);
        if let Some(n) = open.by_client.get_mut(client) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.by_client.remove(client);
            }
        }
    }
}

/// One open stream's place; dropping it frees the place.
#[derive(Debug)]
pub struct StreamSlot {
    slots: Arc<StreamSlots>,
    client: [u8; 32],
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        self.slots.release(&self.client);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slots(per_client: usize, total: usize) -> Arc<StreamSlots> {
        Arc::new(StreamSlots::new(StreamLimits { per_client, total }))
    }

    #[test]
    fn a_client_gets_at_most_its_share_and_a_closed_stream_frees_its_slot() {
        let slots = slots(2, 10);
        let a = [1; 32];
        let first = slots.acquire(a).unwrap();
        let _second = slots.acquire(a).unwrap();
        assert_eq!(slots.acquire(a).unwrap_err(), StreamRefused::PerClient(2));
        assert_eq!(slots.open(&a), (2, 2));
        drop(first);
        assert_eq!(slots.open(&a), (1, 1));
        assert!(slots.acquire(a).is_ok());
    }

    #[test]
    fn the_total_bounds_every_client_together() {
        let slots = slots(2, 3);
        let held: Vec<StreamSlot> = (0u8..3).map(|c| slots.acquire([c; 32]).unwrap()).collect();
        let refused = slots.acquire([9; 32]).unwrap_err();
        assert_eq!(refused, StreamRefused::Total(3));
        assert_eq!(refused.code(), "STREAMS_EXHAUSTED");
        drop(held);
        assert_eq!(slots.open(&[0; 32]), (0, 0));
        assert!(slots.acquire([9; 32]).is_ok());
    }

    #[test]
    fn a_refusal_changes_nothing() {
        let slots = slots(1, 5);
        let _held = slots.acquire([1; 32]).unwrap();
        for _ in 0..10 {
            assert_eq!(
                slots.acquire([1; 32]).unwrap_err().code(),
                "TOO_MANY_STREAMS"
            );
        }
        assert_eq!(slots.open(&[1; 32]), (1, 1));
    }
}
