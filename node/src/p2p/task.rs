//! The task that owns the gossip swarm: publishes admitted local entries in batches, judges
//! received batches, keeps the allow list in step with the ledger and redials configured peers.

use std::collections::{BTreeMap, BTreeSet};

use ebl_ledger::entry::SignedEntry;
use ebl_ledger::hash::EntryId;
use libp2p::futures::StreamExt as _;
use libp2p::gossipsub::{self, IdentTopic, MessageId};
use libp2p::swarm::{ConnectionId, SwarmEvent};
use libp2p::{Multiaddr, PeerId, Swarm};
use tokio::sync::{broadcast, oneshot};
use tokio::task::{self as tokio_task, JoinSet};

use super::batch::{FLUSH_AFTER, Outbox, message_verdict};
use super::behaviour::{Behaviour, BehaviourEvent};
use super::gating::{allowed_keys, allowed_peers, gate_change};
use super::quota::{PeerQuotas, claimed_entries};
use super::start::{Inbox, REDIAL_INTERVAL};
use super::validate::{Verdict, verdict_of};
use super::{GossipEvent, MAX_VALIDATIONS, Query};
use crate::bodies::traffic::BodyTraffic;
use crate::handle::NodeHandle;

/// A judged message, ready to report.
#[derive(Debug)]
struct Judged {
    id: MessageId,
    source: PeerId,
    /// Each entry's own verdict (empty when the message did not decode).
    entries: Vec<(EntryId, Verdict)>,
    /// The message's verdict (R113).
    verdict: Verdict,
}

impl Judged {
    fn whole(id: MessageId, source: PeerId, verdict: Verdict) -> Self {
        Judged {
            id,
            source,
            entries: Vec::new(),
            verdict,
        }
    }

    /// R113: a message dropped whole for one provably invalid entry, reported against it.
    fn invalid(id: MessageId, source: PeerId, entry: EntryId, code: &str) -> Self {
        let verdict = Verdict::Reject(code.to_string());
        Judged {
            id,
            source,
            entries: vec![(entry, verdict.clone())],
            verdict,
        }
    }
}

/// The swarm's owner and what it remembers.
pub(super) struct Task {
    pub(super) topic: IdentTopic,
    pub(super) node: NodeHandle,
    pub(super) events: broadcast::Sender<GossipEvent>,
    pub(super) peers: Vec<Multiaddr>,
    /// Peers the gate lets in now (R116).
    pub(super) allowed: BTreeSet<PeerId>,
    /// Dials under way to configured peers.
    pub(super) dialing: BTreeMap<ConnectionId, Multiaddr>,
    /// Open connections we dialled to configured peers.
    pub(super) dialled: BTreeMap<ConnectionId, Multiaddr>,
    /// R142–R147: document bodies.
    pub(super) bodies: BodyTraffic,
    /// R184: per-peer judging quotas.
    pub(super) quotas: PeerQuotas,
    /// Which peer each running judge works for (to release its quota when it ends).
    pub(super) judges: BTreeMap<tokio_task::Id, PeerId>,
}

impl Task {
    /// Runs until `stop` fires (or the node's blocks end); then every judge still running is
    /// aborted and awaited before the swarm is dropped.
    pub(super) async fn run(
        mut self,
        mut swarm: Swarm<Behaviour>,
        mut inbox: Inbox,
        mut stop: oneshot::Receiver<()>,
    ) {
        let mut blocks = self.node.subscribe_blocks();
        let mut redial = tokio::time::interval(REDIAL_INTERVAL);
        // A JoinSet, not detached tasks: judges hold the node's handle (and so its store), and
        // must end with this task.
        let mut judging = JoinSet::new();
        let mut outbox = Outbox::default();
        // R115: when the oldest waiting entry must leave (only polled while something waits).
        let flush = tokio::time::sleep(FLUSH_AFTER);
        tokio::pin!(flush);
        loop {
            tokio::select! {
                event = swarm.select_next_some() => {
                    if let Some((id, source, data)) = self.on_swarm_event(&mut swarm, event) {
                        let now = std::time::Instant::now();
                        if judging.len() >= MAX_VALIDATIONS {
                            // R118: too much in flight; not the sender's fault.
                            let verdict = Verdict::Ignore("BUSY");
                            self.report(&mut swarm, Judged::whole(id, source, verdict));
                        } else if let Err(code) =
                            self.quotas.admit(source, claimed_entries(&data), now)
                        {
                            // R184: over its peer's share; ignored unjudged.
                            self.report(&mut swarm, Judged::whole(id, source, Verdict::Ignore(code)));
                        } else {
                            // Spawned, not polled on this task: judging verifies the batch's
                            // signatures (R155), which must not stall the swarm (ADR 0021).
                            let node = self.node.clone();
                            let judge = judging.spawn(judge(node, id, source, data));
                            self.judges.insert(judge.id(), source);
                        }
                    }
                }
                Some(judged) = judging.join_next_with_id(), if !judging.is_empty() => match judged {
                    Ok((task, judged)) => {
                        self.release(task);
                        self.report(&mut swarm, judged);
                    }
                    // A judge that panicked leaves its message unvalidated; gossipsub forgets it.
                    Err(e) => {
                        self.release(e.id());
                        tracing::warn!(error = %e, "a gossip judge failed");
                    }
                },
                Some(entry) = inbox.publish.recv() => {
                    if outbox.is_empty() {
                        flush.as_mut().reset(tokio::time::Instant::now() + FLUSH_AFTER);
                    }
                    if let Some(full) = outbox.push(entry) {
                        self.publish(&mut swarm, &full);
                        flush.as_mut().reset(tokio::time::Instant::now() + FLUSH_AFTER);
                    }
                }
                () = &mut flush, if !outbox.is_empty() => {
                    if let Some(batch) = outbox.take() {
                        self.publish(&mut swarm, &batch);
                    }
                }
                Some(query) = inbox.queries.recv() => self.answer(&mut swarm, query),
                Some(served) = self.bodies.serving.next(), if !self.bodies.serving.is_empty() => {
                    BodyTraffic::answer(&mut swarm, served);
                }
                block = blocks.recv() => match block {
                    // R117: after every block (or a burst we lagged behind), the gate follows
                    // the ledger.
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {
                        self.refresh_gate(&mut swarm).await;
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                },
                _ = &mut stop => break,
                _ = redial.tick() => self.redial(&mut swarm),
            }
        }
        judging.shutdown().await;
    }

    /// R184: a judge ended; its peer's quota is released.
    fn release(&mut self, task: tokio_task::Id) {
        if let Some(peer) = self.judges.remove(&task) {
            self.quotas.done(&peer);
        }
    }

    /// R116, R117: recomputes the allowed set from the ledger; disallowing a peer closes its
    /// connections.
    pub(super) async fn refresh_gate(&mut self, swarm: &mut Swarm<Behaviour>) {
        let keys = match self.node.read(allowed_keys).await {
            Ok(Ok(keys)) => keys,
            Ok(Err(e)) => {
                tracing::error!(error = %e, "cannot read the allowed gossip peers; gate unchanged");
                return;
            }
            Err(_) => return,
        };
        let mut new = allowed_peers(&keys);
        new.remove(swarm.local_peer_id());
        let change = gate_change(&self.allowed, &new);
        for peer in change.allow {
            swarm.behaviour_mut().gate.allow_peer(peer);
        }
        for peer in change.disallow {
            tracing::info!(%peer, "gossip peer no longer allowed: disconnecting");
            swarm.behaviour_mut().gate.disallow_peer(peer);
        }
        self.allowed = new;
        let allowed = &self.allowed;
        self.quotas
            .retain(|peer| allowed.contains(peer), std::time::Instant::now());
    }

    /// Returns a received gossip message to judge; handles everything else.
    fn on_swarm_event(
        &mut self,
        swarm: &mut Swarm<Behaviour>,
        event: SwarmEvent<BehaviourEvent>,
    ) -> Option<(MessageId, PeerId, Vec<u8>)> {
        match event {
            SwarmEvent::Behaviour(BehaviourEvent::Gossipsub(gossipsub::Event::Message {
                propagation_source,
                message_id,
                message,
            })) => {
                if message.topic == self.topic.hash() {
                    return Some((message_id, propagation_source, message.data));
                }
                let verdict = Verdict::Reject("WRONG_TOPIC".into());
                self.report(
                    swarm,
                    Judged::whole(message_id, propagation_source, verdict),
                );
            }
            SwarmEvent::Behaviour(BehaviourEvent::Bodies(event)) => {
                self.bodies.on_event(swarm, event);
            }
            SwarmEvent::ConnectionEstablished {
                peer_id,
                connection_id,
                ..
            } => {
                if let Some(addr) = self.dialing.remove(&connection_id) {
                    self.dialled.insert(connection_id, addr);
                }
                tracing::debug!(%peer_id, "gossip peer connected");
            }
            SwarmEvent::ConnectionClosed {
                peer_id,
                connection_id,
                ..
            } => {
                self.dialled.remove(&connection_id);
                tracing::debug!(%peer_id, "gossip peer disconnected");
            }
            SwarmEvent::OutgoingConnectionError {
                connection_id,
                error,
                ..
            } => {
                self.dialing.remove(&connection_id);
                tracing::debug!(%error, "gossip dial failed");
            }
            SwarmEvent::NewListenAddr { address, .. } => {
                tracing::info!(%address, "gossip listening");
            }
            _ => {}
        }
        None
    }

    fn report(&self, swarm: &mut Swarm<Behaviour>, judged: Judged) {
        let Judged {
            id,
            source,
            entries,
            verdict,
        } = judged;
        swarm
            .behaviour_mut()
            .gossipsub
            .report_message_validation_result(&id, &source, verdict.acceptance());
        if let Verdict::Reject(code) = &verdict {
            tracing::info!(peer = %source, code, "rejected a gossiped message");
        }
        if entries.is_empty() {
            let _ = self.events.send(GossipEvent {
                entry: None,
                from: source,
                verdict,
            });
        }
        for (entry, verdict) in entries {
            let _ = self.events.send(GossipEvent {
                entry: Some(entry),
                from: source,
                verdict,
            });
        }
    }

    /// R110, R115: one message for a batch of admitted local entries.
    fn publish(&self, swarm: &mut Swarm<Behaviour>, batch: &[SignedEntry]) {
        let result = swarm
            .behaviour_mut()
            .gossipsub
            .publish(self.topic.clone(), super::batch::encode(batch));
        match result {
            Ok(_) | Err(gossipsub::PublishError::Duplicate) => {}
            Err(e) => tracing::debug!(entries = batch.len(), error = %e, "batch not gossiped"),
        }
    }

    fn answer(&mut self, swarm: &mut Swarm<Behaviour>, query: Query) {
        match query {
            Query::Score(peer, reply) => {
                let _ = reply.send(swarm.behaviour().gossipsub.peer_score(&peer));
            }
            Query::Peers(reply) => {
                let topic = self.topic.hash();
                let peers = swarm
                    .behaviour()
                    .gossipsub
                    .all_peers()
                    .filter(|(_, topics)| topics.contains(&&topic))
                    .map(|(peer, _)| *peer)
                    .collect();
                let _ = reply.send(peers);
            }
            Query::Connected(reply) => {
                let _ = reply.send(swarm.connected_peers().copied().collect());
            }
            Query::AskBody(peer, request, reply) => self.bodies.ask(swarm, peer, request, reply),
        }
    }

    fn redial(&mut self, swarm: &mut Swarm<Behaviour>) {
        for addr in &self.peers {
            let busy = self.dialing.values().chain(self.dialled.values());
            if busy.into_iter().any(|a| a == addr) {
                continue;
            }
            match super::transport::dial_from_fresh_port(swarm, addr) {
                Ok(id) => {
                    self.dialing.insert(id, addr.clone());
                }
                Err(e) => tracing::debug!(%addr, error = %e, "gossip dial refused"),
            }
        }
    }
}

/// R111–R113 for one message, off the swarm's task. The batch decodes; the node's intake
/// answers what it can before any signature work (R182–R184: duplicates, envelope, standing,
/// window, signer share); one entry proven invalid on the committed state (envelope, no
/// standing) drops the message whole; the rest have their signatures decided, cheapest first,
/// a bad one dropping the message whole too; then they go to the pool in one call.
async fn judge(node: NodeHandle, id: MessageId, source: PeerId, data: Vec<u8>) -> Judged {
    let entries = match super::batch::decode(&data) {
        Ok(entries) => entries,
        Err(verdict) => return Judged::whole(id, source, verdict),
    };
    let stopping = || Judged::whole(id.clone(), source, Verdict::Ignore("STOPPING"));
    let intake = node.intake().clone();
    let Ok(mut answers) = intake.screen(&entries) else {
        return stopping();
    };
    let invalid = entries.iter().zip(&answers).find_map(|(entry, answer)| {
        match answer.as_ref().map(verdict_of) {
            Some(Verdict::Reject(code)) => Some((entry.id(), code)),
            _ => None,
        }
    });
    if let Some((entry, code)) = invalid {
        return Judged::invalid(id, source, entry, &code);
    }
    if intake.charge(&entries, &mut answers).is_err() {
        return stopping();
    }
    let ids: Vec<EntryId> = entries.iter().map(SignedEntry::id).collect();
    let going: Vec<SignedEntry> = entries
        .into_iter()
        .zip(&answers)
        .filter(|(_, answer)| answer.is_none())
        .map(|(entry, _)| entry)
        .collect();
    let Ok((going, bad)) = node.first_bad_signature(going).await else {
        return stopping();
    };
    if let Some((i, code)) = bad {
        let entry = going.get(i).map(SignedEntry::id).unwrap_or_default();
        return Judged::invalid(id, source, entry, code);
    }
    // Every signature is decided and remembered: straight to the pool.
    let Ok(admissions) = node.admit_decided(going).await else {
        return stopping();
    };
    let mut admissions = admissions.into_iter();
    let entries: Vec<(EntryId, Verdict)> = ids
        .into_iter()
        .zip(answers)
        .map(|(entry, answer)| {
            let verdict = answer
                .or_else(|| admissions.next())
                .map_or(Verdict::Ignore("STOPPING"), |a| verdict_of(&a));
            (entry, verdict)
        })
        .collect();
    let verdicts: Vec<Verdict> = entries.iter().map(|(_, v)| v.clone()).collect();
    Judged {
        id,
        source,
        verdict: message_verdict(&verdicts),
        entries,
    }
}
