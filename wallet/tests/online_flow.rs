//! The wallet against the real gateway router over a real in-memory ledger (testkit LocalNode):
//! issue, transfer, show, online and offline verification, rejections and gateway errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod server;

use serde_json::Value;
use server::{online, run_json, sample_request, sandbox_with, start};

/// Issues the sample as CARRIER to SHIPPER (to the order of SHIPPER), waiting for finality.
fn issue_sample(sb: &common::Sandbox, srv: &server::Server) -> Value {
    let (code, v, err) = run_json(
        online(sb, srv)
            .args(["--json", "--identity", "CARRIER", "sign", "--wait"])
            .args(["ebl", "issue"])
            .arg(sample_request())
            .args(["--issue-to", "SHIPPER"]),
    );
    assert_eq!(code, 0, "{err}");
    v
}

#[test]
fn issue_transfer_show_and_verify_online_and_offline() {
    let srv = start();
    let sb = sandbox_with(&["CARRIER", "SHIPPER"]);
    let issued = issue_sample(&sb, &srv);
    assert_eq!(issued["status"], "final", "{issued}");
    assert!(issued["height"].as_u64().unwrap() > 0);
    assert_eq!(issued["action"], "ISSUE");
    let id = server::doc_id(&sb, &sample_request());

    // TRANSFER by the holder, sequence fetched from the gateway.
    let out = online(&sb, &srv)
        .args(["--identity", "SHIPPER", "sign", "--wait", "ebl", "transfer"])
        .args(["--document", &id, "--to", "BANK"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("final at height"), "{text}");

    // show: by id and by carrier + reference.
    let (code, view, err) = run_json(online(&sb, &srv).args(["--json", "show", &id]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(view["holder"], "BANK");
    assert_eq!(view["history"].as_array().unwrap().len(), 2);
    let out = online(&sb, &srv)
        .args([
            "show",
            "--carrier",
            "CARRIER",
            "--reference",
            "62CD536BA8D34C469AFD",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("holder       BANK"),
        "{text}"
    );

    // Online verification prints each check.
    let out = online(&sb, &srv)
        .arg("verify")
        .arg(sample_request())
        .args(["--holder", "BANK"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("INTEGRITY") && text.contains("HOLDER"),
        "{text}"
    );
    assert!(text.contains("outcome      VERIFIED"), "{text}");

    // Proof export, then offline verification with no gateway at all.
    let bundle = sb.path("bundle.json");
    online(&sb, &srv)
        .args(["proof", "export", &id, "--out"])
        .arg(&bundle)
        .assert()
        .success();
    online(&sb, &srv)
        .args(["validators", "export", "--out"])
        .arg(sb.path("validators.json"))
        .assert()
        .success();
    let out = sb
        .wallet()
        .arg("verify")
        .arg(sample_request())
        .arg("--proof")
        .arg(&bundle)
        .arg("--validators")
        .arg(sb.path("validators.json"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("Merkle proof OK"), "{text}");
    assert!(text.contains("final: precommits of 4 validators"), "{text}");
    assert!(text.contains("holder       BANK"), "{text}");

    // --require-finality refuses what cannot be checked yet.
    let (code, v, err) = run_json(
        sb.wallet()
            .args(["--json", "verify"])
            .arg(sample_request())
            .arg("--proof")
            .arg(&bundle)
            .arg("--require-finality"),
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(v["finality_checked"], false, "{v}");
    assert!(err.contains("--require-finality"), "{err}");
}

fn tampered(sb: &common::Sandbox, bundle: &Value, name: &str) -> (i32, String) {
    let path = sb.path(name);
    std::fs::write(&path, serde_json::to_vec(bundle).unwrap()).unwrap();
    let out = sb
        .wallet()
        .arg("verify")
        .arg(sample_request())
        .arg("--proof")
        .arg(&path)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn a_tampered_proof_bundle_is_rejected() {
    let srv = start();
    let sb = sandbox_with(&["CARRIER"]);
    issue_sample(&sb, &srv);
    let id = server::doc_id(&sb, &sample_request());
    let path = sb.path("bundle.json");
    online(&sb, &srv)
        .args(["proof", "export", &id, "--out"])
        .arg(&path)
        .assert()
        .success();
    let bundle: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();

    // A changed byte in the record: the Merkle proof no longer verifies.
    let mut b = bundle.clone();
    let value = b["record"]["value"].as_str().unwrap().to_string();
    let last = value.len() - 2;
    let flipped = if &value[last..] == "00" { "01" } else { "00" };
    b["record"]["value"] = Value::String(format!("{}{flipped}", &value[..last]));
    let (code, err) = tampered(&sb, &b, "t1.json");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("verification failed"), "{err}");

    // A changed state root (and header hash to match): the proof does not verify against it.
    let mut b = bundle.clone();
    b["header"]["state_root"] = Value::String("ab".repeat(32));
    b.as_object_mut().unwrap().remove("header_hash");
    let (code, err) = tampered(&sb, &b, "t2.json");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("PROOF_INVALID"), "{err}");

    // Another document's file against this bundle: the recomputed id does not match.
    let other = sb.path("other.json");
    server::variant(&other, "SOMETHING-ELSE");
    let out = sb
        .wallet()
        .arg("verify")
        .arg(&other)
        .arg("--proof")
        .arg(&path)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("DOCUMENT_MISMATCH"), "{err}");

    // A changed root with the original header hash: the header no longer matches it.
    let mut b = bundle;
    b["header"]["state_root"] = Value::String("cd".repeat(32));
    let (code, err) = tampered(&sb, &b, "t3.json");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("HEADER_MISMATCH"), "{err}");
}

#[test]
fn show_cert_prints_the_certificate_state_and_history() {
    let srv = start();
    let sb = sandbox_with(&["MSA"]);
    let (code, v, err) = run_json(
        online(&sb, &srv)
            .args([
                "--json",
                "--identity",
                "MSA",
                "sign",
                "--wait",
                "cert",
                "issue",
            ])
            .args([
                "--utn",
                "CN-WALLET-0001",
                "--kind",
                "safety-radio",
                "--imo",
                "9074729",
            ])
            .args([
                "--ship-name",
                "PILOT STAR",
                "--flag",
                "CN",
                "--call-sign",
                "BPXA",
            ])
            .args(["--gross-tonnage", "41000", "--place", "Guangzhou"])
            .args(["--issued-on", "2026-01-15", "--expires-on", "2030-01-14"]),
    );
    assert_eq!(code, 0, "{err}{v}");
    let out = online(&sb, &srv)
        .args(["show-cert", "MSA", "CN-WALLET-0001"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("PILOT STAR") && text.contains("history:"),
        "{text}"
    );
    let (code, v, err) = run_json(
        online(&sb, &srv)
            .args(["--json", "show-cert", "MSA", "CN-WALLET-0001"])
            .args(["--at", "2031-01-01T00:00:00Z"]),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["status"], "EXPIRED", "{v}");
}
