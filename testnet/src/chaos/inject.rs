//! Carries out the fault plan on the testnet's processes (R361): SIGKILL and restart on the
//! same data folder, SIGSTOP and SIGCONT. Every fault is healed before the next one starts,
//! and a frozen node is thawed even when the soak itself fails.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use super::plan::{Fault, FaultKind};
use crate::error::{Result, TestnetError};
use crate::ops;
use crate::state::TestnetState;

/// Bound on a restarted node's gateway answering again.
const RESTART_BOUND: Duration = Duration::from_secs(60);

/// Runs `faults` (offsets from `start`) on `state`'s nodes until done or `stop` is set;
/// returns how many of each kind were injected. `state` keeps the restarted nodes' pids.
pub fn run(
    state: &mut TestnetState,
    faults: &[Fault],
    start: Instant,
    stop: &AtomicBool,
) -> Result<BTreeMap<FaultKind, u64>> {
    let mut injected = BTreeMap::new();
    for fault in faults {
        if !sleep_until(start + fault.at, stop) {
            break;
        }
        let name = state.nodes[fault.node].name.clone();
        eprintln!(
            "chaos: {:>6.1}s {:?} {name} for {} ms",
            fault.at.as_secs_f64(),
            fault.kind,
            fault.hold.as_millis()
        );
        match fault.kind {
            FaultKind::Kill => {
                ops::kill(state, fault.node)?;
                sleep_until(Instant::now() + fault.hold, stop);
                ops::restart(state, fault.node, RESTART_BOUND)?;
            }
            FaultKind::Pause => {
                let pid = running_pid(state, fault.node)?;
                let _thaw = Frozen::new(pid)?;
                sleep_until(Instant::now() + fault.hold, stop);
            }
        }
        *injected.entry(fault.kind).or_insert(0) += 1;
    }
    Ok(injected)
}

/// Sleeps until `deadline` in small steps; false when `stop` was set first.
fn sleep_until(deadline: Instant, stop: &AtomicBool) -> bool {
    while Instant::now() < deadline {
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50).min(deadline - Instant::now()));
    }
    !stop.load(Ordering::Relaxed)
}

fn running_pid(state: &TestnetState, node: usize) -> Result<Pid> {
    let pid = state.nodes[node]
        .pid
        .ok_or_else(|| TestnetError::Usage(format!("{} is not running", state.nodes[node].name)))?;
    let pid = i32::try_from(pid).map_err(|_| TestnetError::Usage(format!("pid {pid}")))?;
    Ok(Pid::from_raw(pid))
}

/// A process frozen with SIGSTOP; dropping it sends SIGCONT, on every path out.
struct Frozen(Pid);

impl Frozen {
    fn new(pid: Pid) -> Result<Self> {
        kill(pid, Signal::SIGSTOP)
            .map_err(|e| TestnetError::Setup(format!("SIGSTOP {pid}: {e}")))?;
        Ok(Frozen(pid))
    }
}

impl Drop for Frozen {
    fn drop(&mut self) {
        // A process that is gone needs no thawing; nothing else can fail here.
        let _ = kill(self.0, Signal::SIGCONT);
    }
}
