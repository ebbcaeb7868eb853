//! One simulated validator: Malachite's pure consensus state machine (`core-consensus`) plus
//! the node's decision core over a ledger in memory. Effects become messages, timers and
//! queued inputs here; the simulation's loop delivers them (R461).

use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll, Waker};
use std::time::Duration;

use ebl_ledger::Ledger;
use ebl_ledger::block::Block;
use ebl_ledger::genesis::Genesis;
use ebl_ledger::hash::Hash32;
use ebl_ledger::storage::MemoryStore;
use ebl_ledger::time::Timestamp;
use ebl_node::consensus::codec::encode_certificate;
use ebl_node::consensus::decision::{DecisionCore, PartOutcome};
use ebl_node::consensus::signing::{ConsensusSigner, ConsensusVerifier};
use ebl_node::consensus::{AppState, BlockLimits, EblContext, Height};
use ebl_node::mempool::{Mempool, MempoolConfig};
use malachite::app::consensus::{
    Effect, Input, LivenessMsg, Params, Resumable, Resume, SignedConsensusMsg, State,
};
use malachite::app::engine::host::SyncedValueOutcome;
use malachite::app::metrics::Metrics;
use malachite::app::streaming::StreamMessage;
use malachite::app::types::PeerId;
use malachite::app::types::core::{
    LinearTimeouts, Timeout, Timeouts, ValueOrigin, ValuePayload, VoteExtensionPolicy,
};
use malachite::app::types::sync::RawDecidedValue;
use malachite_signing::{Signer, Verifier, VerifierExt};

use ebl_node::consensus::parts::ProposalPart;
use ebl_node::consensus::undecided::Origin;

/// What one replica sends to the others.
#[derive(Clone, Debug)]
pub enum NetMsg {
    Consensus(SignedConsensusMsg<EblContext>),
    Liveness(LivenessMsg<EblContext>),
    Part(StreamMessage<ProposalPart>),
    Entry(ebl_ledger::entry::SignedEntry),
    /// Sync: the decided values from this height on.
    SyncRequest(u64),
    SyncResponse(Vec<RawDecidedValue<EblContext>>),
}

/// What handling one input asks the simulation to do.
#[derive(Debug)]
pub enum Out {
    Broadcast(NetMsg),
    Send(usize, NetMsg),
    Timer(Timeout, Duration, u64),
    Decided(u64, Hash32, Hash32),
    Note(String),
}

/// What survives a crash: the ledger, the consensus WAL of the height in progress and the
/// blocks kept for it (the node's `undecided` files).
pub struct Disk {
    pub ledger: Ledger<MemoryStore>,
    pub wal: Vec<Input<EblContext>>,
    pub blocks: Vec<(Arc<Block>, Option<Origin>)>,
}

/// The part of a replica that effects act on (split from the consensus state so both can be
/// borrowed while `process!` runs).
struct Edge {
    index: usize,
    core: DecisionCore<MemoryStore>,
    signer: ConsensusSigner,
    verifier: ConsensusVerifier,
    ctx: EblContext,
    timeouts: LinearTimeouts,
    now_ms: u64,
    genesis_ms: u64,
    wal: Vec<Input<EblContext>>,
    replaying: bool,
    timers: BTreeMap<String, u64>,
    next_timer: u64,
    pending: VecDeque<Input<EblContext>>,
    /// Values consensus asked for, answered once the input in hand (and, after a restart, the
    /// WAL replay) is done — as the engine answers `GetValue` asynchronously.
    asks: Vec<(Height, malachite::app::types::core::Round)>,
    hold_asks: bool,
    out: Vec<Out>,
    peers: Vec<PeerId>,
}

/// A live replica.
pub struct Replica {
    consensus: State<EblContext>,
    edge: Edge,
    metrics: Metrics,
}

/// Runs a future that never waits (every signer and verifier here answers at once).
fn ready<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = TaskContext::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = future.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

fn timer_key(t: &Timeout) -> String {
    format!("{:?}/{}", t.kind, t.round)
}

impl Replica {
    /// Starts (or restarts, with `is_restart` and the WAL replayed) replica `index` on `disk`.
    pub fn start(
        index: usize,
        secret: [u8; 32],
        disk: Disk,
        genesis: &Genesis,
        peers: Vec<PeerId>,
        now_ms: u64,
        is_restart: bool,
    ) -> (Replica, Vec<Out>) {
        let _ = genesis;
        let chain = disk.ledger.chain().clone();
        let signer = ConsensusSigner::new(secret, chain.genesis_hash.0);
        let mempool = Mempool::new(chain.clone(), MempoolConfig::default());
        let timeouts = ebl_node::run::fast_timeouts();
        let limits = BlockLimits {
            block_interval: None,
            ..BlockLimits::default()
        };
        let genesis_ms = genesis.genesis_time.0;
        let state = AppState::new(disk.ledger, mempool, signer.clone(), timeouts, limits)
            .expect("state over a valid ledger");
        let mut core = DecisionCore::new(state);
        core.recover(disk.blocks).expect("recover held blocks");
        let ctx = EblContext::new(chain.genesis_hash.0);
        let address = core.state.address;
        let height = core.state.height;
        let validators = core.state.validators.clone();
        let params = Params {
            address,
            threshold_params: Default::default(),
            value_payload: ValuePayload::ProposalAndParts,
            enabled: true,
        };
        let consensus = State::new(ctx, height, validators.clone(), params, 1024, 256);
        let mut replica = Replica {
            consensus,
            edge: Edge {
                index,
                core,
                signer,
                verifier: ConsensusVerifier::new(chain.genesis_hash.0),
                ctx,
                timeouts,
                now_ms,
                genesis_ms,
                wal: Vec::new(),
                replaying: false,
                timers: BTreeMap::new(),
                next_timer: 0,
                pending: VecDeque::new(),
                asks: Vec::new(),
                hold_asks: true,
                out: Vec::new(),
                peers,
            },
            metrics: Metrics::new(),
        };
        let start = Input::StartHeight(
            height,
            validators,
            is_restart,
            None,
            VoteExtensionPolicy::Disabled,
        );
        let mut outs = replica.input(start, now_ms);
        // The WAL of the height in progress is replayed as the engine does after a restart:
        // our own recorded messages indexed first, so that none is signed anew differently.
        let wal = disk.wal;
        if !wal.is_empty() {
            replica
                .consensus
                .record_recovered_own_precommit_extensions(wal.iter());
            replica.consensus.index_wal_entries(wal.iter());
            replica.edge.replaying = true;
            for entry in wal.iter().cloned() {
                outs.extend(replica.input(entry, now_ms));
            }
            replica.edge.replaying = false;
            replica.consensus.reset_entries_index();
        }
        replica.edge.wal = wal;
        replica.edge.hold_asks = false;
        outs.extend(replica.run(now_ms));
        (replica, outs)
    }

    /// What survives when this replica crashes now.
    pub fn crash(self) -> Disk {
        let blocks = self
            .edge
            .core
            .state
            .held
            .iter()
            .map(|(_, h)| (h.block.clone(), h.origin.clone()))
            .collect();
        let state = self.edge.core.into_state();
        Disk {
            ledger: state.ledger,
            wal: self.edge.wal,
            blocks,
        }
    }

    /// The committed ledger (read-only).
    pub fn ledger(&self) -> &Ledger<MemoryStore> {
        &self.edge.core.state.ledger
    }

    /// Handles `input` and every input it leads to; returns what to do outside.
    pub fn input(&mut self, input: Input<EblContext>, now_ms: u64) -> Vec<Out> {
        self.edge.pending.push_back(input);
        self.run(now_ms)
    }

    /// Processes queued inputs, then the values asked for, until nothing is left.
    fn run(&mut self, now_ms: u64) -> Vec<Out> {
        self.edge.now_ms = now_ms;
        loop {
            self.drain();
            if self.edge.hold_asks || self.edge.asks.is_empty() {
                break;
            }
            for (height, round) in std::mem::take(&mut self.edge.asks) {
                if let Err(e) = self.edge.propose(height, round) {
                    self.edge.note(&format!("propose failed: {e}"));
                }
            }
        }
        std::mem::take(&mut self.edge.out)
    }

    fn drain(&mut self) {
        while let Some(next) = self.edge.pending.pop_front() {
            let edge = &mut self.edge;
            let result: Result<(), malachite::app::consensus::Error<EblContext>> = malachite::app::consensus::process!(
                input: next,
                state: &mut self.consensus,
                metrics: &self.metrics,
                with: effect => edge.effect_noted(effect)
            );
            if let Err(e) = result {
                self.edge
                    .out
                    .push(Out::Note(format!("consensus error: {e:?}")));
            }
        }
    }

    /// A timer fired: handled if it is still the live one.
    pub fn timer(&mut self, timeout: Timeout, id: u64, now_ms: u64) -> Vec<Out> {
        if self.edge.timers.get(&timer_key(&timeout)) != Some(&id) {
            return Vec::new();
        }
        self.edge.timers.remove(&timer_key(&timeout));
        self.input(Input::TimeoutElapsed(timeout), now_ms)
    }

    /// A message from replica `from`.
    pub fn deliver(&mut self, from: usize, msg: NetMsg, now_ms: u64) -> Vec<Out> {
        self.edge.now_ms = now_ms;
        match msg {
            NetMsg::Consensus(SignedConsensusMsg::Vote(v)) => self.input(Input::Vote(v), now_ms),
            NetMsg::Consensus(SignedConsensusMsg::Proposal(p)) => {
                self.input(Input::Proposal(p), now_ms)
            }
            NetMsg::Liveness(LivenessMsg::Vote(v)) => self.input(Input::Vote(v), now_ms),
            NetMsg::Liveness(LivenessMsg::PolkaCertificate(c)) => {
                self.input(Input::PolkaCertificate(c), now_ms)
            }
            NetMsg::Liveness(LivenessMsg::SkipRoundCertificate(c)) => {
                self.input(Input::RoundCertificate(c), now_ms)
            }
            NetMsg::Part(part) => {
                let now = self.edge.block_time();
                let publisher = self.edge.peers[from];
                let judged = self.edge.core.received_part(publisher, part, now);
                match judged.map(|o| match o {
                    PartOutcome::Judged(j) => j.value(),
                    _ => None,
                }) {
                    Ok(Some(value)) => {
                        let mut out = Vec::new();
                        if value.validity.is_invalid() {
                            let (h, r) = (value.height.0, value.round);
                            out.push(Out::Note(format!("invalid proposal h{h} r{r}")));
                        }
                        out.extend(
                            self.input(Input::ProposedValue(value, ValueOrigin::Consensus), now_ms),
                        );
                        out
                    }
                    Ok(None) => Vec::new(),
                    Err(e) => vec![Out::Note(format!("part: {e}"))],
                }
            }
            NetMsg::Entry(entry) => {
                let state = &mut self.edge.core.state;
                let view = LedgerView(&state.ledger);
                let _ = state.mempool.admit(vec![entry], &view);
                Vec::new()
            }
            NetMsg::SyncRequest(from_height) => {
                let start = Height(from_height);
                let end = Height(from_height.saturating_add(4));
                match ebl_node::consensus::sync::decided_values(
                    &self.edge.core.state,
                    &(start..=end),
                ) {
                    Ok(values) if !values.is_empty() => {
                        vec![Out::Send(from, NetMsg::SyncResponse(values))]
                    }
                    _ => Vec::new(),
                }
            }
            NetMsg::SyncResponse(values) => {
                let mut out = Vec::new();
                for raw in values {
                    if raw.certificate.height != self.edge.core.state.height {
                        continue;
                    }
                    let response = malachite::app::types::core::ValueResponse::new(
                        self.edge.peers[from],
                        raw.value_bytes,
                        raw.certificate,
                    );
                    out.extend(self.input(Input::SyncValueResponse(response), now_ms));
                }
                out
            }
        }
    }

    /// The height in progress.
    pub fn height(&self) -> u64 {
        self.edge.core.state.height.0
    }
}

/// The ledger's next sequence numbers, for the mempool.
struct LedgerView<'a>(&'a Ledger<MemoryStore>);

impl ebl_node::mempool::SequenceView for LedgerView<'_> {
    fn next_sequence(&self, key: &ebl_ledger::crypto::PublicKey) -> u64 {
        self.0.next_sequence(key).unwrap_or(u64::MAX)
    }
}

impl Edge {
    fn block_time(&self) -> Timestamp {
        Timestamp(self.genesis_ms.saturating_add(self.now_ms))
    }

    fn note(&mut self, text: &str) {
        self.out.push(Out::Note(format!("r{} {text}", self.index)));
    }

    /// [`Edge::effect`], with a failure written to the trace.
    fn effect_noted(&mut self, effect: Effect<EblContext>) -> Result<Resume<EblContext>, String> {
        let result = self.effect(effect);
        if let Err(e) = &result {
            self.note(&format!("effect failed: {e}"));
        }
        result
    }

    fn effect(&mut self, effect: Effect<EblContext>) -> Result<Resume<EblContext>, String> {
        Ok(match effect {
            Effect::CancelAllTimeouts(r) => {
                self.timers.clear();
                r.resume_with(())
            }
            Effect::CancelTimeout(t, r) => {
                self.timers.remove(&timer_key(&t));
                r.resume_with(())
            }
            Effect::ScheduleTimeout(t, r) => {
                self.next_timer += 1;
                self.timers.insert(timer_key(&t), self.next_timer);
                let d = Timeouts::<EblContext>::duration_for(&self.timeouts, t);
                self.out.push(Out::Timer(t, d, self.next_timer));
                r.resume_with(())
            }
            Effect::StartRound(height, round, _proposer, role, r) => {
                self.note(&format!("round h{} r{round} {role:?}", height.0));
                let now = self.block_time();
                let (judged, seen) = self
                    .core
                    .started_round(height, round, now)
                    .map_err(|e| e.to_string())?;
                let values = judged.into_iter().filter_map(|j| j.value()).chain(seen);
                for v in values {
                    self.pending
                        .push_back(Input::ProposedValue(v, ValueOrigin::Consensus));
                }
                r.resume_with(())
            }
            Effect::PublishConsensusMsg(msg, r) => {
                self.out.push(Out::Broadcast(NetMsg::Consensus(msg)));
                r.resume_with(())
            }
            Effect::PublishLivenessMsg(msg, r) => {
                self.out.push(Out::Broadcast(NetMsg::Liveness(msg)));
                r.resume_with(())
            }
            Effect::RepublishVote(vote, r) => {
                self.out
                    .push(Out::Broadcast(NetMsg::Liveness(LivenessMsg::Vote(vote))));
                r.resume_with(())
            }
            Effect::RepublishRoundCertificate(c, r) => {
                let msg = LivenessMsg::SkipRoundCertificate(c);
                self.out.push(Out::Broadcast(NetMsg::Liveness(msg)));
                r.resume_with(())
            }
            Effect::GetValue(height, round, _timeout, r) => {
                self.asks.push((height, round));
                r.resume_with(())
            }
            Effect::RestreamProposal(height, _round, valid_round, _address, id, r) => {
                for part in self.core.restream(height, valid_round, &id) {
                    self.out.push(Out::Broadcast(NetMsg::Part(part)));
                }
                r.resume_with(())
            }
            Effect::CertVerifiedSyncValue(value, proposer, r) => {
                let (height, round) = (value.certificate.height, value.certificate.round);
                let outcome = self
                    .core
                    .synced(height, round, proposer, &value.value_bytes)
                    .map_err(|e| e.to_string())?;
                if let SyncedValueOutcome::Verdict(v) = outcome {
                    self.pending
                        .push_back(Input::ProposedValue(v, ValueOrigin::Sync));
                }
                r.resume_with(())
            }
            Effect::CertRejectedSyncValue(_peer, height, _e, r) => {
                self.note(&format!("sync value rejected h{}", height.0));
                r.resume_with(())
            }
            Effect::Decide(certificate, _ext, r) => {
                self.commit(&certificate)?;
                r.resume_with(())
            }
            Effect::Finalize(certificate, _ext, _evidence, r) => {
                self.commit(&certificate)?;
                let state = &self.core.state;
                let restart = state.ledger.head().height < certificate.height.0;
                self.wal.clear();
                self.pending.push_back(Input::StartHeight(
                    state.height,
                    state.validators.clone(),
                    restart,
                    None,
                    VoteExtensionPolicy::Disabled,
                ));
                r.resume_with(())
            }
            Effect::SignVote(vote, r) => {
                let signed = ready(self.signer.sign_vote(vote)).map_err(|e| e.to_string())?;
                r.resume_with(signed)
            }
            Effect::SignProposal(p, r) => {
                let signed = ready(self.signer.sign_proposal(p)).map_err(|e| e.to_string())?;
                r.resume_with(signed)
            }
            Effect::VerifySignature(msg, key, r) => {
                use malachite::app::consensus::ConsensusMsg;
                let result = match &msg.message {
                    ConsensusMsg::Vote(v) => {
                        ready(self.verifier.verify_signed_vote(v, &msg.signature, &key))
                    }
                    ConsensusMsg::Proposal(p) => ready(self.verifier.verify_signed_proposal(
                        p,
                        &msg.signature,
                        &key,
                    )),
                };
                r.resume_with(result.is_ok_and(|v| v.is_valid()))
            }
            Effect::VerifyCommitCertificate(c, set, th, r) => r.resume_with(ready(
                self.verifier
                    .verify_commit_certificate(&self.ctx, &c, &set, th),
            )),
            Effect::VerifyExtendedCommitCertificate(c, set, th, policy, r) => r.resume_with(ready(
                self.verifier
                    .verify_extended_commit_certificate(&self.ctx, &c, &set, th, policy),
            )),
            Effect::VerifyPolkaCertificate(c, set, th, r) => r.resume_with(ready(
                self.verifier
                    .verify_polka_certificate(&self.ctx, &c, &set, th),
            )),
            Effect::VerifyRoundCertificate(c, set, th, r) => r.resume_with(ready(
                self.verifier
                    .verify_round_certificate(&self.ctx, &c, &set, th),
            )),
            Effect::WalAppend(_height, input, r) => {
                if !self.replaying {
                    self.wal.push(input);
                }
                r.resume_with(())
            }
            Effect::ExtendVote(_, _, _, _, r) => r.resume_with(None),
            Effect::VerifyVoteExtension(_, _, _, _, _, _, r) => r.resume_with(Ok(())),
        })
    }

    /// Builds this node's value for `round` (R460: the decision core), streams its parts and
    /// hands it to consensus.
    fn propose(
        &mut self,
        height: Height,
        round: malachite::app::types::core::Round,
    ) -> Result<(), String> {
        if round != self.core.state.round {
            // Asked for a round consensus has already left (after a WAL replay, say).
            return Ok(());
        }
        let now = self.block_time();
        let max = self.core.state.limits.max_entries;
        let proposed = self
            .core
            .propose(height, round, now, max)
            .map_err(|e| e.to_string())?;
        if let Some(p) = proposed {
            self.note(&format!(
                "propose h{} r{} {}",
                height.0, round, p.value.value.id
            ));
            for part in p.stream {
                self.out.push(Out::Broadcast(NetMsg::Part(part)));
            }
            self.pending.push_back(Input::Propose(p.value));
        }
        Ok(())
    }

    /// Commits the decided block unless this height is committed already.
    fn commit(
        &mut self,
        certificate: &malachite::app::types::core::CommitCertificate<EblContext>,
    ) -> Result<(), String> {
        let bytes = encode_certificate(certificate);
        let decided = self
            .core
            .decided(certificate.height, certificate.value_id, bytes)
            .map_err(|e| e.to_string())?;
        if let Some(d) = decided {
            let header = &d.committed.block.header;
            self.out.push(Out::Decided(
                header.height,
                header.hash(),
                header.state_root,
            ));
        }
        Ok(())
    }
}
