//! Issue 14: `ebl-testnet scenario pint --kill-sender` — one bill between two independent
//! networks (two `ebl-node dev` processes, chains `ebl-pint-a` and `ebl-pint-b`, platforms EBLA
//! and EBLB) by DCSA PINT 3.0, with the sending node killed (SIGKILL) between sending and
//! recording the answer; the run checks every step on both ledgers and that each move was
//! recorded exactly once.
//!
//! The node binary is the `ebl-node` next to `ebl-testnet` (scripts/test.sh builds it with
//! `--features dev`) or EBL_NODE_BIN; without the feature the test builds it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

const TESTNET: &str = env!("CARGO_BIN_EXE_ebl-testnet");

fn node_binary() -> PathBuf {
    std::env::var_os("EBL_NODE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(TESTNET).parent().unwrap().join("ebl-node"))
}

fn build_with_dev(node: &Path) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
    let target = node.parent().unwrap().parent().unwrap();
    let status = Command::new(cargo)
        .args([
            "build",
            "-p",
            "ebl-node",
            "--bin",
            "ebl-node",
            "--features",
            "dev",
        ])
        .arg("--manifest-path")
        .arg(manifest)
        .arg("--target-dir")
        .arg(target)
        .status()
        .unwrap();
    assert!(
        status.success(),
        "cargo build -p ebl-node --features dev failed"
    );
}

fn scenario(dir: &Path, node: &Path) -> std::process::Output {
    Command::new(TESTNET)
        .arg("--dir")
        .arg(dir)
        .args(["scenario", "pint", "--kill-sender", "--node-bin"])
        .arg(node)
        .output()
        .unwrap()
}

#[test]
fn a_bill_goes_to_another_network_and_back_through_a_kill_minus_9_of_the_sender() {
    let dir = tempfile::tempdir().unwrap();
    let node = node_binary();
    if !node.is_file() {
        build_with_dev(&node);
    }
    let mut output = scenario(dir.path(), &node);
    let text = |o: &std::process::Output| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    };
    let logs = || {
        ["EBLA", "EBLB"]
            .iter()
            .map(|code| {
                let log = dir.path().join("pint").join(code).join("node.log");
                let tail: String = std::fs::read_to_string(log).unwrap_or_default();
                let start = tail.len().saturating_sub(4000);
                format!("--- {code} ---\n{}", &tail[start..])
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    if !output.status.success() && logs().contains("--features dev") {
        build_with_dev(&node);
        output = scenario(dir.path(), &node);
    }
    let printed = text(&output);
    assert!(output.status.success(), "{printed}\n{}", logs());
    assert!(printed.contains("each move recorded once"), "{printed}");
    assert!(printed.contains("kill -9 EBLA"), "{printed}");
}
