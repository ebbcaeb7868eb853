//! R190, R191, R193: which proposal-part messages are buffered at all.
//!
//! Every message is judged before its bytes are kept: by its authenticated publisher (R193:
//! Malachite's `published_by`, the gossipsub source that the message signature authenticates
//! under its `Strict` validation mode; the relaying neighbour `from` is only a hop), by the
//! (height, round) of its stream id (R193: the current height or the next, a bounded round),
//! and for the init part by the proposer it names (R190) and the length it declares (R191).
//! Pure: the caller passes in the state it is judged against.

use std::collections::BTreeMap;

use malachite::app::streaming::StreamId;
use malachite::app::types::PeerId;
use malachite::app::types::core::Round;

use super::context::designated_proposer;
use super::parts::{PartInit, StreamError};
use super::types::{Address, Height};
use super::validators::ValidatorSet;

/// R193: how many rounds past its own a node takes streams for (a proposer cannot make it
/// execute blocks for rounds it will not reach soon).
pub const MAX_ROUNDS_AHEAD: i64 = 8;

/// R193: the publishers whose parts are buffered — the validators of the height in progress
/// and of the next one — by libp2p peer id (derived from the consensus key, R150).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Publishers {
    by_peer: BTreeMap<Vec<u8>, Address>,
}

impl Publishers {
    /// The publishers with these consensus keys (keys that are not Ed25519 points are left
    /// out: such a validator could not sign anyway).
    pub fn of(addresses: impl IntoIterator<Item = Address>) -> Self {
        let mut publishers = Publishers::default();
        publishers.extend(addresses);
        publishers
    }

    /// Adds more consensus keys (a validator set the next height may have).
    pub fn extend(&mut self, addresses: impl IntoIterator<Item = Address>) {
        for address in addresses {
            if let Some(peer) = peer_id_bytes(address) {
                self.by_peer.insert(peer, address);
            }
        }
    }

    /// The consensus key of `peer`, if it may publish parts.
    pub fn address(&self, peer: &PeerId) -> Option<Address> {
        self.by_peer.get(&peer.to_bytes()).copied()
    }

    /// How many publishers are admitted.
    pub fn len(&self) -> usize {
        self.by_peer.len()
    }

    /// `true` when no one is admitted.
    pub fn is_empty(&self) -> bool {
        self.by_peer.is_empty()
    }
}

/// The libp2p peer id bytes of a consensus key (R150).
pub fn peer_id_bytes(address: Address) -> Option<Vec<u8>> {
    let key = libp2p::identity::ed25519::PublicKey::try_from_bytes(&address.0).ok()?;
    Some(
        libp2p::identity::PublicKey::from(key)
            .to_peer_id()
            .to_bytes(),
    )
}

/// The (height, round) a stream id names: 8 bytes of height and 8 of round, big-endian, as
/// [`super::parts::stream_id`] writes them; `None` for any other shape, a nil round or a
/// round past `u32::MAX` (no round can be: `Round::from` asserts it, so such an id from a peer
/// panicked the consensus loop before this check; found by the `proposal_stream` fuzz target).
pub fn stream_slot(id: &StreamId) -> Option<(Height, Round)> {
    let bytes = id.to_bytes();
    if bytes.len() != 16 {
        return None;
    }
    let height = u64::from_be_bytes(bytes.get(..8)?.try_into().ok()?);
    let round = i64::from_be_bytes(bytes.get(8..16)?.try_into().ok()?);
    let round = u32::try_from(round).ok()?;
    Some((Height(height), Round::new(round)))
}

/// What a message is judged against: the state of the height in progress.
#[derive(Debug, Clone, Copy)]
pub struct IntakeRules<'a> {
    /// Height in progress.
    pub height: Height,
    /// Round in progress (nil before the height's first round).
    pub round: Round,
    /// Validators of `height`.
    pub validators: &'a ValidatorSet,
    /// Who may publish (R193).
    pub publishers: &'a Publishers,
    /// R191: the genesis byte cap.
    pub max_block_bytes: u64,
}

impl IntakeRules<'_> {
    /// R193: the consensus key of the publisher, if it may publish parts.
    pub fn publisher(&self, peer: &PeerId) -> Result<Address, StreamError> {
        self.publishers
            .address(peer)
            .ok_or(StreamError::NotAValidator)
    }

    /// R193: the (height, round) of a stream, if it is one this node takes: the height in
    /// progress or the next, and a round at most [`MAX_ROUNDS_AHEAD`] past its own.
    pub fn slot(&self, id: &StreamId) -> Result<(Height, Round), StreamError> {
        let (height, round) = stream_slot(id).ok_or(StreamError::BadStreamId)?;
        let next = Height(self.height.0.saturating_add(1));
        let own = if height == self.height {
            self.round.as_i64().max(0)
        } else if height == next {
            0
        } else {
            return Err(StreamError::HeightOutOfWindow);
        };
        if round.as_i64() > own.saturating_add(MAX_ROUNDS_AHEAD) {
            return Err(StreamError::RoundTooFar);
        }
        Ok((height, round))
    }

    /// The init part of a stream in `slot`: it must name the same height and round (R193),
    /// declare a block within the cap (R191) and, at the height in progress, name the
    /// proposer designated for its round (R190; the next height's set is not known yet, so
    /// such a stream is judged again when its height starts).
    pub fn check_init(&self, slot: (Height, Round), init: &PartInit) -> Result<(), StreamError> {
        if (init.height, init.round) != slot {
            return Err(StreamError::InitMismatch);
        }
        if init.block_len > self.max_block_bytes {
            return Err(StreamError::OverCap);
        }
        if init.height == self.height {
            let designated = designated_proposer(self.validators, init.height, init.round);
            if designated.map(|v| v.address) != Some(init.proposer) {
                return Err(StreamError::NotDesignated);
            }
        }
        Ok(())
    }

    /// R193: bytes one publisher may have buffered at once: two blocks at the cap (a
    /// proposal and a re-proposal in flight).
    pub fn publisher_budget(&self) -> usize {
        usize::try_from(self.max_block_bytes.saturating_mul(2)).unwrap_or(usize::MAX)
    }
}

#[cfg(test)]
#[path = "intake_tests.rs"]
mod tests;
