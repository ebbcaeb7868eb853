//! Proposal parts as they arrive: the decision core judges them (R190–R194, R18); this edge
//! times the re-execution and counts every refusal.

use std::time::Instant;

use malachite::app::streaming::StreamMessage;
use malachite::app::types::{PeerId, ProposedValue};

use super::app::Loop;
use super::context::EblContext;
use super::decision::{Judged, PartOutcome};
use super::parts::ProposalPart;
use super::propose::{Ignore, now_ms};
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
        let started = Instant::now();
        let value = match self.core.received_part(publisher, part, now_ms())? {
            PartOutcome::Buffered => None,
            PartOutcome::Dropped(e) => {
                tracing::debug!(peer = %publisher, error = %e, "dropped a proposal part");
                self.outputs.metrics.proposals().on_part_dropped(e.label());
                None
            }
            PartOutcome::Judged(judged) => self.count(judged, Some(started)),
        };
        self.report_buffers();
        Ok(value)
    }

    /// Counts a judged proposal (and, given when its judging `started`, times its
    /// re-execution); returns its value for the engine.
    pub(super) fn count(
        &mut self,
        judged: Judged,
        started: Option<Instant>,
    ) -> Option<ProposedValue<EblContext>> {
        let metrics = self.outputs.metrics.proposals();
        match judged {
            Judged::Value(value, invalid) => {
                let (height, round, proposer) = (value.height, value.round, value.proposer);
                let entries = value.value.block.as_ref().map_or(0, |b| b.entries.len());
                if let Some(why) = invalid {
                    tracing::debug!(%height, %round, %proposer, ?why, "invalid proposal");
                    metrics.on_invalid(why.label());
                }
                if let Some(started) = started {
                    tracing::debug!(
                        entries,
                        verify_ms = started.elapsed().as_millis(),
                        "received a proposal"
                    );
                    self.outputs.metrics.on_executed(started.elapsed());
                    self.pace.observe(entries, started.elapsed());
                }
                self.clock.held(value.value.id);
                Some(value)
            }
            Judged::Later { kept } => {
                if !kept {
                    metrics.on_ignored("later_not_kept");
                }
                None
            }
            Judged::Ignored(Ignore::Equivocation(holder)) => {
                // R192: two inits for one round signed by its proposer. Counted and logged;
                // not ledger evidence (specs/adr/0027-proposal-intake.md).
                tracing::warn!(first = %holder, "proposer equivocated: a second block for its round");
                metrics.on_ignored(Ignore::Equivocation(holder).label());
                None
            }
            Judged::Ignored(why) => {
                tracing::debug!(why = why.label(), "ignored a proposal");
                metrics.on_ignored(why.label());
                None
            }
        }
    }

    /// Publishes what the bounded buffers hold.
    pub(super) fn report_buffers(&self) {
        let (streams, bytes, later) = self.core.buffers();
        self.outputs.metrics.proposals().on_buffers(
            streams,
            bytes,
            self.core.state.held.len(),
            later,
        );
    }
}
