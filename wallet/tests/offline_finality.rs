//! Offline finality: `validators export` saves the trusted set, and `verify --proof BUNDLE
//! --validators FILE` checks the bundle's commit certificate (R132, R133) with no network.
//! Bundles come from the real gateway router over the testkit LocalNode, whose certificates are
//! signed by the test network's validator keys; forgeries are built here with other keys.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod server;

use ebl_ledger::block::BlockHeader;
use ebl_ledger::crypto::{PublicKey, Signature};
use ebl_ledger::finality::{CommitCertificate, CommitSignature};
use ed25519_dalek::{Signer as _, SigningKey};
use serde_json::Value;
use server::{online, run_json, sample_request, sandbox_with, start};

/// A sandbox with the sample issued, its bundle and the trusted validator set saved.
struct Fixture {
    sb: common::Sandbox,
    bundle: Value,
    validators: Value,
}

fn fixture() -> Fixture {
    let srv = start();
    let sb = sandbox_with(&["CARRIER"]);
    let (code, _, err) = run_json(
        online(&sb, &srv)
            .args(["--json", "--identity", "CARRIER", "sign", "--wait"])
            .args(["ebl", "issue"])
            .arg(sample_request())
            .args(["--issue-to", "SHIPPER"]),
    );
    assert_eq!(code, 0, "{err}");
    let id = server::doc_id(&sb, &sample_request());
    let bundle = sb.path("bundle.json");
    online(&sb, &srv)
        .args(["proof", "export", &id, "--out"])
        .arg(&bundle)
        .assert()
        .success();
    let validators = sb.path("validators.json");
    let (code, v, err) = run_json(
        online(&sb, &srv)
            .args(["--json", "validators", "export", "--out"])
            .arg(&validators),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["validators"], 4, "{v}");
    let read = |p| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
    Fixture {
        bundle: read(&bundle),
        validators: read(&validators),
        sb,
    }
}

impl Fixture {
    /// `verify --json` offline with these bundle and validator values: (exit code, JSON).
    fn verify(&self, bundle: &Value, validators: &Value) -> (i32, Value, String) {
        let (b, v) = (self.sb.path("b.json"), self.sb.path("v.json"));
        std::fs::write(&b, serde_json::to_vec(bundle).unwrap()).unwrap();
        std::fs::write(&v, serde_json::to_vec(validators).unwrap()).unwrap();
        run_json(
            self.sb
                .wallet()
                .args(["--json", "verify"])
                .arg(sample_request())
                .arg("--proof")
                .arg(&b)
                .arg("--validators")
                .arg(&v),
        )
    }

    /// Asserts that verification fails with exit 1 and `code`.
    fn refused(&self, bundle: &Value, validators: &Value, code: &str) {
        let (exit, v, err) = self.verify(bundle, validators);
        assert_eq!(exit, 1, "{v}{err}");
        assert_eq!(v["error"]["code"], code, "{v}");
        assert!(v["error"]["hint"].as_str().is_some_and(|h| !h.is_empty()));
    }

    fn header(bundle: &Value) -> BlockHeader {
        serde_json::from_value(bundle["header"].clone()).unwrap()
    }
}

/// A certificate of `header` signed by `keys` (round 0).
fn forge(header: &BlockHeader, keys: &[SigningKey]) -> Value {
    let mut c = CommitCertificate {
        height: header.height,
        round: 0,
        block: header.hash(),
        signatures: Vec::new(),
    };
    for key in keys {
        let validator = PublicKey::from(key.verifying_key());
        let bytes = c
            .precommit(validator)
            .signing_bytes(&header.chain.genesis_hash);
        c.signatures.push(CommitSignature {
            validator,
            signature: Signature(key.sign(&bytes).to_bytes()),
        });
    }
    serde_json::to_value(c).unwrap()
}

fn outsiders(n: usize) -> Vec<SigningKey> {
    (0..n)
        .map(|i| ebl_ledger::testkit::key_from_label(&format!("forger:{i}")))
        .collect()
}

#[test]
fn a_genuine_bundle_is_final_under_the_exported_validator_set() {
    let f = fixture();
    assert!(f.bundle["commit_certificate"]["signatures"].is_array());
    assert_eq!(
        f.validators["chain_id"],
        f.bundle["header"]["chain"]["chain_id"]
    );
    let (code, v, err) = f.verify(&f.bundle, &f.validators);
    assert_eq!(code, 0, "{v}{err}");
    assert_eq!(v["finality_checked"], true, "{v}");
    assert_eq!(v["finality"]["signed_power"], 40, "{v}");
    assert_eq!(v["finality"]["total_power"], 40, "{v}");
    assert_eq!(v["finality"]["signers"], 4, "{v}");

    // Three of four validators (30 of 40) are still more than 2/3.
    let mut b = f.bundle.clone();
    b["commit_certificate"]["signatures"]
        .as_array_mut()
        .unwrap()
        .truncate(3);
    let (code, v, err) = f.verify(&b, &f.validators);
    assert_eq!(code, 0, "{v}{err}");
    assert_eq!(v["finality"]["signed_power"], 30, "{v}");
}

#[test]
fn without_a_validator_set_finality_is_not_claimed() {
    let f = fixture();
    let path = f.sb.path("b.json");
    std::fs::write(&path, serde_json::to_vec(&f.bundle).unwrap()).unwrap();
    let verify = |require: bool| {
        let mut cmd = f.sb.wallet();
        cmd.args(["--json", "verify"])
            .arg(sample_request())
            .arg("--proof")
            .arg(&path);
        if require {
            cmd.arg("--require-finality");
        }
        run_json(&mut cmd)
    };
    let (code, v, err) = verify(false);
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["finality_checked"], false, "{v}");
    let (code, _, err) = verify(true);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("FINALITY_NOT_CHECKED") || err.contains("--require-finality"));
}

#[test]
fn a_tampered_record_is_rejected_even_with_a_valid_certificate() {
    let f = fixture();
    let mut b = f.bundle.clone();
    let value = b["record"]["value"].as_str().unwrap().to_string();
    let last = value.len() - 2;
    let flipped = if &value[last..] == "00" { "01" } else { "00" };
    b["record"]["value"] = Value::String(format!("{}{flipped}", &value[..last]));
    f.refused(&b, &f.validators, "PROOF_INVALID");
}

#[test]
fn a_tampered_header_is_not_covered_by_the_certificate() {
    let f = fixture();
    // A field outside the Merkle proof: only the certificate notices.
    let mut b = f.bundle.clone();
    b["header"]["proposer"] = Value::String("ab".repeat(32));
    b.as_object_mut().unwrap().remove("header_hash");
    f.refused(&b, &f.validators, "CERT_WRONG_BLOCK");
    // Another height.
    let mut b = f.bundle.clone();
    b["commit_certificate"]["height"] = Value::from(999u64);
    f.refused(&b, &f.validators, "CERT_WRONG_HEIGHT");
}

#[test]
fn a_certificate_below_two_thirds_of_the_power_is_rejected() {
    let f = fixture();
    let mut b = f.bundle.clone();
    b["commit_certificate"]["signatures"]
        .as_array_mut()
        .unwrap()
        .truncate(2);
    f.refused(&b, &f.validators, "CERT_INSUFFICIENT_POWER");
    // One validator's signature repeated does not count twice.
    let mut b = f.bundle.clone();
    let first = b["commit_certificate"]["signatures"][0].clone();
    b["commit_certificate"]["signatures"] = Value::Array(vec![first; 4]);
    f.refused(&b, &f.validators, "CERT_DUPLICATE_SIGNATURE");
    // A signature that does not verify.
    let mut b = f.bundle.clone();
    b["commit_certificate"]["signatures"][0]["signature"] = Value::String("11".repeat(64));
    f.refused(&b, &f.validators, "CERT_BAD_SIGNATURE");
    // No certificate at all.
    let mut b = f.bundle.clone();
    b["commit_certificate"] = Value::Null;
    f.refused(&b, &f.validators, "CERT_MISSING");
}

#[test]
fn a_forged_certificate_does_not_pass_the_trusted_set() {
    let f = fixture();
    // A forger changes the header and signs it with keys of its own.
    let mut b = f.bundle.clone();
    b["header"]["proposer"] = Value::String("ab".repeat(32));
    b.as_object_mut().unwrap().remove("header_hash");
    let header = Fixture::header(&b);
    b["commit_certificate"] = forge(&header, &outsiders(4));
    f.refused(&b, &f.validators, "CERT_UNKNOWN_VALIDATOR");
    // With one genuine validator key (power 10 of 40) the forgery is still short of 2/3.
    let genuine = ebl_ledger::testkit::TestNetwork::pilot().validator_keys;
    b["commit_certificate"] = forge(&header, &genuine[..1]);
    f.refused(&b, &f.validators, "CERT_INSUFFICIENT_POWER");
}

#[test]
fn a_validator_set_with_other_keys_is_refused() {
    let f = fixture();
    // Another set of keys with a lower total power: a genuine certificate names none of them.
    let mut v = f.validators.clone();
    for (entry, key) in v["validators"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .zip(outsiders(4))
    {
        entry["key"] = Value::String(PublicKey::from(key.verifying_key()).to_hex());
        entry["power"] = Value::from(1u64);
    }
    f.refused(&f.bundle, &v, "CERT_UNKNOWN_VALIDATOR");
}

#[test]
fn a_validator_file_of_another_chain_is_refused() {
    let f = fixture();
    let mut v = f.validators.clone();
    v["genesis_hash"] = Value::String("ef".repeat(32));
    f.refused(&f.bundle, &v, "VALIDATORS_WRONG_CHAIN");
    let mut v = f.validators.clone();
    v["chain_id"] = Value::String("ebl-other-1".into());
    f.refused(&f.bundle, &v, "VALIDATORS_WRONG_CHAIN");
}

#[test]
fn a_malformed_validator_file_is_bad_input() {
    let f = fixture();
    let (code, v, _) = f.verify(&f.bundle, &serde_json::json!([]));
    assert_eq!(code, 3, "{v}");
    let mut empty = f.validators.clone();
    empty["validators"] = Value::Array(Vec::new());
    let (code, v, _) = f.verify(&f.bundle, &empty);
    assert_eq!(code, 3, "{v}");
}
