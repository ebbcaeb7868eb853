//! Document ids agree with an independent RFC 8785 implementation on DCSA's own samples (R30).
//!
//! `tests/fixtures/dcsa_checksums.json` was written by `tests/fixtures/dcsa_checksums.py` with
//! Python's `rfc8785` package; this test recomputes every checksum with
//! [`ebl_ledger::docid`]. Rerun the script when the samples change.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use ebl_ledger::docid::{document_id, document_id_of_json};

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `<repo>/../shared/reference/dcsa/samples`.
fn samples_dir() -> PathBuf {
    manifest_dir().join("../../shared/reference/dcsa/samples")
}

fn fixture() -> BTreeMap<String, String> {
    let text =
        std::fs::read_to_string(manifest_dir().join("tests/fixtures/dcsa_checksums.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The sample's bytes, or `None` (with a note) when the samples folder is absent.
fn read_sample(name: &str) -> Option<Vec<u8>> {
    let dir = samples_dir();
    if !dir.is_dir() {
        println!(
            "note: {} is absent; DCSA checksum test skipped",
            dir.display()
        );
        return None;
    }
    Some(std::fs::read(dir.join(name)).unwrap())
}

#[test]
fn every_sample_checksum_matches_the_python_rfc8785_fixture() {
    let dir = samples_dir();
    if !dir.is_dir() {
        println!(
            "note: {} is absent; DCSA checksum test skipped",
            dir.display()
        );
        return;
    }
    let pinned = fixture();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no samples in {}", dir.display());
    for name in &names {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let id = document_id_of_json(&bytes).unwrap();
        let expected = pinned
            .get(name)
            .unwrap_or_else(|| panic!("{name} is not in the fixture: rerun dcsa_checksums.py"));
        assert_eq!(&id.to_hex(), expected, "checksum of {name}");
    }
    let files = pinned.keys().filter(|k| !k.contains('#')).count();
    assert_eq!(files, names.len(), "fixture lists samples that are gone");
}

/// Checks the checksum of member `member` of sample `file` against the fixture; returns it.
fn sub_document_checksum(file: &str, member: &str) -> Option<String> {
    let bytes = read_sample(file)?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let id = document_id(&value[member]).unwrap().to_hex();
    let key = format!("{file}#/{member}");
    assert_eq!(Some(&id), fixture().get(&key), "checksum of {key}");
    Some(id)
}

const ISSUANCE_REQUEST: &str =
    "dcsa-ebl-iss-3.0.4__put-ebl-issuance-requests__request__regularSTDExample.json";
const PINT_ENVELOPE: &str = "dcsa-pint-3.0.0__post-envelopes__request__regularSTDExample.json";

#[test]
fn the_document_of_the_issuance_request_matches_the_fixture() {
    sub_document_checksum(ISSUANCE_REQUEST, "document");
}

#[test]
fn the_transport_document_of_the_pint_envelope_matches_the_fixture() {
    sub_document_checksum(PINT_ENVELOPE, "transportDocument");
}

#[test]
fn the_issuance_request_and_the_pint_envelope_carry_the_same_document() {
    let issued = sub_document_checksum(ISSUANCE_REQUEST, "document");
    let transferred = sub_document_checksum(PINT_ENVELOPE, "transportDocument");
    assert_eq!(issued, transferred);
}

#[derive(serde::Deserialize)]
struct EdgeCase {
    json: String,
    sha256: String,
}

#[test]
fn rfc8785_corner_cases_match_the_python_implementation() {
    let text =
        std::fs::read_to_string(manifest_dir().join("tests/fixtures/jcs_edge_cases.json")).unwrap();
    let cases: BTreeMap<String, EdgeCase> = serde_json::from_str(&text).unwrap();
    assert!(cases.len() >= 10);
    let mut failures = Vec::new();
    for (name, case) in &cases {
        let id = document_id_of_json(case.json.as_bytes()).unwrap().to_hex();
        if id != case.sha256 {
            let canonical =
                ebl_ledger::docid::canonical_json(&serde_json::from_str(&case.json).unwrap())
                    .unwrap();
            failures.push(format!(
                "{name}: {} canonicalized to {}",
                case.json,
                String::from_utf8_lossy(&canonical)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
