//! What the process tests share: running `ebl-testnet` commands with a bound on their time,
//! finding the `ebl-node` binary, and a testnet folder whose nodes are stopped when the test
//! ends, pass or fail. Each test file uses a part of it.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ebl_testnet::state::TestnetState;

pub mod netns;

pub const TESTNET: &str = env!("CARGO_BIN_EXE_ebl-testnet");

/// What a finished command printed.
pub struct Run {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `ebl-testnet ARGS` with its output in files (no pipe can fill up), killed when it
/// exceeds `bound`.
pub fn testnet(work: &Path, args: &[&str], bound: Duration) -> Run {
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
pub fn succeeds(work: &Path, args: &[&str], secs: u64) -> Run {
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
pub fn refused(work: &Path, args: &[&str], secs: u64, words: &[&str]) -> Run {
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
pub fn node_binary() -> PathBuf {
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
pub struct Cleanup(pub PathBuf);

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
pub struct Fixture {
    // Declared first so that it drops (stopping the nodes) before the folder is removed.
    pub cleanup: Cleanup,
    pub work: tempfile::TempDir,
}

impl Fixture {
    pub fn new() -> Self {
        let work = tempfile::tempdir().unwrap();
        let cleanup = Cleanup(work.path().join("testnet"));
        Self { cleanup, work }
    }

    /// The testnet folder.
    pub fn dir(&self) -> &Path {
        &self.cleanup.0
    }

    /// `--dir DIR` followed by `args`.
    pub fn args<'a>(&'a self, args: &[&'a str]) -> Vec<&'a str> {
        let mut all = vec!["--dir", self.dir().to_str().unwrap()];
        all.extend_from_slice(args);
        all
    }

    /// Runs `ebl-testnet --dir DIR ARGS` and asserts that it succeeded.
    pub fn succeeds(&self, args: &[&str], secs: u64) -> Run {
        succeeds(self.work.path(), &self.args(args), secs)
    }

    /// Runs `ebl-testnet --dir DIR ARGS` and asserts that it failed, saying all of `words`.
    pub fn refused(&self, args: &[&str], secs: u64, words: &[&str]) -> Run {
        refused(self.work.path(), &self.args(args), secs, words)
    }

    /// Runs `ebl-testnet --dir DIR ARGS`, whatever its outcome.
    pub fn run(&self, args: &[&str], secs: u64) -> Run {
        testnet(
            self.work.path(),
            &self.args(args),
            Duration::from_secs(secs),
        )
    }
}
