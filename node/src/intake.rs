//! The entry intake: what every way into this node (the handle, used by local clients and the
//! gateway; gossip, used by peers) judges before any signature work (specs/protocol.md
//! R182–R184, specs/adr/0026-entry-intake.md).
//!
//! # Design
//!
//! A signature check is the most expensive thing an entry costs a node (tens of microseconds
//! of a shared core), so everything cheaper that can refuse an entry comes first, on committed
//! state read beside the consensus task ([`CommittedReads`]):
//!
//! 1. R183: its id is seen once per call, is not pooled ([`PooledIds`]) and is not decided (a
//!    decisive location in the entry index, R185) — else `Duplicate`, whatever its signature
//!    bytes, so a re-signed copy costs a hash, not a verification;
//! 2. its envelope (R101);
//! 3. R182: standing (R180) on the committed state at the head's block time;
//! 4. R184: its sequence inside the signer's window (R104) — else `REPLAY` / `SEQUENCE_GAP`;
//! 5. R184: its signer's share of this block interval — as many signature checks as the pool's
//!    window (`max_per_signer`), since more distinct entries than that can never be pooled for
//!    it before the next block — else `MEMPOOL_FULL`; charged only for entries about to be
//!    verified.
//!
//! Only then is the signature verified (R155) and the entry offered to the pool, which judges
//! again on the state it holds (R100–R106): the intake is a filter, never the judge.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, PoisonError};

use ebl_ledger::RuleError;
use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::{ChainRef, SignedEntry};
use ebl_ledger::error::{ExecError, StorageError};
use ebl_ledger::hash::EntryId;
use ebl_ledger::identity::entry_standing;
use ebl_ledger::state::StateReader;
use ebl_ledger::time::Timestamp;

use crate::mempool::{Admission, MEMPOOL_FULL, PooledIds, StandingView};
use crate::metrics::IntakeMetrics;
use crate::reads::{CommittedReads, next_sequence_in};
use crate::screen_cache::ScreenCache;

/// R184: most signers charged in one block interval; a signer beyond is answered
/// `MEMPOOL_FULL` until the next block. Only signers with standing get this far, and the
/// count starts afresh at every block, so this bounds memory, not honest traffic.
pub const MAX_CHARGED_SIGNERS: usize = 65_536;

/// Per-signer signature checks charged since the block at `height`.
#[derive(Debug, Default)]
struct SignerBudget {
    height: u64,
    spent: BTreeMap<PublicKey, usize>,
}

/// The intake's shared state; cheap to clone (every clone charges the same budget).
#[derive(Debug, Clone)]
pub struct Intake {
    chain: ChainRef,
    reads: CommittedReads,
    pooled: PooledIds,
    /// The pool's window per signer (R104), also its share per block (R184).
    window: usize,
    budget: Arc<Mutex<SignerBudget>>,
    /// R479: committed reads remembered while the head stays at one height.
    remembered: ScreenCache,
    metrics: IntakeMetrics,
}

impl Intake {
    /// An intake for `chain` over committed `reads`, the pool's shared ids and its window.
    pub fn new(
        chain: ChainRef,
        reads: CommittedReads,
        pooled: PooledIds,
        window: usize,
        metrics: IntakeMetrics,
    ) -> Self {
        Intake {
            chain,
            reads,
            pooled,
            window,
            budget: Arc::default(),
            remembered: ScreenCache::default(),
            metrics,
        }
    }

    /// Steps 1–4 for each entry, in order: `None` when the entry may go on to its signature,
    /// else its answer. Charges nothing (see [`Intake::charge`]).
    pub fn screen(&self, entries: &[SignedEntry]) -> Result<Vec<Option<Admission>>, StorageError> {
        let head = self.reads.head()?;
        let time = head.header.time;
        let mut seen = BTreeSet::new();
        let mut next = BTreeMap::new();
        // R479: signers' records are read once per height, across batches and requests. A
        // commit landing mid-screen may leave entries judged on the state after it, as reads
        // without the cache could too; execution decides standing again (R181).
        let committed = self.remembered.at(head.header.height, self.reads.state());
        entries
            .iter()
            .map(|entry| {
                let answer = self.judge(entry, &committed, time, &mut seen, &mut next)?;
                if let Some(answer) = &answer {
                    self.metrics
                        .on_refused(answer.code().unwrap_or("DUPLICATE"));
                }
                Ok(answer)
            })
            .collect()
    }

    fn judge(
        &self,
        entry: &SignedEntry,
        committed: &dyn ebl_ledger::state::StateReader,
        time: Timestamp,
        seen: &mut BTreeSet<EntryId>,
        next: &mut BTreeMap<PublicKey, u64>,
    ) -> Result<Option<Admission>, StorageError> {
        let id = entry.id();
        // R183: by id, before anything else; the signature bytes play no part.
        if !seen.insert(id)
            || self.pooled.contains(&id)
            || self.reads.decisive_location(&id)?.is_some()
        {
            return Ok(Some(Admission::Duplicate { id }));
        }
        let refuse = |code| Ok(Some(Admission::Rejected { id, code }));
        if let Err(e) = entry.check_envelope(&self.chain) {
            return refuse(e.code());
        }
        // R182: standing on committed state at the head's block time.
        match entry_standing(committed, entry.entry(), time) {
            Ok(()) => {}
            Err(ExecError::Rule(e)) => return refuse(e.code()),
            Err(ExecError::Storage(e)) => return Err(e),
        }
        // R184: the pool's window (R104), before the signature rather than after it.
        let signer = entry.entry().signer;
        let expected = match next.get(&signer) {
            Some(n) => *n,
            None => {
                let n = next_sequence_in(committed, &signer)?;
                next.insert(signer, n);
                n
            }
        };
        let got = entry.entry().sequence;
        if got < expected {
            return refuse(RuleError::Replay { expected, got }.code());
        }
        if usize::try_from(got - expected).map_or(true, |ahead| ahead >= self.window) {
            return refuse(RuleError::SequenceGap { expected, got }.code());
        }
        Ok(None)
    }

    /// Step 5 (R184): charges each entry still going on (`answers[i]` is `None`) to its
    /// signer's share of the current block interval; one over it is answered `MEMPOOL_FULL`.
    /// Counts the entries left for signature verification.
    pub fn charge(
        &self,
        entries: &[SignedEntry],
        answers: &mut [Option<Admission>],
    ) -> Result<(), StorageError> {
        let height = self.reads.head()?.header.height;
        let mut budget = self.budget.lock().unwrap_or_else(PoisonError::into_inner);
        if budget.height != height {
            budget.height = height;
            budget.spent.clear();
        }
        let mut going = 0;
        for (entry, answer) in entries.iter().zip(answers.iter_mut()) {
            if answer.is_some() {
                continue;
            }
            let signer = entry.entry().signer;
            let tracked = budget.spent.len();
            let spent = budget.spent.get(&signer).copied();
            let room = match spent {
                Some(n) => n < self.window,
                None => tracked < MAX_CHARGED_SIGNERS && self.window > 0,
            };
            if room {
                *budget.spent.entry(signer).or_insert(0) += 1;
                going += 1;
            } else {
                self.metrics.on_refused(MEMPOOL_FULL);
                *answer = Some(Admission::Rejected {
                    id: entry.id(),
                    code: MEMPOOL_FULL,
                });
            }
        }
        self.metrics.on_signature_checks(going);
        Ok(())
    }
}

/// R182: the proposer's pool asks the ledger it is about to build on, at the new block's time.
/// A storage error is kept for the caller to raise (it is fatal); meanwhile the entry is kept.
pub(crate) struct LedgerStanding<'a> {
    state: &'a dyn StateReader,
    time: Timestamp,
    error: RefCell<Option<StorageError>>,
}

impl<'a> LedgerStanding<'a> {
    pub(crate) fn new(state: &'a dyn StateReader, time: Timestamp) -> Self {
        LedgerStanding {
            state,
            time,
            error: RefCell::new(None),
        }
    }

    pub(crate) fn finish(self) -> Result<(), StorageError> {
        self.error.into_inner().map_or(Ok(()), Err)
    }
}

impl StandingView for LedgerStanding<'_> {
    fn standing(&self, entry: &SignedEntry) -> Result<(), &'static str> {
        match entry_standing(self.state, entry.entry(), self.time) {
            Ok(()) => Ok(()),
            Err(ExecError::Rule(e)) => Err(e.code()),
            Err(ExecError::Storage(e)) => {
                *self.error.borrow_mut() = Some(e);
                Ok(())
            }
        }
    }
}

#[cfg(test)]
#[path = "intake_tests.rs"]
mod tests;
