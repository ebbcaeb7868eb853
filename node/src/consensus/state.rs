//! [`AppState`]: what the consensus application task owns — the ledger, the mempool, and the
//! blocks of the height in progress — and the ledger-side work of each engine request.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use ebl_ledger::block::{Block, EntryResult};
use ebl_ledger::crypto::PublicKey;
use ebl_ledger::evidence::{EvidenceRecord, MAX_EVIDENCE_AGE};
use ebl_ledger::execute::{BlockError, ExecutedBlock};
use ebl_ledger::identity::ValidatorSet as LedgerValidators;
use ebl_ledger::signatures::{SignatureVerdicts, VerifiedEntries};
use ebl_ledger::state::keys;
use ebl_ledger::storage::RocksStore;
use ebl_ledger::time::Timestamp;
use ebl_ledger::{Ledger, StorageError};
use ed25519_dalek::VerifyingKey;
use malachite::app::types::ProposedValue;
use malachite::app::types::core::{LinearTimeouts, Round, Validity};

use super::context::EblContext;
use super::evidence::PendingEvidence;
use super::parts::PartInit;
use super::scheme::ConsensusSignature;
use super::signing::ConsensusSigner;
use super::types::{Address, BlockId, BlockValue, Height};
use super::undecided::UndecidedBlocks;
use super::validators::{ValidatorSet, ValidatorSetError};
use crate::mempool::{Mempool, SequenceView};

/// Most blocks of the current height kept (own proposals and received ones, all rounds).
pub const MAX_BLOCKS_PER_HEIGHT: usize = 32;

/// Limits of the blocks this node proposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockLimits {
    /// Most entries in a block.
    pub max_entries: usize,
    /// Most bytes of entries in a block.
    pub max_bytes: usize,
    /// Threads used to check entry signatures before execution.
    pub verify_threads: usize,
    /// Shortest time between two heights (the engine's target time): an idle network makes
    /// empty blocks at this pace instead of as fast as it can.
    pub block_interval: Option<std::time::Duration>,
}

impl Default for BlockLimits {
    fn default() -> Self {
        BlockLimits {
            max_entries: 2_000,
            max_bytes: 4 * 1024 * 1024,
            verify_threads: 2,
            block_interval: Some(std::time::Duration::from_millis(500)),
        }
    }
}

/// A committed block, as published to subscribers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommittedBlock {
    /// The block.
    pub block: Block,
    /// One result per entry.
    pub results: Vec<EntryResult>,
}

/// Why the application cannot go on. A storage error is fatal (DESIGN §2).
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The ledger's validator set is missing or unusable.
    #[error(transparent)]
    Validators(#[from] ValidatorSetError),
    /// The decided block is not known here.
    #[error("decided block {0} unknown")]
    UnknownBlock(BlockId),
    /// The decided block does not execute on this state.
    #[error("decided block does not verify: {0}")]
    Verify(BlockError),
}

/// The ledger as the mempool sees it; remembers a storage error for the caller to raise.
pub(crate) struct SequenceAdapter<'a> {
    ledger: &'a Ledger<RocksStore>,
    error: RefCell<Option<StorageError>>,
}

impl<'a> SequenceAdapter<'a> {
    pub(crate) fn new(ledger: &'a Ledger<RocksStore>) -> Self {
        SequenceAdapter {
            ledger,
            error: RefCell::new(None),
        }
    }

    pub(crate) fn finish(self) -> Result<(), StorageError> {
        self.error.into_inner().map_or(Ok(()), Err)
    }
}

impl SequenceView for SequenceAdapter<'_> {
    fn next_sequence(&self, key: &PublicKey) -> u64 {
        self.ledger.next_sequence(key).unwrap_or_else(|e| {
            *self.error.borrow_mut() = Some(e);
            u64::MAX
        })
    }
}

/// Most decompressed signer keys kept by [`SharedVerified`] (cleared when full).
pub const MAX_CACHED_KEYS: usize = 4_096;

/// R155: signed entries this node has verified with `verify_strict`, shared by the handle
/// (which verifies at admission, off the consensus task) and the consensus task (which then
/// skips those signatures when it proposes or re-executes a block). Also keeps signers' keys
/// decompressed, since decompressing is about a quarter of a verification.
#[derive(Debug, Clone, Default)]
pub struct SharedVerified {
    entries: Arc<Mutex<VerifiedEntries>>,
    keys: Arc<Mutex<BTreeMap<PublicKey, VerifyingKey>>>,
}

fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while a lock was held cannot leave these maps wrong (entries are only added after
    // `verify_strict` accepted them; keys are only added decompressed), so poison is ignored.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SharedVerified {
    /// The memory of verified entries, locked.
    pub fn lock(&self) -> MutexGuard<'_, VerifiedEntries> {
        locked(&self.entries)
    }

    /// Verifies `entry` with `verify_strict` unless already remembered; remembers acceptances.
    /// No lock is held while verifying.
    pub fn verify(&self, entry: &ebl_ledger::entry::SignedEntry) -> bool {
        if self.lock().contains(entry) {
            return true;
        }
        let signer = entry.entry.signer;
        let cached = locked(&self.keys).get(&signer).copied();
        let key = match cached {
            Some(key) => key,
            None => match VerifyingKey::from_bytes(&signer.0) {
                Ok(key) => {
                    let mut keys = locked(&self.keys);
                    if keys.len() >= MAX_CACHED_KEYS {
                        keys.clear();
                    }
                    keys.insert(signer, key);
                    key
                }
                Err(_) => return false,
            },
        };
        match ebl_ledger::signatures::verify_entry_with(entry, &key) {
            Some(token) => {
                self.lock().insert(token);
                true
            }
            None => false,
        }
    }

    /// The `verify_strict` verdicts of `entries`, remembered ones taken as decided.
    pub fn verdicts(
        &self,
        entries: &[ebl_ledger::entry::SignedEntry],
        threads: usize,
    ) -> SignatureVerdicts {
        SignatureVerdicts::compute_known(entries, threads, &self.lock())
    }
}

/// State of the consensus application.
#[derive(Debug)]
pub struct AppState {
    /// The ledger (only this task writes it).
    pub ledger: Ledger<RocksStore>,
    /// Entries waiting for a block.
    pub mempool: Mempool,
    /// Consensus context.
    pub ctx: EblContext,
    /// This validator's signer.
    pub signer: ConsensusSigner,
    /// This validator's address.
    pub address: Address,
    /// Consensus timeouts.
    pub timeouts: LinearTimeouts,
    /// Proposal limits.
    pub limits: BlockLimits,
    /// Height in progress.
    pub height: Height,
    /// Round in progress.
    pub round: Round,
    /// Validators of the height in progress.
    pub validators: ValidatorSet,
    /// Blocks of the height in progress, by id.
    pub blocks: BTreeMap<BlockId, Arc<Block>>,
    /// Executions of those blocks, ready to commit.
    pub executed: BTreeMap<BlockId, ExecutedBlock>,
    /// Values seen for the height in progress (replayed to consensus after a restart).
    pub seen: Vec<ProposedValue<EblContext>>,
    /// How each block of the height in progress was first streamed (for restreaming).
    pub origins: BTreeMap<BlockId, (PartInit, ConsensusSignature)>,
    /// Where blocks of the height in progress are kept across a restart.
    pub undecided: Option<UndecidedBlocks>,
    /// Double votes seen, waiting to be recorded by a block this node proposes (R139).
    pub evidence: PendingEvidence,
    /// Entries already verified with `verify_strict` (R155).
    pub verified: SharedVerified,
}

impl AppState {
    /// A state over an opened ledger.
    pub fn new(
        ledger: Ledger<RocksStore>,
        mempool: Mempool,
        signer: ConsensusSigner,
        timeouts: LinearTimeouts,
        limits: BlockLimits,
    ) -> Result<Self, AppError> {
        let ctx = EblContext::new(ledger.chain().genesis_hash.0);
        let address = Address(*signer.public_key().as_bytes());
        let validators = validator_set(&ledger)?;
        let height = Height(ledger.head().height + 1);
        Ok(AppState {
            ledger,
            mempool,
            ctx,
            signer,
            address,
            timeouts,
            limits,
            height,
            round: Round::Nil,
            validators,
            blocks: BTreeMap::new(),
            executed: BTreeMap::new(),
            seen: Vec::new(),
            origins: BTreeMap::new(),
            undecided: None,
            evidence: PendingEvidence::default(),
            verified: SharedVerified::default(),
        })
    }

    /// Keeps blocks of the height in progress under `store`, and takes back the ones a previous
    /// run left there for the current height (re-executed before use).
    pub fn with_undecided(mut self, store: UndecidedBlocks) -> Result<Self, AppError> {
        store.prune_below(self.height.0);
        let saved = store.load(self.height.0);
        self.undecided = Some(store);
        for block in saved {
            let id = BlockId::from(block.header.hash());
            if self.verify_block(block)? {
                tracing::info!(height = %self.height, block = %id, "recovered an undecided block");
            }
        }
        Ok(self)
    }

    /// Builds and executes the next block from the mempool (what a proposer does), with at
    /// most `max_entries` entries (never more than the configured limit; R157).
    pub fn build_block(
        &mut self,
        now: Timestamp,
        max_entries: usize,
    ) -> Result<Arc<Block>, AppError> {
        let prev = self.ledger.head().time;
        let time = Timestamp(now.0.max(prev.0.saturating_add(1)));
        let view = SequenceAdapter::new(&self.ledger);
        let max_entries = max_entries.min(self.limits.max_entries);
        // R182: entries whose standing is gone leave the pool instead of being proposed.
        let standing = crate::intake::LedgerStanding::new(self.ledger.store(), time);
        let head = self.ledger.head().height;
        let entries =
            self.mempool
                .reap_standing(max_entries, self.limits.max_bytes, &view, &standing, head);
        view.finish()?;
        standing.finish()?;
        // R155: entries admitted here were verified then; only the others are verified now.
        let verdicts = self.verified.verdicts(&entries, self.limits.verify_threads);
        let proposer = self.address.to_key();
        // R139: the ledger keeps only the pending evidence that is valid and not yet recorded.
        let evidence = self.evidence.items().to_vec();
        let executed = self.ledger.execute_with_evidence(
            time,
            proposer,
            entries,
            evidence,
            Some(&verdicts),
        )?;
        Ok(self.remember(executed))
    }

    /// Keeps an executed block of the current height; returns the block.
    pub fn remember(&mut self, executed: ExecutedBlock) -> Arc<Block> {
        let block = Arc::new(executed.block.clone());
        let id = BlockId::from(block.header.hash());
        if self.blocks.len() >= MAX_BLOCKS_PER_HEIGHT && !self.blocks.contains_key(&id) {
            // Bounded: a flood of rounds drops the earliest-id block, never grows memory.
            if let Some(first) = self.blocks.keys().next().copied() {
                self.blocks.remove(&first);
                self.executed.remove(&first);
            }
        }
        if let Some(store) = &self.undecided {
            store.save(&block);
        }
        self.blocks.insert(id, block.clone());
        self.executed.insert(id, executed);
        block
    }

    /// Records how block `id` was first streamed (bounded like the blocks).
    pub fn remember_origin(&mut self, id: BlockId, init: PartInit, signature: ConsensusSignature) {
        if self.origins.len() < MAX_BLOCKS_PER_HEIGHT || self.origins.contains_key(&id) {
            self.origins.entry(id).or_insert((init, signature));
        }
    }

    /// Re-executes a received block of the current height (R18); `Ok(false)` if it fails.
    pub fn verify_block(&mut self, block: Block) -> Result<bool, AppError> {
        let id = BlockId::from(block.header.hash());
        if self.executed.contains_key(&id) {
            return Ok(true);
        }
        let verdicts = self
            .verified
            .verdicts(&block.entries, self.limits.verify_threads);
        match self.ledger.verify_with(block, Some(&verdicts)) {
            Ok(executed) => {
                self.remember(executed);
                Ok(true)
            }
            Err(BlockError::Storage(e)) => Err(AppError::Storage(e)),
            Err(e) => {
                tracing::warn!(block = %id, error = %e, "proposed block fails verification");
                Ok(false)
            }
        }
    }

    /// Records a value seen for the current height.
    pub fn see(
        &mut self,
        round: Round,
        valid_round: Round,
        proposer: Address,
        block: Arc<Block>,
        valid: bool,
    ) -> ProposedValue<EblContext> {
        let value = ProposedValue {
            height: self.height,
            round,
            valid_round,
            proposer,
            value: BlockValue {
                id: BlockId::from(block.header.hash()),
                block: Some(block),
            },
            validity: if valid {
                Validity::Valid
            } else {
                Validity::Invalid
            },
        };
        if self.seen.len() < MAX_BLOCKS_PER_HEIGHT {
            self.seen.push(value.clone());
        }
        value
    }

    /// Commits the decided block `id` of the current height with its certificate bytes.
    pub fn commit(
        &mut self,
        id: BlockId,
        certificate: Vec<u8>,
    ) -> Result<CommittedBlock, AppError> {
        let executed = match self.executed.remove(&id) {
            Some(executed) => executed,
            None => {
                let block = self.blocks.get(&id).ok_or(AppError::UnknownBlock(id))?;
                self.ledger
                    .verify(block.as_ref().clone())
                    .map_err(AppError::Verify)?
            }
        };
        let committed = CommittedBlock {
            block: executed.block.clone(),
            results: executed.results.clone(),
        };
        self.ledger.commit(executed, certificate)?;
        self.prune_evidence()?;
        self.enter_height()?;
        Ok(committed)
    }

    /// Drops pending evidence that the ledger has recorded or would now refuse as too old.
    fn prune_evidence(&mut self) -> Result<(), AppError> {
        let head = self.ledger.head().height;
        let mut recorded = Vec::new();
        for e in self.evidence.items() {
            let key = keys::evidence(&e.validator(), e.height());
            recorded.push(self.ledger.get::<EvidenceRecord>(&key)?.is_some());
        }
        let mut flags = recorded.into_iter();
        self.evidence.retain(|e| {
            let done = flags.next().unwrap_or(true);
            !done && head.saturating_sub(e.height()) < MAX_EVIDENCE_AGE
        });
        Ok(())
    }

    /// Moves to the height after the ledger head, with the validator set of the new state.
    pub fn enter_height(&mut self) -> Result<(), AppError> {
        self.height = Height(self.ledger.head().height + 1);
        self.round = Round::Nil;
        self.validators = validator_set(&self.ledger)?;
        self.blocks.clear();
        self.executed.clear();
        self.seen.clear();
        self.origins.clear();
        if let Some(store) = &self.undecided {
            store.prune_below(self.height.0);
        }
        Ok(())
    }
}

/// The consensus validator set of the ledger's latest state.
pub fn validator_set(ledger: &Ledger<RocksStore>) -> Result<ValidatorSet, AppError> {
    let set: LedgerValidators = ledger
        .get(&keys::validators())?
        .ok_or_else(|| ValidatorSetError("no validator set in state".into()))?;
    Ok(ValidatorSet::from_ledger(&set)?)
}
