//! `ebl-testnet wan-delay` (hidden; `up --netns --wan` starts it inside the router namespace):
//! reads the corridor's packets from an NFQUEUE and accepts each once its delay is over
//! (R435). The schedule is [`super::schedule`]; this is only the netlink loop around it.
// A background helper: its counters go to its log (stdout).
#![allow(clippy::print_stdout)]

use std::time::{Duration, Instant};

use rand::{Rng as _, SeedableRng as _};

use super::host::DELAYER_READY;
use super::schedule::{Bounds, DelayQueue, direction};

/// Arguments of `ebl-testnet wan-delay`.
#[derive(clap::Args, Debug, Clone)]
pub struct DelayArgs {
    /// NFQUEUE number to read.
    #[arg(long, default_value_t = 0)]
    pub queue: u16,
    /// Least one-way delay, ms.
    #[arg(long)]
    pub min_ms: u64,
    /// Most one-way delay, ms.
    #[arg(long)]
    pub max_ms: u64,
    /// Most packets held at once (beyond: dropped and counted).
    #[arg(long, default_value_t = 8_192)]
    pub max_packets: usize,
    /// Most bytes held at once (beyond: dropped and counted).
    #[arg(long, default_value_t = 32 * 1024 * 1024)]
    pub max_bytes: usize,
}

/// How long the loop sleeps when nothing is due sooner: the extra delay a packet may see.
const TICK: Duration = Duration::from_millis(1);

/// How often the counters are logged.
const REPORT_EVERY: Duration = Duration::from_secs(10);

/// Runs until killed (`down`), or fails when the queue cannot be bound or read.
pub fn main(args: &DelayArgs) -> std::io::Result<()> {
    let mut queue = nfq::Queue::open()?;
    queue.bind(args.queue)?;
    // The IPv4 header is all the schedule reads (its source subnet); the verdict leaves the
    // packet unchanged, so nothing more is copied out of the kernel.
    queue.set_copy_range(args.queue, 20)?;
    queue.set_queue_max_len(
        args.queue,
        u32::try_from(args.max_packets).unwrap_or(u32::MAX),
    )?;
    // Fail closed: packets the kernel cannot queue are dropped, never passed undelayed.
    queue.set_fail_open(args.queue, false)?;
    queue.set_nonblocking(true);
    let bounds = Bounds {
        packets: args.max_packets,
        bytes: args.max_bytes,
    };
    let mut held = DelayQueue::new(
        Duration::from_millis(args.min_ms),
        Duration::from_millis(args.max_ms),
        bounds,
    );
    let mut rng = rand::rngs::StdRng::from_entropy();
    println!(
        "{DELAYER_READY} {} ({}–{} ms)",
        args.queue, args.min_ms, args.max_ms
    );
    let mut reported = Instant::now();
    loop {
        loop {
            match queue.recv() {
                Ok(msg) => {
                    let dir = direction(msg.get_payload()).unwrap_or(0);
                    let bytes = msg.get_original_len();
                    let u: f64 = rng.r#gen();
                    if let Some(mut refused) = held.admit(Instant::now(), dir, bytes, u, msg) {
                        refused.set_verdict(nfq::Verdict::Drop);
                        queue.verdict(refused)?;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) => return Err(e),
            }
        }
        for mut msg in held.release(Instant::now()) {
            msg.set_verdict(nfq::Verdict::Accept);
            queue.verdict(msg)?;
        }
        if reported.elapsed() >= REPORT_EVERY {
            reported = Instant::now();
            let c = held.counters();
            println!(
                "wan-delay: admitted {} refused {} ({} bytes) deepest {} held {}",
                c.admitted,
                c.refused,
                c.refused_bytes,
                c.deepest,
                held.len()
            );
        }
        let wait = held
            .next_due()
            .map_or(TICK, |due| due.saturating_duration_since(Instant::now()))
            .min(TICK);
        std::thread::sleep(wait);
    }
}
