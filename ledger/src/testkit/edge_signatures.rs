//! Edge-case Ed25519 signatures over any message, made with a real signing key, for testing
//! that every entry point decides them the same way (R3, R171–R175, ADR 0025).
//!
//! The published vectors (`ledger/tests/fixtures/ed25519/`) sign fixed messages under fixed
//! keys, so they can test only the entry points that take raw (key, message, signature)
//! triples. Entries, votes, certificates and body proofs sign their own bytes under registered
//! keys; these builders make the same shapes (small-order and mixed-order R, non-canonical
//! encodings, S ≥ L, small-order keys) over those bytes, with the verdict each shape must get.

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha512};

use crate::crypto::{PublicKey, Signature};

/// A point of order 8 (from the ed25519-speccheck small-order list).
pub const ORDER_8_POINT: [u8; 32] = [
    0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
    0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a,
];

/// The identity point (0, 1) written with the sign bit of x set: a non-canonical encoding that
/// ZIP-215 decodes and RFC 8032 refuses (Wycheproof tcId 151).
pub const IDENTITY_WITH_SIGN_BIT: [u8; 32] = {
    let mut b = [0u8; 32];
    b[0] = 1;
    b[31] = 0x80;
    b
};

/// The group order L, little-endian.
const L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
];

/// The shape of a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// RFC 8032 signing.
    Honest,
    /// R = rB + T (T of order 8), S = r + H(R‖A‖M)·a: only the cofactored equation holds.
    MixedOrderR,
    /// R = T (order 8), S = H(R‖A‖M)·a: a small-order R, only the cofactored equation holds.
    SmallOrderR,
    /// R = the identity written non-canonically (sign bit set), S = H(R‖A‖M)·a.
    NonCanonicalIdentityR,
    /// An honest signature with L added to S: a non-canonical S.
    SPlusL,
    /// An honest signature with one bit of S flipped.
    FlippedBit,
}

impl Shape {
    /// Every shape.
    pub const ALL: [Shape; 6] = [
        Shape::Honest,
        Shape::MixedOrderR,
        Shape::SmallOrderR,
        Shape::NonCanonicalIdentityR,
        Shape::SPlusL,
        Shape::FlippedBit,
    ];

    /// Whether the ledger's rule (ZIP-215) accepts this shape by a registered key.
    pub fn valid_under_the_rule(self) -> bool {
        matches!(
            self,
            Shape::Honest | Shape::MixedOrderR | Shape::SmallOrderR | Shape::NonCanonicalIdentityR
        )
    }

    /// Whether RFC 8032 `verify_strict` accepts it (for the record: the rule is not strict).
    pub fn valid_under_verify_strict(self) -> bool {
        self == Shape::Honest
    }
}

/// A signing key's scalar `a` and nonce prefix, as RFC 8032 expands its seed.
fn expand(key: &SigningKey) -> (Scalar, [u8; 32]) {
    let hash = Sha512::digest(key.to_bytes());
    let mut low = [0u8; 32];
    low.copy_from_slice(&hash[..32]);
    low[0] &= 248;
    low[31] &= 127;
    low[31] |= 64;
    let mut prefix = [0u8; 32];
    prefix.copy_from_slice(&hash[32..]);
    (Scalar::from_bytes_mod_order(low), prefix)
}

fn challenge(r: &[u8; 32], key: &[u8; 32], message: &[u8]) -> Scalar {
    let mut h = Sha512::new();
    h.update(r);
    h.update(key);
    h.update(message);
    let mut wide = [0u8; 64];
    wide.copy_from_slice(&h.finalize());
    Scalar::from_bytes_mod_order_wide(&wide)
}

fn point(bytes: [u8; 32]) -> EdwardsPoint {
    // The constants above are curve points; the identity stands in if one ever did not decode.
    CompressedEdwardsY(bytes).decompress().unwrap_or_default()
}

fn signature(r: [u8; 32], s: Scalar) -> Signature {
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&r);
    out[32..].copy_from_slice(s.as_bytes());
    Signature(out)
}

/// Signs `message` with `key` in the given shape.
pub fn sign(key: &SigningKey, message: &[u8], shape: Shape) -> Signature {
    let (a, prefix) = expand(key);
    let public = key.verifying_key().to_bytes();
    let mut h = Sha512::new();
    h.update(prefix);
    h.update(message);
    let mut wide = [0u8; 64];
    wide.copy_from_slice(&h.finalize());
    let r = Scalar::from_bytes_mod_order_wide(&wide);
    let honest = |r_point: EdwardsPoint| {
        let r_bytes = r_point.compress().0;
        signature(r_bytes, r + challenge(&r_bytes, &public, message) * a)
    };
    let nonce_free =
        |r_bytes: [u8; 32]| signature(r_bytes, challenge(&r_bytes, &public, message) * a);
    match shape {
        Shape::Honest => honest(ED25519_BASEPOINT_POINT * r),
        Shape::MixedOrderR => honest(ED25519_BASEPOINT_POINT * r + point(ORDER_8_POINT)),
        Shape::SmallOrderR => nonce_free(ORDER_8_POINT),
        Shape::NonCanonicalIdentityR => nonce_free(IDENTITY_WITH_SIGN_BIT),
        Shape::SPlusL => add_l_to_s(honest(ED25519_BASEPOINT_POINT * r)),
        Shape::FlippedBit => {
            let mut sig = honest(ED25519_BASEPOINT_POINT * r);
            sig.0[40] ^= 0x04;
            sig
        }
    }
}

/// A small-order key and a signature that the ZIP-215 equation accepts for it on any message
/// (R = identity, S = 0; ed25519-speccheck case 0): why R4 never registers such a key.
pub fn small_order_key_forgery() -> (PublicKey, Signature) {
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let mut sig = [0u8; 64];
    sig[..32].copy_from_slice(&identity);
    (PublicKey(ORDER_8_POINT), Signature(sig))
}

fn add_l_to_s(mut sig: Signature) -> Signature {
    let mut carry = 0u16;
    for (byte, l) in sig.0[32..].iter_mut().zip(L) {
        let sum = u16::from(*byte) + u16::from(l) + carry;
        *byte = sum.to_le_bytes()[0];
        carry = sum >> 8;
    }
    sig
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::key_from_label;

    #[test]
    #[allow(clippy::disallowed_methods)] // verify_strict, for the record of what it refuses
    fn every_shape_gets_its_verdict_from_the_rule() {
        let key = key_from_label("edge-signatures");
        let public = PublicKey::from(key.verifying_key());
        for message in [&b""[..], b"an entry", &[0xab; 300]] {
            for shape in Shape::ALL {
                let sig = sign(&key, message, shape);
                assert_eq!(
                    public.verify(message, &sig).is_ok(),
                    shape.valid_under_the_rule(),
                    "{shape:?}"
                );
                let strict = ed25519_dalek::VerifyingKey::from_bytes(&public.0)
                    .unwrap()
                    .verify_strict(message, &ed25519_dalek::Signature::from_bytes(&sig.0))
                    .is_ok();
                assert_eq!(strict, shape.valid_under_verify_strict(), "{shape:?}");
            }
        }
    }

    #[test]
    fn an_honest_shape_is_exactly_rfc8032_signing() {
        use ed25519_dalek::Signer;
        let key = key_from_label("edge-signatures");
        assert_eq!(
            sign(&key, b"m", Shape::Honest),
            Signature::from(key.sign(b"m"))
        );
    }

    #[test]
    fn a_small_order_key_verifies_a_signature_nobody_made_and_is_never_registrable() {
        let (key, sig) = small_order_key_forgery();
        assert!(key.verify(b"any message at all", &sig).is_ok());
        assert!(key.check_registrable().is_err());
    }
}
