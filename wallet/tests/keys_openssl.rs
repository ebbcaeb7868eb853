//! Keys interoperate with the real `openssl` binary both ways, and an imported OpenSSL key signs
//! entries the ledger accepts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command as Std;

use base64::Engine;
use common::*;
use ebl_ledger::crypto::PublicKey;

fn openssl(args: &[&str], dir: &std::path::Path) -> std::process::Output {
    let out = Std::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the openssl binary is installed");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn key_of_spki_pem(pem: &str) -> PublicKey {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap();
    // SPKI for Ed25519 is a fixed 12-byte prefix followed by the 32 key bytes.
    PublicKey(der[der.len() - 32..].try_into().unwrap())
}

#[test]
fn an_openssl_key_imports_and_signs_entries_the_ledger_accepts() {
    let sb = Sandbox::new();
    openssl(
        &["genpkey", "-algorithm", "ed25519", "-out", "k.pem"],
        sb.dir.path(),
    );
    sb.wallet()
        .args(["key", "import", "carrier", "--pem", "k.pem"])
        .assert()
        .success();
    let pubout = openssl(&["pkey", "-in", "k.pem", "-pubout"], sb.dir.path());
    let expected = key_of_spki_pem(&String::from_utf8_lossy(&pubout.stdout));

    let doc = sample(NEGOTIABLE_BL);
    let signed = sb.sign(
        "carrier",
        0,
        &[
            "ebl",
            "issue",
            doc.to_str().unwrap(),
            "--issue-to",
            "SHIPPER",
            "--reference",
            "REF1",
            // The sample names its endorsee by codes the wallet cannot read (R222).
            "--consignee",
            "BANK",
        ],
    );
    assert_eq!(signed.entry().signer, expected);
    signed.check_stateless(&chain()).unwrap();
}

#[test]
fn an_exported_key_is_read_by_openssl_and_has_the_same_public_key() {
    let sb = Sandbox::new();
    sb.generate("bank");
    sb.wallet()
        .args(["key", "export", "bank", "--out", "bank.pem"])
        .assert()
        .success();
    openssl(&["pkey", "-in", "bank.pem", "-noout"], sb.dir.path());
    let pubout = openssl(&["pkey", "-in", "bank.pem", "-pubout"], sb.dir.path());
    let ours = sb
        .wallet()
        .args(["key", "public", "bank"])
        .output()
        .unwrap();
    assert!(ours.status.success());
    assert_eq!(
        String::from_utf8_lossy(&ours.stdout).trim(),
        String::from_utf8_lossy(&pubout.stdout).trim()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(sb.path("bank.pem"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn export_refuses_to_overwrite_without_force() {
    let sb = Sandbox::new();
    sb.generate("bank");
    std::fs::write(sb.path("bank.pem"), "keep me").unwrap();
    sb.wallet()
        .args(["key", "export", "bank", "--out", "bank.pem"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("--force"));
    sb.wallet()
        .args(["key", "export", "bank", "--out", "bank.pem", "--force"])
        .assert()
        .success();
}

#[test]
fn the_csr_verifies_with_openssl_and_names_every_role() {
    let sb = Sandbox::new();
    sb.generate("msa");
    sb.wallet()
        .args([
            "--identity",
            "msa",
            "org",
            "csr",
            "--org-id",
            "MSA",
            "--name",
            "Maritime Authority",
        ])
        .args([
            "--country",
            "SG",
            "--role",
            "MARITIME_ADMINISTRATION",
            "--role",
            "validator-operator",
        ])
        .args(["--out", "msa.csr"])
        .assert()
        .success();
    let out = openssl(
        &["req", "-in", "msa.csr", "-verify", "-noout", "-subject"],
        sb.dir.path(),
    );
    let subject = String::from_utf8_lossy(&out.stdout);
    assert!(
        subject.contains("OU = MARITIME_ADMINISTRATION"),
        "{subject}"
    );
    assert!(subject.contains("OU = VALIDATOR_OPERATOR"), "{subject}");
    assert!(subject.contains("CN = MSA"), "{subject}");
}

#[test]
fn org_inspect_reads_a_certificate_openssl_issued_from_the_csr() {
    let sb = Sandbox::new();
    sb.generate("carrier");
    sb.wallet()
        .args([
            "--identity",
            "carrier",
            "org",
            "csr",
            "--org-id",
            "CARRIER",
            "--name",
            "Ocean Carrier",
        ])
        .args(["--country", "SG", "--role", "CARRIER", "--out", "c.csr"])
        .assert()
        .success();
    let dir = sb.dir.path();
    openssl(&["genpkey", "-algorithm", "ed25519", "-out", "ca.key"], dir);
    openssl(
        &[
            "req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=Root", "-days", "30", "-out",
            "ca.pem",
        ],
        dir,
    );
    openssl(
        &[
            "x509",
            "-req",
            "-in",
            "c.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-set_serial",
            "7",
            "-days",
            "30",
            "-out",
            "c.crt",
        ],
        dir,
    );
    let out = sb
        .wallet()
        .args(["--json", "org", "inspect", "c.crt"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["type"], "certificate");
    assert_eq!(v["subject"]["org_id"], "CARRIER");
    assert_eq!(v["subject"]["roles"], serde_json::json!(["CARRIER"]));
    let public = sb
        .wallet()
        .args(["key", "public", "carrier", "--format", "hex"])
        .output()
        .unwrap();
    assert_eq!(
        v["public_key"],
        String::from_utf8_lossy(&public.stdout).trim()
    );
}
