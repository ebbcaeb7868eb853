//! The genesis document: chain id, consortium root CAs, founding organisations and validators
//! (specs/protocol.md R10–R12).

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::block::{Block, BlockHeader, ChainHead};
use crate::codec;
use crate::crypto::PublicKey;
use crate::entry::ChainRef;
use crate::error::{ExecError, RuleError, StorageError};
use crate::execute::ExecutedBlock;
use crate::hash::{Hash32, domain};
use crate::identity::Validator;
use crate::state::{EmptyState, Overlay, keys, tree};
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

    /// Builds state version 0 and the genesis block (height 0) (R11).
    pub fn execute(&self) -> Result<ExecutedBlock, GenesisError> {
        crate::ids::check_code("chain_id", &self.chain_id, 64)?;
        let chain = self.chain_ref();
        let mut state = Overlay::new(&EmptyState);
        state.put(keys::chain_info(), &chain);
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
struct EmptyTree;

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
