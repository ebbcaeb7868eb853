//! What the mempool is configured with, what it answers, and what it reads from the ledger.

use std::collections::BTreeMap;

use ebl_ledger::crypto::PublicKey;
use ebl_ledger::hash::EntryId;

/// Code of an entry whose (signer, sequence) slot is already taken by another pooled entry (R105).
pub const SEQUENCE_CONFLICT: &str = "SEQUENCE_CONFLICT";
/// Code of an entry refused, or a pooled entry evicted, because the pool is full (R100, R106).
pub const MEMPOOL_FULL: &str = "MEMPOOL_FULL";

/// The one thing the mempool reads from the ledger: the next sequence number of a signer (R9).
///
/// The node implements it over its [`ebl_ledger::Ledger`] (a storage error there is fatal for
/// the node, so it is the adapter's to handle, not the mempool's).
pub trait SequenceView {
    /// The sequence number the ledger expects next from `key` (0 for a key never seen).
    fn next_sequence(&self, key: &PublicKey) -> u64;
}

/// A plain map is a view too (missing keys are at 0): handy in tests and benchmarks.
impl SequenceView for BTreeMap<PublicKey, u64> {
    fn next_sequence(&self, key: &PublicKey) -> u64 {
        self.get(key).copied().unwrap_or(0)
    }
}

/// How signatures are checked at admission (R102). Both give the R3 verdict on every entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignatureCheck {
    /// One ZIP-215 batch equation over all new entries; one by one only if it fails (R172).
    #[default]
    Batch,
    /// One verification per entry (slower; the benchmark baseline).
    Each,
}

/// Bounds of the pool (R100).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MempoolConfig {
    /// Most entries held at once.
    pub max_entries: usize,
    /// Most bytes (canonical encodings of the signed entries) held at once.
    pub max_bytes: usize,
    /// Most entries held per signer; also the width of the sequence window (R104).
    pub max_per_signer: usize,
    /// Signature check strategy.
    pub signature_check: SignatureCheck,
}

impl Default for MempoolConfig {
    fn default() -> Self {
        MempoolConfig {
            max_entries: 50_000,
            max_bytes: 64 * 1024 * 1024,
            max_per_signer: 1_000,
            signature_check: SignatureCheck::Batch,
        }
    }
}

/// The answer to one offered entry, in the order offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    /// The entry is pooled (ready, or waiting for an earlier sequence number of its signer).
    Admitted {
        /// Entry id.
        id: EntryId,
    },
    /// An entry with this id is already pooled: nothing changed (idempotent submission, R103).
    Duplicate {
        /// Entry id.
        id: EntryId,
    },
    /// The entry is refused.
    Rejected {
        /// Entry id.
        id: EntryId,
        /// Stable code: a ledger `RuleError::code()`, [`SEQUENCE_CONFLICT`] or [`MEMPOOL_FULL`].
        code: &'static str,
    },
}

impl Admission {
    /// The entry id this answer is about.
    pub fn id(&self) -> EntryId {
        match self {
            Admission::Admitted { id }
            | Admission::Duplicate { id }
            | Admission::Rejected { id, .. } => *id,
        }
    }

    /// The rejection code, if rejected.
    pub fn code(&self) -> Option<&'static str> {
        match self {
            Admission::Rejected { code, .. } => Some(code),
            Admission::Admitted { .. } | Admission::Duplicate { .. } => None,
        }
    }
}

/// What became of an entry, for the gateway's subscriptions (R108).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// Entry id.
    pub id: EntryId,
    /// Its fate.
    pub status: Status,
}

/// The fate of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Applied in the block at `height`; final (BFT finality).
    Final {
        /// Block height.
        height: u64,
    },
    /// Decided as failed at `height`: its sequence number is consumed, it can never apply.
    Rejected {
        /// Block height.
        height: u64,
        /// Stable error code from the block result, or `REPLAY` for a stale pooled entry.
        code: String,
    },
    /// Dropped from this node's pool to make room (R106). Not a ledger decision: another node
    /// may still include it, and the client may resubmit it.
    Evicted {
        /// Always [`MEMPOOL_FULL`].
        code: &'static str,
    },
}
