//! The signature rule (R3, ZIP-215) on malleated signatures, and why weak keys are never
//! registered (R4).
#![allow(clippy::unwrap_used)]

use curve25519_dalek::edwards::CompressedEdwardsY;
use ebl_ledger::crypto::{CryptoError, PublicKey, Signature};
use ebl_ledger::entry::{Body, DocumentRef};
use ebl_ledger::hash::Hash32;
use ebl_ledger::receipt::{VerificationOutcome, VerificationReceipt};
use ebl_ledger::testkit::{TestNetwork, key_from_label};
use ed25519_dalek::Signer;

/// The order of the prime-order subgroup, L = 2^252 + 27742317777372353535851937790883648493,
/// little-endian as Ed25519 encodes scalars.
const L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
];

/// The identity point (0, 1): order 1.
const IDENTITY: [u8; 32] = {
    let mut b = [0u8; 32];
    b[0] = 1;
    b
};

/// A point of order 8 (from the ed25519-speccheck small-order list).
const ORDER_8: &str = "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a";

/// Adds L to the S half of a signature: the same scalar mod L, a non-canonical encoding.
fn add_l_to_s(signature: &Signature) -> Signature {
    let mut out = signature.0;
    let mut carry = 0u16;
    for (i, l) in L.iter().enumerate() {
        let sum = u16::from(out[32 + i]) + u16::from(*l) + carry;
        out[32 + i] = sum.to_le_bytes()[0];
        carry = sum >> 8;
    }
    assert_eq!(carry, 0, "S + L fits in 256 bits");
    Signature(out)
}

fn signed(message: &[u8]) -> (PublicKey, Signature) {
    let key = key_from_label("crypto-test");
    (
        PublicKey::from(key.verifying_key()),
        Signature::from(key.sign(message)),
    )
}

fn receipt() -> Body {
    Body::Verification(VerificationReceipt {
        subject: DocumentRef::Ebl {
            id: Hash32::sha256(b"doc"),
        },
        outcome: VerificationOutcome::Verified,
        purpose: "LC_PAYMENT".into(),
        detail: String::new(),
        cites: Vec::new(),
    })
}

#[test]
fn a_valid_signature_verifies() {
    let (key, sig) = signed(b"message");
    assert_eq!(key.verify(b"message", &sig), Ok(()));
    assert_eq!(key.verify(b"other", &sig), Err(CryptoError::BadSignature));
}

#[test]
fn a_signature_with_s_plus_l_is_rejected() {
    let (key, sig) = signed(b"message");
    let malleated = add_l_to_s(&sig);
    assert_ne!(malleated, sig);
    assert_eq!(
        key.verify(b"message", &malleated),
        Err(CryptoError::BadSignature)
    );
}

#[test]
fn an_entry_with_a_malleated_signature_fails_the_stateless_check() {
    let mut net = TestNetwork::pilot();
    let mut entry = net.sign("BANK", receipt());
    let chain = net.ledger.chain().clone();
    assert_eq!(entry.check_stateless(&chain), Ok(()));
    entry = entry.clone().with_signature(add_l_to_s(entry.signature()));
    assert_eq!(
        entry.check_stateless(&chain).unwrap_err().code(),
        "BAD_SIGNATURE"
    );
    let outcome = net.commit(vec![entry]);
    assert!(
        matches!(&outcome[0], ebl_ledger::block::Outcome::Failed { code, .. } if code == "BAD_SIGNATURE")
    );
}

#[test]
fn the_identity_key_verifies_a_forgery_so_it_is_never_registrable() {
    let key = PublicKey(IDENTITY);
    assert_eq!(key.check_registrable(), Err(CryptoError::WeakKey));
    // R = identity, S = 0 satisfies the cofactored equation for the identity key on any message:
    // ZIP-215 accepts it, which is why R4 keeps such keys out of every registry.
    let mut forged = [0u8; 64];
    forged[..32].copy_from_slice(&IDENTITY);
    assert!(key.verify(b"anything", &Signature(forged)).is_ok());
}

#[test]
fn an_order_8_key_verifies_a_forgery_so_it_is_never_registrable() {
    let key = PublicKey::from_hex(ORDER_8).unwrap();
    let point = CompressedEdwardsY(key.0).decompress().unwrap();
    assert!(point.is_small_order());
    assert_eq!(key.check_registrable(), Err(CryptoError::WeakKey));
    let mut forged = [0u8; 64];
    forged[..32].copy_from_slice(&IDENTITY);
    assert!(key.verify(b"anything", &Signature(forged)).is_ok());
}

#[test]
fn a_key_with_a_torsion_component_is_not_registrable() {
    let (good, _) = signed(b"");
    assert_eq!(good.check_registrable(), Ok(()));
    let point = CompressedEdwardsY(good.0).decompress().unwrap();
    let torsion = CompressedEdwardsY(PublicKey::from_hex(ORDER_8).unwrap().0)
        .decompress()
        .unwrap();
    let mixed = PublicKey((point + torsion).compress().0);
    assert_eq!(mixed.check_registrable(), Err(CryptoError::WeakKey));
}

#[test]
fn bytes_that_are_not_a_curve_point_are_an_invalid_key() {
    // y = 2 gives x² = 3 / (4d + 1), which is not a square mod p.
    let mut not_a_point = [0u8; 32];
    not_a_point[0] = 2;
    let key = PublicKey(not_a_point);
    assert_eq!(CompressedEdwardsY(key.0).decompress(), None);
    assert_eq!(key.check_registrable(), Err(CryptoError::InvalidKey));
    let (_, sig) = signed(b"m");
    assert!(key.verify(b"m", &sig).is_err());
}

#[test]
fn an_entry_signed_by_a_small_order_key_passes_the_signature_rule_but_never_applies() {
    let mut net = TestNetwork::pilot();
    let chain = net.ledger.chain().clone();
    let mut forged = [0u8; 64];
    forged[..32].copy_from_slice(&IDENTITY);
    let entry = ebl_ledger::entry::SignedEntry::new(
        ebl_ledger::entry::Entry {
            chain: chain.clone(),
            signer: PublicKey(IDENTITY),
            sequence: 0,
            act_for: None,
            body: receipt(),
            remark: None,
        },
        Signature(forged),
    );
    // Anybody can make this signature; only standing (a registered, prime-order key) stops it.
    assert_eq!(entry.check_stateless(&chain), Ok(()));
    let outcome = net.commit(vec![entry]);
    assert!(
        matches!(&outcome[0], ebl_ledger::block::Outcome::Failed { code, .. } if code == "UNKNOWN_SIGNER"),
        "{outcome:?}"
    );
}
