//! Bad inputs give the documented exit codes: 2 usage, 3 bad input file (4 is keystore, see
//! keystore_cli.rs; 1 is a failed operation).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use predicates::str::contains;

fn sign_args(sb: &Sandbox) -> assert_cmd::Command {
    let mut cmd = sb.wallet();
    cmd.args([
        "--identity",
        "me",
        "sign",
        "--dry-run",
        "--chain-id",
        CHAIN_ID,
    ])
    .args(["--genesis-hash", &genesis().to_hex(), "--sequence", "0"]);
    cmd
}

#[test]
fn a_missing_file_exits_3() {
    let sb = Sandbox::new();
    sb.wallet()
        .args(["doc-id", "nope.json"])
        .assert()
        .code(3)
        .stderr(contains("nope.json"));
    sb.wallet()
        .args(["org", "inspect", "nope.pem"])
        .assert()
        .code(3);
    sb.wallet()
        .args(["key", "import", "x", "--pem", "nope.pem"])
        .assert()
        .code(3);
}

#[test]
fn a_non_json_document_exits_3_with_a_json_error_report() {
    let sb = Sandbox::new();
    std::fs::write(sb.path("bad.json"), "{not json").unwrap();
    let out = sb
        .wallet()
        .args(["--json", "doc-id", "bad.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["code"], "BAD_INPUT");
    assert_eq!(v["error"]["exit_code"], 3);
    sb.generate("me");
    sign_args(&sb)
        .args(["ebl", "issue", "bad.json", "--issue-to", "SHIPPER"])
        .assert()
        .code(3);
}

#[test]
fn a_non_pem_key_or_certificate_exits_3() {
    let sb = Sandbox::new();
    std::fs::write(sb.path("junk.pem"), "junk").unwrap();
    sb.wallet()
        .args(["key", "import", "x", "--pem", "junk.pem"])
        .assert()
        .code(3)
        .stderr(contains("openssl genpkey"));
    sb.wallet()
        .args(["org", "inspect", "junk.pem"])
        .assert()
        .code(3);
}

#[test]
fn bad_hex_exits_2() {
    let sb = Sandbox::new();
    sb.generate("me");
    sign_args(&sb)
        .args(["ebl", "transfer", "--document", "xyz", "--to", "BANK"])
        .assert()
        .code(2)
        .stderr(contains("64 hex digits"));
    sb.wallet().args(["entry", "check", "zz"]).assert().code(2);
}

#[test]
fn a_bad_role_exits_2_and_lists_the_roles() {
    let sb = Sandbox::new();
    sb.generate("me");
    sb.wallet()
        .args([
            "--identity",
            "me",
            "org",
            "csr",
            "--org-id",
            "X",
            "--name",
            "X",
            "--country",
            "SG",
        ])
        .args(["--role", "PIRATE"])
        .assert()
        .code(2)
        .stderr(contains("RECOGNIZED_ORGANIZATION"));
}

#[test]
fn signing_without_dry_run_or_chain_exits_2_and_says_what_to_add() {
    let sb = Sandbox::new();
    sb.generate("me");
    sb.wallet()
        .args([
            "--identity",
            "me",
            "sign",
            "--chain-id",
            CHAIN_ID,
            "--genesis-hash",
            &genesis().to_hex(),
        ])
        .args([
            "--sequence",
            "0",
            "ebl",
            "blank-endorse",
            "--document",
            &"1".repeat(64),
        ])
        .assert()
        .code(2)
        .stderr(contains("--dry-run"));
    sb.wallet()
        .args(["--identity", "me", "sign", "--dry-run", "--sequence", "0"])
        .args(["ebl", "blank-endorse", "--document", &"1".repeat(64)])
        .assert()
        .code(2)
        .stderr(contains("--chain-id"));
}

#[test]
fn a_bad_imo_number_or_inconsistent_surrender_exits_2() {
    let sb = Sandbox::new();
    sb.generate("me");
    sign_args(&sb)
        .args([
            "cert",
            "issue",
            "--utn",
            "U1",
            "--kind",
            "LOAD_LINE",
            "--imo",
            "9074728",
        ])
        .args([
            "--ship-name",
            "X",
            "--flag",
            "SG",
            "--call-sign",
            "C",
            "--gross-tonnage",
            "1",
        ])
        .args([
            "--issued-on",
            "2026-01-01",
            "--expires-on",
            "2027-01-01",
            "--place",
            "SG",
        ])
        .assert()
        .code(2)
        .stderr(contains("IMO"));
    sign_args(&sb)
        .args([
            "ebl",
            "surrender",
            "--document",
            &"1".repeat(64),
            "--for",
            "amendment",
        ])
        .assert()
        .code(2);
}

#[test]
fn a_straight_bl_without_reference_or_consignee_says_which_flag_to_add() {
    let sb = Sandbox::new();
    sb.generate("me");
    let straight = sample(STRAIGHT_BL);
    sign_args(&sb)
        .args([
            "ebl",
            "issue",
            straight.to_str().unwrap(),
            "--issue-to",
            "SHIPPER",
            "--consignee",
            "C",
        ])
        .assert()
        .code(3)
        .stderr(contains("--reference"));
    sign_args(&sb)
        .args([
            "ebl",
            "issue",
            straight.to_str().unwrap(),
            "--issue-to",
            "SHIPPER",
            "--reference",
            "R",
        ])
        .assert()
        .code(2)
        .stderr(contains("--consignee"));
}

#[test]
fn an_oversized_remark_fails_the_ledger_check_with_exit_1() {
    let sb = Sandbox::new();
    sb.generate("me");
    sign_args(&sb)
        .args([
            "--remark",
            &"x".repeat(2000),
            "ebl",
            "sign",
            "--document",
            &"1".repeat(64),
        ])
        .assert()
        .code(1)
        .stderr(contains("ledger would reject"));
}

#[test]
fn signing_without_identity_exits_2() {
    let sb = Sandbox::new();
    sb.wallet()
        .args([
            "sign",
            "--dry-run",
            "--chain-id",
            CHAIN_ID,
            "--genesis-hash",
            &genesis().to_hex(),
        ])
        .args([
            "--sequence",
            "0",
            "ebl",
            "sign",
            "--document",
            &"1".repeat(64),
        ])
        .assert()
        .code(2)
        .stderr(contains("--identity"));
}

#[test]
fn help_exits_0_with_exit_codes_and_examples() {
    let sb = Sandbox::new();
    sb.wallet()
        .arg("--help")
        .assert()
        .success()
        .stdout(contains("Exit codes"))
        .stdout(contains("Examples"));
    sb.wallet()
        .args(["sign", "ebl", "transfer", "--help"])
        .assert()
        .success()
        .stdout(contains("Examples"));
}

#[test]
fn an_endorsee_or_reference_the_document_contradicts_exits_2() {
    let sb = Sandbox::new();
    sb.generate("me");
    let request = sample(ISSUANCE_REQUEST);
    for flags in [["--consignee", "BANK"], ["--reference", "OTHER"]] {
        sign_args(&sb)
            .args(["ebl", "issue", request.to_str().unwrap()])
            .args(["--issue-to", "SHIPPER"])
            .args(flags)
            .assert()
            .code(2)
            .stderr(contains("contradicts"));
    }
}
