//! The keystore from the command line: passphrase sources, wrong passphrases, corrupted files and
//! permissions, each with exit code 4.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use predicates::str::contains;

#[test]
fn a_wrong_passphrase_exits_4_with_a_hint() {
    let sb = Sandbox::new();
    sb.generate("ops");
    std::fs::write(sb.path("wrong.txt"), "not the passphrase\n").unwrap();
    sb.bare()
        .args([
            "--passphrase-file",
            "wrong.txt",
            "key",
            "export",
            "ops",
            "--out",
            "x.pem",
        ])
        .assert()
        .code(4)
        .stderr(contains("wrong passphrase"))
        .stderr(contains("hint:"));
    assert!(!sb.path("x.pem").exists());
}

#[test]
fn the_passphrase_can_come_from_the_environment() {
    let sb = Sandbox::new();
    let mut cmd = assert_cmd::Command::cargo_bin("ebl-wallet").unwrap();
    cmd.env("EBL_WALLET_DIR", sb.keystore())
        .env("EBL_WALLET_INSECURE_FAST_KDF", "1")
        .env("EBL_WALLET_PASSPHRASE", PASSPHRASE)
        .args(["key", "generate", "ops"])
        .assert()
        .success();
    sb.wallet()
        .args(["key", "export", "ops", "--out", "ops.pem"])
        .assert()
        .success();
}

#[test]
fn without_any_passphrase_source_and_no_terminal_it_exits_4() {
    let sb = Sandbox::new();
    let mut cmd = assert_cmd::Command::cargo_bin("ebl-wallet").unwrap();
    cmd.env("EBL_WALLET_DIR", sb.keystore())
        .env_remove("EBL_WALLET_PASSPHRASE")
        .args(["key", "generate", "ops"])
        .write_stdin("")
        .assert()
        .code(4)
        .stderr(contains("EBL_WALLET_PASSPHRASE"));
}

#[test]
fn a_truncated_key_file_exits_4_as_corrupted() {
    let sb = Sandbox::new();
    sb.generate("ops");
    let path = sb.keystore().join("ops.key.json");
    let text = std::fs::read(&path).unwrap();
    std::fs::write(&path, &text[..text.len() / 2]).unwrap();
    sb.wallet()
        .args(["--json", "key", "export", "ops", "--out", "x.pem"])
        .assert()
        .code(4)
        .stdout(contains("KEY_FILE_CORRUPTED"));
}

#[test]
fn a_tampered_ciphertext_is_refused_like_a_wrong_passphrase() {
    let sb = Sandbox::new();
    sb.generate("ops");
    let path = sb.keystore().join("ops.key.json");
    let mut file: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let ct = file["ciphertext"].as_str().unwrap().to_string();
    let flipped = if ct.starts_with('A') { "B" } else { "A" };
    file["ciphertext"] = format!("{flipped}{}", &ct[1..]).into();
    std::fs::write(&path, serde_json::to_vec(&file).unwrap()).unwrap();
    sb.wallet()
        .args(["key", "export", "ops", "--out", "x.pem"])
        .assert()
        .code(4)
        .stderr(contains("altered"));
}

#[test]
fn key_files_are_0600_in_a_0700_directory_and_wider_modes_are_refused() {
    use std::os::unix::fs::PermissionsExt;
    let sb = Sandbox::new();
    sb.generate("ops");
    let path = sb.keystore().join("ops.key.json");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&sb.keystore()), 0o700);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    sb.wallet()
        .args(["key", "export", "ops", "--out", "x.pem"])
        .assert()
        .code(4)
        .stderr(contains("chmod 600"));
}

#[test]
fn an_unknown_identity_exits_4_and_suggests_key_list() {
    let sb = Sandbox::new();
    sb.wallet()
        .args(["key", "public", "nobody"])
        .assert()
        .code(4)
        .stderr(contains("key list"));
}

#[test]
fn generating_an_existing_identity_exits_4_and_keeps_the_old_key() {
    let sb = Sandbox::new();
    sb.generate("ops");
    let before = std::fs::read(sb.keystore().join("ops.key.json")).unwrap();
    sb.wallet()
        .args(["key", "generate", "ops"])
        .assert()
        .code(4);
    assert_eq!(
        std::fs::read(sb.keystore().join("ops.key.json")).unwrap(),
        before
    );
}

#[test]
fn key_list_shows_every_identity_in_json() {
    let sb = Sandbox::new();
    sb.generate("b");
    sb.generate("a");
    let out = sb
        .wallet()
        .args(["--json", "key", "list"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<_> = v["identities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["a", "b"]);
}

#[test]
fn the_key_file_records_its_kdf_parameters() {
    let sb = Sandbox::new();
    sb.generate("ops");
    let file: serde_json::Value =
        serde_json::from_slice(&std::fs::read(sb.keystore().join("ops.key.json")).unwrap())
            .unwrap();
    assert_eq!(file["format"], "ebl-wallet-keystore");
    assert_eq!(file["version"], 1);
    assert_eq!(file["kdf"]["algorithm"], "argon2id");
    assert_eq!(file["cipher"]["algorithm"], "xchacha20poly1305");
    assert!(file["kdf"]["m_cost_kib"].as_u64().is_some());
}
