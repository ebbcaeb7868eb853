//! R460–R465: the seeded consensus simulation. Four (or more) replicas — each Malachite's
//! pure state machine and the node's decision core over a ledger in memory — exchange
//! messages over a simulated network, in one thread, on a simulated clock; every choice comes
//! from one seeded generator, so a seed fixes the run and its trace.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod check;
pub mod network;
pub mod replica;
pub mod workload;

use ebl_ledger::Ledger;
use ebl_ledger::hash::Hash32;
use ebl_ledger::storage::MemoryStore;
use ebl_ledger::testkit::TestNetwork;
use ebl_node::consensus::Address;
use ebl_node::consensus::intake::peer_id_bytes;
use malachite::app::types::PeerId;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};

use check::BlockFacts;
use network::{Event, Fate, Faults, Queue, fate};
use replica::{Disk, NetMsg, Out, Replica};
use workload::Workload;

/// One run's settings.
#[derive(Debug, Clone, Copy)]
pub struct SimConfig {
    pub seed: u64,
    pub replicas: usize,
    /// Simulated time of the run, in ms.
    pub duration_ms: u64,
    pub faults: Faults,
    /// Bills issued (each followed by a pair of racing transfers).
    pub bills: u64,
    /// R463: least height every replica must reach.
    pub min_height: u64,
    /// R463: simulated time after `duration_ms` with no loss, duplication or crash (replicas
    /// still down are restarted); every replica must then decide past the highest height
    /// reached under faults.
    pub heal_ms: u64,
}

impl SimConfig {
    /// The standard run of `seed`: 4 replicas, 6 simulated seconds, default faults.
    pub fn standard(seed: u64) -> Self {
        SimConfig {
            seed,
            replicas: 4,
            duration_ms: 6_000,
            faults: Faults::default(),
            bills: 4,
            min_height: 2,
            heal_ms: 6_000,
        }
    }
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct SimReport {
    /// R464: SHA-256 over the trace lines.
    pub trace_hash: [u8; 32],
    pub trace: Vec<String>,
    /// Each replica's chain at the end.
    pub chains: Vec<Vec<BlockFacts>>,
    /// Each replica's head height and state root at the end.
    pub heads: Vec<(u64, Hash32)>,
    /// Broken rules (R463); empty for a good run.
    pub violations: Vec<String>,
}

enum Slot {
    Up(Box<Replica>),
    Down(Disk),
    Empty,
}

struct Sim {
    config: SimConfig,
    rng: ChaCha8Rng,
    queue: Queue,
    slots: Vec<Slot>,
    incarnations: Vec<u64>,
    secrets: Vec<[u8; 32]>,
    peers: Vec<PeerId>,
    genesis: ebl_ledger::genesis::Genesis,
    trace: Vec<String>,
}

/// Runs one simulation.
pub fn run(config: SimConfig) -> SimReport {
    let net = TestNetwork::pilot();
    assert!(
        config.replicas <= net.validator_keys.len(),
        "one key per replica"
    );
    let secrets: Vec<[u8; 32]> = net.validator_keys.iter().map(|k| k.to_bytes()).collect();
    let peers: Vec<PeerId> = net
        .validator_keys
        .iter()
        .map(|k| {
            let bytes = peer_id_bytes(Address(k.verifying_key().to_bytes())).unwrap();
            PeerId::from_bytes(&bytes).unwrap()
        })
        .collect();
    let mut sim = Sim {
        config,
        rng: ChaCha8Rng::seed_from_u64(config.seed),
        queue: Queue::default(),
        slots: Vec::new(),
        incarnations: vec![0; config.replicas],
        secrets,
        peers,
        genesis: net.genesis.clone(),
        trace: Vec::new(),
    };
    sim.plan(&net);
    for i in 0..config.replicas {
        let ledger = Ledger::open(MemoryStore::new(), &sim.genesis).unwrap();
        let disk = Disk {
            ledger,
            wal: Vec::new(),
            blocks: Vec::new(),
        };
        sim.slots.push(Slot::Empty);
        sim.boot(i, disk, 0, false);
    }
    let mut top_under_faults = None;
    while let Some((now, event)) = sim.queue.pop() {
        if now > config.duration_ms && top_under_faults.is_none() {
            top_under_faults = Some(sim.heal(config.duration_ms));
        }
        if now > config.duration_ms + config.heal_ms {
            break;
        }
        sim.step(now, event);
    }
    let top = top_under_faults.unwrap_or_else(|| sim.heal(config.duration_ms));
    sim.finish(top)
}

impl Sim {
    /// Puts the workload, the crashes and the sync ticks on the queue.
    fn plan(&mut self, net: &TestNetwork) {
        let n = self.config.replicas;
        let mut workload = Workload::new(net);
        let span = self.config.duration_ms * 6 / 10;
        for k in 0..self.config.bills {
            let at = self.rng.gen_range(0..span.max(1));
            let to = self.rng.gen_range(0..n);
            let issue = NetMsg::Entry(workload.issue(k));
            self.queue.push(
                at,
                Event::Submit {
                    replica: to,
                    msg: issue,
                },
            );
            let later = at + self.rng.gen_range(200..3_000);
            let (a, b) = workload.racing_transfers(k);
            let first = self.rng.gen_range(0..n);
            let second = (first + 1 + self.rng.gen_range(0..n - 1)) % n;
            let msg = NetMsg::Entry(a);
            self.queue.push(
                later,
                Event::Submit {
                    replica: first,
                    msg,
                },
            );
            let msg = NetMsg::Entry(b);
            self.queue.push(
                later,
                Event::Submit {
                    replica: second,
                    msg,
                },
            );
        }
        for _ in 0..self.config.faults.crashes {
            let at = self
                .rng
                .gen_range(self.config.duration_ms / 10..self.config.duration_ms * 6 / 10);
            let replica = self.rng.gen_range(0..n);
            self.queue.push(at, Event::Crash { replica });
        }
        for replica in 0..n {
            let first = self.rng.gen_range(500..1_500);
            self.queue.push(first, Event::SyncTick { replica });
        }
    }

    fn log(&mut self, now: u64, line: &str) {
        self.trace.push(format!("{now:>7} {line}"));
    }

    fn boot(&mut self, i: usize, disk: Disk, now: u64, is_restart: bool) {
        let (replica, outs) = Replica::start(
            i,
            self.secrets[i],
            disk,
            &self.genesis,
            self.peers.clone(),
            now,
            is_restart,
        );
        self.slots[i] = Slot::Up(Box::new(replica));
        self.act(i, now, outs);
    }

    fn step(&mut self, now: u64, event: Event) {
        match event {
            Event::Deliver { from, to, msg } => {
                let label = describe(&msg);
                let Slot::Up(r) = &mut self.slots[to] else {
                    self.log(now, &format!("lost {from}->{to} {label} (down)"));
                    return;
                };
                let outs = r.deliver(from, msg, now);
                self.log(now, &format!("deliver {from}->{to} {label}"));
                self.act(to, now, outs);
            }
            Event::Timer {
                replica,
                incarnation,
                timeout,
                id,
            } => {
                if self.incarnations[replica] != incarnation {
                    return;
                }
                let Slot::Up(r) = &mut self.slots[replica] else {
                    return;
                };
                let outs = r.timer(timeout, id, now);
                if !outs.is_empty() {
                    self.log(
                        now,
                        &format!("timeout r{replica} {:?} {}", timeout.kind, timeout.round),
                    );
                }
                self.act(replica, now, outs);
            }
            Event::Crash { replica } => self.crash(replica, now),
            Event::Restart { replica } => {
                let slot = std::mem::replace(&mut self.slots[replica], Slot::Empty);
                let Slot::Down(disk) = slot else {
                    self.slots[replica] = slot;
                    return;
                };
                self.log(now, &format!("restart r{replica}"));
                self.boot(replica, disk, now, true);
            }
            Event::SyncTick { replica } => {
                self.queue.push(now + 1_000, Event::SyncTick { replica });
                let Slot::Up(r) = &self.slots[replica] else {
                    return;
                };
                let height = r.height();
                let n = self.config.replicas;
                let peer = (replica + 1 + self.rng.gen_range(0..n - 1)) % n;
                self.send(replica, peer, &NetMsg::SyncRequest(height), now);
            }
            Event::Submit { replica, msg } => {
                let label = describe(&msg);
                let Slot::Up(r) = &mut self.slots[replica] else {
                    self.log(now, &format!("submit r{replica} {label} (down)"));
                    return;
                };
                let outs = r.deliver(replica, msg.clone(), now);
                self.log(now, &format!("submit r{replica} {label}"));
                self.act(replica, now, outs);
                self.broadcast(replica, &msg, now);
            }
        }
    }

    /// R461: a crash loses the replica's memory; only its disk stays. At most one replica is
    /// down at a time (f = 1 of 4).
    fn crash(&mut self, replica: usize, now: u64) {
        if self.slots.iter().any(|s| matches!(s, Slot::Down(_))) {
            self.log(now, &format!("crash r{replica} skipped (another is down)"));
            return;
        }
        let slot = std::mem::replace(&mut self.slots[replica], Slot::Empty);
        let Slot::Up(r) = slot else {
            self.slots[replica] = slot;
            return;
        };
        self.incarnations[replica] += 1;
        self.slots[replica] = Slot::Down(r.crash());
        let down = self
            .rng
            .gen_range(200..=self.config.faults.max_down_ms.max(200));
        self.log(now, &format!("crash r{replica} for {down} ms"));
        self.queue.push(now + down, Event::Restart { replica });
    }

    fn act(&mut self, from: usize, now: u64, outs: Vec<Out>) {
        for out in outs {
            match out {
                Out::Broadcast(msg) => self.broadcast(from, &msg, now),
                Out::Send(to, msg) => self.send(from, to, &msg, now),
                Out::Timer(timeout, after, id) => {
                    let at = now + u64::try_from(after.as_millis()).unwrap_or(u64::MAX / 2);
                    let incarnation = self.incarnations[from];
                    self.queue.push(
                        at,
                        Event::Timer {
                            replica: from,
                            incarnation,
                            timeout,
                            id,
                        },
                    );
                }
                Out::Decided(height, hash, root) => {
                    self.log(
                        now,
                        &format!("decided r{from} h{height} {hash} root {root}"),
                    );
                }
                Out::Note(text) => self.log(now, &format!("note r{from} {text}")),
            }
        }
    }

    fn broadcast(&mut self, from: usize, msg: &NetMsg, now: u64) {
        for to in 0..self.config.replicas {
            if to != from {
                self.send(from, to, msg, now);
            }
        }
    }

    fn send(&mut self, from: usize, to: usize, msg: &NetMsg, now: u64) {
        let faults = if now > self.config.duration_ms {
            Faults {
                loss_per_mille: 0,
                duplicate_per_mille: 0,
                ..self.config.faults
            }
        } else {
            self.config.faults
        };
        match fate(&mut self.rng, &faults, now) {
            Fate::Lost => {
                let label = describe(msg);
                self.log(now, &format!("drop {from}->{to} {label}"));
            }
            Fate::Delivered(times) => {
                for at in times {
                    let msg = msg.clone();
                    self.queue.push(at, Event::Deliver { from, to, msg });
                }
            }
        }
    }

    /// The faults stop at `now`: replicas still down restart (their disks are checked too).
    /// Returns the highest height any replica reached under faults.
    fn heal(&mut self, now: u64) -> u64 {
        self.log(now, "faults stop");
        let top = self
            .slots
            .iter()
            .filter_map(|slot| match slot {
                Slot::Up(r) => Some(r.ledger().head().height),
                Slot::Down(disk) => Some(disk.ledger.head().height),
                Slot::Empty => None,
            })
            .max()
            .unwrap_or(0);
        for i in 0..self.slots.len() {
            if matches!(self.slots[i], Slot::Down(_)) {
                self.step(now, Event::Restart { replica: i });
            }
        }
        top
    }

    /// Checks the chains; after healing, every replica must have decided past `top` (R463).
    fn finish(self, top: u64) -> SimReport {
        let min_height = if self.config.heal_ms > 0 {
            self.config.min_height.max(top + 1)
        } else {
            self.config.min_height
        };
        let mut chains = Vec::new();
        let mut heads = Vec::new();
        for slot in &self.slots {
            if let Slot::Up(r) = slot {
                chains.push(check::chain_of(r.ledger()));
                let head = r.ledger().head();
                heads.push((head.height, head.state_root));
            }
        }
        let violations = check::violations(&chains, min_height);
        let mut hasher = Sha256::new();
        for line in &self.trace {
            hasher.update(line.as_bytes());
            hasher.update(b"\n");
        }
        SimReport {
            trace_hash: hasher.finalize().into(),
            trace: self.trace,
            chains,
            heads,
            violations,
        }
    }
}

/// A short, stable label of a message for the trace.
fn describe(msg: &NetMsg) -> String {
    use malachite::app::consensus::{LivenessMsg, SignedConsensusMsg};
    use malachite::app::streaming::StreamContent;
    match msg {
        NetMsg::Consensus(SignedConsensusMsg::Vote(v)) | NetMsg::Liveness(LivenessMsg::Vote(v)) => {
            let m = &v.message;
            format!(
                "{:?} h{} r{} {:?}",
                m.vote_type, m.height.0, m.round, m.value
            )
        }
        NetMsg::Consensus(SignedConsensusMsg::Proposal(p)) => {
            let m = &p.message;
            format!("proposal h{} r{} {}", m.height.0, m.round, m.value.id)
        }
        NetMsg::Liveness(LivenessMsg::PolkaCertificate(c)) => {
            format!("polka h{} r{}", c.height.0, c.round)
        }
        NetMsg::Liveness(LivenessMsg::SkipRoundCertificate(c)) => {
            format!("round-cert h{} r{}", c.height.0, c.round)
        }
        NetMsg::Part(p) => {
            let kind = match &p.content {
                StreamContent::Data(_) => "data",
                StreamContent::Fin => "fin",
            };
            format!(
                "part {} #{} {kind}",
                hex_of(&p.stream_id.to_bytes()),
                p.sequence
            )
        }
        NetMsg::Entry(e) => format!(
            "entry {}#{}",
            hex_of(&e.entry().signer.0[..4]),
            e.entry().sequence
        ),
        NetMsg::SyncRequest(h) => format!("sync-request h{h}"),
        NetMsg::SyncResponse(v) => format!("sync-response {} values", v.len()),
    }
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
