//! R435: which queued packet is released when, in pure code (the netlink loop in
//! [`super::delayer`] only feeds packets in and sends the verdicts this queue hands out).
//!
//! Each packet draws a delay uniform in the link's range; a packet is never released before an
//! earlier one of the same direction, so a TCP stream sees delay and jitter but no reordering
//! (reordering would make TCP retransmit and measure the shaper, not the WAN). The queue is
//! bounded in packets and in bytes; a packet beyond either bound is refused and counted.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::time::{Duration, Instant};

/// Bounds of the delay queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// Most packets held at once.
    pub packets: usize,
    /// Most bytes (original packet lengths) held at once.
    pub bytes: usize,
}

/// Counters of the queue, for the delayer's log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Packets accepted into the queue.
    pub admitted: u64,
    /// Packets refused because a bound was reached.
    pub refused: u64,
    /// Bytes of refused packets.
    pub refused_bytes: u64,
    /// Most packets held at once so far.
    pub deepest: usize,
}

struct Held<T> {
    due: Instant,
    seq: u64,
    bytes: usize,
    item: T,
}

impl<T> PartialEq for Held<T> {
    fn eq(&self, other: &Self) -> bool {
        (self.due, self.seq) == (other.due, other.seq)
    }
}
impl<T> Eq for Held<T> {}
impl<T> PartialOrd for Held<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Held<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.due, self.seq).cmp(&(other.due, other.seq))
    }
}

/// Packets waiting for their release time.
pub struct DelayQueue<T> {
    min: Duration,
    max: Duration,
    bounds: Bounds,
    heap: BinaryHeap<Reverse<Held<T>>>,
    bytes: usize,
    seq: u64,
    /// Release time of the last packet of each direction (a direction is a source subnet's
    /// third octet, so at most 256 entries).
    last_due: BTreeMap<u8, Instant>,
    counters: Counters,
}

impl<T> std::fmt::Debug for DelayQueue<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DelayQueue")
            .field("held", &self.heap.len())
            .field("bytes", &self.bytes)
            .field("counters", &self.counters)
            .finish()
    }
}

impl<T> DelayQueue<T> {
    /// An empty queue adding `min..=max` to each packet.
    pub fn new(min: Duration, max: Duration, bounds: Bounds) -> Self {
        DelayQueue {
            min,
            max: max.max(min),
            bounds,
            heap: BinaryHeap::new(),
            bytes: 0,
            seq: 0,
            last_due: BTreeMap::new(),
            counters: Counters::default(),
        }
    }

    /// The delay for a uniform draw `u` in `0.0..1.0` (clamped).
    pub fn delay_for(&self, u: f64) -> Duration {
        let span = self.max.saturating_sub(self.min);
        self.min + span.mul_f64(u.clamp(0.0, 1.0))
    }

    /// Holds `item` (of `bytes` bytes, direction `direction`) that arrived `now`, with the
    /// uniform draw `u`; gives it back when a bound is reached (the caller drops it).
    pub fn admit(
        &mut self,
        now: Instant,
        direction: u8,
        bytes: usize,
        u: f64,
        item: T,
    ) -> Option<T> {
        let full = self.heap.len() >= self.bounds.packets
            || self.bytes.saturating_add(bytes) > self.bounds.bytes;
        if full {
            self.counters.refused += 1;
            self.counters.refused_bytes += bytes as u64;
            return Some(item);
        }
        let drawn = now + self.delay_for(u);
        let due = match self.last_due.get(&direction) {
            Some(&last) if last > drawn => last,
            _ => drawn,
        };
        self.last_due.insert(direction, due);
        self.seq += 1;
        self.bytes += bytes;
        self.heap.push(Reverse(Held {
            due,
            seq: self.seq,
            bytes,
            item,
        }));
        self.counters.admitted += 1;
        self.counters.deepest = self.counters.deepest.max(self.heap.len());
        None
    }

    /// Removes and returns every packet due at `now`, earliest first.
    pub fn release(&mut self, now: Instant) -> Vec<T> {
        let mut due = Vec::new();
        while self.heap.peek().is_some_and(|Reverse(h)| h.due <= now) {
            if let Some(Reverse(held)) = self.heap.pop() {
                self.bytes -= held.bytes;
                due.push(held.item);
            }
        }
        due
    }

    /// When the next packet is due, if any is held.
    pub fn next_due(&self) -> Option<Instant> {
        self.heap.peek().map(|Reverse(h)| h.due)
    }

    /// Packets held now.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// The counters so far.
    pub fn counters(&self) -> Counters {
        self.counters
    }
}

/// The direction of an IPv4 packet: the third octet of its source address (the group's
/// subnet, R431), or `None` when the copied bytes are not an IPv4 header.
pub fn direction(header: &[u8]) -> Option<u8> {
    let version = header.first()? >> 4;
    (version == 4).then(|| header.get(14).copied()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: fn(u64) -> Duration = Duration::from_millis;

    fn queue(packets: usize, bytes: usize) -> DelayQueue<u32> {
        DelayQueue::new(MS(30), MS(60), Bounds { packets, bytes })
    }

    #[test]
    fn a_packet_waits_its_drawn_delay_and_not_less() {
        let mut q = queue(10, 10_000);
        let t0 = Instant::now();
        assert_eq!(q.admit(t0, 1, 100, 0.5, 7), None);
        assert!(q.release(t0 + MS(44)).is_empty(), "45 ms not yet over");
        assert_eq!(q.release(t0 + MS(45)), vec![7]);
        assert!(q.is_empty());
    }

    #[test]
    fn delays_stay_within_the_range_for_any_draw() {
        let q = queue(1, 1);
        assert_eq!(q.delay_for(0.0), MS(30));
        assert_eq!(q.delay_for(1.0), MS(60));
        assert_eq!(q.delay_for(-3.0), MS(30));
        assert_eq!(q.delay_for(9.0), MS(60));
    }

    #[test]
    fn a_later_packet_of_the_same_direction_never_overtakes_but_another_direction_may() {
        let mut q = queue(10, 10_000);
        let t0 = Instant::now();
        q.admit(t0, 1, 10, 1.0, 1); // due at 60 ms
        q.admit(t0 + MS(1), 1, 10, 0.0, 2); // drawn 31 ms, held back to 60 ms
        q.admit(t0 + MS(1), 2, 10, 0.0, 3); // other direction: 31 ms
        assert_eq!(q.release(t0 + MS(31)), vec![3]);
        assert_eq!(q.release(t0 + MS(60)), vec![1, 2]);
    }

    #[test]
    fn packets_beyond_the_count_or_byte_bound_are_refused_and_counted() {
        let mut q = queue(2, 250);
        let t0 = Instant::now();
        assert_eq!(q.admit(t0, 1, 100, 0.0, 1), None);
        assert_eq!(q.admit(t0, 1, 200, 0.0, 2), Some(2), "byte bound");
        assert_eq!(q.admit(t0, 1, 100, 0.0, 3), None);
        assert_eq!(q.admit(t0, 1, 10, 0.0, 4), Some(4), "count bound");
        let c = q.counters();
        assert_eq!((c.admitted, c.refused, c.refused_bytes), (2, 2, 210));
        assert_eq!(q.release(t0 + MS(60)).len(), 2);
        assert_eq!(q.admit(t0 + MS(60), 1, 200, 0.0, 5), None, "room again");
    }

    #[test]
    fn the_next_due_time_is_the_earliest() {
        let mut q = queue(10, 10_000);
        let t0 = Instant::now();
        assert_eq!(q.next_due(), None);
        q.admit(t0, 1, 1, 1.0, 1);
        q.admit(t0, 2, 1, 0.0, 2);
        assert_eq!(q.next_due(), Some(t0 + MS(30)));
        assert_eq!(q.len(), 2);
    }

    #[test]
    fn the_direction_is_the_source_subnet_of_an_ipv4_header_only() {
        let mut header = [0u8; 20];
        header[0] = 0x45;
        header[12..16].copy_from_slice(&[10, 77, 2, 11]);
        assert_eq!(direction(&header), Some(2));
        header[0] = 0x60;
        assert_eq!(direction(&header), None, "IPv6");
        assert_eq!(direction(&[0x45, 0, 0]), None, "truncated");
    }
}
