//! SHA-256 digests with domain separation (specs/protocol.md R2).

use bincode::{Decode, Encode};
use sha2::{Digest, Sha256};

/// Domain tags: every hash and signature of the ledger starts with one, so that bytes signed or
/// hashed for one purpose can never be taken for another.
pub mod domain {
    /// Signing payload of an entry.
    pub const ENTRY_SIGNATURE: &[u8] = b"ebl-ledger/entry-signature/v1\0";
    /// Entry id (hash of the unsigned entry).
    pub const ENTRY_ID: &[u8] = b"ebl-ledger/entry-id/v1\0";
    /// Block header hash.
    pub const BLOCK_HEADER: &[u8] = b"ebl-ledger/block-header/v1\0";
    /// Merkle-like commitment to the entries of a block.
    pub const BLOCK_ENTRIES: &[u8] = b"ebl-ledger/block-entries/v1\0";
    /// Commitment to the per-entry results of a block.
    pub const BLOCK_RESULTS: &[u8] = b"ebl-ledger/block-results/v1\0";
    /// Genesis document hash.
    pub const GENESIS: &[u8] = b"ebl-ledger/genesis/v1\0";
    /// Governance proposal id.
    pub const PROPOSAL_ID: &[u8] = b"ebl-ledger/proposal-id/v1\0";
    /// Grant id.
    pub const GRANT_ID: &[u8] = b"ebl-ledger/grant-id/v1\0";
    /// Seed of a signature batch's coefficients (R172; not a protocol hash: nothing stores it).
    pub const SIGNATURE_BATCH: &[u8] = b"ebl-ledger/signature-batch/v1\0";
}

/// A SHA-256 digest.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Encode, Decode)]
pub struct Hash32(pub [u8; 32]);

impl Hash32 {
    /// The all-zero hash, used as the previous hash of the first block.
    pub const ZERO: Hash32 = Hash32([0; 32]);

    /// SHA-256 of `data` with no domain tag (document ids, which DCSA defines).
    pub fn sha256(data: &[u8]) -> Self {
        Hash32(Sha256::digest(data).into())
    }

    /// SHA-256 of `tag ‖ data`.
    pub fn tagged(tag: &[u8], data: &[u8]) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(tag);
        hasher.update(data);
        Hash32(hasher.finalize().into())
    }

    /// Lowercase hex, as DCSA prints checksums.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses 64 hex digits (either case).
    pub fn from_hex(text: &str) -> Option<Self> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(text, &mut out).ok()?;
        Some(Hash32(out))
    }
}

impl std::fmt::Debug for Hash32 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.to_hex())
    }
}

impl std::fmt::Display for Hash32 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.to_hex())
    }
}

impl serde::Serialize for Hash32 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> serde::Deserialize<'de> for Hash32 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Hash32::from_hex(&text).ok_or_else(|| serde::de::Error::custom("expected 64 hex digits"))
    }
}

/// Identifier of a transferable document: SHA-256 of the RFC 8785 canonical JSON of the DCSA
/// TransportDocument, i.e. DCSA's `transportDocumentChecksum` (R30).
pub type DocumentId = Hash32;
/// Identifier of an entry: SHA-256 of `ENTRY_ID ‖ canonical unsigned entry` (R5).
pub type EntryId = Hash32;
/// Hash of a block header (R13).
pub type BlockHash = Hash32;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_matches_the_published_vector_for_abc() {
        assert_eq!(
            Hash32::sha256(b"abc").to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn domain_tags_separate_otherwise_equal_inputs() {
        assert_ne!(
            Hash32::tagged(domain::ENTRY_ID, b"x"),
            Hash32::tagged(domain::BLOCK_HEADER, b"x")
        );
    }

    #[test]
    fn hex_round_trips_and_rejects_garbage() {
        let h = Hash32::sha256(b"doc");
        assert_eq!(Hash32::from_hex(&h.to_hex()), Some(h));
        assert_eq!(Hash32::from_hex("zz"), None);
        assert_eq!(Hash32::from_hex(&"a".repeat(63)), None);
    }

    #[test]
    fn json_form_is_lowercase_hex() {
        let h = Hash32([0xAB; 32]);
        let json = serde_json::to_string(&h).unwrap();
        assert_eq!(json, format!("\"{}\"", "ab".repeat(32)));
        assert_eq!(serde_json::from_str::<Hash32>(&json).unwrap(), h);
    }
}
