//! Ed25519 keys and signatures under one rule: `verify_strict` (specs/protocol.md R3, ADR 0005).
//!
//! Batch verification is offered only as a fast path for admission (mempool, block pre-checks):
//! a batch that passes is still decided entry by entry with `verify_strict` when the block is
//! executed, and a batch that fails falls back to `verify_strict` per signature, so the batch
//! equation can never make two nodes disagree.

use bincode::{Decode, Encode};
use curve25519_dalek::edwards::CompressedEdwardsY;
use ed25519_dalek::{Signature as DalekSignature, VerifyingKey};

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
    /// The signature does not verify under `verify_strict`.
    #[error("signature does not verify")]
    BadSignature,
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

    /// R4: a key may be registered only if it is a valid point of prime order (no small-order
    /// key and no key with a torsion component, which `verify_strict` alone would not reject).
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

    /// R3: verifies `signature` over `message` with `verify_strict`.
    pub fn verify(&self, message: &[u8], signature: &Signature) -> Result<(), CryptoError> {
        let key = VerifyingKey::from_bytes(&self.0).map_err(|_| CryptoError::InvalidKey)?;
        let sig = DalekSignature::from_bytes(&signature.0);
        key.verify_strict(message, &sig)
            .map_err(|_| CryptoError::BadSignature)
    }
}

impl From<VerifyingKey> for PublicKey {
    fn from(key: VerifyingKey) -> Self {
        PublicKey(key.to_bytes())
    }
}

impl From<DalekSignature> for Signature {
    fn from(sig: DalekSignature) -> Self {
        Signature(sig.to_bytes())
    }
}

/// Verifies many `(key, message, signature)` triples one by one with `verify_strict` and returns
/// one result per triple: the consensus-critical answer (R3). Callers that admit entries first
/// try [`batch_precheck`] and come here only when the batch fails, to find the bad ones.
pub fn verify_each(items: &[(PublicKey, &[u8], Signature)]) -> Vec<Result<(), CryptoError>> {
    items
        .iter()
        .map(|(key, msg, sig)| key.verify(msg, sig))
        .collect()
}

/// Fast admission filter: `true` when the batch equation accepts all triples at once.
///
/// Not consensus-critical: a `true` here does not decide anything; execution re-checks every
/// signature with `verify_strict` (R3). A `false` means at least one triple is bad (or a key does
/// not decode), and callers fall back to [`verify_each`] to find which.
pub fn batch_precheck(items: &[(PublicKey, &[u8], Signature)]) -> bool {
    if items.is_empty() {
        return true;
    }
    let mut keys = Vec::with_capacity(items.len());
    let mut sigs = Vec::with_capacity(items.len());
    let mut msgs = Vec::with_capacity(items.len());
    for (key, msg, sig) in items {
        let Ok(vk) = VerifyingKey::from_bytes(&key.0) else {
            return false;
        };
        // Cheap strictness screens that the batch equation does not apply.
        if vk.is_weak() {
            return false;
        }
        keys.push(vk);
        sigs.push(DalekSignature::from_bytes(&sig.0));
        msgs.push(*msg);
    }
    ed25519_dalek::verify_batch(&msgs, &sigs, &keys).is_ok()
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
