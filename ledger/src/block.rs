//! Blocks, their headers and per-entry results (specs/protocol.md R13–R18).

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::codec;
use crate::crypto::PublicKey;
use crate::entry::{ChainRef, SignedEntry};
use crate::finality::DoubleVote;
use crate::hash::{BlockHash, EntryId, Hash32, domain};
use crate::time::Timestamp;

/// A block header: what validators sign (through consensus) and what proofs are checked against.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct BlockHeader {
    /// R410: the protocol version the block was made under. First, so that a decoder reads it
    /// before fields whose layout a later version may change.
    pub protocol_version: u32,
    /// Network.
    pub chain: ChainRef,
    /// Height (genesis is 0).
    pub height: u64,
    /// Hash of the previous header (zero for genesis).
    pub prev_hash: BlockHash,
    /// Block time, chosen by the proposer, strictly increasing (R6).
    pub time: Timestamp,
    /// Consensus key of the proposer (zero key for genesis).
    pub proposer: PublicKey,
    /// Commitment to the entries, in order.
    pub entries_hash: Hash32,
    /// Commitment to the per-entry results, in order.
    pub results_hash: Hash32,
    /// Root of the state tree after executing the block.
    pub state_root: Hash32,
    /// R135: commitment to the block's double-vote evidence, in order.
    pub evidence_hash: Hash32,
}

impl BlockHeader {
    /// The block hash: SHA-256 of `BLOCK_HEADER ‖ canonical header` (R13).
    pub fn hash(&self) -> BlockHash {
        Hash32::tagged(domain::BLOCK_HEADER, &codec::encode(self))
    }
}

/// A block: header and the signed entries it orders.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct Block {
    /// Header.
    pub header: BlockHeader,
    /// Entries, in execution order.
    pub entries: Vec<SignedEntry>,
    /// R135: double-vote evidence recorded by this block (before its entries execute).
    pub evidence: Vec<DoubleVote>,
}

/// Largest encoded block.
pub const MAX_BLOCK_BYTES: usize = codec::MAX_DECODE_BYTES;

impl Block {
    /// Decodes a block received from a peer.
    pub fn decode(bytes: &[u8]) -> Result<Self, codec::CodecError> {
        codec::decode(bytes, MAX_BLOCK_BYTES)
    }
}

/// How one entry of a block ended.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Outcome {
    /// Its effects are in the state.
    Applied,
    /// It broke a rule; only its sequence number was consumed, if its signature and sequence
    /// were valid and its signer had standing (R9, R181); otherwise nothing was written.
    Failed {
        /// Stable error code.
        code: String,
        /// Human explanation.
        message: String,
    },
}

/// The result of one entry.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct EntryResult {
    /// Entry id.
    pub entry: EntryId,
    /// What happened.
    pub outcome: Outcome,
}

/// Commitment to a block's entries.
pub fn entries_hash(entries: &[SignedEntry]) -> Hash32 {
    // A slice encodes exactly as the `Vec` of the same items (length, then each item), so no
    // copy of the entries is made to hash them.
    Hash32::tagged(domain::BLOCK_ENTRIES, &codec::encode(entries))
}

/// Commitment to a block's results.
pub fn results_hash(results: &[EntryResult]) -> Hash32 {
    Hash32::tagged(domain::BLOCK_RESULTS, &codec::encode(results))
}

/// The chain head as recorded in state by every block.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct ChainHead {
    /// Height of the block that wrote it.
    pub height: u64,
    /// Time of that block.
    pub time: Timestamp,
    /// Hash of the block before it.
    pub prev_hash: BlockHash,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::TestNetwork;

    /// The commitments hash a slice's encoding, which must stay byte for byte the encoding of
    /// the `Vec` they were first defined over (else every block hash would change).
    #[test]
    fn a_slice_encodes_as_the_vec_of_its_items() {
        let entries = TestNetwork::pilot().receipts(3, &["SGSW", "BANK"]);
        assert_eq!(codec::encode(entries.as_slice()), codec::encode(&entries));
        let results: Vec<EntryResult> = entries
            .iter()
            .map(|e| EntryResult {
                entry: e.id(),
                outcome: Outcome::Failed {
                    code: "REPLAY".into(),
                    message: "seen".into(),
                },
            })
            .collect();
        assert_eq!(codec::encode(results.as_slice()), codec::encode(&results));
        assert_eq!(
            codec::encode(&[] as &[SignedEntry]),
            codec::encode(&Vec::<SignedEntry>::new())
        );
    }
}
