//! The rogue gossip peer (R210–R212): a swarm with the node's own behaviour (gate, gossipsub
//! with the node's configuration, `/ebl/body/1`) under a member organisation's key, connected
//! to every honest node, publishing the flood's messages on schedule. It owns the swarm; it
//! ends at its deadline or when told to stop, and drops every connection as it ends.

use std::collections::BTreeSet;
use std::time::Duration;

use ebl_node::p2p::behaviour::{self, Behaviour, BehaviourEvent};
use libp2p::futures::StreamExt as _;
use libp2p::gossipsub::{self, IdentTopic, MessageAcceptance, PublishError};
use libp2p::swarm::SwarmEvent;
use libp2p::swarm::dial_opts::DialOpts;
use libp2p::{PeerId, Swarm, noise, tcp, yamux};
use rand::SeedableRng as _;
use tokio::sync::oneshot;
use tokio::time::{Instant, MissedTickBehavior};

use super::forge::{Forger, Message};
use super::links::{Link, all_pruned};
use super::mix::Mix;
use super::report::FloodReport;
use super::target::Target;
use super::{FloodError, FloodOptions};

/// Longest wait for the honest nodes to connect and subscribe before the flood begins anyway.
pub const READY_TIMEOUT: Duration = Duration::from_secs(10);

/// The node's gossip mesh size (`mesh_n` in node/src/p2p/behaviour.rs): how many nodes a
/// joining peer grafts.
const MESH_N: usize = 4;

/// How often due messages are published.
const SEND_TICK: Duration = Duration::from_millis(10);

/// How often links are redialled and meshes looked at.
const CHECK_TICK: Duration = Duration::from_millis(250);

/// Most messages published per send tick; the rest stay due (the schedule never slows, R211).
const MAX_PER_TICK: u64 = 256;

/// The running peer.
struct Peer {
    swarm: Swarm<Behaviour>,
    topic: IdentTopic,
    links: Vec<Link>,
    forger: Forger,
    report: FloodReport,
}

fn build_swarm(target: &Target, topic: &IdentTopic) -> Result<Swarm<Behaviour>, FloodError> {
    let swarm_err = |e: &dyn std::fmt::Display| FloodError::Swarm(e.to_string());
    let mut behaviour = behaviour::build(topic).map_err(|e| swarm_err(&e))?;
    // Subscribed only once every node is connected (see `flood`): joining a topic grafts up
    // to the mesh size of the peers subscribed at that moment, so the flooder starts in every
    // node's mesh (up to 4) and a node that prunes it later can be seen. Nothing is connected
    // yet, so leaving sends nothing.
    behaviour.gossipsub.unsubscribe(topic);
    for peer in &target.allowed {
        behaviour.gate.allow_peer(*peer);
    }
    Ok(
        libp2p::SwarmBuilder::with_existing_identity(target.keypair.clone())
            .with_tokio()
            .with_tcp(
                tcp::Config::default().nodelay(true),
                noise::Config::new,
                yamux::Config::default,
            )
            .map_err(|e| swarm_err(&e))?
            .with_behaviour(|_| behaviour)
            .map_err(|e| swarm_err(&e))?
            .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(300)))
            .build(),
    )
}

impl Peer {
    fn subscribed(&self) -> BTreeSet<PeerId> {
        let topic = self.topic.hash();
        self.swarm
            .behaviour()
            .gossipsub
            .all_peers()
            .filter(|(_, topics)| topics.contains(&&topic))
            .map(|(peer, _)| *peer)
            .collect()
    }

    fn meshed(&self) -> BTreeSet<PeerId> {
        self.swarm
            .behaviour()
            .gossipsub
            .mesh_peers(&self.topic.hash())
            .copied()
            .collect()
    }

    /// Nodes connected and subscribed to the entry topic.
    fn ready_count(&self) -> usize {
        let subscribed = self.subscribed();
        self.links
            .iter()
            .filter(|l| l.connected && l.peer.is_some_and(|p| subscribed.contains(&p)))
            .count()
    }

    /// Nodes that have the flooder in their mesh: a member that behaved until now.
    fn meshed_count(&self) -> usize {
        let meshed = self.meshed();
        self.links.iter().filter(|l| l.in_mesh(&meshed)).count()
    }

    fn dial_due(&mut self, now: Instant) {
        for link in &mut self.links {
            if !link.due(now) {
                continue;
            }
            let opts = DialOpts::unknown_peer_id()
                .address(link.addr.clone())
                .build();
            let id = opts.connection_id();
            if link.dialling() {
                self.report.reconnects += 1;
            }
            match self.swarm.dial(opts) {
                Ok(()) => link.dialing = Some(id),
                Err(_) => link.lost(now),
            }
        }
    }

    fn on_event(&mut self, event: SwarmEvent<BehaviourEvent>) {
        let now = Instant::now();
        match event {
            SwarmEvent::Behaviour(BehaviourEvent::Gossipsub(gossipsub::Event::Message {
                propagation_source,
                message_id,
                message,
            })) => {
                // Honest batches are the freshest entries to duplicate; the flooder never
                // forwards anything.
                self.forger.duplicates.harvest(&message.data);
                let _ = self
                    .swarm
                    .behaviour_mut()
                    .gossipsub
                    .report_message_validation_result(
                        &message_id,
                        &propagation_source,
                        MessageAcceptance::Ignore,
                    );
            }
            SwarmEvent::ConnectionEstablished {
                peer_id,
                connection_id,
                ..
            } => {
                if let Some(link) = self
                    .links
                    .iter_mut()
                    .find(|l| l.dialing == Some(connection_id))
                {
                    link.opened(peer_id);
                }
            }
            SwarmEvent::ConnectionClosed {
                peer_id,
                num_established: 0,
                ..
            } => {
                for link in self.links.iter_mut().filter(|l| l.peer == Some(peer_id)) {
                    if link.connected {
                        link.lost(now);
                    }
                }
            }
            SwarmEvent::OutgoingConnectionError { connection_id, .. } => {
                if let Some(link) = self
                    .links
                    .iter_mut()
                    .find(|l| l.dialing == Some(connection_id))
                {
                    link.lost(now);
                }
            }
            _ => {}
        }
    }

    /// R212: reconnects to nodes that pruned the flooder for long enough.
    fn check_meshes(&mut self, now: Instant) {
        let meshed = self.meshed();
        for link in &mut self.links {
            if link.observe_mesh(&meshed, now)
                && let Some(peer) = link.peer
            {
                let _ = self.swarm.disconnect_peer_id(peer);
            }
        }
    }

    /// Publishes one message and counts it (R213).
    fn publish(&mut self, message: Message) {
        let Message {
            mode,
            bytes,
            entries,
            must_fail,
        } = message;
        let result = self
            .swarm
            .behaviour_mut()
            .gossipsub
            .publish(self.topic.clone(), bytes);
        let why = match result {
            Ok(_) => {
                let penalised = all_pruned(&self.links);
                let counts = self.report.mode(mode);
                counts.messages += 1;
                counts.entries += entries;
                if penalised {
                    counts.penalised += entries;
                }
                self.report
                    .sample(mode, must_fail.iter().map(|id| id.to_hex()));
                return;
            }
            Err(PublishError::NoPeersSubscribedToTopic) => "NO_PEERS",
            Err(PublishError::AllQueuesFull(_)) => "QUEUES_FULL",
            Err(PublishError::MessageTooLarge) => "TOO_LARGE",
            Err(PublishError::Duplicate) => "SAME_MESSAGE",
            Err(_) => "PUBLISH_FAILED",
        };
        self.report.unsent(mode, entries, why);
    }
}

/// Connects, says how many nodes are ready on `ready`, then floods until `duration` has passed
/// or `stop` fires (or its sender is dropped).
pub async fn flood(
    target: Target,
    options: FloodOptions,
    mut stop: oneshot::Receiver<()>,
    ready: std::sync::mpsc::SyncSender<usize>,
) -> Result<FloodReport, FloodError> {
    let topic = behaviour::entry_topic(&target.chain);
    let swarm = build_swarm(&target, &topic)?;
    let mut mix =
        Mix::new(&options.mix).ok_or_else(|| FloodError::Args("--mix names no mode".into()))?;
    let now = Instant::now();
    let Target {
        chain,
        nodes,
        victims,
        principal,
        holder,
        duplicates,
        ..
    } = target;
    let mut rng = rand::rngs::StdRng::from_entropy();
    // Six base-36 characters (a run tag without its `B`) keep this flood's references apart
    // from any other run's.
    let tag = crate::bench::run_tag(u128::from(rand::RngCore::next_u32(&mut rng)));
    let mut peer = Peer {
        swarm,
        links: nodes.into_iter().map(|a| Link::new(a, now)).collect(),
        topic,
        forger: Forger::new(
            chain,
            victims,
            principal,
            holder,
            tag.trim_start_matches('B').to_string(),
            options.batch,
            duplicates,
        ),
        report: FloodReport {
            as_org: options.as_org.clone(),
            rate: options.rate,
            batch: options.batch,
            ..FloodReport::default()
        },
    };
    peer.report.nodes = peer.links.len();
    for mode in mix.modes() {
        peer.report.mode(*mode);
    }

    // Connect (bounded) before anything is sent and join the topic as a member that behaved
    // so far would: the flood's clock starts with every node reachable and meshed, or after
    // READY_TIMEOUT with whichever are.
    let ready_by = Instant::now() + READY_TIMEOUT;
    let mut check = tokio::time::interval(CHECK_TICK);
    let mut joined = false;
    loop {
        if !joined && peer.ready_count() == peer.links.len() {
            joined = true;
            peer.swarm
                .behaviour_mut()
                .gossipsub
                .subscribe(&peer.topic)
                .map_err(|e| FloodError::Swarm(format!("subscribe: {e}")))?;
        }
        let mesh_size = peer.links.len().min(MESH_N);
        if (joined && peer.meshed_count() >= mesh_size) || Instant::now() >= ready_by {
            break;
        }
        tokio::select! {
            event = peer.swarm.select_next_some() => peer.on_event(event),
            _ = check.tick() => peer.dial_due(Instant::now()),
            _ = &mut stop => return Ok(peer.report),
        }
    }
    if !joined {
        peer.swarm
            .behaviour_mut()
            .gossipsub
            .subscribe(&peer.topic)
            .map_err(|e| FloodError::Swarm(format!("subscribe: {e}")))?;
    }
    let meshed = peer.meshed();
    for link in &mut peer.links {
        link.watched = link.in_mesh(&meshed);
    }
    peer.report.peers_at_start = peer.ready_count();
    peer.report.meshed_at_start = peer.meshed_count();
    let _ = ready.send(peer.report.peers_at_start);

    let cpu_before = thread_cpu();
    let start = Instant::now();
    let deadline = start + options.duration;
    let mut scheduled: u64 = 0;
    let mut send = tokio::time::interval(SEND_TICK);
    send.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            event = peer.swarm.select_next_some() => peer.on_event(event),
            _ = send.tick() => {
                let elapsed = Instant::now().min(deadline).saturating_duration_since(start);
                let due = messages_due(elapsed, options.rate, options.batch);
                let mut this_tick = 0;
                while scheduled < due && this_tick < MAX_PER_TICK {
                    scheduled += 1;
                    this_tick += 1;
                    let mode = mix.next_mode();
                    match peer.forger.message(mode, &mut rng) {
                        Ok(message) => peer.publish(message),
                        Err(not_made) => {
                            peer.report.unsent(mode, options.batch as u64, not_made.code());
                        }
                    }
                }
            }
            _ = check.tick() => {
                let now = Instant::now();
                peer.check_meshes(now);
                peer.dial_due(now);
            }
            _ = tokio::time::sleep_until(deadline) => break,
            _ = &mut stop => break,
        }
    }
    let wall = start.elapsed();
    peer.report.duration_secs = wall.as_secs_f64();
    peer.report.cpu_percent = cpu_before.zip(thread_cpu()).map_or(0.0, |(b, a)| {
        100.0 * a.saturating_sub(b).as_secs_f64() / wall.as_secs_f64().max(1e-9)
    });
    Ok(peer.report)
}

/// R211: messages due `elapsed` after the start at `rate` entries/s in messages of `batch`
/// entries (message `j` is due at `j × batch / rate` seconds).
#[allow(clippy::cast_possible_truncation)]
pub fn messages_due(elapsed: Duration, rate: f64, batch: usize) -> u64 {
    let n = (elapsed.as_secs_f64() * rate.max(0.0) / batch.max(1) as f64).floor();
    if n < 0.0 {
        0
    } else if n >= 1e15 {
        1_000_000_000_000_000
    } else {
        n as u64
    }
}

/// CPU time of the calling thread: the flooder runs its swarm on a runtime of one thread, so
/// this is all the flooder's work.
fn thread_cpu() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    crate::bench::procfs::parse_stat_ticks(&text)
        .map(|ticks| Duration::from_millis(ticks.saturating_mul(10)))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    #[test]
    fn messages_fall_due_at_the_rate_in_batches() {
        let due = |ms| super::messages_due(Duration::from_millis(ms), 5_000.0, 32);
        assert_eq!(due(0), 0);
        assert_eq!(due(6), 0);
        assert_eq!(due(7), 1, "32 entries at 5,000/s take 6.4 ms");
        assert_eq!(due(1_000), 156);
        assert_eq!(super::messages_due(Duration::from_secs(1), f64::NAN, 32), 0);
    }

    #[test]
    fn the_flooders_own_thread_can_be_measured() {
        assert!(super::thread_cpu().is_some());
    }
}
