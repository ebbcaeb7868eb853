//! `doc-id` agrees with the ledger's document id on every DCSA sample, unwrapping issuance
//! requests and PINT envelopes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;

#[test]
fn doc_id_of_every_dcsa_sample_equals_the_ledgers_document_id() {
    let sb = Sandbox::new();
    let mut seen = 0;
    for entry in std::fs::read_dir(samples_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let text = std::fs::read(&path).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&text).unwrap();
        let (inner, source) = match (&value.get("document"), &value.get("transportDocument")) {
            (Some(d @ serde_json::Value::Object(_)), _) => {
                (serde_json::to_vec(d).unwrap(), "ISSUANCE_REQUEST")
            }
            (_, Some(d @ serde_json::Value::Object(_))) => {
                (serde_json::to_vec(d).unwrap(), "PINT_ENVELOPE")
            }
            _ => (text.clone(), "TRANSPORT_DOCUMENT"),
        };
        let want = ebl_ledger::docid::document_id_of_json(&inner).unwrap();
        let out = sb
            .wallet()
            .args(["--json", "doc-id"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", path.display());
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["document_id"], want.to_hex(), "{}", path.display());
        assert_eq!(v["source"], source, "{}", path.display());
        let plain = sb.wallet().arg("doc-id").arg(&path).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&plain.stdout).trim(), want.to_hex());
        seen += 1;
    }
    assert!(seen >= 5, "expected the DCSA samples, found {seen}");
}

#[test]
fn wrapped_documents_say_what_was_hashed() {
    let sb = Sandbox::new();
    sb.wallet()
        .arg("doc-id")
        .arg(sample(ISSUANCE_REQUEST))
        .assert()
        .success()
        .stderr(predicates::str::contains("issuance request"));
}
