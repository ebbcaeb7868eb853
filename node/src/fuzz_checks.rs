//! The checks of the node's coverage-guided fuzz targets (ADR 0039), one function per target:
//! what peers send the node (consensus messages and proposal streams, gossip batches of signed
//! entries, document-body requests and responses) and the configuration file it reads. The
//! cargo-fuzz crate (`fuzz/`) calls them on generated inputs; `tests/fuzz_corpus.rs` calls them
//! on every committed corpus file and found crash, so `cargo nextest run` replays both without
//! cargo-fuzz. Each check asserts more than "no panic": decoded values re-encode to exactly
//! their bytes, signatures are decided by the one rule (R171), refusals are typed.
#![allow(clippy::panic)]

mod consensus;

use std::io;

use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::ChainRef;
use ebl_ledger::hash::Hash32;
use ebl_ledger::identity::ValidatorSet as LedgerValidators;
use libp2p::PeerId;
use libp2p::futures::executor::block_on;
use libp2p::futures::io::Cursor;
use libp2p::request_response::Codec as _;

pub use consensus::{
    STREAM_CAP, STREAM_HEIGHT, consensus_codec, proposal_stream, stream_publishers,
};

use crate::bodies::protocol::{
    BodyCodec, BodyRequest, MAX_REQUEST_BYTES, MAX_RESPONSE_BYTES, PROTOCOL, Proof, proof_holds,
};
use crate::config::{ConfigFile, GossipSection};
use crate::consensus::validators::ValidatorSet;
use crate::p2p::batch::{self, MAX_BATCH_ENTRIES};
use crate::p2p::validate::Verdict;

/// The genesis hash every consensus and body check signs and verifies under (the ledger's
/// fuzz chain, so the same validators' seeds serve both crates).
pub const FUZZ_CHAIN: [u8; 32] = ebl_ledger::fuzz_checks::FUZZ_CHAIN.0;

/// The consensus view of the ledger's four fuzz validators (keys
/// `ebl_ledger::fuzz_checks::fuzz_validator_key(0..4)`).
pub fn fuzz_validator_set() -> ValidatorSet {
    let validators = ebl_ledger::fuzz_checks::fuzz_validators();
    ValidatorSet::from_ledger(&LedgerValidators { validators })
        .unwrap_or_else(|e| panic!("the fuzz validators form a set: {e}"))
}

/// A key that is no validator's: a stranger publishing parts (R193).
pub fn fuzz_stranger_key() -> ed25519_dalek::SigningKey {
    ebl_ledger::fuzz_checks::fuzz_validator_key(200)
}

/// R110, R111, R113: a gossip message is one canonical, non-empty batch of at most
/// [`MAX_BATCH_ENTRIES`] entries, which re-encodes to exactly its bytes, or it is rejected
/// with a code (the sender is scored down); each entry's stateless checks answer typed.
pub fn gossip_batch(data: &[u8]) {
    match batch::decode(data) {
        Ok(entries) => {
            assert!(!entries.is_empty() && entries.len() <= MAX_BATCH_ENTRIES);
            assert_eq!(
                batch::encode(&entries),
                data,
                "a batch re-encodes to its bytes"
            );
            for entry in &entries {
                if let Err(e) = entry.check_stateless(&entry.entry().chain) {
                    assert!(!e.code().is_empty());
                }
            }
        }
        Err(Verdict::Reject(code)) => assert!(!code.is_empty()),
        Err(other) => panic!("an undecodable batch is rejected, not {other:?}"),
    }
}

/// The network, requester and organisation key the body checks judge signature proofs by.
pub fn body_context() -> (ChainRef, PeerId, PublicKey) {
    let chain = ChainRef {
        chain_id: "fuzz".into(),
        genesis_hash: Hash32(FUZZ_CHAIN),
    };
    let requester = libp2p::identity::Keypair::ed25519_from_bytes([7; 32])
        .map(|k| k.public().to_peer_id())
        .unwrap_or_else(|e| panic!("a fixed peer key: {e}"));
    let key = PublicKey(body_party_key().verifying_key().to_bytes());
    (chain, requester, key)
}

/// The organisation key of the body checks' signature proofs.
pub fn body_party_key() -> ed25519_dalek::SigningKey {
    ebl_ledger::fuzz_checks::fuzz_validator_key(100)
}

/// R142–R146: the bytes of one `/ebl/body/1` stream, read as a request and as a response
/// through the protocol's own codec. What it reads is within the limit, is refused as
/// `InvalidData` otherwise, and writes back to exactly the bytes read; a signature proof
/// answers a bool.
pub fn body_protocol(data: &[u8]) {
    let mut codec = BodyCodec;
    match block_on(codec.read_request(&PROTOCOL, &mut Cursor::new(data))) {
        Ok(request) => {
            assert!(data.len() <= MAX_REQUEST_BYTES);
            if let Proof::Signature(signature) = &request.proof {
                let (chain, requester, key) = body_context();
                let _ = proof_holds(
                    &chain,
                    &requester,
                    &request.document,
                    &request.party,
                    &key,
                    signature,
                );
            }
            let mut out = Cursor::new(Vec::new());
            assert!(block_on(codec.write_request(&PROTOCOL, &mut out, request)).is_ok());
            assert_eq!(out.into_inner(), data, "a request writes back to its bytes");
        }
        Err(e) => assert_eq!(e.kind(), io::ErrorKind::InvalidData),
    }
    match block_on(codec.read_response(&PROTOCOL, &mut Cursor::new(data))) {
        Ok(response) => {
            assert!(data.len() <= MAX_RESPONSE_BYTES);
            let mut out = Cursor::new(Vec::new());
            assert!(block_on(codec.write_response(&PROTOCOL, &mut out, response)).is_ok());
            assert_eq!(
                out.into_inner(),
                data,
                "a response writes back to its bytes"
            );
        }
        Err(e) => assert_eq!(e.kind(), io::ErrorKind::InvalidData),
    }
}

/// A decoded request, for the tests that build seeds.
pub fn decode_body_request(data: &[u8]) -> io::Result<BodyRequest> {
    block_on(BodyCodec.read_request(&PROTOCOL, &mut Cursor::new(data)))
}

/// `config.toml` and `EBL_NODE__*` overrides: the input is the file's text, then optionally
/// a NUL byte and `NAME=value` lines. Parsing gives a configuration or an error, never a
/// panic; a configuration writes back to TOML that parses to the same configuration, and its
/// addresses, keys and limits are checked (without touching the file system) with errors.
pub fn node_config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (file, env) = text.split_once('\0').unwrap_or((text, ""));
    let vars: Vec<(String, String)> = env
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
    let config = match ConfigFile::parse(file, "fuzz.toml", vars) {
        Ok(config) => config,
        Err(e) => return assert!(!format!("{e:#}").is_empty()),
    };
    let again = toml::to_string(&config).unwrap_or_else(|e| panic!("config to TOML: {e}"));
    match ConfigFile::parse(&again, "again.toml", Vec::new()) {
        Ok(back) => assert_eq!(back, config, "a configuration reads back from its TOML"),
        Err(e) => panic!("a configuration's own TOML is refused: {e:#}\n{again}"),
    }
    let _ = config.p2p.listen_addr.parse::<libp2p::Multiaddr>();
    let _ = GossipSection::beside(&config.p2p.listen_addr);
    if let Some(gossip) = &config.gossip {
        let _ = gossip.settings();
    }
    if let Some(api) = &config.api {
        let _ = api.gateway_config();
        let _ = api.edge_limits();
        let _ = api.webhook_targets();
    }
}
