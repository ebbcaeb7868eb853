//! The edge of the namespaced testnet: runs the commands [`super::layout`] decides, checks
//! that this process may, starts the delayer, and takes everything down again (R430, R434).

use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::NetnsError;
use super::layout::{Layout, QUEUE_NUM, range_in_use};
use super::profile::WanProfile;

/// The `iptables` of the legacy (xtables) backend: this project's kernels lack nft's `queue`
/// expression, and `NFQUEUE` plus `statistic` are what shape the corridor (ADR 0048).
pub const IPTABLES: &str = "iptables-legacy";

/// R430: a namespaced testnet needs root (CAP_NET_ADMIN over the host's namespace); `euid` is
/// this process's effective user id.
pub fn require_root(euid: u32) -> Result<(), NetnsError> {
    if euid == 0 {
        Ok(())
    } else {
        Err(NetnsError::NotRoot { euid })
    }
}

/// The effective user id of this process.
pub fn effective_uid() -> u32 {
    nix::unistd::geteuid().as_raw()
}

/// Runs `program args`, failing with its stderr.
pub fn run(program: &str, args: &[String]) -> Result<String, NetnsError> {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|source| NetnsError::Tool {
            tool: program.to_string(),
            source,
        })?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(NetnsError::Command {
            command: format!("{program} {}", args.join(" ")),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    }
}

fn ip(args: &[&str]) -> Result<String, NetnsError> {
    let args: Vec<String> = args.iter().map(|a| (*a).to_string()).collect();
    run("ip", &args)
}

/// The namespaces that exist now.
fn existing_namespaces() -> Result<Vec<String>, NetnsError> {
    let listing = ip(&["netns", "list"])?;
    Ok(listing
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect())
}

/// R431: refuses to build over anything of the same names (another testnet of this folder or
/// a leftover of a crashed run), and returns `layout` moved to the first range `10.O.0.0/16`
/// in which the host has no address or route (another testnet's, or the host's own use).
pub fn claim_free(layout: Layout) -> Result<Layout, NetnsError> {
    for tool in ["ip", IPTABLES] {
        run(tool, &["-V".to_string()])?;
    }
    let existing = existing_namespaces()?;
    if let Some(ns) = layout.namespaces().iter().find(|ns| existing.contains(ns)) {
        return Err(NetnsError::Exists(format!(
            "network namespace {ns} (a testnet of this folder, or a leftover of a crashed run: `ebl-testnet down` on that folder or `ip netns del {ns}`)"
        )));
    }
    if ip(&["link", "show", &layout.host_link()]).is_ok() {
        return Err(NetnsError::Exists(format!(
            "interface {}",
            layout.host_link()
        )));
    }
    let used = ip(&["-4", "-o", "addr", "show"])? + &ip(&["-4", "route", "show"])?;
    layout
        .first_free(|octet| range_in_use(&used, octet))
        .ok_or_else(|| {
            NetnsError::Exists(
                "addresses or routes in every range 10.64.0.0/16 – 10.191.0.0/16 on this host"
                    .into(),
            )
        })
}

/// Builds the namespaces, bridges, veths and routes.
pub fn build(layout: &Layout) -> Result<(), NetnsError> {
    for args in layout.build_commands() {
        run("ip", &args)?;
    }
    Ok(())
}

/// Runs `commands` (arguments of `ip`), e.g. those of [`Layout::add_node`].
pub fn run_ip(commands: &[Vec<String>]) -> Result<(), NetnsError> {
    for args in commands {
        run("ip", args)?;
    }
    Ok(())
}

/// Installs the corridor's loss and queue rules in the router namespace.
pub fn shape(layout: &Layout, profile: WanProfile) -> Result<(), NetnsError> {
    for rule in layout.corridor_rules(&profile.shape()) {
        let mut args = vec![
            "netns".into(),
            "exec".into(),
            layout.router(),
            IPTABLES.into(),
        ];
        args.extend(rule);
        run("ip", &args)?;
    }
    Ok(())
}

/// The line the delayer logs once its queue is bound.
pub const DELAYER_READY: &str = "wan-delay: bound queue";

/// Starts the delayer (`ebl-testnet wan-delay`) detached inside the router namespace, logging to
/// `log`, and waits (bounded) until it has bound the queue; returns its pid.
pub fn spawn_delayer(layout: &Layout, profile: WanProfile, log: &Path) -> Result<u32, NetnsError> {
    let exe = std::env::current_exe().map_err(|source| NetnsError::Tool {
        tool: "ebl-testnet".into(),
        source,
    })?;
    let shape = profile.shape();
    let file = || {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .map_err(|source| NetnsError::Tool {
                tool: format!("log {}", log.display()),
                source,
            })
    };
    let mut child = Command::new("ip")
        .args(["netns", "exec", &layout.router()])
        .arg(exe)
        .args(["wan-delay", "--queue", &QUEUE_NUM.to_string()])
        .args(["--min-ms", &shape.min_delay.as_millis().to_string()])
        .args(["--max-ms", &shape.max_delay.as_millis().to_string()])
        .stdin(Stdio::null())
        .stdout(file()?)
        .stderr(file()?)
        .process_group(0)
        .spawn()
        .map_err(|source| NetnsError::Tool {
            tool: "ip netns exec".into(),
            source,
        })?;
    let pid = child.id();
    let start = Instant::now();
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if text.contains(DELAYER_READY) {
            return Ok(pid);
        }
        // The child's own status, not its command line: until `ip` has exec'd the delayer, the
        // forked child still carries this command's line.
        let exited = !matches!(child.try_wait(), Ok(None));
        if exited || start.elapsed() > Duration::from_secs(10) {
            return Err(NetnsError::Delayer(
                text.lines().last().unwrap_or("").to_string(),
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whether `pid` is a live delayer (checked by its command line, so a recycled pid is never
/// signalled).
pub fn delayer_alive(pid: u32) -> bool {
    let Ok(cmd) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
        return false;
    };
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let zombie = stat
        .rsplit_once(')')
        .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'));
    !zombie && String::from_utf8_lossy(&cmd).contains("wan-delay")
}

/// R434: removes everything `layout` names, whatever of it exists (idempotent; safe after a
/// crash at any point of `up`): every process left in the testnet's namespaces (they are the
/// testnet's own), the namespaces (and with them the bridges, veths and firewall rules inside),
/// and the host's uplink end (and with it its route). Returns what it removed.
pub fn teardown(layout: &Layout) -> Result<Vec<String>, NetnsError> {
    let mut removed = Vec::new();
    let existing = existing_namespaces()?;
    for ns in layout
        .namespaces()
        .iter()
        .filter(|ns| existing.contains(ns))
    {
        let pids = ip(&["netns", "pids", ns]).unwrap_or_default();
        for pid in pids.lines().filter_map(|p| p.trim().parse::<i32>().ok()) {
            let pid = nix::unistd::Pid::from_raw(pid);
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
        }
        ip(&["netns", "del", ns])?;
        removed.push(format!("namespace {ns}"));
    }
    let link = layout.host_link();
    if ip(&["link", "show", &link]).is_ok() {
        ip(&["link", "del", &link])?;
        removed.push(format!("interface {link}"));
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_may_build_a_namespaced_testnet_and_anyone_else_gets_the_typed_error() {
        assert!(require_root(0).is_ok());
        let err = require_root(1000).err();
        assert!(
            matches!(err, Some(NetnsError::NotRoot { euid: 1000 })),
            "{err:?}"
        );
        let text = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(text.contains("root"), "{text}");
    }

    #[test]
    fn a_missing_tool_is_named() {
        let err = run("/nonexistent/ip", &[]).err();
        assert!(matches!(err, Some(NetnsError::Tool { .. })), "{err:?}");
    }

    #[test]
    fn this_test_process_is_not_a_delayer() {
        assert!(!delayer_alive(std::process::id()));
        assert!(!delayer_alive(0));
    }
}
