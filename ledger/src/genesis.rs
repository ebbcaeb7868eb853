//! The genesis document: chain id, consortium root CAs, founding organisations and validators
//! (specs/protocol.md R10–R12).

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::block::{Block, BlockHeader, ChainHead, MAX_BLOCK_BYTES};
use crate::codec;
use crate::crypto::PublicKey;
use crate::entry::ChainRef;
use crate::error::{ExecError, RuleError, StorageError};
use crate::execute::ExecutedBlock;
use crate::hash::{Hash32, domain};
use crate::identity::{GenesisProfile, Validator};
use crate::protocol_version::{FIRST_PROTOCOL_VERSION, ProtocolSchedule, check_version};
use crate::state::{EmptyState, Overlay, StateReader, keys, tree};
use crate::time::Timestamp;

/// The genesis document every node of a network starts from.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct Genesis {
    /// Chain id, 1–64 printable ASCII characters.
    pub chain_id: String,
    /// Time of the genesis block; organisation certificates must be valid at it.
    pub genesis_time: Timestamp,
    /// DER of each consortium root CA certificate (self-signed Ed25519).
    #[serde(with = "der_list")]
    pub root_cas: Vec<Vec<u8>>,
    /// DER of each founding organisation's certificate (chains to a root).
    #[serde(with = "der_list")]
    pub organisations: Vec<Vec<u8>>,
    /// The first validator set.
    pub validators: Vec<Validator>,
    /// R191: most entries in one block (defaults to [`DEFAULT_MAX_BLOCK_ENTRIES`] when a
    /// genesis file leaves it out).
    #[serde(default = "default_max_block_entries")]
    pub max_block_entries: u64,
    /// R191: most bytes of one block's canonical encoding (defaults to
    /// [`DEFAULT_MAX_BLOCK_BYTES`]).
    #[serde(default = "default_max_block_bytes")]
    pub max_block_bytes: u64,
    /// R381: display names and local zones of founding organisations; one without a profile
    /// gets the default (its certificate's O name, UTC).
    #[serde(default)]
    pub organisation_profiles: Vec<GenesisProfile>,
    /// R412: the protocol version of the genesis block and of every block until governance
    /// schedules an upgrade (defaults to [`FIRST_PROTOCOL_VERSION`]).
    #[serde(default = "default_protocol_version")]
    pub protocol_version: u32,
}

fn default_protocol_version() -> u32 {
    FIRST_PROTOCOL_VERSION
}

/// R191: the default entry cap, today's node default.
pub const DEFAULT_MAX_BLOCK_ENTRIES: u64 = 2_000;
/// R191: the default byte cap (4 MiB), today's node default.
pub const DEFAULT_MAX_BLOCK_BYTES: u64 = 4 * 1024 * 1024;
/// R191: the smallest byte cap a genesis may set: room for a header and the most evidence a
/// block may carry (R137), so an empty block always fits.
pub const MIN_BLOCK_BYTES: u64 = 64 * 1024;

fn default_max_block_entries() -> u64 {
    DEFAULT_MAX_BLOCK_ENTRIES
}

fn default_max_block_bytes() -> u64 {
    DEFAULT_MAX_BLOCK_BYTES
}

/// R191: the caps every block of a network is judged by, fixed at genesis and kept in state
/// (`chain/caps`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct BlockCaps {
    /// Most entries in a block.
    pub max_entries: u64,
    /// Most bytes of a block's canonical encoding.
    pub max_bytes: u64,
}

impl Default for BlockCaps {
    fn default() -> Self {
        BlockCaps {
            max_entries: DEFAULT_MAX_BLOCK_ENTRIES,
            max_bytes: DEFAULT_MAX_BLOCK_BYTES,
        }
    }
}

/// A block over one of the caps.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("block has {got} {what}, over the cap of {cap}")]
pub struct CapExceeded {
    /// `"entries"` or `"bytes"`.
    pub what: &'static str,
    /// What the block has.
    pub got: u64,
    /// The cap.
    pub cap: u64,
}

impl BlockCaps {
    /// R191: a genesis may set at least one entry and between [`MIN_BLOCK_BYTES`] and the
    /// decoder's block limit (16 MiB).
    pub fn check(&self) -> Result<(), RuleError> {
        if self.max_entries == 0 {
            return Err(RuleError::invalid(
                "max_block_entries",
                "at least one entry per block",
            ));
        }
        let most = MAX_BLOCK_BYTES as u64;
        if self.max_bytes < MIN_BLOCK_BYTES || self.max_bytes > most {
            return Err(RuleError::invalid(
                "max_block_bytes",
                format!("between {MIN_BLOCK_BYTES} and {most} bytes"),
            ));
        }
        Ok(())
    }

    /// The caps kept in `state`. A state without them (none written at genesis, which every
    /// genesis since R191 does) is judged by the defaults, the same on every node.
    pub fn read(state: &impl StateReader) -> Result<BlockCaps, StorageError> {
        match state.get(&keys::block_caps())? {
            None => Ok(BlockCaps::default()),
            Some(bytes) => codec::decode_stored(&bytes)
                .map_err(|e| StorageError::Failed(format!("corrupt block caps: {e}"))),
        }
    }

    /// R191: entries first (free to count), then the bytes of the canonical encoding.
    pub fn admit(&self, block: &Block) -> Result<(), CapExceeded> {
        let entries = block.entries.len() as u64;
        if entries > self.max_entries {
            return Err(CapExceeded {
                what: "entries",
                got: entries,
                cap: self.max_entries,
            });
        }
        let bytes = codec::encoded_len(block) as u64;
        if bytes > self.max_bytes {
            return Err(CapExceeded {
                what: "bytes",
                got: bytes,
                cap: self.max_bytes,
            });
        }
        Ok(())
    }
}

/// Why a genesis document is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenesisError {
    /// A rule failed (bad certificate, bad validator set, bad chain id).
    #[error("invalid genesis: {0}")]
    Rule(#[from] RuleError),
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<ExecError> for GenesisError {
    fn from(e: ExecError) -> Self {
        match e {
            ExecError::Rule(r) => GenesisError::Rule(r),
            ExecError::Storage(s) => GenesisError::Storage(s),
        }
    }
}

impl Genesis {
    /// SHA-256 of `GENESIS ‖ canonical bytes` (R10).
    pub fn hash(&self) -> Hash32 {
        Hash32::tagged(domain::GENESIS, &codec::encode(self))
    }

    /// The chain reference every entry of this network carries.
    pub fn chain_ref(&self) -> ChainRef {
        ChainRef {
            chain_id: self.chain_id.clone(),
            genesis_hash: self.hash(),
        }
    }

    /// R191: the block caps this genesis sets.
    pub fn block_caps(&self) -> BlockCaps {
        BlockCaps {
            max_entries: self.max_block_entries,
            max_bytes: self.max_block_bytes,
        }
    }

    /// Builds state version 0 and the genesis block (height 0) (R11).
    pub fn execute(&self) -> Result<ExecutedBlock, GenesisError> {
        crate::ids::check_code("chain_id", &self.chain_id, 64)?;
        let caps = self.block_caps();
        caps.check()?;
        check_version("protocol_version", self.protocol_version)?;
        let chain = self.chain_ref();
        let mut state = Overlay::new(&EmptyState);
        state.put(keys::chain_info(), &chain);
        state.put(keys::block_caps(), &caps);
        ProtocolSchedule::starting_at(self.protocol_version).store(&mut state);
        crate::identity::install_genesis(&mut state, &chain, self)?;
        let head = ChainHead {
            height: 0,
            time: self.genesis_time,
            prev_hash: Hash32::ZERO,
        };
        state.put(keys::chain_head(), &head);
        let writes = state.into_writes();
        let (state_root, tree) = tree::apply_writes(&EmptyTree, &writes, 0)?;
        let header = BlockHeader {
            protocol_version: self.protocol_version,
            chain,
            height: 0,
            prev_hash: Hash32::ZERO,
            time: self.genesis_time,
            proposer: PublicKey([0; 32]),
            entries_hash: crate::block::entries_hash(&[]),
            results_hash: crate::block::results_hash(&[]),
            state_root,
            evidence_hash: crate::evidence::evidence_hash(&[]),
        };
        Ok(ExecutedBlock {
            block: Block {
                header,
                entries: vec![],
                evidence: vec![],
            },
            results: vec![],
            writes,
            tree,
            consumed: vec![],
        })
    }
}

/// A tree store with no nodes, for building version 0.
pub(crate) struct EmptyTree;

impl jmt::storage::TreeReader for EmptyTree {
    fn get_node_option(
        &self,
        _: &jmt::storage::NodeKey,
    ) -> anyhow::Result<Option<jmt::storage::Node>> {
        Ok(None)
    }
    fn get_value_option(&self, _: u64, _: jmt::KeyHash) -> anyhow::Result<Option<Vec<u8>>> {
        Ok(None)
    }
    fn get_rightmost_leaf(
        &self,
    ) -> anyhow::Result<Option<(jmt::storage::NodeKey, jmt::storage::LeafNode)>> {
        Ok(None)
    }
}

mod der_list {
    pub fn serialize<S: serde::Serializer>(items: &[Vec<u8>], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(items.iter().map(hex::encode))
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Vec<u8>>, D::Error> {
        let items = <Vec<String> as serde::Deserialize>::deserialize(d)?;
        items
            .iter()
            .map(|t| hex::decode(t).map_err(serde::de::Error::custom))
            .collect()
    }
}
