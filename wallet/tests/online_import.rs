//! `ebl-wallet import DIR` against the real gateway router (testkit LocalNode): bulk issuance,
//! reruns that skip finished files, resumption after an interruption, failures with reasons.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod server;

use std::path::Path;

use serde_json::Value;
use server::{online, run_json, sandbox_with, start, variant};

fn import(sb: &common::Sandbox, srv: &server::Server, dir: &Path) -> (i32, Value, String) {
    run_json(
        online(sb, srv)
            .args(["--json", "--identity", "CARRIER", "import"])
            .arg(dir)
            .args(["--issue-to", "SHIPPER"]),
    )
}

fn state(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join(".ebl-import-state.json")).unwrap()).unwrap()
}

#[test]
fn bulk_import_issues_every_file_and_a_rerun_skips_them() {
    let srv = start();
    let sb = sandbox_with(&["CARRIER"]);
    let dir = sb.path("outbox");
    std::fs::create_dir(&dir).unwrap();
    for i in 1..=3 {
        variant(&dir.join(format!("td-{i}.json")), &format!("BULK-REF-{i}"));
    }
    let (code, v, err) = import(&sb, &srv, &dir);
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["issued"].as_array().unwrap().len(), 3, "{v}");
    assert_eq!(v["failed"].as_array().unwrap().len(), 0, "{v}");
    let st = state(&dir);
    for i in 1..=3 {
        let f = &st["files"][format!("td-{i}.json")];
        assert_eq!(f["status"], "final", "{st}");
        let (c, shown, e) = run_json(online(&sb, &srv).args([
            "--json",
            "show",
            f["document_id"].as_str().unwrap(),
        ]));
        assert_eq!(c, 0, "{e}");
        assert_eq!(shown["reference"], format!("BULK-REF-{i}"));
    }

    let (code, v, err) = import(&sb, &srv, &dir);
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["issued"].as_array().unwrap().len(), 0, "{v}");
    assert_eq!(v["skipped"].as_array().unwrap().len(), 3, "{v}");
}

#[test]
fn an_interrupted_import_resumes_where_it_stopped() {
    let srv = start();
    let sb = sandbox_with(&["CARRIER"]);
    let dir = sb.path("outbox");
    std::fs::create_dir(&dir).unwrap();
    variant(&dir.join("a.json"), "RESUME-A");
    let (code, _, err) = import(&sb, &srv, &dir);
    assert_eq!(code, 0, "{err}");

    // Interrupted between submitting a.json and seeing it final; b.json not reached yet.
    let path = dir.join(".ebl-import-state.json");
    let mut st = state(&dir);
    st["files"]["a.json"]["status"] = Value::String("submitted".into());
    st["files"]["a.json"]["height"] = Value::Null;
    std::fs::write(&path, serde_json::to_vec(&st).unwrap()).unwrap();
    variant(&dir.join("b.json"), "RESUME-B");

    let (code, v, err) = import(&sb, &srv, &dir);
    assert_eq!(code, 0, "{err}");
    // a.json is re-checked (final), not issued twice; b.json is issued.
    assert_eq!(v["skipped"], serde_json::json!(["a.json"]), "{v}");
    let issued = v["issued"].as_array().unwrap();
    assert_eq!(issued.len(), 1, "{v}");
    assert_eq!(issued[0]["file"], "b.json");
    let st = state(&dir);
    assert_eq!(st["files"]["a.json"]["status"], "final", "{st}");
    assert!(st["files"]["a.json"]["height"].as_u64().is_some());
    assert_eq!(st["files"]["b.json"]["status"], "final", "{st}");
}

#[test]
fn failures_are_summarised_with_reasons_and_retried_on_the_next_run() {
    let srv = start();
    let sb = sandbox_with(&["CARRIER"]);
    let dir = sb.path("outbox");
    std::fs::create_dir(&dir).unwrap();
    variant(&dir.join("good.json"), "FAIL-GOOD");
    std::fs::write(dir.join("broken.json"), "{not json").unwrap();
    // Per-file parties from the mapping: an organisation the ledger does not know is rejected.
    variant(&dir.join("nobody.json"), "FAIL-NOBODY");
    std::fs::write(
        dir.join("ebl-import-mapping.json"),
        r#"{"nobody.json": {"issue_to": "NOBODY"}}"#,
    )
    .unwrap();
    let (code, v, err) = import(&sb, &srv, &dir);
    assert_eq!(code, 1, "{err}");
    let failed = v["failed"].as_array().unwrap();
    let files: Vec<&str> = failed.iter().map(|f| f["file"].as_str().unwrap()).collect();
    assert_eq!(files, ["broken.json", "nobody.json"], "{v}");
    assert!(
        failed[0]["reason"].as_str().unwrap().contains("JSON"),
        "{v}"
    );
    assert!(!failed[1]["reason"].as_str().unwrap().is_empty(), "{v}");
    assert_eq!(v["issued"].as_array().unwrap().len(), 1, "{v}");
    assert!(err.contains("failed"), "{err}");

    // Fix the mapping and rerun: only the failed file that can now succeed is issued.
    std::fs::write(
        dir.join("ebl-import-mapping.json"),
        r#"{"nobody.json": {"issue_to": "SHIPPER"}}"#,
    )
    .unwrap();
    let (code, v, _) = import(&sb, &srv, &dir);
    assert_eq!(code, 1, "broken.json still fails: {v}");
    assert_eq!(v["issued"][0]["file"], "nobody.json", "{v}");
    assert_eq!(v["skipped"], serde_json::json!(["good.json"]), "{v}");
}

#[test]
fn import_with_a_gateway_down_exits_5_and_keeps_no_false_state() {
    let sb = sandbox_with(&["CARRIER"]);
    let dir = sb.path("outbox");
    std::fs::create_dir(&dir).unwrap();
    variant(&dir.join("a.json"), "DOWN-A");
    let out = sb
        .wallet()
        .args([
            "--gateway",
            &server::dead_url(),
            "--identity",
            "CARRIER",
            "import",
        ])
        .arg(&dir)
        .args(["--issue-to", "SHIPPER"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
    assert!(!dir.join(".ebl-import-state.json").exists());
}
