//! Checking a store that came from somewhere else: a snapshot restored after a lost disk, or
//! copied from another member (specs/protocol.md R420–R426, ADR 0047).
//!
//! # Design
//!
//! A snapshot is a whole store (a RocksDB checkpoint): blocks with their commit certificates,
//! and the state at its head. Nothing in it is trusted until checked, in this order:
//!
//! 1. its genesis block is the one this node's genesis document builds (R421);
//! 2. every later header links to the one before it, and carries a commit certificate of more
//!    than 2/3 of the power of the validator set in force before it, read from the state tree
//!    with a proof against the previous header's state root (R422); so each validator-set
//!    change is itself certified before it is used;
//! 3. the latest state, every record of it, hashes to the head's state root (R423).
//!
//! So a snapshot either holds the chain the validators signed and the state it yields, or it is
//! refused with the first height and the reason. Its cost is one certificate check per block
//! and one pass over the state, far less than re-executing every entry.

use std::collections::BTreeMap;

use crate::block::BlockHeader;
use crate::codec;
use crate::error::StorageError;
use crate::finality::{CommitCertificate, FinalityError};
use crate::genesis::{Genesis, GenesisError};
use crate::hash::{BlockHash, Hash32};
use crate::identity::ValidatorSet;
use crate::state::{keys, tree};
use crate::storage::Storage;

/// What a checked snapshot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct SnapshotFacts {
    /// Height of its last block.
    pub height: u64,
    /// Hash of that block's header.
    pub block_hash: BlockHash,
    /// State root of that block, which the state was checked against.
    pub state_root: Hash32,
    /// State records checked.
    pub records: u64,
}

/// Why a snapshot is refused.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The store could not be read.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The genesis document does not build.
    #[error(transparent)]
    Genesis(#[from] GenesisError),
    /// The store holds no block.
    #[error("the snapshot holds no block")]
    Empty,
    /// R421: its genesis block is not this network's.
    #[error("the snapshot's genesis block is not this network's")]
    OtherGenesis,
    /// A block is missing below the head.
    #[error("block {0} is missing")]
    MissingBlock(u64),
    /// R422: a header does not follow the one before it.
    #[error("block {0} does not link to the block before it")]
    BrokenLink(u64),
    /// R422: a block's commit certificate does not make it final.
    #[error("block {height} is not certified: {reason}")]
    Uncertified {
        /// The block.
        height: u64,
        /// Why.
        reason: String,
    },
    /// R423: the state does not hash to the head's state root.
    #[error("the state hashes to {computed}, block {height} says {header}")]
    StateRoot {
        /// The head.
        height: u64,
        /// Root of the records in the snapshot.
        computed: Hash32,
        /// Root in the head's header.
        header: Hash32,
    },
}

/// The stored certificate as the ledger's own encoding of a [`CommitCertificate`] (what
/// [`crate::testkit`] stores). A node stores its consensus engine's encoding and passes its
/// own decoder to [`verify_store`].
pub fn ledger_certificate(bytes: &[u8]) -> Option<CommitCertificate> {
    codec::decode_stored(bytes).ok()
}

/// R420–R423: checks the chain and the latest state of `store` against `genesis`;
/// `certificate` turns a stored commit certificate into the portable form R132 checks.
pub fn verify_store<S: Storage>(
    store: &S,
    genesis: &Genesis,
    certificate: impl Fn(&[u8]) -> Option<CommitCertificate>,
) -> Result<SnapshotFacts, SnapshotError> {
    let head = store.latest_height()?.ok_or(SnapshotError::Empty)?;
    let header_at = |h: u64| -> Result<(BlockHeader, Vec<u8>), SnapshotError> {
        let stored = store.block(h)?.ok_or(SnapshotError::MissingBlock(h))?;
        Ok((stored.block.header, stored.certificate))
    };
    // R421: the genesis header is trusted by being the one the genesis document builds.
    let (mut prev, _) = header_at(0)?;
    if prev.hash() != genesis.execute()?.block.header.hash() {
        return Err(SnapshotError::OtherGenesis);
    }
    let chain = prev.chain.genesis_hash;
    let mut validators = validators_at(store, &prev)?;
    for h in 1..=head {
        let (header, stored_certificate) = header_at(h)?;
        if header.height != h || header.prev_hash != prev.hash() || header.chain != prev.chain {
            return Err(SnapshotError::BrokenLink(h));
        }
        let uncertified = |reason: String| SnapshotError::Uncertified { height: h, reason };
        let portable = certificate(&stored_certificate)
            .ok_or_else(|| uncertified("the certificate does not decode".into()))?;
        portable
            .verify_header(&chain, &header, &validators.validators)
            .map_err(|e: FinalityError| uncertified(e.to_string()))?;
        // The set that certifies the next block is the one this (now certified) state holds.
        validators = validators_at(store, &header)?;
        prev = header;
    }
    let (state_root, records) = state_root_of(store)?;
    if state_root != prev.state_root {
        return Err(SnapshotError::StateRoot {
            height: head,
            computed: state_root,
            header: prev.state_root,
        });
    }
    Ok(SnapshotFacts {
        height: head,
        block_hash: prev.hash(),
        state_root,
        records,
    })
}

/// The validator set in the state after `header`, proven against its state root (R422).
fn validators_at<S: Storage>(
    store: &S,
    header: &BlockHeader,
) -> Result<ValidatorSet, SnapshotError> {
    let broken = |reason: String| SnapshotError::Uncertified {
        height: header.height + 1,
        reason,
    };
    let key = keys::validators();
    let (value, proof) = tree::get_with_proof(store, &key, header.height)?;
    tree::RecordProof {
        key,
        value: value.clone(),
        proof,
    }
    .verify(&header.state_root)
    .map_err(|e| broken(format!("validator set of block {}: {e}", header.height)))?;
    let bytes = value.ok_or_else(|| broken("no validator set in state".into()))?;
    codec::decode_stored(&bytes).map_err(|e| broken(format!("validator set: {e}")))
}

/// R423: the root of the latest state records, computed afresh (the tree's root depends only
/// on the records, not on the order they were written in), and how many there are.
fn state_root_of<S: Storage>(store: &S) -> Result<(Hash32, u64), SnapshotError> {
    let records = store.scan_prefix(b"", usize::MAX)?;
    let count = records.len() as u64;
    let writes: BTreeMap<Vec<u8>, Option<Vec<u8>>> =
        records.into_iter().map(|(k, v)| (k, Some(v))).collect();
    let (root, _) = tree::apply_writes(&crate::genesis::EmptyTree, &writes, 0)?;
    Ok((root, count))
}

#[cfg(test)]
mod tests;
