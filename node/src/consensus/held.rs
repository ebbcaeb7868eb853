//! R192: the undecided blocks of the height in progress, bounded.
//!
//! A node keeps every block it executed for the height in progress until the height commits,
//! so that it can commit the decided one and restream a locked one. At most
//! [`MAX_BLOCKS_PER_HEIGHT`] are kept, and per round only the first block its designated
//! proposer streamed is executed at all (the round's *slot*; a second block for a claimed slot
//! is an equivocation, counted and never executed). When full, the block of the oldest round
//! goes first, but never the current round's proposal nor a *pinned* block: one named as a
//! proof of lock (re-proposed by the current round's proposer, or one the engine asks this
//! node to restream) or one decided (synced with its commit certificate). Pure bookkeeping;
//! the caller executes and persists.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use ebl_ledger::block::Block;
use ebl_ledger::execute::ExecutedBlock;
use malachite::app::types::core::Round;

use super::parts::PartInit;
use super::scheme::ConsensusSignature;
use super::types::BlockId;

/// Most blocks of the height in progress kept (own proposals and received ones, all rounds).
pub const MAX_BLOCKS_PER_HEIGHT: usize = 32;

/// Most round slots (and blocks known invalid) remembered per height. A slot outlives its
/// evicted block, so the round's second block is still refused.
pub const MAX_ROUND_SLOTS: usize = 256;

/// One block of the height in progress.
#[derive(Debug)]
pub struct HeldBlock {
    /// The block.
    pub block: Arc<Block>,
    /// Its execution, ready to commit (taken by the commit).
    pub executed: Option<ExecutedBlock>,
    /// The round it was proposed in; `None` for a block recovered after a restart.
    pub round: Option<Round>,
    /// How it was first streamed (init and proposer's signature), for restreaming.
    pub origin: Option<(PartInit, ConsensusSignature)>,
    /// Never evicted (see the module docs).
    pub pinned: bool,
}

/// The blocks of the height in progress (R192).
#[derive(Debug, Default)]
pub struct HeldBlocks {
    blocks: BTreeMap<BlockId, HeldBlock>,
    slots: BTreeMap<Round, BlockId>,
    invalid: BTreeSet<BlockId>,
}

impl HeldBlocks {
    /// The block `id`, if held.
    pub fn get(&self, id: &BlockId) -> Option<&Arc<Block>> {
        self.blocks.get(id).map(|h| &h.block)
    }

    /// Whether block `id` is held.
    pub fn contains(&self, id: &BlockId) -> bool {
        self.blocks.contains_key(id)
    }

    /// Whether block `id` is held with its execution ready to commit.
    pub fn is_executed(&self, id: &BlockId) -> bool {
        self.blocks.get(id).is_some_and(|h| h.executed.is_some())
    }

    /// Blocks held.
    pub fn len(&self) -> usize {
        self.blocks.len()
    }

    /// `true` when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }

    /// Every held block (for restart bookkeeping and tests).
    pub fn iter(&self) -> impl Iterator<Item = (&BlockId, &HeldBlock)> {
        self.blocks.iter()
    }

    /// The block that claimed `round`'s slot, if any.
    pub fn slot(&self, round: Round) -> Option<BlockId> {
        self.slots.get(&round).copied()
    }

    /// Claims `round`'s slot for `id` unless another block has it: `Ok` when `id` holds the
    /// slot (now or already), `Err(holder)` when another block does (an equivocation).
    pub fn claim_slot(&mut self, round: Round, id: BlockId) -> Result<(), BlockId> {
        match self.slots.get(&round) {
            Some(holder) if *holder == id => Ok(()),
            Some(holder) => Err(*holder),
            None => {
                if self.slots.len() >= MAX_ROUND_SLOTS {
                    // Bounded: the oldest round's slot goes (its round is long over).
                    self.slots.pop_first();
                }
                self.slots.insert(round, id);
                Ok(())
            }
        }
    }

    /// Whether block `id` already failed re-execution at this height.
    pub fn known_invalid(&self, id: &BlockId) -> bool {
        self.invalid.contains(id)
    }

    /// Records that block `id` failed re-execution, so that its stream sent again costs no
    /// second execution.
    pub fn mark_invalid(&mut self, id: BlockId) {
        if self.invalid.len() < MAX_ROUND_SLOTS {
            self.invalid.insert(id);
        }
    }

    /// How block `id` was first streamed.
    pub fn origin(&self, id: &BlockId) -> Option<&(PartInit, ConsensusSignature)> {
        self.blocks.get(id).and_then(|h| h.origin.as_ref())
    }

    /// Records how held block `id` was first streamed (the first record stands); whether this
    /// call recorded it.
    pub fn set_origin(
        &mut self,
        id: &BlockId,
        init: PartInit,
        signature: ConsensusSignature,
    ) -> bool {
        match self.blocks.get_mut(id) {
            Some(held) if held.origin.is_none() => {
                held.origin = Some((init, signature));
                true
            }
            _ => false,
        }
    }

    /// Pins held block `id` (never evicted this height).
    pub fn pin(&mut self, id: &BlockId) {
        if let Some(held) = self.blocks.get_mut(id) {
            held.pinned = true;
        }
    }

    /// Whether held block `id` is pinned.
    pub fn is_pinned(&self, id: &BlockId) -> bool {
        self.blocks.get(id).is_some_and(|h| h.pinned)
    }

    /// Takes the execution of block `id` for its commit.
    pub fn take_executed(&mut self, id: &BlockId) -> Option<ExecutedBlock> {
        self.blocks.get_mut(id).and_then(|h| h.executed.take())
    }

    /// Keeps an executed block proposed in `round` while the node is in round `current`;
    /// returns the block and the id of the block evicted to make room, if any, or the
    /// execution back when every held block is protected. A block held already keeps its
    /// place (its round is learnt if it was unknown).
    pub fn insert(
        &mut self,
        executed: ExecutedBlock,
        round: Option<Round>,
        current: Round,
    ) -> Result<(Arc<Block>, Option<BlockId>), Box<ExecutedBlock>> {
        let id = BlockId::from(executed.block.header.hash());
        if let Some(held) = self.blocks.get_mut(&id) {
            held.round = held.round.or(round);
            held.executed.get_or_insert(executed);
            return Ok((held.block.clone(), None));
        }
        let mut evicted = None;
        if self.blocks.len() >= MAX_BLOCKS_PER_HEIGHT {
            let Some(victim) = self.victim(current) else {
                return Err(Box::new(executed));
            };
            self.blocks.remove(&victim);
            evicted = Some(victim);
        }
        let block = Arc::new(executed.block.clone());
        self.blocks.insert(
            id,
            HeldBlock {
                block: block.clone(),
                executed: Some(executed),
                round,
                origin: None,
                pinned: false,
            },
        );
        Ok((block, evicted))
    }

    /// R192: the block to evict: of the oldest round (unknown rounds first), never pinned and
    /// never the current round's.
    fn victim(&self, current: Round) -> Option<BlockId> {
        self.blocks
            .iter()
            .filter(|(_, h)| !h.pinned && h.round != Some(current))
            .min_by_key(|(id, h)| (h.round.map_or(-1, |r| r.as_i64()), **id))
            .map(|(id, _)| *id)
    }

    /// Forgets everything (a new height).
    pub fn clear(&mut self) {
        self.blocks.clear();
        self.slots.clear();
        self.invalid.clear();
    }
}

#[cfg(test)]
#[path = "held_tests.rs"]
mod tests;
