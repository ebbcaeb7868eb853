//! The consensus checks: every message the engine decodes from the network or its WAL
//! (`consensus_codec`), and proposal streams reassembled under the intake rules
//! (`proposal_stream`, R190, R191, R193).

use std::any::type_name;
use std::sync::OnceLock;

use bytes::Bytes;
use ebl_ledger::block::Block;
use ebl_ledger::crypto::Signature;
use ebl_ledger::finality::SignedVote;
use ebl_ledger::hash::Hash32;
use malachite::app::consensus::{LivenessMsg, ProposedValue, SignedConsensusMsg};
use malachite::app::streaming::StreamMessage;
use malachite::app::types::PeerId;
use malachite::app::types::codec::Codec;
use malachite::app::types::core::{
    CommitCertificate, PolkaCertificate, Round, SigningScheme, ValidatorProof,
};
use malachite::app::types::sync::{Request, Response, Status};

use super::{FUZZ_CHAIN, fuzz_validator_set};
use crate::consensus::codec::{EblCodec, portable_certificate};
use crate::consensus::context::{EblContext, designated_proposer};
use crate::consensus::intake::{IntakeRules, Publishers, peer_id_bytes};
use crate::consensus::parts::{AssembledProposal, MAX_STREAMS, PartBuffer, ProposalPart};
use crate::consensus::scheme::Ed25519Scheme;
use crate::consensus::signing::verify_bytes;
use crate::consensus::validators::ValidatorSet;
use crate::consensus::{Address, Height};

/// Decodes `bytes` as a `T`; a value that decodes re-encodes to exactly the bytes (borsh has
/// one encoding per value, and trailing bytes are refused).
fn round_trips<T>(bytes: &Bytes) -> Option<T>
where
    EblCodec: Codec<T>,
{
    let value = Codec::<T>::decode(&EblCodec, bytes.clone()).ok()?;
    match Codec::<T>::encode(&EblCodec, &value) {
        Ok(again) => assert_eq!(
            again,
            bytes,
            "a decoded {} re-encodes to its bytes",
            type_name::<T>()
        ),
        Err(e) => panic!("a decoded {} does not encode: {e}", type_name::<T>()),
    }
    Some(value)
}

/// Every message type of the engine's network, sync and WAL codec (`EblCodec`) round-trips;
/// a signed vote's signature is decided the same by the node and by the ledger (R171, R131);
/// a signed proposal's and a validator proof's checks answer a bool; a commit certificate
/// maps to the ledger's portable form, whose verification is a typed answer (R132).
pub fn consensus_codec(data: &[u8]) {
    let bytes = Bytes::copy_from_slice(data);
    round_trips::<ProposalPart>(&bytes);
    round_trips::<StreamMessage<ProposalPart>>(&bytes);
    round_trips::<LivenessMsg<EblContext>>(&bytes);
    round_trips::<ProposedValue<EblContext>>(&bytes);
    round_trips::<PolkaCertificate<EblContext>>(&bytes);
    round_trips::<Status<EblContext>>(&bytes);
    round_trips::<Request<EblContext>>(&bytes);
    round_trips::<Response<EblContext>>(&bytes);
    if let Some(message) = round_trips::<SignedConsensusMsg<EblContext>>(&bytes) {
        signed_message(&message);
    }
    if let Some(proof) = round_trips::<ValidatorProof<EblContext>>(&bytes)
        && let Ok(key) = Ed25519Scheme::decode_public_key(&proof.public_key)
    {
        let _ = verify_bytes(&key, &proof.preimage(), &proof.signature);
    }
    if let Some(certificate) = round_trips::<CommitCertificate<EblContext>>(&bytes) {
        commit_certificate(&certificate, data);
    }
}

fn signed_message(message: &SignedConsensusMsg<EblContext>) {
    match message {
        SignedConsensusMsg::Vote(signed) => {
            let vote = &signed.message;
            let by_node = Ed25519Scheme::decode_public_key(&vote.validator.0).is_ok_and(|key| {
                verify_bytes(&key, &vote.signing_bytes(&FUZZ_CHAIN), &signed.signature)
            });
            let ledger = SignedVote {
                vote: vote.data(),
                signature: Signature(signed.signature.0.to_bytes()),
            };
            assert_eq!(
                by_node,
                ledger.verify(&Hash32(FUZZ_CHAIN)).is_ok(),
                "the node and the ledger decide a vote's signature alike (R171)"
            );
        }
        SignedConsensusMsg::Proposal(signed) => {
            let proposal = &signed.message;
            if let Ok(key) = Ed25519Scheme::decode_public_key(&proposal.proposer.0) {
                let _ = verify_bytes(
                    &key,
                    &proposal.signing_bytes(&FUZZ_CHAIN),
                    &signed.signature,
                );
            }
        }
    }
}

/// R132: a stored or synced certificate in the ledger's portable form.
fn commit_certificate(certificate: &CommitCertificate<EblContext>, data: &[u8]) {
    let portable = portable_certificate(data);
    assert_eq!(portable.is_some(), certificate.round.is_defined());
    let Some(portable) = portable else {
        return;
    };
    assert_eq!(portable.height, certificate.height.0);
    assert_eq!(
        portable.signatures.len(),
        certificate.commit_signatures.len()
    );
    let validators = ebl_ledger::fuzz_checks::fuzz_validators();
    if let Err(e) = portable.verify(&Hash32(FUZZ_CHAIN), &validators) {
        assert!(!e.to_string().is_empty());
    }
}

/// R191: the block cap of the stream checks (every fuzz input is at most 64 KiB).
pub const STREAM_CAP: u64 = 64 * 1024;

/// The height in progress of the stream checks (its designated proposers are the fuzz
/// validators in turn, R190).
pub const STREAM_HEIGHT: Height = Height(1);

/// Who the stream checks take parts from: the four fuzz validators, then a stranger.
struct StreamWorld {
    validators: ValidatorSet,
    publishers: Publishers,
    peers: Vec<PeerId>,
}

fn stream_world() -> &'static StreamWorld {
    static WORLD: OnceLock<StreamWorld> = OnceLock::new();
    WORLD.get_or_init(|| {
        let validators = fuzz_validator_set();
        let addresses: Vec<Address> = validators.validators.iter().map(|v| v.address).collect();
        let publishers = Publishers::of(addresses.iter().copied());
        let stranger = Address(super::fuzz_stranger_key().verifying_key().to_bytes());
        let peers = addresses
            .iter()
            .chain([&stranger])
            .filter_map(|a| peer_id_bytes(*a))
            .filter_map(|bytes| PeerId::from_bytes(&bytes).ok())
            .collect();
        StreamWorld {
            validators,
            publishers,
            peers,
        }
    })
}

/// The peer ids of the stream checks' publishers: the fuzz validators in address order, then
/// the stranger. A record of a `proposal_stream` input names one by its index.
pub fn stream_publishers() -> Vec<PeerId> {
    stream_world().peers.clone()
}

/// R190, R191, R193: a run of stream messages from the fuzz validators and a stranger,
/// each record `[publisher index][length: u16 BE][EblCodec bytes]`, goes through the part
/// buffer the consensus loop uses. The buffer stays within its bounds; an assembled
/// proposal has exactly the bytes its init declares (within the cap), names its publisher,
/// and is authenticated as `propose::authenticate_init` does before its block is decoded.
pub fn proposal_stream(data: &[u8]) {
    let world = stream_world();
    let rules = IntakeRules {
        height: STREAM_HEIGHT,
        round: Round::new(0),
        validators: &world.validators,
        publishers: &world.publishers,
        max_block_bytes: STREAM_CAP,
    };
    let mut buffer = PartBuffer::default();
    let mut rest = data;
    while let Some((&who, tail)) = rest.split_first() {
        let Some((len, tail)) = tail.split_first_chunk::<2>() else {
            break;
        };
        let (message, tail) = tail.split_at(usize::from(u16::from_be_bytes(*len)).min(tail.len()));
        rest = tail;
        let Some(message) =
            round_trips::<StreamMessage<ProposalPart>>(&Bytes::copy_from_slice(message))
        else {
            continue;
        };
        let publisher = world.peers[usize::from(who) % world.peers.len()];
        match buffer.insert(publisher, message, &rules) {
            Ok(Some(done)) => assembled(world, &done, &publisher),
            Ok(None) => {}
            Err(e) => assert!(!e.label().is_empty()),
        }
        assert!(buffer.len() <= MAX_STREAMS);
        assert!(buffer.bytes() <= world.peers.len() * rules.publisher_budget());
    }
}

fn assembled(world: &StreamWorld, done: &AssembledProposal, publisher: &PeerId) {
    assert_eq!(done.block_bytes.len() as u64, done.init.block_len);
    assert!(done.init.block_len <= STREAM_CAP);
    assert_eq!(done.publisher, world.publishers.address(publisher));
    // R190, as `propose::authenticate_init` decides it for the height in progress.
    let designated = designated_proposer(&world.validators, done.init.height, done.init.round)
        .filter(|v| v.address == done.init.proposer);
    let Some(designated) = designated else {
        return;
    };
    let signed = done.init.signing_bytes(&FUZZ_CHAIN);
    if verify_bytes(&designated.public_key, &signed, &done.signature)
        && let Ok(block) = Block::decode(&done.block_bytes)
    {
        let _ = block.header.hash();
    }
}
