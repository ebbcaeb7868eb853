//! The consensus codec: messages round-trip, and malformed or oversized bytes from a peer are
//! errors, never panics. Signatures cover the network and the message kind.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

use bytes::Bytes;
use ebl_node::consensus::codec::{EblCodec, MAX_MESSAGE_BYTES};
use ebl_node::consensus::messages::{Proposal, Vote};
use ebl_node::consensus::parts::ProposalPart;
use ebl_node::consensus::signing::{ConsensusSigner, ConsensusVerifier};
use ebl_node::consensus::{Address, BlockId, BlockValue, Height};
use malachite::app::consensus::SignedConsensusMsg;
use malachite::app::types::codec::Codec;
use malachite::app::types::core::{NilOrVal, Round, SignedMessage, VoteType};
use malachite_signing::{Signer, Verifier};
use proptest::prelude::*;

fn vote() -> Vote {
    Vote {
        vote_type: VoteType::Precommit,
        height: Height(5),
        round: Round::new(2),
        value: NilOrVal::Val(BlockId([3; 32])),
        validator: Address([4; 32]),
        extension: None,
    }
}

#[tokio::test]
async fn a_signed_vote_round_trips_and_verifies() {
    let signer = ConsensusSigner::new([8; 32], [1; 32]);
    let signed = signer.sign_vote(vote()).await.unwrap();
    let msg = SignedConsensusMsg::Vote(signed.clone());
    let bytes = EblCodec.encode(&msg).unwrap();
    let back: SignedConsensusMsg<_> = EblCodec.decode(bytes).unwrap();
    assert_eq!(back, msg);
    let ok = ConsensusVerifier::new([1; 32])
        .verify_signed_vote(&signed.message, &signed.signature, &signer.public_key())
        .await
        .unwrap();
    assert!(ok.is_valid());
}

#[tokio::test]
async fn a_vote_signed_for_another_network_does_not_verify() {
    let signer = ConsensusSigner::new([8; 32], [1; 32]);
    let signed: SignedMessage<_, Vote> = signer.sign_vote(vote()).await.unwrap();
    let ok = ConsensusVerifier::new([2; 32])
        .verify_signed_vote(&signed.message, &signed.signature, &signer.public_key())
        .await
        .unwrap();
    assert!(ok.is_invalid());
}

#[test]
fn a_proposal_travels_without_its_block() {
    let p = Proposal {
        height: Height(1),
        round: Round::new(0),
        value: BlockValue::id_only(BlockId([5; 32])),
        pol_round: Round::Nil,
        proposer: Address([6; 32]),
    };
    let bytes = borsh::to_vec(&p).unwrap();
    assert!(bytes.len() < 100);
    let back: Proposal = borsh::from_slice(&bytes).unwrap();
    assert_eq!(back, p);
    assert!(back.value.block.is_none());
}

#[test]
fn trailing_bytes_and_oversized_messages_are_refused() {
    let part = ProposalPart::Data(vec![1, 2, 3]);
    let mut bytes = EblCodec.encode(&part).unwrap().to_vec();
    bytes.push(0);
    assert!(Codec::<ProposalPart>::decode(&EblCodec, Bytes::from(bytes)).is_err());
    let huge = Bytes::from(vec![0u8; MAX_MESSAGE_BYTES + 1]);
    assert!(Codec::<ProposalPart>::decode(&EblCodec, huge).is_err());
}

proptest! {
    #[test]
    fn random_bytes_never_panic_the_decoders(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let b = Bytes::from(bytes);
        let _ = Codec::<ProposalPart>::decode(&EblCodec, b.clone());
        let _ = Codec::<SignedConsensusMsg<_>>::decode(&EblCodec, b.clone());
        let _ = Codec::<malachite::app::types::sync::Response<_>>::decode(&EblCodec, b.clone());
        let _ = Codec::<malachite::app::consensus::ProposedValue<_>>::decode(&EblCodec, b);
    }
}
