//! Receiving a proposal: a block from a validator with a valid stream signature is re-executed
//! (R18) and a block that fails is handed to consensus as invalid; a forged or foreign stream is
//! ignored.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

use ebl_ledger::Ledger;
use ebl_ledger::block::Block;
use ebl_ledger::crypto::PublicKey;
use ebl_ledger::hash::Hash32;
use ebl_ledger::storage::RocksStore;
use ebl_ledger::testkit::TestNetwork;
use ebl_ledger::time::Timestamp;
use ebl_node::consensus::parts::{AssembledProposal, PartInit};
use ebl_node::consensus::propose::{Received, receive};
use ebl_node::consensus::signing::ConsensusSigner;
use ebl_node::consensus::{Address, AppState, BlockId, BlockLimits, Height};
use ebl_node::mempool::{Mempool, MempoolConfig};
use malachite::app::types::core::{Round, Validity};

struct Setup {
    state: AppState,
    net: TestNetwork,
    _dir: tempfile::TempDir,
}

fn setup() -> Setup {
    let net = TestNetwork::pilot();
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(RocksStore::open(dir.path()).unwrap(), &net.genesis).unwrap();
    let chain = ledger.chain().clone();
    let signer = ConsensusSigner::new(net.validator_keys[1].to_bytes(), chain.genesis_hash.0);
    let mempool = Mempool::new(chain, MempoolConfig::default());
    let state = AppState::new(
        ledger,
        mempool,
        signer,
        ebl_node::run::fast_timeouts(),
        BlockLimits::default(),
    )
    .unwrap();
    Setup {
        state,
        net,
        _dir: dir,
    }
}

/// A block for height 1 proposed by validator 0, optionally tampered with after execution.
fn proposal(s: &mut Setup, tamper: bool, signer_index: usize) -> AssembledProposal {
    let key = s.net.validator_keys[0].clone();
    let proposer = PublicKey::from(key.verifying_key());
    let entry = s.net.sign("CARRIER", ebl_tests_like_issue());
    let time = Timestamp(s.state.ledger.head().time.0 + 1_000);
    let executed = s.state.ledger.execute(time, proposer, vec![entry]).unwrap();
    let mut block: Block = executed.block;
    if tamper {
        block.header.state_root = Hash32([1; 32]);
    }
    let bytes = ebl_ledger::codec::encode(&block);
    let init = PartInit {
        height: Height(1),
        round: Round::new(0),
        pol_round: Round::Nil,
        proposer: Address::from(proposer),
        block_id: BlockId::from(block.header.hash()),
        block_len: bytes.len() as u64,
    };
    let chain = s.state.ctx.chain;
    let fin_key = s.net.validator_keys[signer_index].to_bytes();
    let signature = ConsensusSigner::new(fin_key, chain).sign_bytes(&init.signing_bytes(&chain));
    AssembledProposal {
        init,
        block_bytes: bytes,
        signature,
    }
}

fn ebl_tests_like_issue() -> ebl_ledger::entry::Body {
    use ebl_ledger::ebl::{EblAction, EblIssue, EblType};
    use ebl_ledger::ids::OrgId;
    ebl_ledger::entry::Body::Ebl(EblAction::Issue(EblIssue {
        document: Hash32::sha256(b"OLSC-R1"),
        reference: "OLSC-R1".into(),
        kind: EblType::ToOrderBl,
        issue_to: OrgId("SHIPPER".into()),
        consignee: Some(OrgId("SHIPPER".into())),
    }))
}

#[test]
fn a_valid_block_from_the_proposer_is_accepted_as_valid() {
    let mut s = setup();
    let p = proposal(&mut s, false, 0);
    match receive(&mut s.state, p).unwrap() {
        Received::Value(v) => assert_eq!(v.validity, Validity::Valid),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_block_whose_header_does_not_re_execute_is_handed_over_as_invalid() {
    let mut s = setup();
    let p = proposal(&mut s, true, 0);
    match receive(&mut s.state, p).unwrap() {
        Received::Value(v) => assert_eq!(v.validity, Validity::Invalid),
        other => panic!("{other:?}"),
    }
    assert_eq!(s.state.ledger.head().height, 0, "nothing committed");
}

#[test]
fn a_stream_signed_by_another_validator_is_ignored() {
    let mut s = setup();
    let p = proposal(&mut s, false, 2);
    assert!(matches!(
        receive(&mut s.state, p).unwrap(),
        Received::Ignored("bad proposer signature")
    ));
}

#[test]
fn a_block_for_a_later_height_is_kept_for_later() {
    let mut s = setup();
    let mut p = proposal(&mut s, false, 0);
    p.init.height = Height(5);
    assert!(matches!(
        receive(&mut s.state, p).unwrap(),
        Received::Later(_)
    ));
}

#[test]
fn a_block_seen_before_a_restart_is_recovered_and_pruned_once_committed() {
    use ebl_node::consensus::undecided::UndecidedBlocks;
    let mut s = setup();
    let store = UndecidedBlocks::open(s._dir.path().join("undecided")).unwrap();
    let p = proposal(&mut s, false, 0);
    let id = p.init.block_id;
    let Setup { state, net, _dir } = s;
    let mut state = state.with_undecided(store.clone()).unwrap();
    assert!(matches!(
        receive(&mut state, p).unwrap(),
        Received::Value(_)
    ));
    assert_eq!(store.load(1).len(), 1);

    // A new state over the same ledger (as after a crash) takes the block back.
    let AppState {
        ledger,
        mempool,
        signer,
        timeouts,
        limits,
        ..
    } = state;
    let again = AppState::new(ledger, mempool, signer, timeouts, limits)
        .unwrap()
        .with_undecided(store.clone())
        .unwrap();
    assert!(again.blocks.contains_key(&id));

    // Committing it moves to height 2 and prunes the saved block.
    let mut again = again;
    again.commit(id, vec![]).unwrap();
    assert_eq!(again.ledger.head().height, 1);
    assert!(store.load(1).is_empty());
    drop(net);
}
