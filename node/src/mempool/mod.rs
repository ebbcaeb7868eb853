//! The mempool: a bounded, deduplicated pool of signed entries, ordered per signer sequence,
//! batch-verified before admission (specs/protocol.md, R100–R109).
//!
//! # Design
//!
//! Pure and deterministic (R109): no clock, no I/O, no async, no randomness, only `BTreeMap`s.
//! The node's mempool task owns one [`Mempool`] and feeds it three inputs:
//!
//! - [`Mempool::admit`] with entries from clients or peers → one [`Admission`] per entry;
//! - [`Mempool::reap`] when proposing → the entries of the next block, in an order that executes
//!   ([`Mempool::reap_standing`] also drops the entries whose standing is gone, R182);
//! - [`Mempool::on_block_committed`] after each block → [`Notification`]s for the gateway
//!   (final / rejected), and the pool pruned of everything the block decided.
//!
//! "Earlier" means "admitted earlier" (an admission counter), never a wall-clock time, so two
//! nodes given the same calls hold the same pool and reap the same block.
//!
//! The ledger stays the judge: the pool only filters what can never execute (bad envelope, bad
//! signature, used or far-away sequence). Execution re-checks everything (R3, R14).
//!
//! # Example
//!
//! ```
//! use std::collections::BTreeMap;
//! use ebl_ledger::crypto::PublicKey;
//! use ebl_ledger::hash::Hash32;
//! use ebl_node::mempool::{Mempool, MempoolConfig};
//!
//! let chain = ebl_ledger::entry::ChainRef { chain_id: "ebl-test-1".into(), genesis_hash: Hash32::ZERO };
//! let pool = Mempool::new(chain, MempoolConfig::default());
//! let ledger_view: BTreeMap<PublicKey, u64> = BTreeMap::new();
//! assert!(pool.reap(100, 1 << 20, &ledger_view).is_empty());
//! assert_eq!((pool.len(), pool.bytes(), pool.signers()), (0, 0, 0));
//! ```

mod admit;
mod commit;
mod evict;
mod queue;
mod reap;
mod shared;
mod types;

use std::collections::BTreeMap;

use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::{ChainRef, SignedEntry};
use ebl_ledger::hash::EntryId;

use queue::{Pooled, SignerQueue};
pub use reap::StandingView;
pub use shared::PooledIds;
pub use types::{
    Admission, MEMPOOL_FULL, MempoolConfig, Notification, SEQUENCE_CONFLICT, SequenceView,
    SignatureCheck, Status,
};

/// The pool. See the [module documentation](self).
#[derive(Debug, Clone)]
pub struct Mempool {
    chain: ChainRef,
    config: MempoolConfig,
    /// Entries per signer, by sequence.
    queues: BTreeMap<PublicKey, SignerQueue>,
    /// Where each pooled entry is: the dedup index (R103).
    index: BTreeMap<EntryId, (PublicKey, u64)>,
    /// Sum of the pooled entries' sizes.
    bytes: usize,
    /// Admission counter (R107 interleaving, R106 tie-break).
    arrivals: u64,
    /// Entries that left the pool other than by a block's decision (evicted, R106; dropped
    /// at reap for lost standing, R182) since the last [`Mempool::take_evicted`].
    evicted: Vec<Notification>,
    /// R183: the pooled ids, mirrored for readers off the owning task.
    mirror: shared::Mirror,
    /// Entries whose signatures this pool checked itself (not known verified, R155).
    signature_checks: u64,
}

impl Mempool {
    /// An empty pool for entries of `chain` (R101), with `config`'s bounds (R100).
    pub fn new(chain: ChainRef, config: MempoolConfig) -> Self {
        Mempool {
            chain,
            config,
            queues: BTreeMap::new(),
            index: BTreeMap::new(),
            bytes: 0,
            arrivals: 0,
            evicted: Vec::new(),
            mirror: shared::Mirror::default(),
            signature_checks: 0,
        }
    }

    /// R183: the pooled ids as a set other tasks can read; from now on every change of the
    /// pool is mirrored into it. Bounded like the pool (R100).
    pub fn share_ids(&mut self) -> PooledIds {
        self.mirror.start(self.index.keys().copied())
    }

    /// How many entries' signatures this pool has checked itself (those not already verified
    /// by the node's intake, R155), since it was created.
    pub fn signature_checks(&self) -> u64 {
        self.signature_checks
    }

    /// The bounds in force.
    pub fn config(&self) -> &MempoolConfig {
        &self.config
    }

    /// Number of pooled entries.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// `true` when nothing is pooled.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Bytes held (canonical encodings of the pooled signed entries).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Number of signers with at least one pooled entry.
    pub fn signers(&self) -> usize {
        self.queues.len()
    }

    /// Whether an entry with this id is pooled.
    pub fn contains(&self, id: &EntryId) -> bool {
        self.index.contains_key(id)
    }

    /// The pooled entry with this id.
    pub fn get(&self, id: &EntryId) -> Option<&SignedEntry> {
        let (signer, seq) = self.index.get(id)?;
        Some(&self.queues.get(signer)?.entries.get(seq)?.entry)
    }

    /// Every pooled entry id, by signer then sequence: a canonical picture of the pool, e.g. to
    /// check that two pools fed the same inputs agree.
    pub fn ids(&self) -> Vec<EntryId> {
        self.queues
            .values()
            .flat_map(|q| q.entries.values().map(|p| p.id))
            .collect()
    }

    /// Notifications of the entries that left the pool since the last call without a block
    /// deciding them: evicted (R106) or dropped at reap for lost standing (R182), in order.
    pub fn take_evicted(&mut self) -> Vec<Notification> {
        std::mem::take(&mut self.evicted)
    }

    /// Puts an entry in its signer's queue. The caller has checked that its slot is free.
    fn insert(&mut self, entry: SignedEntry, id: EntryId, size: usize) {
        let signer = entry.entry().signer;
        let seq = entry.entry().sequence;
        let arrival = self.arrivals;
        self.arrivals = self.arrivals.saturating_add(1);
        self.index.insert(id, (signer, seq));
        self.mirror.insert(id);
        self.bytes = self.bytes.saturating_add(size);
        self.queues.entry(signer).or_default().entries.insert(
            seq,
            Pooled {
                entry,
                id,
                size,
                arrival,
            },
        );
    }

    /// Takes an entry out of the pool, dropping its signer's queue when it empties.
    fn remove(&mut self, signer: &PublicKey, seq: u64) -> Option<Pooled> {
        let queue = self.queues.get_mut(signer)?;
        let pooled = queue.entries.remove(&seq)?;
        if queue.entries.is_empty() {
            self.queues.remove(signer);
        }
        self.index.remove(&pooled.id);
        self.mirror.remove(&pooled.id);
        self.bytes = self.bytes.saturating_sub(pooled.size);
        Some(pooled)
    }
}
