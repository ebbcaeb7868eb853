//! [`AppState`]: what the consensus application task owns — the ledger, the mempool, and the
//! blocks of the height in progress — and the ledger-side work of each engine request.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use ebl_ledger::block::{Block, EntryResult};
use ebl_ledger::crypto::{DecodedKey, PublicKey};
use ebl_ledger::evidence::{EvidenceRecord, MAX_EVIDENCE_AGE};
use ebl_ledger::execute::{BlockError, ExecutedBlock};
use ebl_ledger::genesis::BlockCaps;
use ebl_ledger::identity::ValidatorSet as LedgerValidators;
use ebl_ledger::protocol_version::UnsupportedVersion;
use ebl_ledger::signatures::{SignatureVerdicts, VerifiedEntries};
use ebl_ledger::state::keys;
use ebl_ledger::storage::{RocksStore, Storage};
use ebl_ledger::time::Timestamp;
use ebl_ledger::{Ledger, StorageError};
use malachite::app::types::ProposedValue;
use malachite::app::types::core::{LinearTimeouts, Round, Validity};

use super::context::EblContext;
use super::evidence::PendingEvidence;
use super::held::HeldBlocks;
pub use super::held::MAX_BLOCKS_PER_HEIGHT;
use super::intake::Publishers;
use super::parts::PartInit;
use super::propose::authenticate_init;
use super::scheme::ConsensusSignature;
use super::signing::ConsensusSigner;
use super::types::{Address, BlockId, BlockValue, Height};
use super::undecided::{Origin, UndecidedBlocks};
use super::validators::{ValidatorSet, ValidatorSetError};
use crate::mempool::{Mempool, SequenceView};

/// R194: how far behind this node's clock a live proposal's block time may be, by default:
/// the longest a round step may last (`max_timeout`, 20 s) plus the clock drift the upper
/// bound tolerates (`MAX_CLOCK_DRIFT_MS`, 10 s), so an honest proposal judged within its round
/// never trips it (specs/adr/0027-proposal-intake.md).
pub const DEFAULT_MAX_TIME_LAG: std::time::Duration = std::time::Duration::from_secs(30);

/// R191: bytes of a block besides its entries (header, length prefixes, up to 16 pieces of
/// evidence) that a proposer leaves free under the byte cap.
pub const BLOCK_OVERHEAD_BYTES: usize = 32 * 1024;

/// Limits of the blocks this node proposes, and the time bound of those it receives.
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
    /// R194: how far behind this node's clock a live proposal's block time may be.
    pub max_time_lag: std::time::Duration,
}

impl Default for BlockLimits {
    fn default() -> Self {
        BlockLimits {
            max_entries: 2_000,
            max_bytes: 4 * 1024 * 1024,
            verify_threads: 2,
            block_interval: Some(std::time::Duration::from_millis(500)),
            max_time_lag: DEFAULT_MAX_TIME_LAG,
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
    /// R414: the next height needs a protocol version this build does not implement.
    #[error(transparent)]
    UpgradeRequired(#[from] UnsupportedVersion),
}

/// R414: stops the node before a height whose protocol version this build does not implement,
/// rather than make or check a block under rules it does not know.
fn check_next_version<S: Storage>(ledger: &Ledger<S>) -> Result<(), AppError> {
    match ledger.check_next_version() {
        Ok(()) => Ok(()),
        Err(BlockError::UnsupportedVersion(e)) => Err(AppError::UpgradeRequired(e)),
        Err(BlockError::Storage(e)) => Err(AppError::Storage(e)),
        Err(other) => Err(AppError::Verify(other)),
    }
}

/// What re-executing a block of the height in progress found (R18).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Execution {
    /// It re-executes to its header and is held.
    Valid,
    /// It does not (or is over the caps, R191).
    Invalid(BlockError),
    /// It re-executes, but every held block is protected: not kept (R192).
    NoRoom,
}

/// The ledger as the mempool sees it; remembers a storage error for the caller to raise.
pub(crate) struct SequenceAdapter<'a, S: Storage = RocksStore> {
    ledger: &'a Ledger<S>,
    error: RefCell<Option<StorageError>>,
}

impl<'a, S: Storage> SequenceAdapter<'a, S> {
    pub(crate) fn new(ledger: &'a Ledger<S>) -> Self {
        SequenceAdapter {
            ledger,
            error: RefCell::new(None),
        }
    }

    pub(crate) fn finish(self) -> Result<(), StorageError> {
        self.error.into_inner().map_or(Ok(()), Err)
    }
}

impl<S: Storage> SequenceView for SequenceAdapter<'_, S> {
    fn next_sequence(&self, key: &PublicKey) -> u64 {
        self.ledger.next_sequence(key).unwrap_or_else(|e| {
            *self.error.borrow_mut() = Some(e);
            u64::MAX
        })
    }
}

/// Most decoded signer keys kept by [`SharedVerified`] (cleared when full).
pub const MAX_CACHED_KEYS: usize = 4_096;

/// R155: signed entries this node has verified (R3), shared by the handle (which verifies at
/// admission, off the consensus task) and the consensus task (which then skips those signatures
/// when it proposes or re-executes a block). Also keeps signers' keys decoded, since decoding
/// is about a quarter of a verification.
#[derive(Debug, Clone, Default)]
pub struct SharedVerified {
    entries: Arc<Mutex<VerifiedEntries>>,
    keys: Arc<Mutex<BTreeMap<PublicKey, DecodedKey>>>,
}

fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while a lock was held cannot leave these maps wrong (entries are only added after
    // R3 accepted them; keys are only added decoded), so poison is ignored.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SharedVerified {
    /// The memory of verified entries, locked.
    pub fn lock(&self) -> MutexGuard<'_, VerifiedEntries> {
        locked(&self.entries)
    }

    /// Verifies `entry` (R3) unless already remembered; remembers acceptances. No lock is held
    /// while verifying.
    pub fn verify(&self, entry: &ebl_ledger::entry::SignedEntry) -> bool {
        let id = entry.id();
        if self.lock().contains_key(&id, &entry.signature().0) {
            return true;
        }
        let signer = entry.entry().signer;
        let cached = locked(&self.keys).get(&signer).copied();
        let key = match cached {
            Some(key) => key,
            None => match signer.decode() {
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

    /// R172: [`Self::verify`] on each entry, the ones not remembered checked with one batch
    /// equation; one verdict per entry, in order, the same as one by one.
    pub fn verify_many(&self, entries: &[ebl_ledger::entry::SignedEntry]) -> Vec<bool> {
        // Ids are hashed before the lock is taken, so other callers do not wait on them.
        let ids: Vec<_> = entries.iter().map(|e| e.id()).collect();
        let known: Vec<bool> = {
            let memory = self.lock();
            entries
                .iter()
                .zip(&ids)
                .map(|(e, id)| memory.contains_key(id, &e.signature().0))
                .collect()
        };
        let rest: Vec<ebl_ledger::entry::SignedEntry> = entries
            .iter()
            .zip(&known)
            .filter(|(_, k)| !**k)
            .map(|(e, _)| e.clone())
            .collect();
        let tokens = ebl_ledger::signatures::verify_entries(&rest);
        let mut fresh = Vec::with_capacity(tokens.len());
        {
            let mut memory = self.lock();
            for token in tokens {
                fresh.push(token.is_some());
                if let Some(token) = token {
                    memory.insert(token);
                }
            }
        }
        let mut fresh = fresh.into_iter();
        known
            .into_iter()
            .map(|k| k || fresh.next().unwrap_or(false))
            .collect()
    }

    /// R113, R172: the index of the first entry that fails R3, or `None` when all pass. The
    /// entries not remembered are checked with one batch equation first; only when it fails are
    /// they checked one by one, in order, stopping at the first bad one. A forged batch thus
    /// costs one batch equation and the valid entries before its first bad one.
    pub fn first_bad(&self, entries: &[ebl_ledger::entry::SignedEntry]) -> Option<usize> {
        let ids: Vec<_> = entries.iter().map(|e| e.id()).collect();
        let rest: Vec<ebl_ledger::entry::SignedEntry> = {
            let memory = self.lock();
            entries
                .iter()
                .zip(&ids)
                .filter(|(e, id)| !memory.contains_key(id, &e.signature().0))
                .map(|(e, _)| e.clone())
                .collect()
        };
        if let Some(tokens) = ebl_ledger::signatures::verify_all_entries(&rest) {
            let mut memory = self.lock();
            for token in tokens {
                memory.insert(token);
            }
            return None;
        }
        entries.iter().position(|e| !self.verify(e))
    }

    /// The R3 verdicts of `entries`, remembered ones taken as decided.
    pub fn verdicts(
        &self,
        entries: &[ebl_ledger::entry::SignedEntry],
        threads: usize,
    ) -> SignatureVerdicts {
        SignatureVerdicts::compute_known(entries, threads, &self.lock())
    }
}

/// State of the consensus application, over the node's RocksDB store or (in the seeded
/// simulation, R460) a store in memory.
#[derive(Debug)]
pub struct AppState<S: Storage = RocksStore> {
    /// The ledger (only this task writes it).
    pub ledger: Ledger<S>,
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
    /// R193: who may publish proposal parts (validators of this height and the next).
    pub publishers: Publishers,
    /// R191: the genesis block caps.
    pub caps: BlockCaps,
    /// R192: the blocks of the height in progress, with their executions and origins.
    pub held: HeldBlocks,
    /// Values seen for the height in progress (replayed to consensus after a restart).
    pub seen: Vec<ProposedValue<EblContext>>,
    /// Where blocks of the height in progress are kept across a restart.
    pub undecided: Option<UndecidedBlocks>,
    /// Double votes seen, waiting to be recorded by a block this node proposes (R139).
    pub evidence: PendingEvidence,
    /// Entries already verified (R3, R155).
    pub verified: SharedVerified,
    /// Misbehaviour this node was told to show (tests only; inert by default).
    #[cfg(feature = "byzantine")]
    pub faults: super::faults::FaultPlan,
}

impl<S: Storage> AppState<S> {
    /// A state over an opened ledger.
    pub fn new(
        ledger: Ledger<S>,
        mempool: Mempool,
        signer: ConsensusSigner,
        timeouts: LinearTimeouts,
        limits: BlockLimits,
    ) -> Result<Self, AppError> {
        check_next_version(&ledger)?;
        let ctx = EblContext::new(ledger.chain().genesis_hash.0);
        let address = Address(*signer.public_key().as_bytes());
        let validators = validator_set(&ledger)?;
        let height = Height(ledger.head().height + 1);
        let caps = ledger
            .get::<BlockCaps>(&keys::block_caps())?
            .unwrap_or_default();
        let publishers = Publishers::of(validators.validators.iter().map(|v| v.address));
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
            publishers,
            caps,
            held: HeldBlocks::default(),
            seen: Vec::new(),
            undecided: None,
            evidence: PendingEvidence::default(),
            verified: SharedVerified::default(),
            #[cfg(feature = "byzantine")]
            faults: super::faults::FaultPlan::default(),
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
            let origin = self
                .undecided
                .as_ref()
                .and_then(|s| s.load_origin(self.height.0, id));
            self.recover_block(block, origin)?;
        }
        Ok(self)
    }

    /// Takes back a block of the height in progress kept before a restart: re-executed, and
    /// with the opening it was first streamed with when that opening names it and is
    /// authentic (R467), so that it can be streamed again.
    pub fn recover_block(&mut self, block: Block, origin: Option<Origin>) -> Result<(), AppError> {
        if block.header.height != self.height.0 {
            return Ok(());
        }
        let id = BlockId::from(block.header.hash());
        if self.verify_block(block, None)? != Execution::Valid {
            return Ok(());
        }
        tracing::info!(height = %self.height, block = %id, "recovered an undecided block");
        match origin {
            Some((init, signature))
                if init.block_id == id
                    && init.height == self.height
                    && authenticate_init(self, &init, &signature).is_ok() =>
            {
                self.held.set_origin(&id, init, signature);
            }
            Some(_) => {
                tracing::warn!(height = %self.height, block = %id, "a saved stream opening does not authenticate: ignored");
            }
            None => {}
        }
        Ok(())
    }

    /// R191: the most entries and entry bytes this node puts in a block: its configured limits
    /// within the genesis caps (the bytes leave room for the header and evidence).
    pub fn proposal_limits(&self) -> (usize, usize) {
        let cap_entries = usize::try_from(self.caps.max_entries).unwrap_or(usize::MAX);
        let cap_bytes = usize::try_from(self.caps.max_bytes)
            .unwrap_or(usize::MAX)
            .saturating_sub(BLOCK_OVERHEAD_BYTES);
        (
            self.limits.max_entries.min(cap_entries),
            self.limits.max_bytes.min(cap_bytes),
        )
    }

    /// Builds and executes the next block from the mempool (what a proposer does) at block
    /// time `time` (at least the previous block's time + 1 ms), with at most `max_entries`
    /// entries (never more than the configured limit, R157, nor the genesis caps, R191).
    pub fn build_block(
        &mut self,
        time: Timestamp,
        max_entries: usize,
    ) -> Result<Arc<Block>, AppError> {
        let (most_entries, most_bytes) = self.proposal_limits();
        let executed = self.execute_proposal(time, max_entries.min(most_entries), most_bytes)?;
        let executed = match self.caps.admit(&executed.block) {
            Ok(()) => executed,
            // Only reachable with entries far larger than usual: fall back to an empty block,
            // which always fits (MIN_BLOCK_BYTES).
            Err(e) => {
                tracing::warn!(error = %e, "built block over the caps: proposing it empty");
                self.execute_proposal(time, 0, 0)?
            }
        };
        Ok(self.remember(executed, Some(self.round)))
    }

    /// Reaps and executes a block of at most `max_entries` entries and `max_bytes` entry
    /// bytes, without keeping it.
    pub fn execute_proposal(
        &mut self,
        time: Timestamp,
        max_entries: usize,
        max_bytes: usize,
    ) -> Result<ExecutedBlock, AppError> {
        let prev = self.ledger.head().time;
        let time = Timestamp(time.0.max(prev.0.saturating_add(1)));
        let view = SequenceAdapter::new(&self.ledger);
        // R182: entries whose standing is gone leave the pool instead of being proposed.
        let standing = crate::intake::LedgerStanding::new(self.ledger.store(), time);
        let head = self.ledger.head().height;
        let entries = self
            .mempool
            .reap_standing(max_entries, max_bytes, &view, &standing, head);
        view.finish()?;
        standing.finish()?;
        // R155: entries admitted here were verified then; only the others are verified now.
        let verdicts = self.verified.verdicts(&entries, self.limits.verify_threads);
        let proposer = self.address.to_key();
        // R139: the ledger keeps only the pending evidence that is valid and not yet recorded.
        let evidence = self.evidence.items().to_vec();
        Ok(self
            .ledger
            .execute_with_evidence(time, proposer, entries, evidence, Some(&verdicts))?)
    }

    /// Keeps an executed block of the current height, proposed in `round` (R192); returns
    /// the block. When every held block is protected the block is returned but not kept.
    pub fn remember(&mut self, executed: ExecutedBlock, round: Option<Round>) -> Arc<Block> {
        let next_set = next_validators(&executed);
        match self.held.insert(executed, round, self.round) {
            Ok((block, evicted)) => {
                if let Some(evicted) = evicted {
                    self.forget(evicted);
                }
                if let Some(store) = &self.undecided {
                    store.save(&block);
                }
                // R193: a block that installs a new validator set makes its members
                // publishers for the next height.
                if let Some(set) = next_set {
                    self.publishers
                        .extend(set.validators.iter().map(|v| Address::from(v.key)));
                }
                block
            }
            Err(executed) => {
                tracing::warn!(height = %self.height, "every held block is protected: block not kept (R192)");
                Arc::new(executed.block)
            }
        }
    }

    /// Drops what refers to an evicted block (its seen value and its file).
    fn forget(&mut self, id: BlockId) {
        tracing::debug!(height = %self.height, block = %id, "evicted an undecided block (R192)");
        self.seen.retain(|v| v.value.id != id);
        if let Some(store) = &self.undecided {
            store.remove(self.height.0, id);
        }
    }

    /// Records how held block `id` was first streamed.
    pub fn remember_origin(&mut self, id: BlockId, init: PartInit, signature: ConsensusSignature) {
        if self.held.set_origin(&id, init, signature)
            && let (Some(store), Some(origin)) = (&self.undecided, self.held.origin(&id))
        {
            // R467: kept beside the block, for a restream after a restart.
            store.save_origin(self.height.0, id, origin);
        }
    }

    /// Re-executes a block of the current height proposed in `round` (R18), unless held
    /// already or known to fail.
    pub fn verify_block(
        &mut self,
        block: Block,
        round: Option<Round>,
    ) -> Result<Execution, AppError> {
        let id = BlockId::from(block.header.hash());
        if self.held.is_executed(&id) || self.held.contains(&id) {
            return Ok(Execution::Valid);
        }
        if self.held.known_invalid(&id) {
            return Ok(Execution::Invalid(BlockError::Mismatch("known invalid")));
        }
        let verdicts = self
            .verified
            .verdicts(&block.entries, self.limits.verify_threads);
        match self.ledger.verify_with(block, Some(&verdicts)) {
            Ok(executed) => {
                self.remember(executed, round);
                if self.held.contains(&id) {
                    Ok(Execution::Valid)
                } else {
                    Ok(Execution::NoRoom)
                }
            }
            Err(BlockError::Storage(e)) => Err(AppError::Storage(e)),
            Err(e) => {
                tracing::warn!(block = %id, error = %e, "proposed block fails verification");
                self.held.mark_invalid(id);
                Ok(Execution::Invalid(e))
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
        let executed = match self.held.take_executed(&id) {
            Some(executed) => executed,
            None => {
                let block = self.held.get(&id).ok_or(AppError::UnknownBlock(id))?;
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

    /// R356, R358: after a commit of block `height` failed with a disk fault, re-reads the
    /// head from the store. If the block reached the disk before the error it is committed:
    /// moves to the next height as [`AppState::commit`] does and returns it; otherwise `None`
    /// (the block is still held: commit it again).
    pub fn recover_after_disk_fault(
        &mut self,
        height: u64,
    ) -> Result<Option<CommittedBlock>, AppError> {
        self.ledger.reload_head()?;
        if self.ledger.head().height < height {
            return Ok(None);
        }
        let stored = self
            .ledger
            .store()
            .block(height)?
            .ok_or_else(|| StorageError::Failed(format!("block {height} missing")))?;
        self.prune_evidence()?;
        self.enter_height()?;
        Ok(Some(CommittedBlock {
            block: stored.block,
            results: stored.results,
        }))
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
        check_next_version(&self.ledger)?;
        self.height = Height(self.ledger.head().height + 1);
        self.round = Round::Nil;
        self.validators = validator_set(&self.ledger)?;
        self.publishers = Publishers::of(self.validators.validators.iter().map(|v| v.address));
        self.held.clear();
        self.seen.clear();
        if let Some(store) = &self.undecided {
            store.prune_below(self.height.0);
        }
        Ok(())
    }
}

/// The validator set an executed block installs for the next height, if it changes it.
fn next_validators(executed: &ExecutedBlock) -> Option<LedgerValidators> {
    let bytes = executed.writes.get(&keys::validators())?.as_ref()?;
    ebl_ledger::codec::decode_stored(bytes).ok()
}

/// The consensus validator set of the ledger's latest state.
pub fn validator_set<S: Storage>(ledger: &Ledger<S>) -> Result<ValidatorSet, AppError> {
    let set: LedgerValidators = ledger
        .get(&keys::validators())?
        .ok_or_else(|| ValidatorSetError("no validator set in state".into()))?;
    Ok(ValidatorSet::from_ledger(&set)?)
}
