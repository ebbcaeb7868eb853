//! Double-vote evidence reaches the ledger: an equivocating validator (its key running in two
//! nodes at once) is reported by consensus and recorded in every honest node's state, without
//! a fork; evidence reported through a node handle takes the same proposer path (R135–R139).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

use std::time::Duration;

use ebl_ledger::crypto::{PublicKey, Signature};
use ebl_ledger::evidence::EvidenceRecord;
use ebl_ledger::finality::{DoubleVote, SignedVote, VoteData, VoteKind};
use ebl_ledger::hash::Hash32;
use ebl_ledger::state::keys;
use ebl_node::consensus::CommittedBlock;
use ebl_tests::Cluster;
use ed25519_dalek::{Signer, SigningKey};

const T: Duration = Duration::from_secs(60);

/// Waits on a block feed for the first block recording evidence against `offender`.
async fn evidence_block(
    blocks: &mut tokio::sync::broadcast::Receiver<std::sync::Arc<CommittedBlock>>,
    offender: PublicKey,
) -> std::sync::Arc<CommittedBlock> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        let block = tokio::time::timeout_at(deadline, blocks.recv())
            .await
            .expect("no block recorded evidence in time")
            .expect("block feed");
        if block
            .block
            .evidence
            .iter()
            .any(|e| e.validator() == offender)
        {
            return block;
        }
    }
}

/// Asserts every honest node records the offence at `height` and agrees on the state root of
/// the block that recorded it.
async fn assert_recorded(
    c: &Cluster,
    honest: &[usize],
    offender: PublicKey,
    block: &CommittedBlock,
) {
    let recorded_at = block.block.header.height;
    c.wait_height(recorded_at, T).await.unwrap();
    for e in &block.block.evidence {
        for &i in honest {
            let key = keys::evidence(&e.validator(), e.height());
            let rec: Option<EvidenceRecord> = c
                .handle(i)
                .read(move |l| l.get(&key).unwrap())
                .await
                .unwrap();
            let rec = rec.unwrap_or_else(|| panic!("node {i} has no record"));
            assert_eq!(rec.recorded_at, recorded_at);
            assert_eq!(rec.evidence.validator(), offender);
        }
    }
    let root = c.agreed_root(recorded_at, T).await.unwrap();
    for &i in honest {
        assert_eq!(c.state_root_at(i, recorded_at).await.unwrap(), Some(root));
    }
    let text = c.handle(honest[0]).metrics().encode();
    assert!(
        text.lines()
            .any(|l| l.starts_with("ebl_evidence_recorded_total ") && !l.ends_with(" 0")),
        "metric not counted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_equivocating_validator_is_reported_on_the_ledger() {
    let c = Cluster::start_relayed().await.unwrap();
    c.wait_height(1, T).await.unwrap();
    let offender = PublicKey::from(c.net.validator_keys[3].verifying_key());
    // Validator 3's key in a second node: when it proposes, each instance proposes its own
    // block and prevotes it, which the others see as a double vote. Both instances have
    // validator 3's peer id (R150); a node connected to both would split its messages for
    // that peer between them, and neither would keep up with live consensus. So each honest
    // node is linked to one instance only: 3 keeps its link with 2, the twin dials 0 and 1,
    // and gossip carries each instance's votes to the other side.
    c.partition(&[3], &[0, 1]);
    let watch = tokio::spawn({
        let handle = c.handle(0);
        async move {
            let mut blocks = handle.subscribe_blocks();
            while let Ok(b) = blocks.recv().await {
                if b.block.evidence.iter().any(|e| e.validator() == offender) {
                    return Some(b);
                }
            }
            None
        }
    });
    let twin = c.start_twin(3, &[0, 1]).await.unwrap();
    let block = tokio::time::timeout(Duration::from_secs(120), watch)
        .await
        .expect("no evidence recorded in time")
        .unwrap()
        .unwrap();
    assert_recorded(&c, &[0, 1, 2], offender, &block).await;
    twin.stop().await.unwrap();
    c.shutdown().await.unwrap();
}

fn precommit(chain: &Hash32, key: &SigningKey, height: u64, block: Option<Hash32>) -> SignedVote {
    let vote = VoteData {
        kind: VoteKind::Precommit,
        height,
        round: 0,
        block,
        validator: PublicKey::from(key.verifying_key()),
    };
    SignedVote {
        signature: Signature(key.sign(&vote.signing_bytes(chain)).to_bytes()),
        vote,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reported_evidence_is_recorded_once_and_forged_evidence_never() {
    let c = Cluster::start().await.unwrap();
    c.wait_height(2, T).await.unwrap();
    let chain = c.net.genesis.hash();
    let key = c.net.validator_keys[2].clone();
    let offender = PublicKey::from(key.verifying_key());
    let evidence = DoubleVote {
        first: precommit(&chain, &key, 1, Some(Hash32([1; 32]))),
        second: precommit(&chain, &key, 1, Some(Hash32([2; 32]))),
    };
    let mut forged = evidence.clone();
    forged.second.signature = forged.first.signature;
    forged.first.vote.height = 2;
    forged.second.vote.height = 2;
    let mut blocks = c.handle(0).subscribe_blocks();
    // Reported to every node: whichever proposes next records it, the others drop it.
    for i in 0..4 {
        assert!(c.handle(i).report_evidence(evidence.clone()).await.unwrap());
        assert!(c.handle(i).report_evidence(forged.clone()).await.unwrap());
        assert!(!c.handle(i).report_evidence(evidence.clone()).await.unwrap());
    }
    let block = evidence_block(&mut blocks, offender).await;
    assert_eq!(block.block.evidence, vec![evidence]);
    assert_recorded(&c, &[0, 1, 2, 3], offender, &block).await;
    // Four more heights: no block records it again, and the forgery never.
    let top = block.block.header.height + 4;
    c.wait_height(top, T).await.unwrap();
    let count = c
        .handle(1)
        .read(move |l| {
            use ebl_ledger::storage::Storage;
            (1..=top)
                .map(|h| l.store().block(h).unwrap().unwrap().block.evidence.len())
                .sum::<usize>()
        })
        .await
        .unwrap();
    assert_eq!(count, 1);
    c.shutdown().await.unwrap();
}
