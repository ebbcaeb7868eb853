//! `ebl-wallet import DIR` killed with SIGKILL in the middle of a bulk import, then run again:
//! every document must end up issued exactly once (none twice, none missing), and the state
//! file must never be torn, whenever the kill lands.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod server;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use ebl_ledger::ebl::EblAction;
use ebl_ledger::entry::Body;
use ebl_ledger::storage::Storage;
use serde_json::Value;
use server::{API_KEY, online, run_json, sandbox_with, start, variant};

const FILES: usize = 60;
/// Finished files after which the first run is killed.
const KILL_AFTER: usize = 5;

/// The import as a child process (same environment as `Sandbox::wallet`).
fn spawn_import(sb: &common::Sandbox, url: &str, dir: &Path) -> Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("ebl-wallet"))
        .current_dir(sb.dir.path())
        .env_remove("EBL_WALLET_PASSPHRASE")
        .env_remove("EBL_WALLET_IDENTITY")
        .env_remove("EBL_GATEWAY")
        .env_remove("EBL_API_KEY")
        .env("EBL_WALLET_DIR", sb.keystore())
        .env("EBL_WALLET_INSECURE_FAST_KDF", "1")
        .arg("--passphrase-file")
        .arg(sb.path("pass.txt"))
        .args(["--gateway", url, "--api-key", API_KEY])
        .args(["--json", "--identity", "CARRIER", "import"])
        .arg(dir)
        .args(["--issue-to", "SHIPPER"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Files the state file records as finished; the file must always parse (atomic rename).
fn finished(dir: &Path) -> BTreeSet<String> {
    let Ok(bytes) = std::fs::read(dir.join(".ebl-import-state.json")) else {
        return BTreeSet::new();
    };
    let state: Value = serde_json::from_slice(&bytes).expect("the state file is never torn");
    state["files"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, f)| f["status"] == "final")
        .map(|(name, _)| name.clone())
        .collect()
}

#[test]
fn an_import_killed_midway_issues_every_document_exactly_once_when_rerun() {
    let srv = start();
    let sb = sandbox_with(&["CARRIER"]);
    let dir = sb.path("outbox");
    std::fs::create_dir(&dir).unwrap();
    let names: BTreeSet<String> = (0..FILES).map(|i| format!("td-{i:03}.json")).collect();
    for (i, name) in names.iter().enumerate() {
        variant(&dir.join(name), &format!("KILL-REF-{i:03}"));
    }

    let mut child = spawn_import(&sb, &srv.url, &dir);
    let deadline = Instant::now() + Duration::from_secs(60);
    let before_kill = loop {
        let done = finished(&dir);
        if done.len() >= KILL_AFTER {
            child.kill().unwrap();
            child.wait().unwrap();
            break done;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import ended before it could be killed"
        );
        assert!(Instant::now() < deadline, "no progress within 60 s");
        std::thread::sleep(Duration::from_millis(2));
    };
    // What the state file says after the kill (the child may have finished more files between
    // the last poll and the kill).
    let after_kill = finished(&dir);
    assert!(after_kill.is_superset(&before_kill));
    assert!(
        after_kill.len() < FILES,
        "killed too late to test resumption"
    );

    let (code, v, err) = run_json(
        online(&sb, &srv)
            .args(["--json", "--identity", "CARRIER", "import"])
            .arg(&dir)
            .args(["--issue-to", "SHIPPER"]),
    );
    assert_eq!(code, 0, "{v}{err}");
    assert_eq!(v["total"], FILES, "{v}");
    assert_eq!(v["failed"], Value::Array(Vec::new()), "{v}");
    assert_eq!(v["pending"], Value::Array(Vec::new()), "{v}");
    let issued: BTreeSet<String> = v["issued"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["file"].as_str().unwrap().to_string())
        .collect();
    let skipped: BTreeSet<String> = v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    assert!(issued.is_disjoint(&skipped), "{v}");
    assert_eq!(&issued | &skipped, names, "{v}");
    assert!(skipped.is_superset(&after_kill), "{v}");
    assert_eq!(finished(&dir), names);

    // The ledger: exactly one ISSUE per document, all applied, no failed attempt.
    let state: Value =
        serde_json::from_slice(&std::fs::read(dir.join(".ebl-import-state.json")).unwrap())
            .unwrap();
    let expected: BTreeSet<String> = names
        .iter()
        .map(|n| {
            state["files"][n]["document_id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(expected.len(), FILES);
    let issues = srv.node.with(|net| {
        let store = net.ledger.store();
        let mut issues: BTreeMap<String, usize> = BTreeMap::new();
        for height in 1..=net.ledger.head().height {
            let block = store.block(height).unwrap().unwrap();
            for (entry, result) in block.block.entries.iter().zip(&block.results) {
                if let Body::Ebl(EblAction::Issue(issue)) = &entry.entry().body {
                    assert!(
                        matches!(result.outcome, ebl_ledger::block::Outcome::Applied),
                        "a second ISSUE of {} was attempted: {:?}",
                        issue.document,
                        result.outcome
                    );
                    *issues.entry(issue.document.to_hex()).or_default() += 1;
                }
            }
        }
        issues
    });
    assert_eq!(issues.keys().cloned().collect::<BTreeSet<_>>(), expected);
    assert!(issues.values().all(|n| *n == 1), "{issues:?}");
}
