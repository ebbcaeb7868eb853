//! R467: a validator restarted in the middle of a height can stream a held block again exactly
//! as it was first signed (the opening is kept beside the block on disk); an opening that does
//! not authenticate, or names another block, is ignored and the block is kept without it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod consensus_support;

use consensus_support::{Setup, setup};
use ebl_node::consensus::decision::DecisionCore;
use ebl_node::consensus::parts::AssembledProposal;
use ebl_node::consensus::propose::{Received, receive};
use ebl_node::consensus::undecided::UndecidedBlocks;
use ebl_node::consensus::{BlockId, Height};
use malachite::app::streaming::StreamContent;
use malachite::app::types::core::Round;

/// What a restarted node holds, and what keeps its test network and folder alive.
struct Restarted {
    core: DecisionCore<ebl_ledger::storage::RocksStore>,
    proposal: AssembledProposal,
    _net: ebl_ledger::testkit::TestNetwork,
    _dir: tempfile::TempDir,
}

/// A node that took round 0's proposal, crashed and started again over the same ledger and
/// undecided-block folder; `tamper` edits the folder while the node is down.
fn restarted(tamper: impl FnOnce(&std::path::Path, &AssembledProposal)) -> Restarted {
    let s = setup();
    let folder = s.dir.path().join("undecided");
    let store = UndecidedBlocks::open(folder.clone()).unwrap();
    let p = s.proposal(0, 1_000);
    let t = s.after_genesis(2_000);
    let Setup { state, net, dir } = s;
    let mut state = state.with_undecided(store.clone()).unwrap();
    assert!(matches!(
        receive(&mut state, p.clone(), t).unwrap(),
        Received::Value(_, None)
    ));
    tamper(&folder, &p);
    let again = consensus_support::restarted(state, store);
    Restarted {
        core: DecisionCore::new(again),
        proposal: p,
        _net: net,
        _dir: dir,
    }
}

/// The file that keeps the opening of `p`'s block.
fn opening_file(folder: &std::path::Path, p: &AssembledProposal) -> std::path::PathBuf {
    folder.join(format!(
        "{:020}-{}.origin",
        p.init.height.0,
        hex::encode(p.init.block_id.0)
    ))
}

#[test]
fn r467_a_restarted_node_restreams_a_held_block_with_its_original_opening() {
    let mut r = restarted(|_, _| {});
    let id = r.proposal.init.block_id;
    assert!(r.core.state.held.contains(&id));
    let stream = r.core.restream(Height(1), Round::new(0), &id);
    assert!(!stream.is_empty(), "the locked block can be streamed again");
    let first = stream.first().unwrap();
    match &first.content {
        StreamContent::Data(ebl_node::consensus::parts::ProposalPart::Init(init)) => {
            assert_eq!(init, &r.proposal.init, "the opening as first signed");
        }
        other => panic!("{other:?}"),
    }
    let signed = stream.iter().any(|m| {
        matches!(&m.content, StreamContent::Data(ebl_node::consensus::parts::ProposalPart::Fin(sig)) if *sig == r.proposal.signature)
    });
    assert!(signed, "the proposer's own signature, not a new one");
}

#[test]
fn r467_an_opening_with_a_forged_signature_is_ignored_after_a_restart() {
    let mut r = restarted(|folder, p| {
        let path = opening_file(folder, p);
        let mut bytes = std::fs::read(&path).expect("the opening was saved beside the block");
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(path, bytes).unwrap();
    });
    let id = r.proposal.init.block_id;
    assert!(r.core.state.held.contains(&id), "the block itself is kept");
    assert!(r.core.state.held.origin(&id).is_none());
    assert!(r.core.restream(Height(1), Round::new(0), &id).is_empty());
}

#[test]
fn r467_an_opening_that_names_another_block_is_ignored_after_a_restart() {
    let mut r = restarted(|folder, p| {
        let mut init = p.init.clone();
        init.block_id = BlockId([7; 32]);
        let bytes = borsh::to_vec(&(init, p.signature.clone())).unwrap();
        std::fs::write(opening_file(folder, p), bytes).unwrap();
    });
    let id = r.proposal.init.block_id;
    assert!(r.core.state.held.contains(&id));
    assert!(r.core.state.held.origin(&id).is_none());
    assert!(r.core.restream(Height(1), Round::new(0), &id).is_empty());
}

#[test]
fn r467_a_missing_or_undecodable_opening_leaves_the_block_held_without_one() {
    let r = restarted(|folder, p| {
        std::fs::write(opening_file(folder, p), b"not an opening").unwrap();
    });
    let id = r.proposal.init.block_id;
    assert!(r.core.state.held.contains(&id));
    assert!(r.core.state.held.origin(&id).is_none());
    let r = restarted(|folder, p| std::fs::remove_file(opening_file(folder, p)).unwrap());
    assert!(r.core.state.held.contains(&r.proposal.init.block_id));
}
