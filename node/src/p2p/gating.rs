//! Who may connect to the gossip swarm, decided from ledger state (R116, R117).
//!
//! The gossip identity of a node is an Ed25519 key the ledger knows: a validator's consensus
//! key, or the key of an active member organisation (specs/adr/0011-entry-gossip-and-gating.md).

use std::collections::BTreeSet;

use ebl_ledger::Ledger;
use ebl_ledger::crypto::PublicKey;
use ebl_ledger::error::StorageError;
use ebl_ledger::identity::{Organisation, ValidatorSet};
use ebl_ledger::state::keys;
use ebl_ledger::storage::Storage;
use libp2p::PeerId;
use libp2p::identity::{self, ed25519};

/// R116: the keys allowed on the gossip swarm at the ledger's head: the current validators'
/// consensus keys and the keys of organisations that are active at the head's block time
/// (admitted, not revoked, certificate valid).
pub fn allowed_keys<S: Storage>(ledger: &Ledger<S>) -> Result<BTreeSet<PublicKey>, StorageError> {
    let mut allowed = BTreeSet::new();
    if let Some(set) = ledger.get::<ValidatorSet>(&keys::validators())? {
        allowed.extend(set.validators.iter().map(|v| v.key));
    }
    let time = ledger.head().time;
    for (_, value) in ledger
        .store()
        .scan_prefix(&keys::organisation_prefix(), usize::MAX)?
    {
        let org: Organisation = ebl_ledger::codec::decode_stored(&value)
            .map_err(|e| StorageError::Failed(format!("corrupt organisation record: {e}")))?;
        if org.check_active(time).is_ok() {
            allowed.insert(org.key);
        }
    }
    Ok(allowed)
}

/// The libp2p peer id of an Ed25519 ledger key (`None` for bytes that are not a valid point).
pub fn peer_id_of(key: &PublicKey) -> Option<PeerId> {
    let public = ed25519::PublicKey::try_from_bytes(&key.0).ok()?;
    Some(identity::PublicKey::from(public).to_peer_id())
}

/// [`allowed_keys`] as peer ids.
pub fn allowed_peers(keys: &BTreeSet<PublicKey>) -> BTreeSet<PeerId> {
    keys.iter().filter_map(peer_id_of).collect()
}

/// What changes in the allow list when the allowed set goes from `old` to `new`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GateChange {
    /// Newly allowed.
    pub allow: Vec<PeerId>,
    /// No longer allowed: to disallow, which closes their connections (R117).
    pub disallow: Vec<PeerId>,
}

/// The difference between two allowed sets.
pub fn gate_change(old: &BTreeSet<PeerId>, new: &BTreeSet<PeerId>) -> GateChange {
    GateChange {
        allow: new.difference(old).copied().collect(),
        disallow: old.difference(new).copied().collect(),
    }
}

#[cfg(test)]
#[path = "gating_tests.rs"]
mod tests;
