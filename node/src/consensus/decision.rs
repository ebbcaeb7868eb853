//! R460: the application's consensus decisions as a pure core — propose, receive proposal
//! parts, decide, serve and take synced values — over any [`Storage`], with time passed in.
//! No task, socket, clock or metric here: the callers (the node's app loop, `app.rs`, and the
//! seeded simulation) act on what it returns, and count it.

use std::sync::Arc;

use ebl_ledger::block::Block;
use ebl_ledger::storage::Storage;
use ebl_ledger::time::Timestamp;
use malachite::app::engine::host::SyncedValueOutcome;
use malachite::app::streaming::StreamMessage;
use malachite::app::types::core::Round;
use malachite::app::types::{LocallyProposedValue, PeerId, ProposedValue};

use super::context::EblContext;
use super::intake::IntakeRules;
use super::later::LaterProposals;
use super::parts::{AssembledProposal, PartBuffer, ProposalPart, StreamError};
use super::propose::{Ignore, Invalidity, Received, parts_of, receive, sign_init};
use super::state::{AppError, AppState, CommittedBlock, SequenceAdapter};
use super::sync::synced_value;
use super::types::{Address, BlockId, Height};
use super::undecided::Origin;
use crate::mempool::Notification;

/// What the core owns: the application state (ledger, mempool, held blocks) and the buffers
/// of proposal parts and of complete proposals for the next height.
#[derive(Debug)]
pub struct DecisionCore<S: Storage> {
    /// Ledger, mempool and the blocks of the height in progress.
    pub state: AppState<S>,
    parts: PartBuffer,
    later: LaterProposals,
}

/// A value this node proposes, and the stream that carries its block.
#[derive(Debug)]
pub struct Proposed {
    /// For the engine.
    pub value: LocallyProposedValue<EblContext>,
    /// For the network (R193: init, chunks, signed fin).
    pub stream: Vec<StreamMessage<ProposalPart>>,
}

/// A committed block and the mempool's notifications it caused.
#[derive(Debug)]
pub struct Decided {
    /// The block with its results.
    pub committed: CommittedBlock,
    /// Entry fates for subscribers.
    pub notifications: Vec<Notification>,
}

/// What became of one complete proposal stream (for the engine, and for the edge to count).
#[derive(Debug)]
pub enum Judged {
    /// A value for consensus, with the reason it is invalid if it is.
    Value(ProposedValue<EblContext>, Option<Invalidity>),
    /// For the next height: kept until it starts, unless the bounded buffer refused it.
    Later {
        /// Whether the buffer took it (R193).
        kept: bool,
    },
    /// Not usable (R190, R192, …).
    Ignored(Ignore),
}

impl Judged {
    /// The value for the engine, if any.
    pub fn value(self) -> Option<ProposedValue<EblContext>> {
        match self {
            Judged::Value(v, _) => Some(v),
            _ => None,
        }
    }
}

/// What became of one proposal part.
#[derive(Debug)]
pub enum PartOutcome {
    /// Buffered; its stream is not complete yet.
    Buffered,
    /// Dropped before it was buffered (R190, R191, R193).
    Dropped(StreamError),
    /// It completed a stream, judged as said.
    Judged(Judged),
}

impl<S: Storage> DecisionCore<S> {
    /// A core over `state`, with empty buffers.
    pub fn new(state: AppState<S>) -> Self {
        DecisionCore {
            state,
            parts: PartBuffer::default(),
            later: LaterProposals::default(),
        }
    }

    /// Gives back the state (the ledger survives a restart; the buffers do not).
    pub fn into_state(self) -> AppState<S> {
        self.state
    }

    /// A round of the height in progress started: the complete proposals that arrived early,
    /// judged now, and the values seen before a restart (for the engine).
    pub fn started_round(
        &mut self,
        height: Height,
        round: Round,
        now: Timestamp,
    ) -> Result<(Vec<Judged>, Vec<ProposedValue<EblContext>>), AppError> {
        self.state.round = round;
        if height != self.state.height {
            return Ok((Vec::new(), Vec::new()));
        }
        let mut judged = Vec::new();
        for p in self.later.take(height, round) {
            judged.push(self.judge(p, now)?);
        }
        let seen = self
            .state
            .seen
            .iter()
            .filter(|v| v.round == round)
            .cloned()
            .collect();
        Ok((judged, seen))
    }

    /// Authenticates and re-executes one complete stream (R18, R190–R194); one for the next
    /// height is kept for then.
    fn judge(&mut self, p: AssembledProposal, now: Timestamp) -> Result<Judged, AppError> {
        Ok(match receive(&mut self.state, p, now)? {
            Received::Value(value, invalid) => Judged::Value(value, invalid),
            Received::Later(p) => Judged::Later {
                kept: self.later.keep(p, self.state.height),
            },
            Received::Ignored(why) => Judged::Ignored(why),
        })
    }

    /// Builds and executes this node's block for the height in progress at block time `now`
    /// with at most `cap` entries; `None` when asked for another height.
    pub fn build(
        &mut self,
        height: Height,
        now: Timestamp,
        cap: usize,
    ) -> Result<Option<Arc<Block>>, AppError> {
        if height != self.state.height {
            return Ok(None);
        }
        self.state.build_block(now, cap).map(Some)
    }

    /// Offers `block` (built by this node) as its value for `round`: holds its round's slot,
    /// signs the stream's opening and returns the value and its stream.
    pub fn offer(&mut self, round: Round, block: &Arc<Block>) -> Proposed {
        // R192: this node's own block holds its round's slot.
        let _ = self
            .state
            .held
            .claim_slot(round, BlockId::from(block.header.hash()));
        let address = self.state.address;
        let value = self
            .state
            .see(round, Round::Nil, address, block.clone(), true);
        let len = ebl_ledger::codec::encode(block.as_ref()).len();
        let (init, fin) = sign_init(&self.state, round, Round::Nil, block, len);
        self.state.remember_origin(value.value.id, init, fin);
        let stream = parts_of(&self.state, block).unwrap_or_default();
        Proposed {
            value: LocallyProposedValue::new(self.state.height, round, value.value),
            stream,
        }
    }

    /// [`Self::build`] then [`Self::offer`].
    pub fn propose(
        &mut self,
        height: Height,
        round: Round,
        now: Timestamp,
        cap: usize,
    ) -> Result<Option<Proposed>, AppError> {
        Ok(self
            .build(height, now, cap)?
            .map(|block| self.offer(round, &block)))
    }

    /// One proposal part from `publisher` (R190–R194), judged at `now`.
    pub fn received_part(
        &mut self,
        publisher: PeerId,
        part: StreamMessage<ProposalPart>,
        now: Timestamp,
    ) -> Result<PartOutcome, AppError> {
        let rules = IntakeRules {
            height: self.state.height,
            round: self.state.round,
            validators: &self.state.validators,
            publishers: &self.state.publishers,
            max_block_bytes: self.state.caps.max_bytes,
        };
        match self.parts.insert(publisher, part, &rules) {
            Ok(Some(assembled)) => Ok(PartOutcome::Judged(self.judge(assembled, now)?)),
            Ok(None) => Ok(PartOutcome::Buffered),
            Err(e) => Ok(PartOutcome::Dropped(e)),
        }
    }

    /// What the bounded buffers hold: streams being reassembled, their bytes, complete
    /// proposals for the next height.
    pub fn buffers(&self) -> (usize, usize, usize) {
        (self.parts.len(), self.parts.bytes(), self.later.len())
    }

    /// The stream of held block `id` to send again (the engine's `RestreamProposal`); a
    /// re-proposal with a proof of lock pins it (R192).
    pub fn restream(
        &mut self,
        height: Height,
        valid_round: Round,
        id: &BlockId,
    ) -> Vec<StreamMessage<ProposalPart>> {
        if valid_round.is_defined() {
            self.state.held.pin(id);
        }
        match self.state.held.get(id).cloned() {
            Some(block) if height == self.state.height => {
                parts_of(&self.state, &block).unwrap_or_default()
            }
            _ => Vec::new(),
        }
    }

    /// Commits the decided block `id` of the height in progress with its certificate bytes;
    /// `None` when the certificate is for another height (already committed).
    pub fn decided(
        &mut self,
        height: Height,
        id: BlockId,
        certificate: Vec<u8>,
    ) -> Result<Option<Decided>, AppError> {
        if height != self.state.height {
            return Ok(None);
        }
        let committed = self.state.commit(id, certificate)?;
        self.settle(committed).map(Some)
    }

    /// What follows a stored block (by [`Self::decided`], or found on disk after a disk fault,
    /// R358): the mempool's fates of its entries, and the buffers of older heights pruned.
    pub fn settle(&mut self, committed: CommittedBlock) -> Result<Decided, AppError> {
        let view = SequenceAdapter::new(&self.state.ledger);
        let notifications = self.state.mempool.on_block_committed(
            committed.block.header.height,
            &committed.block.entries,
            &committed.results,
            &view,
        );
        view.finish()?;
        // R193: streams of committed heights and of publishers no longer validators go.
        self.parts.prune(self.state.height, &self.state.publishers);
        Ok(Decided {
            committed,
            notifications,
        })
    }

    /// A synced block whose certificate consensus verified: re-executed for a verdict.
    pub fn synced(
        &mut self,
        height: Height,
        round: Round,
        proposer: Address,
        bytes: &[u8],
    ) -> Result<SyncedValueOutcome<EblContext>, AppError> {
        synced_value(&mut self.state, height, round, proposer, bytes)
    }

    /// Takes back blocks kept for the height in progress before a restart, with the openings
    /// they were first streamed with (re-executed and authenticated, as
    /// [`AppState::with_undecided`] does with the ones on disk, R467).
    pub fn recover(&mut self, blocks: Vec<(Arc<Block>, Option<Origin>)>) -> Result<(), AppError> {
        for (block, origin) in blocks {
            self.state.recover_block(block.as_ref().clone(), origin)?;
        }
        Ok(())
    }
}
