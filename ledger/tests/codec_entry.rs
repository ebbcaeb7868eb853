//! Decoding submitted entries: exactly one canonical encoding is accepted (R1).
#![allow(clippy::unwrap_used)]

use ebl_ledger::codec;
use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::{Body, ChainRef, DocumentRef, Entry, MAX_ENTRY_BYTES, SignedEntry};
use ebl_ledger::hash::Hash32;
use ebl_ledger::receipt::{VerificationOutcome, VerificationReceipt};
use ebl_ledger::testkit::key_from_label;

fn chain() -> ChainRef {
    ChainRef {
        chain_id: "ebl-test-1".into(),
        genesis_hash: Hash32::sha256(b"genesis"),
    }
}

fn sample() -> SignedEntry {
    let key = key_from_label("codec-test");
    Entry {
        chain: chain(),
        signer: PublicKey::from(key.verifying_key()),
        sequence: 7,
        act_for: None,
        body: Body::Verification(VerificationReceipt {
            subject: DocumentRef::Ebl {
                id: Hash32::sha256(b"doc"),
            },
            outcome: VerificationOutcome::Verified,
            purpose: "LC_PAYMENT".into(),
            detail: "all checks".into(),
            cites: Vec::new(),
        }),
        remark: None,
    }
    .sign(&key)
}

/// Offset of the `act_for` option tag in the encoding of [`sample`]: chain id (u64 length and
/// bytes), genesis hash, signer, sequence.
fn act_for_offset() -> usize {
    codec::encode(&chain()).len() + 32 + 8
}

/// Offset of the body's variant tag (u32, big-endian) with `act_for` = None.
fn body_tag_offset() -> usize {
    act_for_offset() + 1
}

fn code_of(bytes: &[u8]) -> &'static str {
    SignedEntry::decode(bytes).unwrap_err().code()
}

#[test]
fn a_canonical_entry_decodes_to_itself() {
    let entry = sample();
    assert_eq!(SignedEntry::decode(&entry.encode()), Ok(entry));
}

#[test]
fn every_truncation_of_an_entry_is_rejected() {
    let bytes = sample().encode();
    for len in 0..bytes.len() {
        assert_eq!(code_of(&bytes[..len]), "MALFORMED", "prefix of {len} bytes");
    }
}

#[test]
fn trailing_bytes_after_an_entry_are_rejected() {
    let mut bytes = sample().encode();
    bytes.push(0);
    assert_eq!(code_of(&bytes), "TRAILING_BYTES");
    bytes.extend_from_slice(&sample().encode());
    assert_eq!(code_of(&bytes), "TRAILING_BYTES");
}

#[test]
fn input_over_the_entry_limit_is_rejected_before_decoding() {
    let mut bytes = sample().encode();
    bytes.resize(MAX_ENTRY_BYTES + 1, 0);
    assert_eq!(code_of(&bytes), "OVERSIZE");
}

#[test]
fn an_entry_whose_encoding_exceeds_the_limit_is_rejected() {
    let key = key_from_label("codec-test");
    let mut entry = sample().into_entry();
    entry.remark = Some(vec![b'x'; MAX_ENTRY_BYTES]);
    let signed = entry.sign(&key);
    assert_eq!(code_of(&signed.encode()), "OVERSIZE");
    assert_eq!(
        signed.check_stateless(&chain()).unwrap_err().code(),
        "REMARK_TOO_LARGE"
    );
}

#[test]
fn an_unknown_body_tag_is_rejected() {
    let mut bytes = sample().encode();
    let at = body_tag_offset();
    // The sample is a verification receipt, the third body variant.
    assert_eq!(bytes[at..at + 4], [0, 0, 0, 2]);
    for tag in [5u32, 99, u32::MAX] {
        bytes[at..at + 4].copy_from_slice(&tag.to_be_bytes());
        assert_eq!(code_of(&bytes), "MALFORMED", "body tag {tag}");
    }
}

#[test]
fn an_unknown_option_tag_is_rejected() {
    let mut bytes = sample().encode();
    let at = act_for_offset();
    assert_eq!(bytes[at], 0);
    bytes[at] = 2;
    assert_eq!(code_of(&bytes), "MALFORMED");
}

#[test]
fn unknown_tags_inside_the_body_are_rejected() {
    let bytes = sample().encode();
    // Body tag, then the DocumentRef tag (u32), the 32-byte id, the outcome tag (u32).
    let subject = body_tag_offset() + 4;
    let outcome = subject + 4 + 32;
    assert_eq!(bytes[outcome..outcome + 4], [0, 0, 0, 0]);
    for at in [subject, outcome] {
        let mut bad = bytes.clone();
        bad[at + 3] = 7;
        assert_eq!(code_of(&bad), "MALFORMED", "tag at {at}");
    }
}

#[test]
fn invalid_utf8_in_a_string_is_rejected() {
    let mut bytes = sample().encode();
    // First byte of the chain id, after its u64 length.
    bytes[8] = 0xff;
    assert_eq!(code_of(&bytes), "MALFORMED");
}

#[test]
fn a_huge_length_prefix_is_rejected_without_allocating() {
    let mut bytes = sample().encode();
    bytes[..8].copy_from_slice(&u64::MAX.to_be_bytes());
    assert_eq!(code_of(&bytes), "MALFORMED");
}

#[test]
fn the_signature_is_the_last_64_bytes() {
    let entry = sample();
    let bytes = entry.encode();
    assert_eq!(bytes[bytes.len() - 64..], entry.signature().0);
    assert_eq!(
        bytes[..bytes.len() - 64],
        codec::encode(&entry.entry())[..],
        "a signed entry is the entry followed by its signature"
    );
}
