//! R190, R191, R193 at the part level: who may publish, which heights and rounds, which inits.

use ebl_ledger::crypto::PublicKey;
use ebl_ledger::identity::{Validator as LedgerValidator, ValidatorSet as LedgerValidators};
use ebl_ledger::ids::OrgId;
use malachite::app::types::PeerId;
use malachite::app::types::core::Round;

use super::*;
use crate::consensus::parts::{PartInit, stream_id};
use crate::consensus::types::BlockId;

fn key(i: u8) -> [u8; 32] {
    ed25519_dalek::SigningKey::from_bytes(&[i; 32])
        .verifying_key()
        .to_bytes()
}

fn set(n: u8) -> ValidatorSet {
    let validators = (1..=n)
        .map(|i| LedgerValidator {
            key: PublicKey(key(i)),
            operator: OrgId("OP".into()),
            power: 10,
        })
        .collect();
    ValidatorSet::from_ledger(&LedgerValidators { validators }).unwrap()
}

fn peer(i: u8) -> PeerId {
    PeerId::from_bytes(&peer_id_bytes(Address(key(i))).unwrap()).unwrap()
}

fn rules<'a>(validators: &'a ValidatorSet, publishers: &'a Publishers) -> IntakeRules<'a> {
    IntakeRules {
        height: Height(5),
        round: Round::new(2),
        validators,
        publishers,
        max_block_bytes: 1_000,
    }
}

fn init(height: u64, round: u32, proposer: Address, len: u64) -> PartInit {
    PartInit {
        height: Height(height),
        round: Round::new(round),
        pol_round: Round::Nil,
        proposer,
        block_id: BlockId([1; 32]),
        block_len: len,
    }
}

#[test]
fn a_validators_peer_id_maps_back_to_its_consensus_key_and_a_members_does_not() {
    let validators = set(4);
    let publishers = Publishers::of(validators.validators.iter().map(|v| v.address));
    let r = rules(&validators, &publishers);
    assert_eq!(r.publisher(&peer(3)), Ok(Address(key(3))));
    assert_eq!(r.publisher(&peer(9)), Err(StreamError::NotAValidator));
    assert_eq!(publishers.len(), 4);
}

#[test]
fn the_next_heights_validators_are_publishers_once_added() {
    let validators = set(4);
    let mut publishers = Publishers::of(validators.validators.iter().map(|v| v.address));
    publishers.extend([Address(key(9))]);
    assert_eq!(
        rules(&validators, &publishers).publisher(&peer(9)),
        Ok(Address(key(9)))
    );
}

#[test]
fn only_the_current_and_next_height_within_the_round_window_are_taken() {
    let validators = set(4);
    let publishers = Publishers::default();
    let r = rules(&validators, &publishers);
    let ok = |h: u64, round: u32| r.slot(&stream_id(Height(h), Round::new(round)));
    assert_eq!(ok(5, 0), Ok((Height(5), Round::new(0))));
    assert_eq!(ok(5, 10), Ok((Height(5), Round::new(10))));
    assert_eq!(ok(6, 8), Ok((Height(6), Round::new(8))));
    assert_eq!(ok(5, 11), Err(StreamError::RoundTooFar));
    assert_eq!(ok(6, 9), Err(StreamError::RoundTooFar));
    assert_eq!(ok(4, 0), Err(StreamError::HeightOutOfWindow));
    assert_eq!(ok(1_005, 0), Err(StreamError::HeightOutOfWindow));
    assert_eq!(ok(u64::MAX, 0), Err(StreamError::HeightOutOfWindow));
    let odd = malachite::app::streaming::StreamId::new(bytes::Bytes::from_static(b"junk"));
    assert_eq!(r.slot(&odd), Err(StreamError::BadStreamId));
    let nil = stream_id(Height(5), Round::Nil);
    assert_eq!(r.slot(&nil), Err(StreamError::BadStreamId));
}

/// A stream id whose round does not fit a `u32` (no round does) is refused, not a panic
/// (found by the `proposal_stream` fuzz target: `Round::from(i64)` asserts the range).
#[test]
fn a_stream_id_with_a_round_past_u32_is_refused() {
    let validators = set(4);
    let publishers = Publishers::default();
    let r = rules(&validators, &publishers);
    let id = |round: i64| {
        let bytes = [5u64.to_be_bytes(), round.to_be_bytes()].concat();
        malachite::app::streaming::StreamId::new(bytes::Bytes::from(bytes))
    };
    let past = i64::from(u32::MAX) + 1;
    assert_eq!(r.slot(&id(past)), Err(StreamError::BadStreamId));
    assert_eq!(r.slot(&id(i64::MAX)), Err(StreamError::BadStreamId));
    assert_eq!(stream_slot(&id(past)), None);
    assert_eq!(
        stream_slot(&id(i64::from(u32::MAX))),
        Some((Height(5), Round::new(u32::MAX)))
    );
    assert_eq!(r.slot(&id(3)), Ok((Height(5), Round::new(3))));
}

#[test]
fn an_init_must_name_its_rounds_designated_proposer_and_fit_the_cap() {
    let validators = set(4);
    let publishers = Publishers::default();
    let r = rules(&validators, &publishers);
    // (5 + 2) mod 4 = 3: the fourth validator by key owns round 2 of height 5.
    let owner = validators.validators[3].address;
    let other = validators.validators[0].address;
    let slot = (Height(5), Round::new(2));
    assert_eq!(r.check_init(slot, &init(5, 2, owner, 1_000)), Ok(()));
    assert_eq!(
        r.check_init(slot, &init(5, 2, other, 10)),
        Err(StreamError::NotDesignated)
    );
    assert_eq!(
        r.check_init(slot, &init(5, 2, owner, 1_001)),
        Err(StreamError::OverCap)
    );
    assert_eq!(
        r.check_init(slot, &init(5, 3, owner, 10)),
        Err(StreamError::InitMismatch)
    );
    // The next height's proposer is judged when that height starts.
    let next = (Height(6), Round::new(0));
    assert_eq!(r.check_init(next, &init(6, 0, other, 10)), Ok(()));
    assert_eq!(r.publisher_budget(), 2_000);
}
