//! Replays the fuzz corpora and found crashes of the node's fuzz targets (ADR 0039) through
//! the same checks the cargo-fuzz targets run (`ebl_node::fuzz_checks`), so the plain test
//! suite covers them without cargo-fuzz.
//!
//! `EBL_WRITE_FUZZ_SEEDS=1 cargo nextest run -p ebl-node --test fuzz_corpus` (re)writes the
//! seeds built here from the real encoders and signers (`seed-*` files).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bytes::Bytes;
use ebl_ledger::block::Block;
use ebl_ledger::codec;
use ebl_ledger::fuzz_checks::fuzz_validator_key;
use ebl_ledger::hash::Hash32;
use ebl_ledger::testkit::TestNetwork;
use ebl_ledger::testkit::fuzz_corpus::{keep_seed, replay};
use ebl_node::bodies::protocol::{BodyRequest, BodyResponse, Proof, proof_holds, signed_request};
use ebl_node::config::{ConfigFile, ConsensusSection, GossipSection, MempoolSection, P2pSection};
use ebl_node::consensus::codec::{EblCodec, portable_certificate};
use ebl_node::consensus::context::designated_proposer;
use ebl_node::consensus::intake::{IntakeRules, Publishers};
use ebl_node::consensus::messages::{Proposal, Vote};
use ebl_node::consensus::parts::{PartBuffer, PartInit, ProposalPart, stream_messages};
use ebl_node::consensus::signing::{ConsensusSigner, verify_bytes};
use ebl_node::consensus::{Address, BlockId, BlockValue, EblContext, Height};
use ebl_node::fuzz_checks::{
    self, FUZZ_CHAIN, STREAM_CAP, STREAM_HEIGHT, body_context, body_party_key, fuzz_validator_set,
    stream_publishers,
};
use ebl_node::p2p::batch;
use malachite::app::consensus::SignedConsensusMsg;
use malachite::app::streaming::StreamMessage;
use malachite::app::types::codec::Codec;
use malachite::app::types::core::{
    CommitCertificate, CommitSignature, NilOrVal, Round, SignedMessage, VoteType,
};

fn check_of(target: &str) -> fn(&[u8]) {
    match target {
        "consensus_codec" => fuzz_checks::consensus_codec,
        "proposal_stream" => fuzz_checks::proposal_stream,
        "gossip_batch" => fuzz_checks::gossip_batch,
        "body_protocol" => fuzz_checks::body_protocol,
        _ => fuzz_checks::node_config,
    }
}

#[test]
fn consensus_codec_corpus_replays() {
    assert!(replay("consensus_codec", fuzz_checks::consensus_codec) > 0);
}

#[test]
fn proposal_stream_corpus_replays() {
    assert!(replay("proposal_stream", fuzz_checks::proposal_stream) > 0);
}

#[test]
fn gossip_batch_corpus_replays() {
    assert!(replay("gossip_batch", fuzz_checks::gossip_batch) > 0);
}

#[test]
fn body_protocol_corpus_replays() {
    assert!(replay("body_protocol", fuzz_checks::body_protocol) > 0);
}

#[test]
fn node_config_corpus_replays() {
    assert!(replay("node_config", fuzz_checks::node_config) > 0);
}

/// The seeds pass their checks, and the checks accept what they should: the signed seeds
/// verify and the stream assembles and authenticates (so the checks are not vacuous).
#[test]
fn generated_seeds_pass_their_checks() {
    for (target, name, bytes) in seeds() {
        check_of(target)(&bytes);
        keep_seed(target, &name, &bytes);
    }
}

#[test]
fn signed_seeds_verify_and_the_stream_assembles() {
    let all = seeds();
    let seed = |name: &str| all.iter().find(|s| s.1 == name).unwrap().2.clone();
    let vote: SignedConsensusMsg<EblContext> = EblCodec.decode(Bytes::from(seed("vote"))).unwrap();
    let SignedConsensusMsg::Vote(vote) = vote else {
        panic!("a vote");
    };
    let key = fuzz_validator_set().validators[0].public_key;
    assert!(verify_bytes(
        &key,
        &vote.message.signing_bytes(&FUZZ_CHAIN),
        &vote.signature
    ));
    let portable = portable_certificate(&seed("certificate")).unwrap();
    let validators = ebl_ledger::fuzz_checks::fuzz_validators();
    portable.verify(&Hash32(FUZZ_CHAIN), &validators).unwrap();
    let request: BodyRequest = codec::decode(&seed("signed-request"), 512).unwrap();
    let Proof::Signature(signature) = &request.proof else {
        panic!("a signature proof");
    };
    let (chain, requester, party_key) = body_context();
    assert!(proof_holds(
        &chain,
        &requester,
        &request.document,
        &request.party,
        &party_key,
        signature
    ));
    assert_eq!(batch::decode(&seed("receipts")).unwrap().len(), 3);
    assert!(ConfigFile::parse(&String::from_utf8(seed("config")).unwrap(), "seed", []).is_ok());
    assert!(assembles(&seed("in-order")));
    assert!(assembles(&seed("reversed")));
}

/// Negative: altered inputs are answered without a panic, and refused.
#[test]
fn altered_inputs_are_refused_by_the_same_checks() {
    let all = seeds();
    let seed = |name: &str| all.iter().find(|s| s.1 == name).unwrap().2.clone();
    let mut vote = seed("vote");
    let last = vote.len() - 1;
    vote[last] ^= 1;
    fuzz_checks::consensus_codec(&vote);
    let decoded: SignedConsensusMsg<EblContext> = EblCodec.decode(Bytes::from(vote)).unwrap();
    let SignedConsensusMsg::Vote(vote) = decoded else {
        panic!("a vote");
    };
    let key = fuzz_validator_set().validators[0].public_key;
    assert!(!verify_bytes(
        &key,
        &vote.message.signing_bytes(&FUZZ_CHAIN),
        &vote.signature
    ));
    let mut stream = seed("in-order");
    stream.truncate(stream.len() - 1);
    fuzz_checks::proposal_stream(&stream);
    assert!(!assembles(&stream));
    let mut batch = seed("receipts");
    batch.push(0);
    fuzz_checks::gossip_batch(&batch);
    assert!(batch::decode(&batch).is_err());
    let junk = b"moniker = [\n\0EBL_NODE__P2P____X=1";
    fuzz_checks::node_config(junk);
    assert!(ConfigFile::parse("moniker = [", "junk", []).is_err());
    fuzz_checks::body_protocol(&[0xff; 600]);
}

/// Whether the records of a `proposal_stream` input assemble into a proposal whose init is
/// signed by its designated proposer (R190).
fn assembles(data: &[u8]) -> bool {
    let validators = fuzz_validator_set();
    let publishers = Publishers::of(validators.validators.iter().map(|v| v.address));
    let rules = IntakeRules {
        height: STREAM_HEIGHT,
        round: Round::new(0),
        validators: &validators,
        publishers: &publishers,
        max_block_bytes: STREAM_CAP,
    };
    let peers = stream_publishers();
    let mut buffer = PartBuffer::default();
    let mut rest = data;
    while let Some((&who, tail)) = rest.split_first() {
        let Some((len, tail)) = tail.split_first_chunk::<2>() else {
            return false;
        };
        let len = usize::from(u16::from_be_bytes(*len));
        if len > tail.len() {
            return false;
        }
        let (message, tail) = tail.split_at(len);
        rest = tail;
        let message: StreamMessage<ProposalPart> =
            EblCodec.decode(Bytes::copy_from_slice(message)).unwrap();
        if let Ok(Some(done)) = buffer.insert(peers[usize::from(who)], message, &rules) {
            let designated =
                designated_proposer(&validators, done.init.height, done.init.round).unwrap();
            return designated.address == done.init.proposer
                && verify_bytes(
                    &designated.public_key,
                    &done.init.signing_bytes(&FUZZ_CHAIN),
                    &done.signature,
                )
                && Block::decode(&done.block_bytes).is_ok();
        }
    }
    false
}

/// The signer of fuzz validator `i` (ledger key order, not address order).
fn signer_of(address: Address) -> ConsensusSigner {
    let i = (0u8..4)
        .find(|i| fuzz_validator_key(*i).verifying_key().to_bytes() == address.0)
        .unwrap();
    ConsensusSigner::new(fuzz_validator_key(i).to_bytes(), FUZZ_CHAIN)
}

/// Seeds from the real encoders and signers: (target, name, bytes).
fn seeds() -> Vec<(&'static str, String, Vec<u8>)> {
    let mut seeds = Vec::new();
    consensus_seeds(&mut seeds);
    let mut net = TestNetwork::pilot();
    let entries = net.receipts(3, &["BANK", "CARRIER"]);
    seeds.push(("gossip_batch", "receipts".into(), batch::encode(&entries)));
    seeds.push(("gossip_batch", "one".into(), batch::encode(&entries[..1])));
    let block = Block {
        header: net.ledger.head().clone(),
        entries,
        evidence: Vec::new(),
    };
    stream_seeds(&mut seeds, &block);
    body_seeds(&mut seeds);
    config_seeds(&mut seeds);
    seeds
}

fn consensus_seeds(seeds: &mut Vec<(&'static str, String, Vec<u8>)>) {
    let validators = fuzz_validator_set();
    let first = validators.validators[0].address;
    let signer = signer_of(first);
    let block = BlockId([5; 32]);
    let vote = Vote {
        vote_type: VoteType::Prevote,
        height: Height(3),
        round: Round::new(1),
        value: NilOrVal::Val(block),
        validator: first,
        extension: None,
    };
    let signature = signer.sign_bytes(&vote.signing_bytes(&FUZZ_CHAIN));
    let message = SignedConsensusMsg::Vote(SignedMessage::new(vote, signature));
    let bytes = EblCodec.encode(&message).unwrap().to_vec();
    seeds.push(("consensus_codec", "vote".into(), bytes));
    let proposal = Proposal {
        height: Height(3),
        round: Round::new(1),
        value: BlockValue::id_only(block),
        pol_round: Round::Nil,
        proposer: first,
    };
    let signature = signer.sign_bytes(&proposal.signing_bytes(&FUZZ_CHAIN));
    let message = SignedConsensusMsg::Proposal(SignedMessage::new(proposal, signature));
    let bytes = EblCodec.encode(&message).unwrap().to_vec();
    seeds.push(("consensus_codec", "proposal".into(), bytes));
    let signatures = validators.validators[..3]
        .iter()
        .map(|v| {
            let precommit = Vote {
                vote_type: VoteType::Precommit,
                height: Height(3),
                round: Round::new(0),
                value: NilOrVal::Val(block),
                validator: v.address,
                extension: None,
            };
            let signature = signer_of(v.address).sign_bytes(&precommit.signing_bytes(&FUZZ_CHAIN));
            CommitSignature::new(v.address, signature)
        })
        .collect();
    let certificate = CommitCertificate::<EblContext> {
        height: Height(3),
        round: Round::new(0),
        value_id: block,
        commit_signatures: signatures,
    };
    let bytes = EblCodec.encode(&certificate).unwrap().to_vec();
    seeds.push(("consensus_codec", "certificate".into(), bytes));
}

/// The stream of `block` by the designated proposer of round 0 at the stream height, as
/// `proposal_stream` records, in order and reversed.
fn stream_seeds(seeds: &mut Vec<(&'static str, String, Vec<u8>)>, block: &Block) {
    let validators = fuzz_validator_set();
    let proposer = designated_proposer(&validators, STREAM_HEIGHT, Round::new(0)).unwrap();
    let index = validators
        .validators
        .iter()
        .position(|v| v.address == proposer.address)
        .unwrap();
    let encoded = codec::encode(block);
    let init = PartInit {
        height: STREAM_HEIGHT,
        round: Round::new(0),
        pol_round: Round::Nil,
        proposer: proposer.address,
        block_id: BlockId::from(block.header.hash()),
        block_len: encoded.len() as u64,
    };
    let fin = signer_of(proposer.address).sign_bytes(&init.signing_bytes(&FUZZ_CHAIN));
    let records: Vec<Vec<u8>> = stream_messages(init, &encoded, fin)
        .iter()
        .map(|m| {
            let bytes = EblCodec.encode(m).unwrap();
            let len = u16::try_from(bytes.len()).unwrap().to_be_bytes();
            [&[u8::try_from(index).unwrap()][..], &len, &bytes].concat()
        })
        .collect();
    seeds.push(("proposal_stream", "in-order".into(), records.concat()));
    let reversed: Vec<Vec<u8>> = records.into_iter().rev().collect();
    seeds.push(("proposal_stream", "reversed".into(), reversed.concat()));
}

fn body_seeds(seeds: &mut Vec<(&'static str, String, Vec<u8>)>) {
    let (chain, requester, _) = body_context();
    let document = Hash32::sha256(b"{}");
    let party = ebl_ledger::ids::OrgId("BANK".into());
    let request = signed_request(
        &chain,
        &requester,
        document,
        party.clone(),
        &body_party_key(),
    );
    seeds.push((
        "body_protocol",
        "signed-request".into(),
        codec::encode(&request),
    ));
    let plain = BodyRequest {
        document,
        party,
        proof: Proof::Connection,
    };
    seeds.push(("body_protocol", "request".into(), codec::encode(&plain)));
    let found = BodyResponse::Found(b"{\"transportDocumentReference\":\"X\"}".to_vec());
    seeds.push(("body_protocol", "found".into(), codec::encode(&found)));
    let forbidden = BodyResponse::Forbidden;
    seeds.push((
        "body_protocol",
        "forbidden".into(),
        codec::encode(&forbidden),
    ));
}

fn config_seeds(seeds: &mut Vec<(&'static str, String, Vec<u8>)>) {
    let config = ConfigFile {
        moniker: "v0".into(),
        data_dir: "data".into(),
        genesis_file: "genesis.json".into(),
        consensus_key_file: "consensus_key".into(),
        node_key_file: "node_key".into(),
        p2p: P2pSection {
            listen_addr: "/ip4/127.0.0.1/tcp/27000".into(),
            persistent_peers: vec!["/ip4/127.0.0.1/tcp/27001".into()],
        },
        consensus: ConsensusSection::default(),
        mempool: MempoolSection::default(),
        api: Some(ebl_node::api_server::ApiSection::with_admin_key(
            "127.0.0.1:8080",
            "secret",
        )),
        gossip: Some(GossipSection::beside("/ip4/127.0.0.1/tcp/27000")),
    };
    let text = toml::to_string_pretty(&config).unwrap();
    seeds.push(("node_config", "config".into(), text.clone().into_bytes()));
    let overrides = "\0EBL_NODE__MONIKER=node-7\nEBL_NODE__API__LISTEN_ADDR=0.0.0.0:9090\n\
                     EBL_NODE__P2P__PERSISTENT_PEERS=[\"/ip4/10.0.0.2/tcp/27000\"]\n";
    seeds.push((
        "node_config",
        "overrides".into(),
        format!("{text}{overrides}").into_bytes(),
    ));
}
