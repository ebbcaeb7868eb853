//! Proposal parts: a block streamed in parts comes back whole, in any order; malformed or
//! oversized streams are dropped, never a panic; only validators' parts for the current or
//! next height are buffered, each publisher within its budget (R190, R191, R193).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

use ebl_ledger::crypto::PublicKey;
use ebl_ledger::identity::{Validator as LedgerValidator, ValidatorSet as LedgerValidators};
use ebl_ledger::ids::OrgId;
use ebl_node::consensus::intake::{IntakeRules, Publishers, peer_id_bytes};
use ebl_node::consensus::parts::{
    MAX_CHUNK, MAX_STREAMS_PER_PUBLISHER, PartBuffer, PartInit, ProposalPart, StreamError,
    stream_id, stream_messages,
};
use ebl_node::consensus::scheme::ConsensusSignature;
use ebl_node::consensus::validators::ValidatorSet;
use ebl_node::consensus::{Address, BlockId, Height};
use malachite::app::streaming::{StreamContent, StreamMessage};
use malachite::app::types::PeerId;
use malachite::app::types::core::Round;

fn key(i: u8) -> [u8; 32] {
    ed25519_dalek::SigningKey::from_bytes(&[i; 32])
        .verifying_key()
        .to_bytes()
}

fn validators() -> ValidatorSet {
    let validators = (1..=4)
        .map(|i| LedgerValidator {
            key: PublicKey(key(i)),
            operator: OrgId("OP".into()),
            power: 10,
        })
        .collect();
    ValidatorSet::from_ledger(&LedgerValidators { validators }).unwrap()
}

/// The state these parts are judged against: height 3, round 1, the four validators.
struct World {
    validators: ValidatorSet,
    publishers: Publishers,
    cap: u64,
}

impl World {
    fn new(cap: u64) -> Self {
        let validators = validators();
        let publishers = Publishers::of(validators.validators.iter().map(|v| v.address));
        World {
            validators,
            publishers,
            cap,
        }
    }

    fn rules(&self) -> IntakeRules<'_> {
        IntakeRules {
            height: Height(3),
            round: Round::new(1),
            validators: &self.validators,
            publishers: &self.publishers,
            max_block_bytes: self.cap,
        }
    }

    /// The validator designated for round 1 of height 3: index (3 + 1) mod 4 = 0.
    fn owner(&self) -> Address {
        self.validators.validators[0].address
    }
}

fn init_for(proposer: Address, height: u64, round: u32, len: usize) -> PartInit {
    PartInit {
        height: Height(height),
        round: Round::new(round),
        pol_round: Round::Nil,
        proposer,
        block_id: BlockId([9; 32]),
        block_len: len as u64,
    }
}

fn peer_of(address: Address) -> PeerId {
    PeerId::from_bytes(&peer_id_bytes(address).unwrap()).unwrap()
}

/// A validator's peer (the round's owner).
fn peer(w: &World) -> PeerId {
    peer_of(w.owner())
}

fn sig() -> ConsensusSignature {
    ConsensusSignature(malachite_ed25519::Signature::from_bytes([1; 64]))
}

#[test]
fn a_streamed_block_is_reassembled_from_parts_in_any_order() {
    let w = World::new(16 << 20);
    let bytes: Vec<u8> = (0..(2 * MAX_CHUNK + 17)).map(|i| (i % 251) as u8).collect();
    let init = init_for(w.owner(), 3, 1, bytes.len());
    let mut messages = stream_messages(init.clone(), &bytes, sig());
    assert_eq!(messages.len(), 1 + 3 + 1 + 1);
    messages.reverse();
    let mut buffer = PartBuffer::default();
    let mut done = None;
    for m in messages {
        if let Some(p) = buffer.insert(peer(&w), m, &w.rules()).unwrap() {
            done = Some(p);
        }
    }
    let done = done.expect("complete");
    assert_eq!(done.block_bytes, bytes);
    assert_eq!(done.init, init);
    assert_eq!(done.publisher, Some(w.owner()));
    assert!(buffer.is_empty());
}

#[test]
fn a_stream_without_init_first_is_dropped() {
    let w = World::new(16 << 20);
    let mut messages = stream_messages(init_for(w.owner(), 3, 1, 3), &[1, 2, 3], sig());
    // Swap init and data.
    let first = messages[0].content.clone();
    messages[0].content = messages[1].content.clone();
    messages[1].content = first;
    let mut buffer = PartBuffer::default();
    let results: Vec<_> = messages
        .into_iter()
        .map(|m| buffer.insert(peer(&w), m, &w.rules()))
        .collect();
    assert!(matches!(
        results.last(),
        Some(Err(StreamError::Malformed(_)))
    ));
    assert!(buffer.is_empty());
}

#[test]
fn an_oversized_chunk_or_sequence_is_refused() {
    let w = World::new(16 << 20);
    let id = stream_id(Height(3), Round::new(1));
    let mut buffer = PartBuffer::default();
    let big = StreamMessage::new(
        id.clone(),
        1,
        StreamContent::Data(ProposalPart::Data(vec![0; MAX_CHUNK + 1])),
    );
    assert_eq!(
        buffer.insert(peer(&w), big, &w.rules()),
        Err(StreamError::TooLarge)
    );
    let far = StreamMessage::new(id, u64::MAX, StreamContent::Fin);
    assert_eq!(
        buffer.insert(peer(&w), far, &w.rules()),
        Err(StreamError::TooLarge)
    );
}

#[test]
fn a_length_that_differs_from_the_init_is_refused() {
    let w = World::new(16 << 20);
    let messages = stream_messages(init_for(w.owner(), 3, 1, 10), &[1, 2, 3], sig());
    let mut buffer = PartBuffer::default();
    let last = messages
        .into_iter()
        .map(|m| buffer.insert(peer(&w), m, &w.rules()))
        .last();
    assert!(matches!(last, Some(Err(StreamError::Malformed(_)))));
}

#[test]
fn r193_a_member_that_is_not_a_validator_buffers_nothing() {
    let w = World::new(16 << 20);
    let member = peer_of(Address(key(77)));
    let mut buffer = PartBuffer::default();
    for m in stream_messages(init_for(w.owner(), 3, 1, 3), &[1, 2, 3], sig()) {
        assert_eq!(
            buffer.insert(member, m, &w.rules()),
            Err(StreamError::NotAValidator)
        );
    }
    assert!(buffer.is_empty());
    assert_eq!(buffer.bytes(), 0);
}

#[test]
fn r193_far_future_heights_are_dropped_before_buffering() {
    let w = World::new(16 << 20);
    let mut buffer = PartBuffer::default();
    for height in [5, 1_003, u64::MAX] {
        let data = StreamMessage::new(
            stream_id(Height(height), Round::new(0)),
            1,
            StreamContent::Data(ProposalPart::Data(vec![7; MAX_CHUNK])),
        );
        assert_eq!(
            buffer.insert(peer(&w), data, &w.rules()),
            Err(StreamError::HeightOutOfWindow)
        );
    }
    assert!(buffer.is_empty());
    // The next height is taken (its proposer is judged when it starts).
    let next = StreamMessage::new(
        stream_id(Height(4), Round::new(0)),
        1,
        StreamContent::Data(ProposalPart::Data(vec![7; 10])),
    );
    assert_eq!(buffer.insert(peer(&w), next, &w.rules()), Ok(None));
    assert_eq!(buffer.len(), 1);
}

#[test]
fn r190_r191_an_init_from_another_proposer_or_over_the_cap_drops_the_stream() {
    let w = World::new(1_000);
    let mut buffer = PartBuffer::default();
    let id = stream_id(Height(3), Round::new(1));
    let data = || {
        StreamMessage::new(
            id.clone(),
            1,
            StreamContent::Data(ProposalPart::Data(vec![1; 100])),
        )
    };
    assert_eq!(buffer.insert(peer(&w), data(), &w.rules()), Ok(None));
    let not_owner = w.validators.validators[2].address;
    let init = StreamMessage::new(
        id.clone(),
        0,
        StreamContent::Data(ProposalPart::Init(init_for(not_owner, 3, 1, 100))),
    );
    assert_eq!(
        buffer.insert(peer(&w), init, &w.rules()),
        Err(StreamError::NotDesignated)
    );
    assert!(buffer.is_empty(), "the stream's data went with it");
    assert_eq!(buffer.insert(peer(&w), data(), &w.rules()), Ok(None));
    let over = StreamMessage::new(
        id,
        0,
        StreamContent::Data(ProposalPart::Init(init_for(w.owner(), 3, 1, 1_001))),
    );
    assert_eq!(
        buffer.insert(peer(&w), over, &w.rules()),
        Err(StreamError::OverCap)
    );
    assert!(buffer.is_empty());
}

#[test]
fn r193_a_publisher_is_bounded_in_bytes_and_in_streams() {
    let w = World::new(1_000);
    let mut buffer = PartBuffer::default();
    let chunk = |round: u32, seq: u64, len: usize| {
        StreamMessage::new(
            stream_id(Height(3), Round::new(round)),
            seq,
            StreamContent::Data(ProposalPart::Data(vec![1; len])),
        )
    };
    // Budget: 2 × 1,000 bytes across the publisher's streams.
    assert_eq!(
        buffer.insert(peer(&w), chunk(0, 1, 900), &w.rules()),
        Ok(None)
    );
    assert_eq!(
        buffer.insert(peer(&w), chunk(1, 1, 900), &w.rules()),
        Ok(None)
    );
    assert_eq!(
        buffer.insert(peer(&w), chunk(2, 1, 300), &w.rules()),
        Err(StreamError::OverBudget)
    );
    assert_eq!(buffer.bytes(), 1_800);
    // One stream never holds more than the cap.
    assert_eq!(
        buffer.insert(peer(&w), chunk(0, 2, 200), &w.rules()),
        Err(StreamError::TooLarge)
    );
    // Streams: a fifth stream of one publisher pushes out its oldest.
    let mut buffer = PartBuffer::default();
    for round in 0..=MAX_STREAMS_PER_PUBLISHER as u32 {
        assert_eq!(
            buffer.insert(peer(&w), chunk(round, 1, 10), &w.rules()),
            Ok(None)
        );
    }
    assert_eq!(buffer.len(), MAX_STREAMS_PER_PUBLISHER);
    // Another validator's streams are not touched by it.
    let other = peer_of(w.validators.validators[1].address);
    assert_eq!(buffer.insert(other, chunk(0, 1, 10), &w.rules()), Ok(None));
    assert_eq!(buffer.len(), MAX_STREAMS_PER_PUBLISHER + 1);
    // After the validator set changes, a former validator's streams are pruned.
    let fewer = Publishers::of([w.validators.validators[1].address]);
    buffer.prune(Height(3), &fewer);
    assert_eq!(buffer.len(), 1);
    buffer.prune(Height(4), &fewer);
    assert!(buffer.is_empty());
}
