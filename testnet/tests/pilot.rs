//! The testnet as a partner (and CI) runs it: `ebl-testnet up` starts four `ebl-node`
//! processes on 127.0.0.1, `scenario pilot` runs the eight steps of issue 6 through their
//! gateways, `status` reports them, `down --clean` stops them and removes the folder. Every
//! command is a separate process with a bound on its run time.
//!
//! The `ebl-node` binary is found next to this package's `ebl-testnet` binary (the same target
//! folder; scripts/test.sh builds it first) or named by EBL_NODE_BIN; when neither exists the
//! test builds it with cargo into that target folder.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ebl_testnet::state::TestnetState;

const TESTNET: &str = env!("CARGO_BIN_EXE_ebl-testnet");

/// What a finished command printed.
struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

/// Runs `ebl-testnet ARGS` with its output in files (no pipe can fill up), killed when it
/// exceeds `bound`.
fn testnet(work: &Path, args: &[&str], bound: Duration) -> Run {
    let out = work.join("cmd.out");
    let err = work.join("cmd.err");
    let mut child = Command::new(TESTNET)
        .args(args)
        .env("EBL_NODE_BIN", node_binary())
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > bound {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "`ebl-testnet {}` took more than {} s\nstdout:\n{}\nstderr:\n{}",
                args.join(" "),
                bound.as_secs(),
                std::fs::read_to_string(&out).unwrap_or_default(),
                std::fs::read_to_string(&err).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let run = Run {
        ok: status.success(),
        stdout: std::fs::read_to_string(&out).unwrap(),
        stderr: std::fs::read_to_string(&err).unwrap(),
    };
    println!(
        "$ ebl-testnet {}\n{}{}",
        args.join(" "),
        run.stdout,
        run.stderr
    );
    run
}

/// Runs `ebl-testnet ARGS` within `secs` seconds and asserts that it succeeded.
fn succeeds(work: &Path, args: &[&str], secs: u64) -> Run {
    let run = testnet(work, args, Duration::from_secs(secs));
    assert!(
        run.ok,
        "`ebl-testnet {}` failed: {}",
        args.join(" "),
        run.stderr
    );
    run
}

/// Runs `ebl-testnet ARGS` within `secs` seconds and asserts that it failed with every one of
/// `words` in its stderr.
fn refused(work: &Path, args: &[&str], secs: u64, words: &[&str]) -> Run {
    let run = testnet(work, args, Duration::from_secs(secs));
    assert!(!run.ok, "`ebl-testnet {}` succeeded", args.join(" "));
    assert!(
        words.iter().all(|word| run.stderr.contains(word)),
        "{}",
        run.stderr
    );
    run
}

/// The ebl-node binary: EBL_NODE_BIN, else next to ebl-testnet, built there if absent.
fn node_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("EBL_NODE_BIN") {
        return PathBuf::from(path);
    }
    let bin_dir = Path::new(TESTNET).parent().unwrap();
    let node = bin_dir.join("ebl-node");
    if !node.is_file() && bin_dir.file_name().is_some_and(|n| n == "debug") {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
        let status = Command::new(cargo)
            .args([
                "build",
                "-p",
                "ebl-node",
                "--bin",
                "ebl-node",
                "--manifest-path",
            ])
            .arg(manifest)
            .arg("--target-dir")
            .arg(bin_dir.parent().unwrap())
            .status()
            .unwrap();
        assert!(status.success(), "cargo build -p ebl-node failed");
    }
    node
}

/// Stops whatever the testnet in `dir` still runs when the test ends, pass or fail.
struct Cleanup(PathBuf);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let Ok(state) = TestnetState::load(&self.0) else {
            return;
        };
        for node in &state.nodes {
            if std::thread::panicking() {
                // The nodes' own words are what explains a failure.
                let log = std::fs::read_to_string(node.home.join("node.log")).unwrap_or_default();
                let lines: Vec<&str> = log.lines().collect();
                let tail = lines[lines.len().saturating_sub(40)..].join("\n");
                println!("--- last lines of {} ---\n{tail}", node.name);
            }
            if let Some(pid) = node.pid {
                let _ = ebl_testnet::process::hard_kill(pid);
            }
        }
    }
}

/// A work folder with a testnet folder in it whose nodes are stopped when the test ends.
struct Fixture {
    // Declared first so that it drops (stopping the nodes) before the folder is removed.
    cleanup: Cleanup,
    work: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Self {
        let work = tempfile::tempdir().unwrap();
        let cleanup = Cleanup(work.path().join("testnet"));
        Self { cleanup, work }
    }

    /// The testnet folder.
    fn dir(&self) -> &Path {
        &self.cleanup.0
    }

    /// `--dir DIR` followed by `args`.
    fn args<'a>(&'a self, args: &[&'a str]) -> Vec<&'a str> {
        let mut all = vec!["--dir", self.dir().to_str().unwrap()];
        all.extend_from_slice(args);
        all
    }

    /// Runs `ebl-testnet --dir DIR ARGS` and asserts that it succeeded.
    fn succeeds(&self, args: &[&str], secs: u64) -> Run {
        succeeds(self.work.path(), &self.args(args), secs)
    }

    /// Runs `ebl-testnet --dir DIR ARGS` and asserts that it failed, saying all of `words`.
    fn refused(&self, args: &[&str], secs: u64, words: &[&str]) -> Run {
        refused(self.work.path(), &self.args(args), secs, words)
    }

    /// Runs `ebl-testnet --dir DIR ARGS`, whatever its outcome.
    fn run(&self, args: &[&str], secs: u64) -> Run {
        testnet(
            self.work.path(),
            &self.args(args),
            Duration::from_secs(secs),
        )
    }
}

#[test]
fn up_runs_the_pilot_scenario_through_four_node_processes_and_down_cleans_everything() {
    let net = Fixture::new();

    let up = net.succeeds(&["up", "--validators", "4"], 120);
    assert!(up.stdout.contains("is up"), "{}", up.stdout);
    let state = TestnetState::load(net.dir()).unwrap();
    assert_eq!(state.nodes.len(), 4);
    assert!(
        state
            .nodes
            .iter()
            .all(|n| n.pid.is_some_and(ebl_testnet::process::alive))
    );
    for org in &state.orgs {
        assert_eq!(org.api_key.len(), 64, "{} has an API key", org.id);
        assert!(
            up.stdout.contains(&org.api_key),
            "{}'s key is printed",
            org.id
        );
    }

    let pilot = net.succeeds(&["scenario", "pilot"], 240);
    assert!(
        pilot.stdout.contains("pilot scenario passed: 8 of 8 steps"),
        "{}",
        pilot.stdout
    );
    assert!(
        pilot.stdout.contains("rejected: NOT_HOLDER"),
        "{}",
        pilot.stdout
    );

    let status = net.succeeds(&["status"], 30);
    assert_eq!(
        status.stdout.matches(" running ").count(),
        4,
        "{}",
        status.stdout
    );

    net.succeeds(&["down", "--clean"], 60);
    assert!(!net.dir().exists(), "down --clean removes the folder");
    for node in &state.nodes {
        let pid = ebl_testnet::state::NodeInfo::clone(node).pid.unwrap();
        assert!(!ebl_testnet::process::alive(pid), "{} stopped", node.name);
    }
}

#[test]
fn the_scenario_refuses_to_run_while_a_node_is_down_and_runs_again_after_restart() {
    let net = Fixture::new();
    net.succeeds(&["up", "--validators", "1"], 120);

    net.succeeds(&["kill", "0"], 30);
    net.refused(&["scenario", "pilot"], 30, &["[USAGE]", "0 of 1 nodes run"]);
    let status = net.run(&["status"], 30);
    assert!(status.stdout.contains(" stopped "), "{}", status.stdout);

    net.succeeds(&["restart", "0"], 90);
    net.succeeds(&["scenario", "pilot"], 240);
    net.succeeds(&["down", "--clean"], 60);
}

#[test]
fn up_refuses_a_folder_in_use_a_missing_node_binary_and_taken_ports_and_status_needs_a_testnet() {
    let work = tempfile::tempdir().unwrap();
    let busy = work.path().join("busy");
    std::fs::create_dir_all(&busy).unwrap();
    std::fs::write(busy.join("notes.txt"), "mine").unwrap();
    let b = busy.to_str().unwrap();
    refused(
        work.path(),
        &["--dir", b, "up"],
        30,
        &["[USAGE]", "not empty"],
    );
    assert_eq!(
        std::fs::read_to_string(busy.join("notes.txt")).unwrap(),
        "mine"
    );

    let fresh = work.path().join("fresh");
    let f = fresh.to_str().unwrap();
    let no_node = ["--dir", f, "up", "--node-bin", "/nonexistent/ebl-node"];
    refused(work.path(), &no_node, 30, &["[NODE_BINARY]"]);
    assert!(!fresh.join("testnet.json").exists(), "nothing is written");

    let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = held.local_addr().unwrap().port().to_string();
    let taken = ["--dir", f, "up", "--validators", "1", "--base-port", &port];
    refused(work.path(), &taken, 30, &["[USAGE]", "in use"]);
    assert!(!fresh.join("testnet.json").exists(), "nothing is written");

    let status = ["--dir", f, "status"];
    refused(work.path(), &status, 30, &["[STATE]", "no testnet"]);
}
