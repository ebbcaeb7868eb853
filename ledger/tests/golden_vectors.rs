//! Golden vectors: the canonical bytes and hashes of an entry, a signed entry, a block header
//! and the pilot genesis are pinned in `tests/fixtures/golden.json` (R1, R2, R5, R10, R13).
//!
//! A failure here means the wire format or a hash changed, which forks every existing network.
//! If the change is deliberate, regenerate with `EBL_REGENERATE_GOLDEN=1 cargo test -p
//! ebl-ledger --test golden_vectors` and commit the fixture with the protocol change.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use ebl_ledger::block::{self, BlockHeader, EntryResult, Outcome};
use ebl_ledger::codec;
use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::{Body, ChainRef, DocumentRef, Entry, SignedEntry};
use ebl_ledger::hash::Hash32;
use ebl_ledger::ids::OrgId;
use ebl_ledger::receipt::{VerificationOutcome, VerificationReceipt};
use ebl_ledger::testkit::{TestNetwork, key_from_label};
use ebl_ledger::time::Timestamp;

const REGENERATE: &str = "EBL_REGENERATE_GOLDEN";

fn fixture_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/golden.json")
}

fn sample_chain() -> ChainRef {
    ChainRef {
        chain_id: "ebl-golden-1".into(),
        genesis_hash: Hash32::sha256(b"golden genesis"),
    }
}

fn sample_entry() -> Entry {
    Entry {
        chain: sample_chain(),
        signer: PublicKey::from(key_from_label("golden").verifying_key()),
        sequence: 42,
        act_for: Some(OrgId("CARRIER".into())),
        body: Body::Verification(VerificationReceipt {
            subject: DocumentRef::Ebl {
                id: Hash32::sha256(b"transport document"),
            },
            outcome: VerificationOutcome::Verified,
            purpose: "LC_PAYMENT".into(),
            detail: "signature and holder checked".into(),
            cites: Vec::new(),
        }),
        remark: Some(b"note".to_vec()),
    }
}

fn sample_signed_entry() -> SignedEntry {
    sample_entry().sign(&key_from_label("golden"))
}

fn sample_results(entry: &SignedEntry) -> Vec<EntryResult> {
    vec![EntryResult {
        entry: entry.id(),
        outcome: Outcome::Failed {
            code: "UNKNOWN_DOCUMENT".into(),
            message: "unknown document".into(),
        },
    }]
}

fn sample_header() -> BlockHeader {
    let entry = sample_signed_entry();
    BlockHeader {
        protocol_version: 1,
        chain: sample_chain(),
        height: 7,
        prev_hash: Hash32::sha256(b"block 6"),
        time: Timestamp(1_767_225_607_000),
        proposer: PublicKey::from(key_from_label("golden-proposer").verifying_key()),
        entries_hash: block::entries_hash(std::slice::from_ref(&entry)),
        results_hash: block::results_hash(&sample_results(&entry)),
        state_root: Hash32::sha256(b"state"),
        evidence_hash: ebl_ledger::evidence::evidence_hash(&[]),
    }
}

/// Every pinned vector, computed from the current code.
fn compute() -> BTreeMap<String, String> {
    let entry = sample_entry();
    let signed = sample_signed_entry();
    let header = sample_header();
    let net = TestNetwork::pilot();
    let mut out = BTreeMap::new();
    let mut put = |name: &str, value: String| out.insert(name.to_string(), value);
    put("entry.bytes", hex::encode(codec::encode(&entry)));
    put("entry.id", entry.id().to_hex());
    put(
        "entry.signing_payload",
        hex::encode(entry.signing_payload()),
    );
    put("signed_entry.bytes", hex::encode(signed.encode()));
    put("signed_entry.signature", hex::encode(signed.signature().0));
    put("block.entries_hash", header.entries_hash.to_hex());
    put("block.results_hash", header.results_hash.to_hex());
    put("block_header.bytes", hex::encode(codec::encode(&header)));
    put("block_header.hash", header.hash().to_hex());
    put("pilot.genesis_hash", net.genesis.hash().to_hex());
    put(
        "pilot.genesis_block_hash",
        net.ledger.head().hash().to_hex(),
    );
    put("pilot.genesis_state_root", net.state_root().to_hex());
    out
}

/// Compares the vectors named `prefix.*` with the fixture, or rewrites the fixture when
/// `EBL_REGENERATE_GOLDEN=1`.
fn check(prefix: &str) {
    let actual = compute();
    let path = fixture_path();
    if std::env::var(REGENERATE).as_deref() == Ok("1") {
        // Write then rename, so that tests running in parallel never see a half-written file.
        let tmp = path.with_extension(format!("json.{prefix}.tmp"));
        let text = serde_json::to_string_pretty(&actual).unwrap() + "\n";
        std::fs::write(&tmp, text).unwrap();
        std::fs::rename(&tmp, &path).unwrap();
        println!("{REGENERATE}=1: rewrote {}", path.display());
        return;
    }
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}; generate it with {REGENERATE}=1",
            path.display()
        )
    });
    let pinned: BTreeMap<String, String> = serde_json::from_str(&text).unwrap();
    let mut mismatches = Vec::new();
    for (name, value) in actual.iter().filter(|(n, _)| n.starts_with(prefix)) {
        match pinned.get(name) {
            Some(expected) if expected == value => {}
            Some(expected) => mismatches.push(format!(
                "  {name}\n    pinned:   {expected}\n    computed: {value}"
            )),
            None => mismatches.push(format!("  {name} is not in the fixture")),
        }
    }
    assert!(
        mismatches.is_empty(),
        "golden vectors changed (the canonical encoding or a hash is different: existing \
         signatures, ids and chains would no longer match):\n{}\nIf this is a deliberate \
         protocol change, rerun with {REGENERATE}=1 and commit {}.",
        mismatches.join("\n"),
        path.display()
    );
}

#[test]
fn entry_bytes_and_id_match_the_golden_vector() {
    check("entry.");
}

#[test]
fn signed_entry_bytes_and_signature_match_the_golden_vector() {
    check("signed_entry.");
}

#[test]
fn block_header_bytes_and_hash_match_the_golden_vector() {
    check("block");
}

#[test]
fn pilot_genesis_hash_and_state_root_match_the_golden_vector() {
    check("pilot.");
}

#[test]
fn the_golden_signed_entry_decodes_and_verifies() {
    let signed = sample_signed_entry();
    assert_eq!(SignedEntry::decode(&signed.encode()), Ok(signed.clone()));
    assert_eq!(signed.check_stateless(&sample_chain()), Ok(()));
}
