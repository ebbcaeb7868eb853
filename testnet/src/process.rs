//! Starting and stopping `ebl-node` processes.
//!
//! Nodes run detached: their own process group (a Ctrl-C in the terminal that ran `up` does not
//! reach them), stdin from /dev/null, stdout and stderr appended to `node.log` in their home. So
//! they outlive `up`, and later commands (`down`, `kill`, `restart`) find them by the pid kept
//! in testnet.json, checked against /proc so that a recycled pid is never signalled.

use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::error::{Result, TestnetError};
use crate::home::{config_path, log_path};

/// How long `stop` waits after the graceful signal before SIGKILL.
pub const STOP_GRACE: Duration = Duration::from_secs(10);

/// The environment variable naming the `ebl-node` binary.
pub const NODE_BIN_ENV: &str = "EBL_NODE_BIN";

/// The `ebl-node` binary: `explicit` (from --node-bin or EBL_NODE_BIN), else the one next to
/// this executable (the same cargo target folder).
pub fn node_binary(explicit: Option<PathBuf>) -> Result<PathBuf> {
    let path = match explicit {
        Some(path) => path,
        None => std::env::current_exe()
            .map_err(TestnetError::io("locate the ebl-testnet executable"))?
            .with_file_name("ebl-node"),
    };
    if path.is_file() {
        Ok(path)
    } else {
        Err(TestnetError::NodeBinary(path))
    }
}

/// Starts `ebl-node start --config HOME/config.toml`, detached, logging to HOME/node.log; with a
/// `namespace`, inside that network namespace by `ip netns exec`, which execs the node, so the
/// pid returned is the node's own (R430).
pub fn spawn(node_bin: &Path, home: &Path, namespace: Option<&str>) -> Result<u32> {
    let log = log_path(home);
    let open = || {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .map_err(TestnetError::io(format!("open {}", log.display())))
    };
    let mut command = match namespace {
        Some(ns) => {
            let mut ip = Command::new("ip");
            ip.args(["netns", "exec", ns]).arg(node_bin);
            ip
        }
        None => Command::new(node_bin),
    };
    let child = command
        .arg("start")
        .arg("--config")
        .arg(config_path(home))
        .current_dir(home)
        .stdin(Stdio::null())
        .stdout(open()?)
        .stderr(open()?)
        // Plain text in the log file (tracing colours its output unless NO_COLOR is set).
        .env("NO_COLOR", "1")
        .process_group(0)
        .spawn()
        .map_err(TestnetError::io(format!("start {}", node_bin.display())))?;
    // Dropping the handle neither kills nor waits: the node keeps running; once this command
    // exits it is adopted (and eventually reaped) by init.
    Ok(child.id())
}

/// Whether `pid` is a live (not zombie) `ebl-node` process.
///
/// The name is read from `/proc/<pid>/stat` (the kernel's copy of the executable's name), with
/// the command line only as a second witness: a live node was once judged gone while its
/// `cmdline` read came back without its name, and a node judged gone is reported as crashed.
pub fn alive(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    let Some((name, state)) = name_and_state(&stat) else {
        return false;
    };
    if matches!(state, "Z" | "X" | "x") {
        return false;
    }
    name.starts_with(NODE_NAME)
        || std::fs::read(format!("/proc/{pid}/cmdline"))
            .is_ok_and(|cmd| String::from_utf8_lossy(&cmd).contains(NODE_NAME))
}

/// The executable name every node process carries.
const NODE_NAME: &str = "ebl-node";

/// The command name and state letter of a `/proc/<pid>/stat` line. The name sits in
/// parentheses and may itself hold spaces and parentheses, so it ends at the *last* `)`.
fn name_and_state(stat: &str) -> Option<(&str, &str)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let name = stat.get(open + 1..close)?;
    let state = stat.get(close + 1..)?.split_whitespace().next()?;
    Some((name, state))
}

fn signal(pid: u32, sig: Signal) -> Result<()> {
    let raw = i32::try_from(pid).map_err(|_| TestnetError::Usage(format!("bad pid {pid}")))?;
    match kill(Pid::from_raw(raw), sig) {
        Ok(()) | Err(nix::errno::Errno::ESRCH) => Ok(()),
        Err(e) => Err(TestnetError::Io {
            what: format!("send {sig} to {pid}"),
            source: std::io::Error::from(e),
        }),
    }
}

/// SIGKILL to a helper process that is not a node (the caller has checked what it is).
pub fn signal_any(pid: u32) -> Result<()> {
    signal(pid, Signal::SIGKILL)
}

/// Waits until `pid` is gone, at most `bound`.
pub fn wait_gone(pid: u32, bound: Duration) -> bool {
    let start = Instant::now();
    while alive(pid) {
        if start.elapsed() >= bound {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    true
}

/// Stops a node: SIGTERM (the node's graceful shutdown: it stops the gateway and closes its
/// store), then, if it is still there after [`STOP_GRACE`], SIGKILL.
pub fn stop(pid: u32) -> Result<()> {
    if !alive(pid) {
        return Ok(());
    }
    signal(pid, Signal::SIGTERM)?;
    if wait_gone(pid, STOP_GRACE) {
        return Ok(());
    }
    hard_kill(pid)
}

/// SIGKILL, then waits (bounded) until the process is gone.
pub fn hard_kill(pid: u32) -> Result<()> {
    if !alive(pid) {
        return Ok(());
    }
    signal(pid, Signal::SIGKILL)?;
    if wait_gone(pid, Duration::from_secs(5)) {
        Ok(())
    } else {
        Err(TestnetError::Timeout {
            what: format!("process {pid} to end after SIGKILL"),
            seconds: 5,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stat_line_gives_name_and_state_even_with_parentheses_in_the_name() {
        let stat = "4242 (ebl-node) S 1 4242 4242 0 -1 4194560 1234";
        assert_eq!(name_and_state(stat), Some(("ebl-node", "S")));
        let odd = "7 (a) (b c) Z 1 7";
        assert_eq!(name_and_state(odd), Some(("a) (b c", "Z")));
        assert_eq!(name_and_state("garbage"), None);
        assert_eq!(name_and_state("1 (x)"), None);
    }

    #[test]
    fn a_running_process_named_ebl_node_is_alive_until_it_is_killed_and_reaped() {
        let dir = tempfile::tempdir().unwrap();
        let fake = dir.path().join(NODE_NAME);
        std::fs::copy("/bin/sleep", &fake).unwrap();
        let mut child = Command::new(&fake).arg("30").spawn().unwrap();
        let pid = child.id();
        assert!(alive(pid));
        signal(pid, Signal::SIGKILL).unwrap();
        // Killed but not yet reaped: a zombie is not a running node.
        let start = Instant::now();
        while alive(pid) && start.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(!alive(pid), "a zombie counts as gone");
        child.wait().unwrap();
        assert!(!alive(pid));
    }

    #[test]
    fn another_program_or_no_process_is_not_a_node() {
        // This test binary is alive but is not a node; pid 0 is never a process.
        assert!(!alive(std::process::id()));
        assert!(!alive(0));
    }
}
