//! [`CommittedReads`]: the gateway's read path of committed state, straight from RocksDB and
//! beside the application task (ADR 0014).
//!
//! # Design
//!
//! The application task owns the [`ebl_ledger::Ledger`] and is the only writer; it commits a
//! block only once consensus decided it, as one atomic RocksDB batch (R19). RocksDB serves
//! concurrent reads safely, so reads here never wait for consensus work, and every record,
//! entry location or block they see belongs to a decided block: "final" is never said early.
//! The head is the store's latest height, read from the same database, and the header of that
//! block is cached per height, so a proof is always against a committed header whose tree
//! version is on disk.

use std::sync::{Arc, Mutex, PoisonError};

use ebl_ledger::block::BlockHeader;
use ebl_ledger::crypto::PublicKey;
use ebl_ledger::error::StorageError;
use ebl_ledger::hash::EntryId;
use ebl_ledger::state::tree::{self, RecordProof};
use ebl_ledger::state::{StateReader, keys};
use ebl_ledger::storage::{EntryLocation, Record, RocksReader, StoredBlock};

/// The head as this reader last saw it: a committed header and its commit certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommittedHead {
    /// Header of the last committed block.
    pub header: BlockHeader,
    /// Its commit certificate.
    pub certificate: Vec<u8>,
}

/// Concurrent reads of committed state; cheap to clone.
#[derive(Debug, Clone)]
pub struct CommittedReads {
    store: RocksReader,
    head: Arc<Mutex<Option<Arc<CommittedHead>>>>,
}

impl CommittedReads {
    /// The database handle the reads go through.
    pub fn store(&self) -> &RocksReader {
        &self.store
    }

    /// Reads over `store` (from [`ebl_ledger::storage::RocksStore::reader`]).
    pub fn new(store: RocksReader) -> Self {
        CommittedReads {
            store,
            head: Arc::default(),
        }
    }

    /// The raw value of a state record.
    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        self.store.get(key)
    }

    /// Records under `prefix`, in key order, at most `limit`.
    pub fn scan(&self, prefix: &[u8], limit: usize) -> Result<Vec<Record>, StorageError> {
        self.store.scan_prefix(prefix, limit)
    }

    /// A committed block.
    pub fn block(&self, height: u64) -> Result<Option<StoredBlock>, StorageError> {
        self.store.block(height)
    }

    /// Where an entry was committed, if it was: its decisive location, else its latest
    /// inclusion that decided nothing (R185).
    pub fn entry_location(&self, id: &EntryId) -> Result<Option<EntryLocation>, StorageError> {
        self.store.entry_location(id)
    }

    /// R185: the inclusion that consumed the entry's sequence, if any: the entry is decided.
    pub fn decisive_location(&self, id: &EntryId) -> Result<Option<EntryLocation>, StorageError> {
        self.store.decisive_location(id)
    }

    /// The committed state, for pure ledger predicates (e.g. standing, R180).
    pub fn state(&self) -> &dyn StateReader {
        &self.store
    }

    /// The next sequence number `signer` must use, as of the last committed block.
    pub fn next_sequence(&self, signer: &PublicKey) -> Result<u64, StorageError> {
        next_sequence_in(self.state(), signer)
    }

    /// The last committed block's header and certificate. The block is decoded once per
    /// height; later calls at the same height share it.
    pub fn head(&self) -> Result<Arc<CommittedHead>, StorageError> {
        let height = self
            .store
            .latest_height()?
            .ok_or_else(|| StorageError::Failed("the store has no genesis block".into()))?;
        // The cache holds facts about committed blocks only; a poisoned lock is still right.
        if let Some(head) = self
            .head
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .filter(|h| h.header.height == height)
        {
            return Ok(head.clone());
        }
        let stored = self
            .store
            .block(height)?
            .ok_or_else(|| StorageError::Failed(format!("block {height} missing")))?;
        let head = Arc::new(CommittedHead {
            header: stored.block.header,
            certificate: stored.certificate,
        });
        let mut cached = self.head.lock().unwrap_or_else(PoisonError::into_inner);
        // Two readers may race across a commit: keep the newer head.
        if cached
            .as_ref()
            .is_none_or(|c| c.header.height <= head.header.height)
        {
            *cached = Some(head.clone());
        }
        Ok(head)
    }

    /// A record (or its absence) with its Merkle proof against the committed `head`.
    pub fn prove(&self, key: &[u8], head: &CommittedHead) -> Result<RecordProof, StorageError> {
        let (value, proof) = tree::get_with_proof(&self.store, key, head.header.height)?;
        Ok(RecordProof {
            key: key.to_vec(),
            value,
            proof,
        })
    }
}

/// The next sequence number `signer` must use, in committed `state` (R104).
pub fn next_sequence_in(state: &dyn StateReader, signer: &PublicKey) -> Result<u64, StorageError> {
    match state.get(&keys::sequence(signer))? {
        None => Ok(0),
        Some(bytes) => ebl_ledger::codec::decode_stored(&bytes)
            .map_err(|e| StorageError::Failed(format!("corrupt sequence: {e}"))),
    }
}
