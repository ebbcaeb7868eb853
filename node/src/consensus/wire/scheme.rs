//! The vote-signature scheme: Ed25519 as Malachite's `signing-ed25519` implements it
//! (ed25519-consensus, ZIP-215 verification) — the same implementation and rule the ledger
//! decides every other signature with (R3, R171, ADR 0025).

use std::fmt;

use borsh::{BorshDeserialize, BorshSerialize};
use malachite::app::types::core::SigningScheme;
use malachite_ed25519 as ed;

/// Our signing scheme (a marker type).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ed25519Scheme;

/// A consensus signature: Malachite's Ed25519 signature, with our wire encoding (64 bytes).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ConsensusSignature(pub ed::Signature);

impl BorshSerialize for ConsensusSignature {
    fn serialize<W: borsh::io::Write>(&self, writer: &mut W) -> borsh::io::Result<()> {
        writer.write_all(&self.0.to_bytes())
    }
}

impl BorshDeserialize for ConsensusSignature {
    fn deserialize_reader<R: borsh::io::Read>(reader: &mut R) -> borsh::io::Result<Self> {
        let mut bytes = [0u8; 64];
        reader.read_exact(&mut bytes)?;
        Ok(ConsensusSignature(ed::Signature::from_bytes(bytes)))
    }
}

/// A key or signature of the wrong length or shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyDecodingError(pub String);

impl fmt::Display for KeyDecodingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl SigningScheme for Ed25519Scheme {
    type DecodingError = KeyDecodingError;
    type Signature = ConsensusSignature;
    type PublicKey = ed::PublicKey;
    type PrivateKey = ed::PrivateKey;

    fn decode_signature(bytes: &[u8]) -> Result<ConsensusSignature, KeyDecodingError> {
        let bytes: [u8; 64] = bytes
            .try_into()
            .map_err(|_| KeyDecodingError("signature must be 64 bytes".into()))?;
        Ok(ConsensusSignature(ed::Signature::from_bytes(bytes)))
    }

    fn encode_signature(signature: &ConsensusSignature) -> Vec<u8> {
        signature.0.to_bytes().to_vec()
    }

    fn decode_public_key(bytes: &[u8]) -> Result<ed::PublicKey, KeyDecodingError> {
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|_| KeyDecodingError("public key must be 32 bytes".into()))?;
        ed::PublicKey::from_bytes(bytes).map_err(|e| KeyDecodingError(e.to_string()))
    }

    fn encode_public_key(public_key: &ed::PublicKey) -> Vec<u8> {
        public_key.as_bytes().to_vec()
    }
}
