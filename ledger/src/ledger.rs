//! [`Ledger`]: a store, its chain and its head, with the operations a node needs
//! (execute, verify, commit, read, prove).

use bincode::{Decode, Encode};

use crate::block::{Block, BlockHeader};
use crate::codec;
use crate::crypto::PublicKey;
use crate::entry::{ChainRef, SignedEntry};
use crate::error::StorageError;
use crate::execute::{BlockError, BlockInput, ExecutedBlock, execute_block_with, verify_block};
use crate::finality::DoubleVote;
use crate::genesis::{Genesis, GenesisError};
use crate::protocol_version::{KnownVersions, ProtocolSchedule};
use crate::signatures::SignatureVerdicts;
use crate::state::keys;
use crate::state::tree::{self, RecordProof};
use crate::storage::{BlockCommit, Storage, StoredBlock};
use crate::time::Timestamp;

/// Why a ledger cannot be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// The genesis document is invalid.
    #[error(transparent)]
    Genesis(#[from] GenesisError),
    /// The store holds another chain.
    #[error("store holds chain `{found}`, genesis is for `{expected}`")]
    OtherChain {
        /// Chain id in the genesis.
        expected: String,
        /// Chain id in the store.
        found: String,
    },
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// A ledger over a [`Storage`].
#[derive(Debug)]
pub struct Ledger<S> {
    store: S,
    chain: ChainRef,
    head: BlockHeader,
    /// R414: the protocol versions this build implements.
    known: KnownVersions,
}

impl<S: Storage> Ledger<S> {
    /// Opens a store, writing the genesis block if it is empty, and checking that it holds this
    /// genesis' chain otherwise.
    pub fn open(mut store: S, genesis: &Genesis) -> Result<Self, OpenError> {
        let chain = genesis.chain_ref();
        if store.latest_height()?.is_none() {
            let executed = genesis.execute()?;
            let stored = StoredBlock {
                block: executed.block,
                results: executed.results,
                certificate: vec![],
            };
            store.commit(BlockCommit {
                stored,
                writes: executed.writes,
                tree: executed.tree,
                consumed: executed.consumed,
            })?;
        }
        let head = read_head(&store)?;
        if head.chain != chain {
            return Err(OpenError::OtherChain {
                expected: chain.chain_id,
                found: head.chain.chain_id,
            });
        }
        Ok(Ledger {
            store,
            chain,
            head,
            known: KnownVersions::BUILD,
        })
    }

    /// The network.
    pub fn chain(&self) -> &ChainRef {
        &self.chain
    }

    /// Header of the last committed block.
    pub fn head(&self) -> &BlockHeader {
        &self.head
    }

    /// R414: the protocol versions this ledger makes and checks blocks of. Only tests of an
    /// upgrade set anything but [`KnownVersions::BUILD`] (an "old" or a "new" build).
    pub fn set_known_versions(&mut self, known: KnownVersions) {
        self.known = known;
    }

    /// R411: the protocol version in force and the upgrade scheduled, as of the head.
    pub fn protocol_schedule(&self) -> Result<ProtocolSchedule, StorageError> {
        ProtocolSchedule::read(&self.store)
    }

    /// R414: `Ok` when this build implements the version of the next block.
    pub fn check_next_version(&self) -> Result<(), BlockError> {
        let schedule = self.protocol_schedule()?;
        self.known.check(&schedule, self.head.height + 1)?;
        Ok(())
    }

    /// The underlying store, for queries.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Executes `entries` as the next block (what a proposer does).
    pub fn execute(
        &self,
        time: Timestamp,
        proposer: PublicKey,
        entries: Vec<SignedEntry>,
    ) -> Result<ExecutedBlock, StorageError> {
        self.execute_with(time, proposer, entries, None)
    }

    /// [`Ledger::execute`] with signature verdicts computed beforehand (e.g. on all cores).
    pub fn execute_with(
        &self,
        time: Timestamp,
        proposer: PublicKey,
        entries: Vec<SignedEntry>,
        verdicts: Option<&SignatureVerdicts>,
    ) -> Result<ExecutedBlock, StorageError> {
        self.execute_with_evidence(time, proposer, entries, Vec::new(), verdicts)
    }

    /// [`Ledger::execute_with`] also recording double-vote `evidence`; evidence that is
    /// invalid or already recorded is left out of the block (R139).
    pub fn execute_with_evidence(
        &self,
        time: Timestamp,
        proposer: PublicKey,
        entries: Vec<SignedEntry>,
        evidence: Vec<DoubleVote>,
        verdicts: Option<&SignatureVerdicts>,
    ) -> Result<ExecutedBlock, StorageError> {
        let input = BlockInput {
            height: self.head.height + 1,
            prev_hash: self.head.hash(),
            time,
            proposer,
            entries,
            evidence,
        };
        execute_block_with(&self.store, &self.chain, input, verdicts)
    }

    /// Re-executes a proposed block and checks its header (what every validator does).
    pub fn verify(&self, block: Block) -> Result<ExecutedBlock, BlockError> {
        self.check_next_version()?;
        verify_block(&self.store, &self.head, block)
    }

    /// [`Ledger::verify`] with signature verdicts decided beforehand (R155).
    pub fn verify_with(
        &self,
        block: Block,
        verdicts: Option<&SignatureVerdicts>,
    ) -> Result<ExecutedBlock, BlockError> {
        self.check_next_version()?;
        crate::execute::verify_block_with(&self.store, &self.head, block, verdicts)
    }

    /// Commits an executed block with its commit certificate. A `StorageError` here is fatal.
    pub fn commit(
        &mut self,
        executed: ExecutedBlock,
        certificate: Vec<u8>,
    ) -> Result<(), StorageError> {
        let header = executed.block.header.clone();
        if header.height != self.head.height + 1 || header.prev_hash != self.head.hash() {
            return Err(StorageError::Failed(format!(
                "commit of height {} out of order",
                header.height
            )));
        }
        let stored = StoredBlock {
            block: executed.block,
            results: executed.results,
            certificate,
        };
        self.store.commit(BlockCommit {
            stored,
            writes: executed.writes,
            tree: executed.tree,
            consumed: executed.consumed,
        })?;
        // R355: the head moves only once the store holds the block.
        commit_failpoint!("commit.before_head");
        self.head = header;
        commit_failpoint!("commit.after_head");
        Ok(())
    }

    /// R356: re-reads the head from the store, after a commit that returned an error. The
    /// store holds the refused block whole or not at all (R351), so the head is then either
    /// the block before it (commit it again) or the block itself (it reached the disk before
    /// the error: committing it again would be refused, never applied twice).
    pub fn reload_head(&mut self) -> Result<(), StorageError> {
        self.head = read_head(&self.store)?;
        Ok(())
    }

    /// A typed record of the latest state.
    pub fn get<T: Decode<()> + Encode>(&self, key: &[u8]) -> Result<Option<T>, StorageError> {
        match self.store.get(key)? {
            None => Ok(None),
            Some(bytes) => codec::decode_stored(&bytes)
                .map(Some)
                .map_err(|e| StorageError::Failed(format!("corrupt record: {e}"))),
        }
    }

    /// The next sequence number `signer` must use.
    pub fn next_sequence(&self, signer: &PublicKey) -> Result<u64, StorageError> {
        Ok(self.get::<u64>(&keys::sequence(signer))?.unwrap_or(0))
    }

    /// A record (or its absence) with a Merkle proof against the head's state root.
    pub fn prove(&self, key: &[u8]) -> Result<RecordProof, StorageError> {
        let (value, proof) = tree::get_with_proof(&self.store, key, self.head.height)?;
        Ok(RecordProof {
            key: key.to_vec(),
            value,
            proof,
        })
    }
}

/// The header of the store's latest block.
fn read_head<S: Storage>(store: &S) -> Result<BlockHeader, StorageError> {
    let latest = store
        .latest_height()?
        .ok_or_else(|| StorageError::Failed("the store has no genesis block".into()))?;
    Ok(store
        .block(latest)?
        .ok_or_else(|| StorageError::Failed(format!("block {latest} missing")))?
        .block
        .header)
}
