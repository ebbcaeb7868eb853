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

/// Starts `ebl-node start --config HOME/config.toml`, detached, logging to HOME/node.log.
pub fn spawn(node_bin: &Path, home: &Path) -> Result<u32> {
    let log = log_path(home);
    let open = || {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .map_err(TestnetError::io(format!("open {}", log.display())))
    };
    let child = Command::new(node_bin)
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
pub fn alive(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // The state letter follows the command name, which is in parentheses and may hold spaces.
    let state = stat
        .rfind(')')
        .and_then(|i| stat.get(i + 1..))
        .and_then(|rest| rest.split_whitespace().next());
    if matches!(state, Some("Z" | "X") | None) {
        return false;
    }
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|cmd| String::from_utf8_lossy(&cmd).contains("ebl-node"))
        .unwrap_or(false)
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
