//! Judging the entries of a gossiped message (R112–R113): known signer, mempool admission, and
//! the verdict on each (forward, drop, or drop and penalise the sender); decoding and the
//! message's verdict are in [`super::batch`].

use ebl_ledger::Ledger;
use ebl_ledger::entry::SignedEntry;
use ebl_ledger::error::StorageError;
use ebl_ledger::identity::ValidatorSet;
use ebl_ledger::state::keys;
use ebl_ledger::storage::Storage;
use libp2p::gossipsub::MessageAcceptance;

use crate::mempool::{Admission, MEMPOOL_FULL, SEQUENCE_CONFLICT};

/// Code of a gossiped entry whose signer the ledger does not know (R112).
pub const UNKNOWN_SIGNER: &str = "UNKNOWN_SIGNER";

/// What became of one gossiped message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Pooled: forward it (gossipsub `Accept`).
    Accept,
    /// Not pooled, and not the sender's fault (already pooled, a sequence race, a full pool, a
    /// busy node): drop it without penalty (gossipsub `Ignore`).
    Ignore(&'static str),
    /// Invalid whatever the state (undecodable, oversized, bad envelope or signature, unknown
    /// signer): drop it and penalise the sender (gossipsub `Reject`, R114).
    Reject(String),
}

impl Verdict {
    /// The gossipsub acceptance for this verdict.
    pub fn acceptance(&self) -> MessageAcceptance {
        match self {
            Verdict::Accept => MessageAcceptance::Accept,
            Verdict::Ignore(_) => MessageAcceptance::Ignore,
            Verdict::Reject(_) => MessageAcceptance::Reject,
        }
    }

    /// A short label for logs and metrics.
    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Accept => "accept",
            Verdict::Ignore(_) => "ignore",
            Verdict::Reject(_) => "reject",
        }
    }
}

/// R112: the ledger must know the signer: an organisation key or a validator key. An entry
/// acting for an organisation is let through to execution, which checks the grant (R26).
pub fn signer_is_known<S: Storage>(
    ledger: &Ledger<S>,
    entry: &SignedEntry,
) -> Result<bool, StorageError> {
    signer_is_known_by(|key| ledger.store().get(key), entry)
}

/// R156: [`signer_is_known`] over raw reads of the committed state (`get` answers a record's bytes),
/// so gossip can judge an entry without a round trip through the consensus task (ADR 0021).
pub fn signer_is_known_by(
    get: impl Fn(&[u8]) -> Result<Option<Vec<u8>>, StorageError>,
    entry: &SignedEntry,
) -> Result<bool, StorageError> {
    if entry.entry.act_for.is_some() {
        return Ok(true);
    }
    let signer = &entry.entry.signer;
    if get(&keys::organisation_key(signer))?.is_some() {
        return Ok(true);
    }
    let Some(bytes) = get(&keys::validators())? else {
        return Ok(false);
    };
    let set: ValidatorSet = ebl_ledger::codec::decode_stored(&bytes)
        .map_err(|e| StorageError(format!("corrupt validator set: {e}")))?;
    Ok(set.validators.iter().any(|v| v.key == *signer))
}

/// R113: the verdict on a mempool answer. Codes that depend on this node's state or timing
/// (sequence window, slot taken, pool full) are ignored: an honest peer can cause them.
pub fn verdict_of(admission: &Admission) -> Verdict {
    match admission {
        Admission::Admitted { .. } => Verdict::Accept,
        Admission::Duplicate { .. } => Verdict::Ignore("DUPLICATE"),
        Admission::Rejected { code, .. } => match *code {
            "REPLAY" | "SEQUENCE_GAP" | SEQUENCE_CONFLICT | MEMPOOL_FULL => Verdict::Ignore(code),
            other => Verdict::Reject(other.to_string()),
        },
    }
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
