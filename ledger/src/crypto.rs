//! Ed25519 keys and signatures under one rule: ZIP-215 (specs/protocol.md R3, R171–R175, ADR 0025).
//!
//! Every signature this system decides — entries at every entry point and in execution, consensus
//! votes and proposals, commit certificates, double-vote evidence, X.509 admission certificates,
//! document-body proofs, the wallet's offline checks — is decided by [`PublicKey::verify`], which
//! is `ed25519_consensus::VerificationKey::verify`: the ZIP-215 rule, the same implementation
//! Malachite uses for votes. ZIP-215 was designed so that batch and single verification agree on
//! every input, so [`verify_batch`] is a true fast path: it decides exactly what
//! [`PublicKey::verify`] decides, item by item, and it is what execution uses.
//!
//! ZIP-215 accepts signatures by small-order keys, which anybody can forge; that is why R4 never
//! registers such a key and why an entry needs standing (a registered key) before anything else.

use bincode::{Decode, Encode};
use curve25519_dalek::edwards::CompressedEdwardsY;
use ed25519_consensus::VerificationKey;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;

use crate::hash::{Hash32, domain};

/// An Ed25519 public key (32 bytes, compressed Edwards point).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode)]
pub struct PublicKey(pub [u8; 32]);

/// An Ed25519 signature (R ‖ S, 64 bytes).
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode)]
pub struct Signature(pub [u8; 64]);

/// Why a key or a signature is not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// Bytes are not a valid compressed Edwards point.
    #[error("public key is not a valid curve point")]
    InvalidKey,
    /// The key has small order or a torsion component; it must not be registered (R4).
    #[error("public key has small order or a torsion component")]
    WeakKey,
    /// The signature does not verify under the ZIP-215 rule (R3).
    #[error("signature does not verify")]
    BadSignature,
}

/// A public key decoded once (decompression is about a quarter of a verification), for callers
/// that verify many signatures of one signer. Verifies with the same rule as [`PublicKey::verify`].
#[derive(Clone, Copy, Debug)]
pub struct DecodedKey(VerificationKey);

impl DecodedKey {
    /// R3: the one rule, with the key already decoded.
    pub fn verify(&self, message: &[u8], signature: &Signature) -> Result<(), CryptoError> {
        self.0
            .verify(&ed25519_consensus::Signature::from(signature.0), message)
            .map_err(|_| CryptoError::BadSignature)
    }

    /// The key's bytes as given (ZIP-215 keeps the encoding it was decoded from).
    pub fn key(&self) -> PublicKey {
        PublicKey(self.0.to_bytes())
    }
}

impl PublicKey {
    /// Lowercase hex of the key bytes.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses 64 hex digits.
    pub fn from_hex(text: &str) -> Option<Self> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(text, &mut out).ok()?;
        Some(PublicKey(out))
    }

    /// R4: a key may be registered only if it is the canonical encoding of a point of prime
    /// order. Under ZIP-215 (R3) a small-order key verifies signatures anybody can make, and a
    /// key with a torsion component admits more than one valid signature per message, so neither
    /// may ever stand for a party.
    pub fn check_registrable(&self) -> Result<(), CryptoError> {
        let point = CompressedEdwardsY(self.0)
            .decompress()
            .ok_or(CryptoError::InvalidKey)?;
        if point.is_small_order() || !point.is_torsion_free() {
            return Err(CryptoError::WeakKey);
        }
        // Reject non-canonical encodings of the y coordinate too.
        if point.compress().0 != self.0 {
            return Err(CryptoError::InvalidKey);
        }
        Ok(())
    }

    /// Decodes the key for repeated verification (ZIP-215 decoding: any encoding of a curve
    /// point, canonical or not).
    pub fn decode(&self) -> Result<DecodedKey, CryptoError> {
        VerificationKey::try_from(self.0)
            .map(DecodedKey)
            .map_err(|_| CryptoError::InvalidKey)
    }

    /// R3: verifies `signature` over `message` with the ZIP-215 rule (cofactored equation
    /// `[8][S]B = [8]R + [8][k]A`, S canonical, A and R any encoding of a curve point).
    pub fn verify(&self, message: &[u8], signature: &Signature) -> Result<(), CryptoError> {
        self.decode()?.verify(message, signature)
    }
}

impl From<ed25519_dalek::VerifyingKey> for PublicKey {
    fn from(key: ed25519_dalek::VerifyingKey) -> Self {
        PublicKey(key.to_bytes())
    }
}

impl From<ed25519_dalek::Signature> for Signature {
    fn from(sig: ed25519_dalek::Signature) -> Self {
        Signature(sig.to_bytes())
    }
}

/// Verifies `(key, message, signature)` triples one by one with [`PublicKey::verify`]: one
/// result per triple, in order.
pub fn verify_each(items: &[(PublicKey, &[u8], Signature)]) -> Vec<Result<(), CryptoError>> {
    items
        .iter()
        .map(|(key, msg, sig)| key.verify(msg, sig))
        .collect()
}

/// Fewest items worth one batch equation; below it, items are verified one by one.
pub const MIN_BATCH: usize = 4;

/// R172: the verdict of [`PublicKey::verify`] on every triple, computed with one ZIP-215 batch
/// equation when it passes and one by one when it does not (to find exactly the bad ones).
pub fn verify_batch(items: &[(PublicKey, &[u8], Signature)]) -> Vec<Result<(), CryptoError>> {
    if items.len() >= MIN_BATCH && batch_verifies(items) {
        return vec![Ok(()); items.len()];
    }
    verify_each(items)
}

/// R172: whether every triple verifies under [`PublicKey::verify`], decided with one ZIP-215
/// batch equation.
///
/// ZIP-215's batch equation holds for a set of signatures that are each valid alone, always, and
/// for a set with an invalid one only with probability below 2⁻¹²⁰ (its random 128-bit
/// coefficients), so `true` is the single rule's verdict on every item. The coefficients come
/// from a ChaCha20 stream seeded with a hash of the whole batch (keys, signatures, message
/// hashes): nothing random is read from the machine, and nobody can choose a batch and its
/// coefficients independently.
pub fn batch_verifies(items: &[(PublicKey, &[u8], Signature)]) -> bool {
    if items.is_empty() {
        return true;
    }
    let mut batch = ed25519_consensus::batch::Verifier::new();
    for (key, msg, sig) in items {
        // A key that does not decode fails the whole batch.
        batch.queue((
            ed25519_consensus::VerificationKeyBytes::from(key.0),
            ed25519_consensus::Signature::from(sig.0),
            *msg,
        ));
    }
    batch
        .verify(ChaCha20Rng::from_seed(batch_seed(items).0))
        .is_ok()
}

/// The seed of a batch's coefficients: a hash of everything the batch equation depends on.
fn batch_seed(items: &[(PublicKey, &[u8], Signature)]) -> Hash32 {
    let mut bytes = Vec::with_capacity(8 + items.len() * (32 + 64 + 32));
    bytes.extend_from_slice(&(items.len() as u64).to_be_bytes());
    for (key, msg, sig) in items {
        bytes.extend_from_slice(&key.0);
        bytes.extend_from_slice(&sig.0);
        bytes.extend_from_slice(&Hash32::sha256(msg).0);
    }
    Hash32::tagged(domain::SIGNATURE_BATCH, &bytes)
}

fn hex_serialize<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex::encode(bytes))
}

fn hex_deserialize<'de, D: serde::Deserializer<'de>, const N: usize>(
    d: D,
) -> Result<[u8; N], D::Error> {
    let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
    let mut out = [0u8; N];
    hex::decode_to_slice(text.as_ref(), &mut out)
        .map_err(|_| serde::de::Error::custom(format!("expected {} hex digits", N * 2)))?;
    Ok(out)
}

impl serde::Serialize for PublicKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        hex_serialize(&self.0, s)
    }
}

impl<'de> serde::Deserialize<'de> for PublicKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        hex_deserialize::<D, 32>(d).map(PublicKey)
    }
}

impl serde::Serialize for Signature {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        hex_serialize(&self.0, s)
    }
}

impl<'de> serde::Deserialize<'de> for Signature {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        hex_deserialize::<D, 64>(d).map(Signature)
    }
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", self.to_hex())
    }
}

impl std::fmt::Display for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl std::fmt::Debug for Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signature({})", hex::encode(self.0))
    }
}
