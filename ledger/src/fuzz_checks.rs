//! The checks of the coverage-guided fuzz targets (ADR 0039), one function per target. The
//! cargo-fuzz crate (`fuzz/`) calls them on generated inputs; `tests/fuzz_corpus.rs` calls them
//! on every committed corpus file and found crash, so `cargo nextest run` replays both without
//! cargo-fuzz. Each check asserts more than "no panic" where the decoder allows it: a decoded
//! value re-encodes to exactly the input (R1), canonical JSON agrees with an independent
//! implementation (R30), and every refusal is a typed error with a stable code.
#![allow(clippy::panic)]

mod state_sync;

pub use state_sync::{SyncFixture, state_sync_chunk, state_sync_manifest, sync_fixture};

use crate::block::{Block, BlockHeader};
use crate::codec::{self, MAX_DECODE_BYTES};
use crate::crypto::PublicKey;
use crate::docfacts;
use crate::docid;
use crate::entry::SignedEntry;
use crate::finality::{CommitCertificate, DoubleVote, SignedVote};
use crate::hash::Hash32;
use crate::identity::Validator;
use crate::identity::x509;
use crate::ids::OrgId;
use crate::time::Timestamp;

/// R1: a submitted signed entry that decodes re-encodes to exactly its bytes, and its
/// stateless checks answer with a typed error instead of panicking.
pub fn signed_entry(data: &[u8]) {
    let Ok(entry) = SignedEntry::decode(data) else {
        return;
    };
    assert_eq!(
        entry.encode(),
        data,
        "a decoded entry re-encodes to its bytes"
    );
    // R485: what a decoded entry carries is what its entry computes afresh.
    assert_eq!(
        entry.id(),
        entry.entry().id(),
        "the carried id is the entry's"
    );
    assert_eq!(
        entry.signing_payload(),
        entry.entry().signing_payload(),
        "the carried signed bytes are the entry's"
    );
    if let Err(e) = entry.check_stateless(&entry.entry().chain.clone()) {
        assert!(!e.code().is_empty());
    }
}

/// R1: a block from a peer that decodes re-encodes to exactly its bytes; its header hashes.
pub fn block(data: &[u8]) {
    let Ok(block) = Block::decode(data) else {
        return;
    };
    assert_eq!(
        codec::encode(&block),
        data,
        "a decoded block re-encodes to its bytes"
    );
    let _ = block.header.hash();
    let _ = crate::block::entries_hash(&block.entries);
}

/// The genesis hash the finality seeds are signed for.
pub const FUZZ_CHAIN: Hash32 = Hash32([9; 32]);

/// The key of validator `i` of the finality seeds.
pub fn fuzz_validator_key(i: u8) -> ed25519_dalek::SigningKey {
    ed25519_dalek::SigningKey::from_bytes(&[i.wrapping_add(1); 32])
}

/// Four validators of power 1, so that seeds signed by them verify and mutations reach every
/// branch of the certificate check.
pub fn fuzz_validators() -> Vec<Validator> {
    (0u8..4)
        .map(|i| Validator {
            key: PublicKey(fuzz_validator_key(i).verifying_key().to_bytes()),
            operator: OrgId(format!("ORG{i}")),
            power: 1,
        })
        .collect()
}

/// R1, R132–R135: finality material (commit certificates served in proof bundles, votes,
/// double-vote evidence, bare block headers) round-trips, and verifying it against the chain
/// it names and an arbitrary validator set is a typed answer.
pub fn finality(data: &[u8]) {
    let chain = FUZZ_CHAIN;
    let validators = fuzz_validators();
    if let Ok(certificate) = codec::decode::<CommitCertificate>(data, MAX_DECODE_BYTES) {
        assert_eq!(codec::encode(&certificate), data);
        let _ = certificate.verify(&chain, &validators);
    }
    if let Ok(vote) = codec::decode::<SignedVote>(data, MAX_DECODE_BYTES) {
        assert_eq!(codec::encode(&vote), data);
        let _ = vote.verify(&chain);
    }
    if let Ok(evidence) = codec::decode::<DoubleVote>(data, MAX_DECODE_BYTES) {
        assert_eq!(codec::encode(&evidence), data);
        let _ = evidence.verify(&chain, &validators);
        let _ = (evidence.validator(), evidence.height());
    }
    if let Ok(header) = codec::decode::<BlockHeader>(data, MAX_DECODE_BYTES) {
        assert_eq!(codec::encode(&header), data);
        let _ = header.hash();
    }
}

/// R20–R21: admission certificates. The input is `[time: u64 BE milliseconds][root length: u16 BE][root
/// DER][organisation DER]`, so that seeds hold a real root and organisation pair. Parsing never
/// panics and refuses with a typed error; an accepted root's fingerprint is its DER's hash.
pub fn x509(data: &[u8]) {
    let Some((time, rest)) = data.split_first_chunk::<8>() else {
        return;
    };
    let Some((len, rest)) = rest.split_first_chunk::<2>() else {
        return;
    };
    let time = Timestamp(u64::from_be_bytes(*time));
    let (root_der, org_der) = rest.split_at(usize::from(u16::from_be_bytes(*len)).min(rest.len()));
    let roots = match x509::parse_root(root_der) {
        Ok(root) => {
            assert_eq!(root.fingerprint, Hash32::sha256(root_der));
            vec![root]
        }
        Err(e) => {
            assert!(!e.code().is_empty());
            Vec::new()
        }
    };
    match x509::parse_organisation(org_der, &roots, time) {
        Ok(org) => {
            assert!(!org.roles.is_empty(), "an admitted organisation has a role");
            assert!(org.id.validate("fuzz").is_ok());
        }
        Err(e) => assert!(!e.code().is_empty()),
    }
    // The organisation certificate alone, as a root: same guarantees.
    if let Err(e) = x509::parse_root(org_der) {
        assert!(!e.code().is_empty());
    }
}

/// R30: for any JSON text, our RFC 8785 writer agrees byte for byte with the
/// `serde_json_canonicalizer` crate, is idempotent (canonical JSON parses back to the same
/// canonical bytes), and the id of the text is the id of its parsed value.
pub fn canonical_json(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        assert!(matches!(
            docid::document_id_of_json(data),
            Err(docid::DocIdError::NotJson(_))
        ));
        return;
    };
    let ours = docid::canonical_json(&value);
    let reference = serde_json_canonicalizer::to_vec(&value);
    match (&ours, &reference) {
        (Ok(a), Ok(b)) => assert_eq!(
            String::from_utf8_lossy(a),
            String::from_utf8_lossy(b),
            "canonical JSON differs from the reference"
        ),
        (Err(_), Err(_)) => {}
        (a, b) => panic!("canonical JSON: ours {a:?}, reference {b:?}"),
    }
    let Ok(canonical) = ours else {
        return;
    };
    let reparsed: serde_json::Value =
        serde_json::from_slice(&canonical).unwrap_or_else(|e| panic!("canonical JSON: {e}"));
    assert_eq!(
        docid::canonical_json(&reparsed).ok(),
        Some(canonical.clone())
    );
    assert_eq!(
        docid::document_id_of_json(data).ok(),
        docid::document_id(&value).ok()
    );
    assert_eq!(
        docid::document_id(&value).ok(),
        Some(Hash32::sha256(&canonical))
    );
}

/// The directory of the docfacts check: DCSA party codes `FUZZ`/`<org>` name organisations
/// `<org>` when the code is a valid id; `EBL`/`<anything>` names two (ambiguous).
fn fuzz_directory(provider: &str, code: &str) -> Option<OrgId> {
    match provider {
        "FUZZ" => Some(OrgId(code.to_owned())).filter(|o| o.validate("fuzz").is_ok()),
        "EBL" => Some(OrgId(format!("org-{}", code.len() % 2))),
        _ => None,
    }
}

/// R220–R223: the title facts of any JSON document are read or refused with typed errors;
/// facts that are read are consistent with the document's declared kind.
pub fn docfacts(data: &[u8]) {
    let Ok(document) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let kind = docfacts::kind_of(&document);
    match docfacts::title_facts(&document, &fuzz_directory) {
        Ok(facts) => assert_eq!(Ok(facts.kind), kind, "facts agree with kind_of"),
        Err(errors) => {
            assert!(!errors.is_empty(), "a refusal names a reason");
            for e in errors {
                assert!(!e.code().is_empty());
            }
        }
    }
}
