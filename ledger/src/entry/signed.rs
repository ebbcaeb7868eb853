//! R485: a signed entry that carries its id and its signed bytes from the place it is made or
//! decoded to the place it is stored (ADR 0058).
//!
//! The id (R5) and the message the signature covers (R3) are both functions of the entry's
//! canonical bytes. A node used to compute them again at every step that needed them: the
//! gateway, the signature memory (R155), admission, the block's entry ids, execution and the
//! store, 8–10 encodings and hashes per entry per node (issue 16). Here they are computed once,
//! when first asked for (a value decoded only to be read never pays for them). The fields are
//! private, so nothing can change the entry or its signature without building a new value: the
//! carried id and bytes are always those of the entry beside them.

use std::fmt;
use std::sync::{Arc, OnceLock};

use bincode::de::Decoder;
use bincode::enc::Encoder;
use bincode::enc::write::Writer;
use bincode::error::{DecodeError, EncodeError};
use bincode::{Decode, Encode};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Entry, MAX_ENTRY_BYTES};
use crate::codec;
use crate::crypto::{PublicKey, Signature};
use crate::error::RuleError;
use crate::hash::{EntryId, domain};

/// An entry with its signature: what clients submit and blocks carry.
///
/// Encoded exactly as the pair `(entry, signature)` (R1); the carried id and bytes are not part
/// of any encoding, equality compares the entry and the signature.
#[derive(Clone)]
pub struct SignedEntry {
    entry: Entry,
    signature: Signature,
    /// Computed on first use, then carried: a value decoded only to be read (a stored block
    /// read for its header) never pays for them.
    carried: OnceLock<Carried>,
}

/// What is computed once from the entry's canonical bytes.
#[derive(Clone)]
struct Carried {
    /// `ENTRY_SIGNATURE ‖ canonical bytes of entry`: R3's signed message. Shared, so that a
    /// clone (the pool, a proposal, a block) does not copy it.
    payload: Arc<[u8]>,
    /// `SHA-256(ENTRY_ID ‖ canonical bytes of entry)` (R5).
    id: EntryId,
}

impl Carried {
    fn of(payload: Vec<u8>) -> Self {
        let id = super::id_of_canonical(&payload[domain::ENTRY_SIGNATURE.len()..]);
        Carried {
            payload: payload.into(),
            id,
        }
    }
}

impl SignedEntry {
    /// `entry` with `signature`; its id and signed bytes are computed once, when first asked.
    pub fn new(entry: Entry, signature: Signature) -> Self {
        SignedEntry {
            entry,
            signature,
            carried: OnceLock::new(),
        }
    }

    /// The same, with `payload` already built by [`Entry::signing_payload`].
    pub(super) fn from_payload(entry: Entry, signature: Signature, payload: Vec<u8>) -> Self {
        SignedEntry {
            entry,
            signature,
            carried: OnceLock::from(Carried::of(payload)),
        }
    }

    fn carried(&self) -> &Carried {
        self.carried
            .get_or_init(|| Carried::of(self.entry.signing_payload()))
    }

    /// Decodes a submitted entry: canonical, at most [`MAX_ENTRY_BYTES`], nothing trailing.
    pub fn decode(bytes: &[u8]) -> Result<Self, RuleError> {
        Ok(codec::decode(bytes, MAX_ENTRY_BYTES)?)
    }

    /// Canonical bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(self.encoded_len());
        bytes.extend_from_slice(self.canonical_entry());
        bytes.extend_from_slice(&self.signature.0);
        bytes
    }

    /// The length of [`SignedEntry::encode`], without building it.
    pub fn encoded_len(&self) -> usize {
        self.canonical_entry().len() + self.signature.0.len()
    }

    /// The entry id (R5), as carried.
    pub fn id(&self) -> EntryId {
        self.carried().id
    }

    /// The unsigned entry.
    pub fn entry(&self) -> &Entry {
        &self.entry
    }

    /// The Ed25519 signature over [`SignedEntry::signing_payload`].
    pub fn signature(&self) -> &Signature {
        &self.signature
    }

    /// The message the signature covers (R3): `ENTRY_SIGNATURE ‖ canonical bytes of entry`.
    pub fn signing_payload(&self) -> &[u8] {
        &self.carried().payload
    }

    /// What R3 decides: the signer, the message its signature covers and the signature, as
    /// [`crate::crypto::verify_batch`] and [`crate::crypto::verify_each`] take them.
    pub fn signature_item(&self) -> (PublicKey, &[u8], Signature) {
        (self.entry.signer, self.signing_payload(), self.signature)
    }

    /// The canonical bytes of the unsigned entry.
    pub fn canonical_entry(&self) -> &[u8] {
        &self.signing_payload()[domain::ENTRY_SIGNATURE.len()..]
    }

    /// The entry and its signature, to change one of them and build a new value.
    pub fn into_parts(self) -> (Entry, Signature) {
        (self.entry, self.signature)
    }

    /// The unsigned entry, to change it and sign it again.
    pub fn into_entry(self) -> Entry {
        self.entry
    }

    /// The same entry with another signature (the id and signed bytes do not depend on it).
    pub fn with_signature(self, signature: Signature) -> Self {
        SignedEntry { signature, ..self }
    }
}

impl PartialEq for SignedEntry {
    fn eq(&self, other: &Self) -> bool {
        // The carried id and bytes are functions of the entry.
        self.signature == other.signature && self.entry == other.entry
    }
}

impl Eq for SignedEntry {}

impl fmt::Debug for SignedEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedEntry")
            .field("entry", &self.entry)
            .field("signature", &self.signature)
            .finish()
    }
}

impl Encode for SignedEntry {
    fn encode<E: Encoder>(&self, encoder: &mut E) -> Result<(), EncodeError> {
        // The carried bytes are `codec::encode(&self.entry)` in the one configuration of the
        // codec (R1): written as they are, not again field by field.
        encoder.writer().write(self.canonical_entry())?;
        self.signature.encode(encoder)
    }
}

impl<Context> Decode<Context> for SignedEntry {
    fn decode<D: Decoder<Context = Context>>(decoder: &mut D) -> Result<Self, DecodeError> {
        let entry = <Entry as Decode<Context>>::decode(decoder)?;
        let signature = <Signature as Decode<Context>>::decode(decoder)?;
        // The carried bytes will be encoded from the decoded entry, so they are canonical even
        // where the input was not (`codec::decode` then refuses that input by comparing the two).
        Ok(SignedEntry::new(entry, signature))
    }
}

bincode::impl_borrow_decode!(SignedEntry);

/// The serde shape of a signed entry: `{"entry": …, "signature": …}`.
#[derive(Serialize)]
#[serde(rename = "SignedEntry")]
struct PartsRef<'a> {
    entry: &'a Entry,
    signature: &'a Signature,
}

#[derive(Deserialize)]
#[serde(rename = "SignedEntry")]
struct Parts {
    entry: Entry,
    signature: Signature,
}

impl Serialize for SignedEntry {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        PartsRef {
            entry: &self.entry,
            signature: &self.signature,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for SignedEntry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let parts = Parts::deserialize(deserializer)?;
        Ok(SignedEntry::new(parts.entry, parts.signature))
    }
}

#[cfg(any(test, feature = "testkit"))]
impl SignedEntry {
    /// The same entry with byte `index` of its signature XORed with `mask`: a forgery, for the
    /// tests of the signature rule.
    pub fn tampered_signature(&self, index: usize, mask: u8) -> Self {
        let mut signature = self.signature;
        signature.0[index] ^= mask;
        self.clone().with_signature(signature)
    }
}

#[cfg(test)]
#[path = "signed_tests.rs"]
mod tests;
