//! The wallet's errors against the real gateway router (testkit LocalNode): ledger rejections,
//! an unreachable gateway, refused API keys, a missing gateway, unknown documents.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod server;

use server::{online, run_json, sample_request, sandbox_with, start};

/// Issues the sample as CARRIER to SHIPPER and returns its document id.
fn issue_sample(sb: &common::Sandbox, srv: &server::Server) -> String {
    let (code, _, err) = run_json(
        online(sb, srv)
            .args(["--json", "--identity", "CARRIER", "sign", "--wait"])
            .args(["ebl", "issue"])
            .arg(sample_request())
            .args(["--issue-to", "SHIPPER"]),
    );
    assert_eq!(code, 0, "{err}");
    server::doc_id(sb, &sample_request())
}

#[test]
fn a_submission_without_wait_prints_the_entry_id_and_uses_a_given_sequence() {
    let srv = start();
    let sb = sandbox_with(&["CARRIER"]);
    let (code, v, err) = run_json(
        online(&sb, &srv)
            .args(["--json", "--identity", "CARRIER", "sign", "--sequence", "0"])
            .args(["ebl", "issue"])
            .arg(sample_request())
            .args(["--issue-to", "SHIPPER"]),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["entry_id"].as_str().unwrap().len(), 64, "{v}");
    assert_eq!(v["sequence"], 0);
    assert_eq!(v["status"], "pending", "{v}");
}

#[test]
fn an_entry_for_another_chain_is_rejected_with_the_ledger_code() {
    let srv = start();
    let sb = sandbox_with(&["CARRIER"]);
    let (code, v, err) = run_json(
        online(&sb, &srv)
            .args(["--json", "--identity", "CARRIER", "sign", "--wait"])
            .args(["--chain-id", "some-other-chain", "ebl", "issue"])
            .arg(sample_request())
            .args(["--issue-to", "SHIPPER"]),
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("rejected"), "{err}");
    assert!(!v["error"]["code"].as_str().unwrap().is_empty(), "{v}");
}

#[test]
fn a_transfer_by_a_non_holder_exits_1_with_not_holder() {
    let srv = start();
    let sb = sandbox_with(&["CARRIER"]);
    let id = issue_sample(&sb, &srv);
    let (code, v, err) = run_json(
        online(&sb, &srv)
            .args(["--json", "--identity", "CARRIER", "sign", "--wait"])
            .args(["ebl", "transfer", "--document", &id, "--to", "BANK"]),
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(v["error"]["code"], "NOT_HOLDER", "{v}");
    assert!(err.contains("NOT_HOLDER") && err.contains("hint:"), "{err}");
}

#[test]
fn an_unreachable_gateway_exits_5_and_says_what_to_do() {
    let sb = sandbox_with(&["CARRIER"]);
    let out = sb
        .wallet()
        .args([
            "--gateway",
            &server::dead_url(),
            "--identity",
            "CARRIER",
            "sign",
        ])
        .args(["ebl", "issue"])
        .arg(sample_request())
        .args(["--issue-to", "SHIPPER"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(
        err.contains("unreachable") && err.contains("EBL_GATEWAY"),
        "{err}"
    );
}

#[test]
fn a_bad_or_under_scoped_api_key_exits_6() {
    let srv = start();
    let sb = sandbox_with(&["CARRIER"]);
    let id = "11".repeat(32);
    let out = sb
        .wallet()
        .args(["--gateway", &srv.url, "--api-key", "wrong", "show", &id])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{err}");
    assert!(err.contains("EBL_API_KEY"), "{err}");
    let out = sb
        .wallet()
        .args(["--gateway", &srv.url, "--api-key", server::READ_ONLY])
        .args(["--identity", "CARRIER", "sign", "ebl", "issue"])
        .arg(sample_request())
        .args(["--issue-to", "SHIPPER"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{err}");
    assert!(err.contains("scope"), "{err}");
}

#[test]
fn submitting_without_a_gateway_is_a_usage_error_that_names_the_fix() {
    let sb = sandbox_with(&["CARRIER"]);
    let out = sb
        .wallet()
        .args(["--identity", "CARRIER", "sign", "ebl", "issue"])
        .arg(sample_request())
        .args(["--issue-to", "SHIPPER"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--gateway") && err.contains("--dry-run"),
        "{err}"
    );
}

#[test]
fn an_unknown_document_is_reported_with_the_gateway_code() {
    let srv = start();
    let sb = sandbox_with(&[]);
    let (code, v, _) = run_json(online(&sb, &srv).args(["--json", "show", &"22".repeat(32)]));
    assert_eq!(code, 1);
    assert_eq!(v["error"]["code"], "UNKNOWN_DOCUMENT", "{v}");
}
