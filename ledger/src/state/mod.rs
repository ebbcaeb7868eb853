//! State access for rules: keys, overlays, the per-entry context and the authenticated tree.

pub mod keys;
mod overlay;
mod read_cache;
pub mod tree;

pub use overlay::{EmptyState, Overlay, StateReader, WriteSet};
pub use read_cache::{ReadCache, RememberedReads};

use crate::crypto::PublicKey;
use crate::entry::ChainRef;
use crate::hash::EntryId;
use crate::ids::OrgId;
use crate::time::Timestamp;

/// Everything a rule may look at while it checks and applies one entry: the state as changed by
/// earlier entries of the same block (R15), and the facts of the entry and its block. No clock,
/// no randomness: time is the block time (R6).
#[derive(Debug)]
pub struct EntryContext<'a> {
    /// State, with this entry's own writes staged on top.
    pub state: Overlay<'a>,
    /// The network.
    pub chain: &'a ChainRef,
    /// Height of the block being executed.
    pub height: u64,
    /// Block time.
    pub time: Timestamp,
    /// Id of the entry.
    pub entry_id: EntryId,
    /// Signing key of the entry.
    pub signer: PublicKey,
    /// The party the signer claims to act for, if not its own organisation.
    pub act_for: Option<OrgId>,
}
