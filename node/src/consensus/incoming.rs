//! Proposal parts as they arrive: judged before buffering (R190, R191, R193), reassembled,
//! then authenticated and re-executed (R18, R192, R194), with every refusal counted.

use std::time::Instant;

use malachite::app::streaming::StreamMessage;
use malachite::app::types::core::Round;
use malachite::app::types::{PeerId, ProposedValue};

use super::app::Loop;
use super::context::EblContext;
use super::intake::IntakeRules;
use super::parts::{AssembledProposal, ProposalPart};
use super::propose::{Ignore, Received, now_ms, receive};
use super::state::AppError;

impl Loop {
    /// One part from `publisher`: Malachite's `published_by`, the publisher the gossipsub
    /// message signature authenticates, or the delivering peer when the transport names
    /// none (R193).
    pub(super) fn on_part(
        &mut self,
        publisher: PeerId,
        part: StreamMessage<ProposalPart>,
    ) -> Result<Option<ProposedValue<EblContext>>, AppError> {
        let rules = IntakeRules {
            height: self.state.height,
            round: self.state.round,
            validators: &self.state.validators,
            publishers: &self.state.publishers,
            max_block_bytes: self.state.caps.max_bytes,
        };
        let inserted = self.parts.insert(publisher, part, &rules);
        let assembled = match inserted {
            Ok(Some(assembled)) => assembled,
            Ok(None) => {
                self.report_buffers();
                return Ok(None);
            }
            Err(e) => {
                tracing::debug!(peer = %publisher, error = %e, "dropped a proposal part");
                self.outputs.metrics.proposals().on_part_dropped(e.label());
                self.report_buffers();
                return Ok(None);
            }
        };
        let value = match self.timed_receive(assembled)? {
            Received::Value(value, _) => Some(value),
            Received::Later(p) => {
                if !self.later.keep(p, self.state.height) {
                    self.outputs
                        .metrics
                        .proposals()
                        .on_ignored("later_not_kept");
                }
                None
            }
            Received::Ignored(_) => None,
        };
        self.report_buffers();
        Ok(value)
    }

    /// Proposals that arrived before this height, now checked, for `round`.
    pub(super) fn replay_later(
        &mut self,
        round: Round,
    ) -> Result<Vec<ProposedValue<EblContext>>, AppError> {
        let mut values = Vec::new();
        for p in self.later.take(self.state.height, round) {
            if let Received::Value(v, _) = self.timed_receive(p)? {
                values.push(v);
            }
        }
        self.report_buffers();
        Ok(values)
    }

    /// [`receive`], timing the re-execution of a usable proposal and counting refusals.
    fn timed_receive(&mut self, p: AssembledProposal) -> Result<Received, AppError> {
        let started = Instant::now();
        let (height, round, proposer) = (p.init.height, p.init.round, p.init.proposer);
        let received = receive(&mut self.state, p, now_ms())?;
        let metrics = self.outputs.metrics.proposals();
        match &received {
            Received::Value(value, invalid) => {
                let entries = value.value.block.as_ref().map_or(0, |b| b.entries.len());
                tracing::debug!(
                    entries,
                    verify_ms = started.elapsed().as_millis(),
                    "received a proposal"
                );
                if let Some(why) = invalid {
                    tracing::debug!(%height, %round, %proposer, ?why, "invalid proposal");
                    metrics.on_invalid(why.label());
                }
                self.outputs.metrics.on_executed(started.elapsed());
                self.pace.observe(entries, started.elapsed());
                self.clock.held(value.value.id);
            }
            Received::Ignored(Ignore::Equivocation(holder)) => {
                // R192: two inits for one round signed by its proposer. Counted and logged;
                // not ledger evidence (specs/adr/0027-proposal-intake.md).
                tracing::warn!(%height, %round, %proposer, first = %holder, "proposer equivocated: a second block for its round");
                metrics.on_ignored(Ignore::Equivocation(*holder).label());
            }
            Received::Ignored(why) => {
                tracing::debug!(%height, %round, %proposer, why = why.label(), "ignored a proposal");
                metrics.on_ignored(why.label());
            }
            Received::Later(_) => {}
        }
        Ok(received)
    }

    /// Publishes what the bounded buffers hold.
    pub(super) fn report_buffers(&self) {
        self.outputs.metrics.proposals().on_buffers(
            self.parts.len(),
            self.parts.bytes(),
            self.state.held.len(),
            self.later.len(),
        );
    }
}
