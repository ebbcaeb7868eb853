//! The application loop: answers the engine's requests over [`Channels`] and the node handle's
//! commands, in one task that owns the ledger and the mempool.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ebl_ledger::entry::SignedEntry;
use ebl_ledger::storage::RocksStore;
use malachite::app::engine::host::Next;
use malachite::app::streaming::StreamMessage;
use malachite::app::types::core::{HeightParams, VoteExtensionPolicy};
use malachite::{AppMsg, Channels, NetworkMsg};
use tokio::sync::{broadcast, mpsc, oneshot};

use super::codec::encode_certificate;
use super::context::EblContext;
use super::decision::{Decided, DecisionCore};
use super::evidence::double_votes;
use super::pace::{ExecutionPace, build_budget};
use super::parts::ProposalPart;
use super::propose::now_ms;
use super::state::{AppError, AppState, CommittedBlock, SequenceAdapter};
use super::sync::decided_values;
use super::types::{BlockId, Height};
use crate::handle::{Command, LedgerStatus};
use crate::mempool::{Admission, Notification};
use crate::metrics::{NodeMetrics, ProposalClock};

pub use super::later::MAX_LATER_PROPOSALS;

/// Most queued commands taken in one turn of the loop: bounds how long consensus messages
/// wait behind a burst of submissions.
pub const MAX_COMMANDS_AT_ONCE: usize = 256;

/// Most submitted entries taken in one turn of the loop (a pool call costs a few
/// microseconds per entry; consensus messages should not wait much longer than a millisecond
/// or two behind it).
pub const MAX_ENTRIES_AT_ONCE: usize = 1_024;

/// R358: the first pause before a decided block the disk refused is stored again; it doubles
/// up to [`MAX_DISK_FAULT_PAUSE`].
const DISK_FAULT_PAUSE: Duration = Duration::from_secs(1);

/// R358: the longest pause between two tries to store a decided block.
const MAX_DISK_FAULT_PAUSE: Duration = Duration::from_secs(30);

/// Entries a command submits.
fn submitted(cmd: &Command) -> usize {
    match cmd {
        Command::SubmitBatch(entries, _) => entries.len(),
        _ => 0,
    }
}

/// Where the admissions of one submission go: its sender and how many entries it offered.
struct Reply(oneshot::Sender<Vec<Admission>>, usize);

/// Where the loop publishes what it commits.
#[derive(Debug, Clone)]
pub struct Outputs {
    /// Committed blocks.
    pub blocks: broadcast::Sender<Arc<CommittedBlock>>,
    /// Entry fates.
    pub notifications: broadcast::Sender<Notification>,
    /// Prometheus metrics.
    pub metrics: NodeMetrics,
}

/// The loop: the decision core and what acts on its answers.
pub(super) struct Loop {
    /// The decisions (R460); this loop is their edge: channels, clock, metrics, retries.
    pub(super) core: DecisionCore<RocksStore>,
    pub(super) network: mpsc::Sender<NetworkMsg<EblContext>>,
    pub(super) outputs: Outputs,
    pub(super) clock: ProposalClock,
    /// R157: how fast this node executes, to size its proposals.
    pub(super) pace: ExecutionPace,
}

/// Runs until the engine stops (its channel closes) or a fatal error.
pub async fn run(
    state: AppState,
    mut channels: Channels<EblContext>,
    mut commands: mpsc::Receiver<Command>,
    outputs: Outputs,
) -> Result<(), AppError> {
    let mut app = Loop {
        core: DecisionCore::new(state),
        network: channels.network.clone(),
        outputs,
        clock: ProposalClock::default(),
        pace: ExecutionPace::default(),
    };
    app.outputs
        .metrics
        .on_start(app.core.state.ledger.head().height);
    let mut handles_open = true;
    loop {
        tokio::select! {
            // Consensus first: a decided block waiting behind submissions delays every entry
            // in it; submissions wait in their bounded channel meanwhile.
            biased;
            msg = channels.consensus.recv() => match msg {
                Some(msg) => app.on_consensus(msg).await?,
                None => return Ok(()),
            },
            cmd = commands.recv(), if handles_open => match cmd {
                Some(cmd) => {
                    // Whatever else is already queued is taken too, so that submissions
                    // waiting side by side are admitted in one pool call (R164).
                    let mut entries = submitted(&cmd);
                    let mut cmds = vec![cmd];
                    while cmds.len() < MAX_COMMANDS_AT_ONCE && entries < MAX_ENTRIES_AT_ONCE {
                        match commands.try_recv() {
                            Ok(cmd) => {
                                entries += submitted(&cmd);
                                cmds.push(cmd);
                            }
                            Err(_) => break,
                        }
                    }
                    app.on_commands(cmds)?;
                }
                None => handles_open = false,
            },
        }
    }
}

impl Loop {
    fn params(&self) -> HeightParams<EblContext> {
        HeightParams::new(
            self.core.state.validators.clone(),
            self.core.state.timeouts,
            self.core.state.limits.block_interval,
        )
        .with_vote_extension_policy(VoteExtensionPolicy::Disabled)
    }

    /// Runs queued commands in order; consecutive submissions are admitted in one pool call.
    fn on_commands(&mut self, cmds: Vec<Command>) -> Result<(), AppError> {
        let mut entries = Vec::new();
        let mut replies = Vec::new();
        for cmd in cmds {
            match cmd {
                Command::SubmitBatch(batch, reply) => {
                    replies.push(Reply(reply, batch.len()));
                    entries.extend(batch);
                }
                other => {
                    self.admit(std::mem::take(&mut entries), std::mem::take(&mut replies))?;
                    self.on_command(other)?;
                }
            }
        }
        self.admit(entries, replies)
    }

    /// Admits `entries` in one pool call and answers each submission with its share.
    fn admit(&mut self, entries: Vec<SignedEntry>, replies: Vec<Reply>) -> Result<(), AppError> {
        if entries.is_empty() {
            return Ok(());
        }
        let view = SequenceAdapter::new(&self.core.state.ledger);
        let answers = self.core.state.mempool.admit_known(
            entries,
            &view,
            Some(&self.core.state.verified.lock()),
        );
        view.finish()?;
        let evicted = self.core.state.mempool.take_evicted();
        self.publish(evicted);
        self.outputs.metrics.on_mempool(&self.core.state.mempool);
        let mut answers = answers.into_iter();
        for Reply(tx, n) in replies {
            let _ = tx.send(answers.by_ref().take(n).collect());
        }
        Ok(())
    }

    /// Commands other than submissions.
    fn on_command(&mut self, cmd: Command) -> Result<(), AppError> {
        match cmd {
            Command::SubmitBatch(entries, reply) => {
                let n = entries.len();
                self.admit(entries, vec![Reply(reply, n)])?;
            }
            Command::Status(reply) => {
                let head = self.core.state.ledger.head();
                let _ = reply.send(LedgerStatus {
                    chain: self.core.state.ledger.chain().clone(),
                    height: head.height,
                    last_block_hash: head.hash(),
                    validators: self
                        .core
                        .state
                        .validators
                        .validators
                        .iter()
                        .map(|v| (v.address.to_string(), v.power))
                        .collect(),
                    mempool_entries: self.core.state.mempool.len(),
                });
            }
            Command::Read(read) => read(&self.core.state.ledger),
            Command::ReportEvidence(evidence, reply) => {
                let _ = reply.send(self.core.state.evidence.add(*evidence));
            }
        }
        Ok(())
    }

    fn publish(&self, notes: Vec<Notification>) {
        for note in notes {
            let _ = self.outputs.notifications.send(note);
        }
    }

    async fn on_consensus(&mut self, msg: AppMsg<EblContext>) -> Result<(), AppError> {
        match msg {
            AppMsg::ConsensusReady { reply } => {
                // The state is at head + 1 already; blocks recovered from disk stay cached.
                tracing::info!(height = %self.core.state.height, "consensus ready");
                let _ = reply.send((self.core.state.height, self.params()));
            }
            AppMsg::StartedRound {
                height,
                round,
                proposer,
                reply_value,
                ..
            } => {
                tracing::debug!(%height, %round, %proposer, "started round");
                self.outputs.metrics.on_round(round.as_i64());
                let (judged, seen) = self.core.started_round(height, round, now_ms())?;
                let mut values: Vec<_> = judged
                    .into_iter()
                    .filter_map(|j| self.count(j, None))
                    .collect();
                self.report_buffers();
                values.extend(seen);
                let _ = reply_value.send(values);
                #[cfg(feature = "byzantine")]
                self.misbehave_in_round(height, round, proposer).await?;
            }
            AppMsg::GetValue {
                height,
                round,
                reply,
                ..
            } => {
                if height != self.core.state.height {
                    tracing::warn!(%height, at = %self.core.state.height, "value asked for another height");
                    return Ok(());
                }
                let started = Instant::now();
                // R157: no more than this node expects to build within the budget.
                let budget = build_budget(self.core.state.timeouts.propose);
                let cap = self.pace.cap(budget, self.core.state.limits.max_entries);
                #[cfg(feature = "byzantine")]
                self.equivocate(round).await?;
                #[cfg(not(feature = "byzantine"))]
                let block = self.core.build(height, now_ms(), cap)?;
                #[cfg(feature = "byzantine")]
                let block = Some(self.build_faulty(cap)?);
                let Some(block) = block else {
                    return Ok(());
                };
                // R182: entries dropped at reap for lost standing are told now.
                let dropped = self.core.state.mempool.take_evicted();
                if !dropped.is_empty() {
                    self.publish(dropped);
                    self.outputs.metrics.on_mempool(&self.core.state.mempool);
                }
                self.outputs.metrics.on_executed(started.elapsed());
                self.pace.observe(block.entries.len(), started.elapsed());
                tracing::debug!(
                    %height,
                    %round,
                    entries = block.entries.len(),
                    cap,
                    build_ms = started.elapsed().as_millis(),
                    "proposing"
                );
                let proposed = self.core.offer(round, &block);
                self.clock.held(proposed.value.value.id);
                let _ = reply.send(proposed.value);
                self.send_parts(proposed.stream).await;
            }
            AppMsg::ReceivedProposalPart {
                from,
                published_by,
                part,
                reply,
            } => {
                let value = self.on_part(published_by.unwrap_or(from), part)?;
                let _ = reply.send(value);
            }
            AppMsg::Decided {
                certificate, reply, ..
            } => {
                if certificate.height == self.core.state.height {
                    let bytes = encode_certificate(&certificate);
                    self.commit(certificate.value_id, &bytes).await?;
                }
                let _ = reply.send(());
            }
            AppMsg::Finalized {
                certificate,
                evidence,
                reply,
                ..
            } => {
                if !evidence.is_empty() {
                    // R139: double votes wait for a block this node proposes; double
                    // proposals have no ledger rule yet (ADR 0015).
                    tracing::warn!(height = %certificate.height, ?evidence, "misbehaviour observed");
                    let votes = double_votes(&evidence);
                    self.outputs.metrics.on_evidence(votes.len());
                    for vote in votes {
                        self.core.state.evidence.add(vote);
                    }
                }
                if certificate.height == self.core.state.height {
                    let bytes = encode_certificate(&certificate);
                    self.commit(certificate.value_id, &bytes).await?;
                }
                let next = if self.core.state.ledger.head().height >= certificate.height.0 {
                    Next::Start(self.core.state.height, self.params())
                } else {
                    Next::Restart(self.core.state.height, self.params())
                };
                let _ = reply.send(next);
            }
            AppMsg::GetDecidedValues { range, reply } => {
                let _ = reply.send(decided_values(&self.core.state, &range)?);
            }
            AppMsg::GetHistoryMinHeight { reply } => {
                let _ = reply.send(Height(1));
            }
            AppMsg::ProcessSyncedValue {
                height,
                round,
                proposer,
                value_bytes,
                reply,
            } => {
                tracing::debug!(%height, %round, "synced value received");
                let outcome = self.core.synced(height, round, proposer, &value_bytes)?;
                let _ = reply.send(outcome);
            }
            AppMsg::RestreamProposal {
                height,
                round,
                valid_round,
                address,
                value_id,
            } => {
                let stream = self.core.restream(height, valid_round, &value_id);
                if stream.is_empty() {
                    tracing::debug!(%height, %round, %valid_round, %address, "nothing to restream");
                }
                self.send_parts(stream).await;
            }
            AppMsg::ExtendVote { reply, .. } => {
                let _ = reply.send(None);
            }
            AppMsg::VerifyVoteExtensions {
                extensions, reply, ..
            } => {
                let _ = reply.send(extensions.into_iter().map(|(a, _)| (a, Ok(()))).collect());
            }
        }
        Ok(())
    }

    /// Publishes a proposal's stream, in order.
    async fn send_parts(&self, stream: Vec<StreamMessage<ProposalPart>>) {
        for msg in stream {
            if self
                .network
                .send(NetworkMsg::PublishProposalPart(msg))
                .await
                .is_err()
            {
                tracing::warn!("network stopped while streaming a proposal");
                return;
            }
        }
    }

    /// R358: stores the decided block; while the disk refuses it (full or failing), logs the
    /// storage error's code, counts it, waits and tries again (the block stays held, so it
    /// re-executes on the unchanged head), unless it reached the disk before the error (R356).
    /// Committing stops meanwhile: the loop answers nothing else.
    async fn store_decided(
        &mut self,
        id: BlockId,
        certificate: &[u8],
    ) -> Result<Option<Decided>, AppError> {
        let height = self.core.state.height;
        let mut pause = DISK_FAULT_PAUSE;
        loop {
            match self.core.decided(height, id, certificate.to_vec()) {
                Err(AppError::Storage(e)) if e.is_disk_fault() => {
                    tracing::error!(
                        height = height.0,
                        code = e.code(),
                        error = %e,
                        retry_in_s = pause.as_secs(),
                        "the disk refused the decided block: committing stops until it takes it"
                    );
                    self.outputs.metrics.on_storage_fault(e.code());
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(MAX_DISK_FAULT_PAUSE);
                    if let Some(committed) = self.core.state.recover_after_disk_fault(height.0)? {
                        return self.core.settle(committed).map(Some);
                    }
                }
                other => return other,
            }
        }
    }

    async fn commit(&mut self, id: BlockId, certificate: &[u8]) -> Result<(), AppError> {
        let started = Instant::now();
        let decided = match self.store_decided(id, certificate).await {
            Ok(Some(d)) => d,
            Ok(None) => return Ok(()),
            Err(AppError::Storage(e)) => return Err(AppError::Storage(e)),
            // R414: the block is committed, but the next height needs another build: stop.
            Err(AppError::UpgradeRequired(e)) => {
                tracing::error!(error = %e, "stopping: protocol upgrade required");
                return Err(AppError::UpgradeRequired(e));
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot commit the decided block");
                return Ok(());
            }
        };
        let Decided {
            committed,
            notifications,
        } = decided;
        tracing::info!(
            height = committed.block.header.height,
            entries = committed.block.entries.len(),
            state_root = %committed.block.header.state_root,
            commit_ms = started.elapsed().as_millis(),
            "committed"
        );
        self.publish(notifications);
        let latency = self.clock.committed(id);
        self.outputs.metrics.on_committed(&committed, latency);
        self.outputs.metrics.on_mempool(&self.core.state.mempool);
        self.report_buffers();
        let _ = self.outputs.blocks.send(Arc::new(committed));
        Ok(())
    }
}
