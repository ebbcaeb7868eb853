//! Protocol versions: which rules made a block, and how a running network moves to new rules
//! (specs/protocol.md R410–R417, ADR 0046).
//!
//! # Design
//!
//! Every block header names the protocol version its block was made under (R410). The version
//! in force at a height is a pure function of state (R411): the genesis version, replaced at
//! the activation height of an upgrade that governance scheduled (R413). So every node agrees
//! on it from the chain alone, whatever build it runs.
//!
//! A build implements a range of versions ([`KnownVersions::BUILD`]). Whether a node can go on
//! is the only build-dependent question, and it is asked outside execution (R414): a node
//! whose next height needs a version it does not implement stops with an error that names the
//! version and the height, instead of executing under rules it does not know and forking.
//! Operators therefore roll the new build onto every validator while the old version is still
//! in force (the new build implements both), then schedule the switch (OPERATIONS.md).

use std::fmt;

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::codec;
use crate::error::{RuleError, StorageError};
use crate::state::{Overlay, StateReader, keys};

/// The newest protocol version this build implements.
pub const PROTOCOL_VERSION: u32 = 1;

/// The version of a genesis document that does not name one (every network before R410).
pub const FIRST_PROTOCOL_VERSION: u32 = 1;

/// R412: the largest version a genesis or an upgrade proposal may name.
pub const MAX_PROTOCOL_VERSION: u32 = 65_535;

/// R413: the furthest ahead an upgrade may be scheduled, in blocks (about 11 days at 1 s).
pub const MAX_UPGRADE_LEAD_BLOCKS: u64 = 1_000_000;

/// An upgrade governance has scheduled and that has not activated yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct ScheduledUpgrade {
    /// The version blocks carry from the activation height on.
    pub version: u32,
    /// The first height made under `version`.
    pub activation_height: u64,
}

/// R411: the version in force and the upgrade pending, kept in state (`chain/protocol`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct ProtocolSchedule {
    /// The version of the latest block.
    pub active: u32,
    /// The next version and when it starts, if governance scheduled one.
    pub upgrade: Option<ScheduledUpgrade>,
}

impl ProtocolSchedule {
    /// A network that starts at `version` with nothing scheduled.
    pub fn starting_at(version: u32) -> Self {
        ProtocolSchedule {
            active: version,
            upgrade: None,
        }
    }

    /// R411: the version of the block at `height`.
    pub fn version_at(&self, height: u64) -> u32 {
        match self.upgrade {
            Some(up) if height >= up.activation_height => up.version,
            _ => self.active,
        }
    }

    /// The schedule once the block at `height` is applied: an upgrade that activates at or
    /// before it becomes the active version.
    pub fn after(&self, height: u64) -> Self {
        match self.upgrade {
            Some(up) if height >= up.activation_height => ProtocolSchedule::starting_at(up.version),
            _ => *self,
        }
    }

    /// The schedule kept in `state`. A state without one (a chain from before R410) runs
    /// [`FIRST_PROTOCOL_VERSION`], the same on every node.
    pub fn read(state: &impl StateReader) -> Result<Self, StorageError> {
        match state.get(&keys::protocol_schedule())? {
            None => Ok(ProtocolSchedule::starting_at(FIRST_PROTOCOL_VERSION)),
            Some(bytes) => codec::decode_stored(&bytes)
                .map_err(|e| StorageError::Failed(format!("corrupt protocol schedule: {e}"))),
        }
    }

    /// Stages the schedule.
    pub fn store(&self, state: &mut Overlay<'_>) {
        state.put(keys::protocol_schedule(), self);
    }
}

/// R412: a version named by a genesis or a proposal is between 1 and [`MAX_PROTOCOL_VERSION`].
pub fn check_version(field: &'static str, version: u32) -> Result<(), RuleError> {
    if version == 0 || version > MAX_PROTOCOL_VERSION {
        return Err(RuleError::invalid(
            field,
            format!("a protocol version is 1 to {MAX_PROTOCOL_VERSION}"),
        ));
    }
    Ok(())
}

/// R413: applies an approved upgrade proposal at `height`: a version newer than the one in
/// force, activating at a later block, at most [`MAX_UPGRADE_LEAD_BLOCKS`] ahead. It replaces
/// any upgrade still pending, so governance can postpone or retarget one before it activates.
pub fn schedule_upgrade(
    state: &mut Overlay<'_>,
    version: u32,
    activation_height: u64,
    height: u64,
) -> Result<(), crate::error::ExecError> {
    let schedule = ProtocolSchedule::read(state)?;
    let current = schedule.version_at(height);
    if version <= current {
        return Err(RuleError::invalid(
            "version",
            format!("must be newer than the version in force ({current})"),
        )
        .into());
    }
    if activation_height <= height
        || activation_height > height.saturating_add(MAX_UPGRADE_LEAD_BLOCKS)
    {
        return Err(RuleError::invalid(
            "activation_height",
            format!("must be 1 to {MAX_UPGRADE_LEAD_BLOCKS} blocks after the current height"),
        )
        .into());
    }
    ProtocolSchedule {
        active: current,
        upgrade: Some(ScheduledUpgrade {
            version,
            activation_height,
        }),
    }
    .store(state);
    Ok(())
}

/// The protocol versions a build implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownVersions {
    /// Oldest implemented version.
    pub oldest: u32,
    /// Newest implemented version.
    pub newest: u32,
}

impl KnownVersions {
    /// What this build implements.
    pub const BUILD: KnownVersions = KnownVersions {
        oldest: FIRST_PROTOCOL_VERSION,
        newest: PROTOCOL_VERSION,
    };

    /// Whether `version` is implemented.
    pub fn contains(&self, version: u32) -> bool {
        (self.oldest..=self.newest).contains(&version)
    }

    /// R414: `Ok` when this build can make or check the block at `height` of a chain whose
    /// schedule is `schedule`.
    pub fn check(
        &self,
        schedule: &ProtocolSchedule,
        height: u64,
    ) -> Result<(), UnsupportedVersion> {
        let version = schedule.version_at(height);
        if self.contains(version) {
            Ok(())
        } else {
            Err(UnsupportedVersion {
                version,
                height,
                known: *self,
            })
        }
    }
}

impl fmt::Display for KnownVersions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.oldest == self.newest {
            write!(f, "{}", self.oldest)
        } else {
            write!(f, "{} to {}", self.oldest, self.newest)
        }
    }
}

/// R414: the chain needs a protocol version this build does not implement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the network runs protocol version {version} from height {height}, and this build \
     implements version {known}: install a build that implements version {version} \
     (OPERATIONS.md, \"Upgrades\")"
)]
pub struct UnsupportedVersion {
    /// The version the chain needs.
    pub version: u32,
    /// The height that needs it.
    pub height: u64,
    /// What this build implements.
    pub known: KnownVersions,
}

#[cfg(test)]
mod tests;
