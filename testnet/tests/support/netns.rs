//! What the namespaced tests share: whether this machine can run them, and a teardown that
//! removes a testnet's namespaces when a test ends early.

use std::process::Command;

use ebl_testnet::netns::Layout;

/// Why this machine cannot run namespaced testnets, if it cannot.
pub fn unsupported() -> Option<String> {
    if !nix::unistd::geteuid().is_root() {
        return Some("not root".into());
    }
    // One name per call: the tests of a file probe in parallel from one process.
    static PROBES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = PROBES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let probe = format!("eblprobe{}-{n}", std::process::id());
    let added = Command::new("ip").args(["netns", "add", &probe]).output();
    match added {
        Ok(out) if out.status.success() => {
            let _ = Command::new("ip").args(["netns", "del", &probe]).output();
        }
        Ok(out) => {
            return Some(format!(
                "`ip netns add` failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Err(e) => return Some(format!("no `ip` command: {e}")),
    }
    if Command::new("iptables-legacy").arg("-V").output().is_err() {
        return Some("no iptables-legacy (Debian package `iptables`)".into());
    }
    None
}

/// Returns from the test, after saying why, when the machine cannot run namespaced testnets.
#[macro_export]
macro_rules! skip_unless_netns {
    () => {
        if let Some(why) = support::netns::unsupported() {
            println!("SKIPPED: namespaced testnets need root and network namespaces here: {why}");
            return;
        }
    };
}

/// Removes the testnet's namespaces when a test ends early (a failed assertion).
pub struct Teardown(pub Layout);

impl Drop for Teardown {
    fn drop(&mut self) {
        let _ = ebl_testnet::netns::host::teardown(&self.0);
    }
}
