//! Fault injection for tests (feature `byzantine`, off by default and enabled only by
//! `ebl-tests`): a [`FaultPlan`] in `NodeSettings` makes this node misbehave the ways R190–R194
//! guard against, so the Byzantine harness (`tests/tests/byzantine_*.rs`) can show honest nodes
//! keep committing, agree and stay bounded. Inert unless set; never in a release build
//! (specs/adr/0027-proposal-intake.md).

pub mod junk;
pub mod torsion;

use ebl_ledger::time::Timestamp;
use malachite::app::types::core::Round;

use super::app::Loop;
use super::context::designated_proposer;
use super::parts::stream_messages;
use super::propose::{now_ms, sign_init};
use super::state::AppError;
use super::types::{Address, Height};

/// What this node does wrong.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FaultPlan {
    /// R190: streams a block of its own, signed by itself, in every round it does not own.
    pub propose_out_of_turn: bool,
    /// R191: builds its proposals with its configured limits, ignoring the genesis caps.
    pub ignore_block_caps: bool,
    /// R192: streams this many other valid blocks for its own (height, round) before the one
    /// it proposes.
    pub equivocating_blocks: usize,
    /// R193: as a member node, publishes this many junk and far-future parts per second.
    pub junk_parts_per_second: u32,
    /// R194: times its proposals at the previous block's time + 1 ms.
    pub hold_time_back: bool,
    /// Signs its votes with a torsion component: ZIP-215 accepts them, `verify_strict` not.
    pub torsion_votes: bool,
    /// R414 tests: the protocol versions this node implements, standing in for an older or a
    /// newer build than this one (ADR 0046).
    pub known_versions: Option<ebl_ledger::protocol_version::KnownVersions>,
}

impl FaultPlan {
    /// Whether the plan does nothing.
    pub fn is_inert(&self) -> bool {
        *self == FaultPlan::default()
    }
}

impl Loop {
    /// R190 fault: in a round another validator owns, stream a block of this node's own, and
    /// the same for round 0 of the next height when another validator owns it (the honest
    /// validators, a quorum without this node, are often there already).
    pub(super) async fn misbehave_in_round(
        &mut self,
        height: Height,
        round: Round,
        proposer: Address,
    ) -> Result<(), AppError> {
        let plan = &self.core.state.faults;
        if !plan.propose_out_of_turn || height != self.core.state.height || !round.is_defined() {
            return Ok(());
        }
        let (entries, bytes) = self.core.state.proposal_limits();
        let executed = self.core.state.execute_proposal(now_ms(), entries, bytes)?;
        let block = executed.block;
        let encoded = ebl_ledger::codec::encode(&block);
        let next = Height(height.0.saturating_add(1));
        let next_owner = designated_proposer(&self.core.state.validators, next, Round::ZERO);
        let mut targets = Vec::new();
        if proposer != self.core.state.address {
            targets.push((height, round));
        }
        if next_owner.is_some_and(|v| v.address != self.core.state.address) {
            targets.push((next, Round::ZERO));
        }
        for (h, r) in targets {
            let (mut init, _) = sign_init(&self.core.state, r, Round::Nil, &block, encoded.len());
            // Only the init is judged (R190), so this height's block serves for both.
            init.height = h;
            let fin = self
                .core
                .state
                .signer
                .sign_bytes(&init.signing_bytes(&self.core.state.ctx.chain));
            tracing::info!(height = %h, round = %r, "byzantine: proposing out of turn");
            self.publish_parts(stream_messages(init, &encoded, fin))
                .await;
        }
        Ok(())
    }

    /// R192 fault: before this node's real proposal for `round`, stream other valid blocks
    /// for the same (height, round), each signed.
    pub(super) async fn equivocate(&mut self, round: Round) -> Result<(), AppError> {
        let (entries, bytes) = self.core.state.proposal_limits();
        for i in 0..self.core.state.faults.equivocating_blocks {
            // Distinct times make distinct blocks; each re-executes to its header.
            let time = Timestamp(now_ms().0.saturating_add(1 + i as u64));
            let executed = self.core.state.execute_proposal(time, entries, bytes)?;
            let block = executed.block;
            let encoded = ebl_ledger::codec::encode(&block);
            let (init, fin) = sign_init(&self.core.state, round, Round::Nil, &block, encoded.len());
            self.publish_parts(stream_messages(init, &encoded, fin))
                .await;
        }
        Ok(())
    }

    /// The block this node proposes, as its plan bends it (R191 caps ignored, R194 time held
    /// back), kept like an honest proposal.
    pub(super) fn build_faulty(
        &mut self,
        cap: usize,
    ) -> Result<std::sync::Arc<ebl_ledger::block::Block>, AppError> {
        let plan = self.core.state.faults.clone();
        let time = if plan.hold_time_back {
            Timestamp(self.core.state.ledger.head().time.0.saturating_add(1))
        } else {
            now_ms()
        };
        if !plan.ignore_block_caps {
            return self.core.state.build_block(time, cap);
        }
        let limits = self.core.state.limits;
        let executed =
            self.core
                .state
                .execute_proposal(time, limits.max_entries, limits.max_bytes)?;
        let round = Some(self.core.state.round);
        Ok(self.core.state.remember(executed, round))
    }

    async fn publish_parts(
        &self,
        messages: Vec<malachite::app::streaming::StreamMessage<super::parts::ProposalPart>>,
    ) {
        for msg in messages {
            let sent = self
                .network
                .send(malachite::NetworkMsg::PublishProposalPart(msg))
                .await;
            if sent.is_err() {
                return;
            }
        }
    }
}
