//! Batch verification decides exactly what the single rule decides, item by item (R3, R172).
#![allow(clippy::unwrap_used)]

use ebl_ledger::crypto::{
    CryptoError, PublicKey, Signature, batch_verifies, verify_batch, verify_each,
};
use ebl_ledger::testkit::key_from_label;
use ed25519_dalek::Signer;
use proptest::prelude::*;

/// `n` (key, message, signature) triples from distinct deterministic keys.
fn good_batch(n: usize) -> Vec<(PublicKey, Vec<u8>, Signature)> {
    (0..n)
        .map(|i| {
            let key = key_from_label(&format!("batch:{i}"));
            let message = format!("entry {i}").into_bytes();
            let signature = Signature::from(key.sign(&message));
            (PublicKey::from(key.verifying_key()), message, signature)
        })
        .collect()
}

fn borrowed(batch: &[(PublicKey, Vec<u8>, Signature)]) -> Vec<(PublicKey, &[u8], Signature)> {
    batch
        .iter()
        .map(|(k, m, s)| (*k, m.as_slice(), *s))
        .collect()
}

#[test]
fn an_empty_batch_passes() {
    assert!(batch_verifies(&[]));
    assert!(verify_each(&[]).is_empty());
    assert!(verify_batch(&[]).is_empty());
}

#[test]
fn a_good_batch_passes_the_batch_equation_and_every_single_check() {
    let batch = good_batch(32);
    let items = borrowed(&batch);
    assert!(batch_verifies(&items));
    assert!(verify_each(&items).iter().all(Result::is_ok));
    assert_eq!(verify_batch(&items), verify_each(&items));
}

#[test]
fn one_bad_signature_fails_the_batch_and_verify_each_pinpoints_it() {
    let mut batch = good_batch(32);
    batch[17].2.0[5] ^= 0x40;
    let items = borrowed(&batch);
    assert!(!batch_verifies(&items));
    let results = verify_batch(&items);
    assert_eq!(results, verify_each(&items));
    for (i, result) in results.iter().enumerate() {
        if i == 17 {
            assert_eq!(*result, Err(CryptoError::BadSignature));
        } else {
            assert_eq!(*result, Ok(()), "item {i}");
        }
    }
}

#[test]
fn a_signature_moved_to_another_message_fails_the_batch() {
    let mut batch = good_batch(8);
    batch[3].1 = b"a different entry".to_vec();
    let items = borrowed(&batch);
    assert!(!batch_verifies(&items));
    assert_eq!(verify_batch(&items)[3], Err(CryptoError::BadSignature));
}

#[test]
fn a_small_order_key_forgery_gets_the_same_verdict_in_a_batch_as_alone() {
    let mut batch = good_batch(4);
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let mut forged = [0u8; 64];
    forged[..32].copy_from_slice(&identity);
    batch[2].0 = PublicKey(identity);
    batch[2].2 = Signature(forged);
    let items = borrowed(&batch);
    // ZIP-215 accepts it alone (anybody can make it: R4 never registers such a key), and the
    // batch agrees.
    assert!(verify_each(&items)[2].is_ok());
    assert!(batch_verifies(&items));
    assert_eq!(verify_batch(&items), verify_each(&items));
}

/// The group order L, little-endian.
const L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
];

#[test]
fn a_signature_with_s_plus_l_fails_the_batch_and_the_single_check() {
    let mut batch = good_batch(4);
    let s = &mut batch[1].2.0[32..];
    let mut carry = 0u16;
    for (byte, l) in s.iter_mut().zip(L) {
        let sum = u16::from(*byte) + u16::from(l) + carry;
        *byte = sum.to_le_bytes()[0];
        carry = sum >> 8;
    }
    let items = borrowed(&batch);
    assert!(!batch_verifies(&items));
    assert_eq!(verify_batch(&items)[1], Err(CryptoError::BadSignature));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The batch decides exactly what the single rule decides, item by item.
    #[test]
    fn the_batch_decides_what_single_verification_decides(
        index in 0usize..6,
        byte in 0usize..64,
        flip in 1u8..=255,
        tamper_message in any::<bool>(),
    ) {
        let mut batch = good_batch(6);
        if tamper_message {
            let message = &mut batch[index].1;
            let at = byte % message.len();
            message[at] ^= flip;
        } else {
            batch[index].2.0[byte] ^= flip;
        }
        let items = borrowed(&batch);
        let single = verify_each(&items);
        prop_assert_eq!(batch_verifies(&items), single.iter().all(Result::is_ok));
        prop_assert_eq!(&verify_batch(&items), &single);
        prop_assert!(single[index].is_err());
        for (i, result) in single.iter().enumerate() {
            if i != index {
                prop_assert!(result.is_ok());
            }
        }
    }
}
