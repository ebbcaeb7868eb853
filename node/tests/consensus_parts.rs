//! Proposal parts: a block streamed in parts comes back whole, in any order; malformed or
//! oversized streams are dropped, never a panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

use ebl_node::consensus::parts::{
    MAX_CHUNK, PartBuffer, PartInit, ProposalPart, StreamError, stream_messages,
};
use ebl_node::consensus::scheme::ConsensusSignature;
use ebl_node::consensus::{Address, BlockId, Height};
use malachite::app::streaming::{StreamContent, StreamMessage};
use malachite::app::types::PeerId;
use malachite::app::types::core::Round;

fn init(len: usize) -> PartInit {
    PartInit {
        height: Height(3),
        round: Round::new(1),
        pol_round: Round::Nil,
        proposer: Address([7; 32]),
        block_id: BlockId([9; 32]),
        block_len: len as u64,
    }
}

fn peer() -> PeerId {
    let key = malachite::app::types::Keypair::ed25519_from_bytes([3u8; 32]).unwrap();
    PeerId::from_bytes(&key.public().to_peer_id().to_bytes()).unwrap()
}

fn sig() -> ConsensusSignature {
    ConsensusSignature(malachite_ed25519::Signature::from_bytes([1; 64]))
}

#[test]
fn a_streamed_block_is_reassembled_from_parts_in_any_order() {
    let bytes: Vec<u8> = (0..(2 * MAX_CHUNK + 17)).map(|i| (i % 251) as u8).collect();
    let mut messages = stream_messages(init(bytes.len()), &bytes, sig());
    assert_eq!(messages.len(), 1 + 3 + 1 + 1);
    messages.reverse();
    let mut buffer = PartBuffer::default();
    let from = peer();
    let mut done = None;
    for m in messages {
        if let Some(p) = buffer.insert(from, m).unwrap() {
            done = Some(p);
        }
    }
    let done = done.expect("complete");
    assert_eq!(done.block_bytes, bytes);
    assert_eq!(done.init, init(bytes.len()));
    assert!(buffer.is_empty());
}

#[test]
fn a_stream_without_init_first_is_dropped() {
    let mut messages = stream_messages(init(3), &[1, 2, 3], sig());
    // Swap init and data.
    let first = messages[0].content.clone();
    messages[0].content = messages[1].content.clone();
    messages[1].content = first;
    let mut buffer = PartBuffer::default();
    let from = peer();
    let results: Vec<_> = messages
        .into_iter()
        .map(|m| buffer.insert(from, m))
        .collect();
    assert!(matches!(
        results.last(),
        Some(Err(StreamError::Malformed(_)))
    ));
    assert!(buffer.is_empty());
}

#[test]
fn an_oversized_chunk_or_sequence_is_refused() {
    let id = ebl_node::consensus::parts::stream_id(Height(1), Round::new(0));
    let mut buffer = PartBuffer::default();
    let big = StreamMessage::new(
        id.clone(),
        1,
        StreamContent::Data(ProposalPart::Data(vec![0; MAX_CHUNK + 1])),
    );
    assert_eq!(buffer.insert(peer(), big), Err(StreamError::TooLarge));
    let far = StreamMessage::new(id, u64::MAX, StreamContent::Fin);
    assert_eq!(buffer.insert(peer(), far), Err(StreamError::TooLarge));
}

#[test]
fn a_length_that_differs_from_the_init_is_refused() {
    let messages = stream_messages(init(10), &[1, 2, 3], sig());
    let mut buffer = PartBuffer::default();
    let from = peer();
    let last = messages.into_iter().map(|m| buffer.insert(from, m)).last();
    assert!(matches!(last, Some(Err(StreamError::Malformed(_)))));
}
