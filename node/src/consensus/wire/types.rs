//! The small consensus types: height, validator address, value (a block) and its id.

use std::fmt;
use std::sync::Arc;

use borsh::{BorshDeserialize, BorshSerialize};
use ebl_ledger::block::Block;
use ebl_ledger::crypto::PublicKey;
use ebl_ledger::hash::Hash32;
use malachite::app::types::core;

/// A block height: the same number as the ledger's block height (genesis is 0, so consensus
/// starts at 1).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    BorshSerialize,
    BorshDeserialize,
)]
pub struct Height(pub u64);

impl fmt::Display for Height {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl core::Height for Height {
    const ZERO: Self = Height(0);
    const INITIAL: Self = Height(1);

    fn increment_by(&self, n: u64) -> Self {
        Height(self.0.saturating_add(n))
    }

    fn decrement_by(&self, n: u64) -> Option<Self> {
        self.0.checked_sub(n).map(Height)
    }

    fn as_u64(&self) -> u64 {
        self.0
    }
}

/// A validator's address: its 32-byte Ed25519 consensus key, as in the ledger's validator set.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize,
)]
pub struct Address(pub [u8; 32]);

impl Address {
    /// The ledger key with these bytes.
    pub fn to_key(self) -> PublicKey {
        PublicKey(self.0)
    }
}

impl From<PublicKey> for Address {
    fn from(key: PublicKey) -> Self {
        Address(key.0)
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl core::Address for Address {}

/// The id of a value: the block hash (R13).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize,
)]
pub struct BlockId(pub [u8; 32]);

impl BlockId {
    /// As a ledger hash.
    pub fn hash(self) -> Hash32 {
        Hash32(self.0)
    }
}

impl From<Hash32> for BlockId {
    fn from(h: Hash32) -> Self {
        BlockId(h.0)
    }
}

impl fmt::Display for BlockId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(&self.0[..8]))
    }
}

/// The value consensus decides on: a whole block, executed by its proposer before proposal.
///
/// Equality and order are by block hash only. The block itself travels in proposal parts; a
/// signed proposal message carries only the hash, so a value rebuilt from one has no block
/// (`block` is `None`) and the application looks the block up by id (see ADR 0008).
#[derive(Clone, Debug)]
pub struct BlockValue {
    /// Block hash.
    pub id: BlockId,
    /// The block, when this node has it.
    pub block: Option<Arc<Block>>,
}

impl BlockValue {
    /// The value of a block.
    pub fn new(block: Block) -> Self {
        BlockValue {
            id: BlockId::from(block.header.hash()),
            block: Some(Arc::new(block)),
        }
    }

    /// A value known only by its id.
    pub fn id_only(id: BlockId) -> Self {
        BlockValue { id, block: None }
    }
}

impl PartialEq for BlockValue {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for BlockValue {}

impl PartialOrd for BlockValue {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for BlockValue {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.id.cmp(&other.id)
    }
}

impl core::Value for BlockValue {
    type Id = BlockId;

    fn id(&self) -> BlockId {
        self.id
    }
}

/// Encodes a block value for the WAL: the id and, when present, the block in the ledger codec.
impl BorshSerialize for BlockValue {
    fn serialize<W: borsh::io::Write>(&self, writer: &mut W) -> borsh::io::Result<()> {
        self.id.serialize(writer)?;
        let bytes = self
            .block
            .as_ref()
            .map(|b| ebl_ledger::codec::encode(b.as_ref()));
        bytes.serialize(writer)
    }
}

impl BorshDeserialize for BlockValue {
    fn deserialize_reader<R: borsh::io::Read>(reader: &mut R) -> borsh::io::Result<Self> {
        let id = BlockId::deserialize_reader(reader)?;
        let bytes = Option::<Vec<u8>>::deserialize_reader(reader)?;
        let block = match bytes {
            None => None,
            Some(bytes) => {
                let block = Block::decode(&bytes).map_err(invalid)?;
                if BlockId::from(block.header.hash()) != id {
                    return Err(invalid("block does not match its id"));
                }
                Some(Arc::new(block))
            }
        };
        Ok(BlockValue { id, block })
    }
}

/// A borsh data error.
pub(crate) fn invalid(e: impl fmt::Display) -> borsh::io::Error {
    borsh::io::Error::new(borsh::io::ErrorKind::InvalidData, e.to_string())
}
