//! The Byzantine harness, votes: a validator signs its votes with a torsion component (`R' =
//! R + T`, `T` of order 8), which ZIP-215 accepts and `verify_strict` refuses. Consensus
//! (ZIP-215) counts its votes; every stored commit certificate must also verify offline with
//! the ledger's check (`ebl_ledger::finality`), which needs the ledger's one signature rule to
//! be ZIP-215 too (ADR 0025).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use ebl_ledger::crypto::PublicKey;
use ebl_ledger::storage::Storage;
use ebl_ledger::testkit::TestNetwork;
use ebl_node::consensus::codec::portable_certificate;
use ebl_node::consensus::faults::FaultPlan;
use ebl_tests::byzantine::{BYZANTINE, HONEST, commit_while_watching, start_with_byzantine};

const T: Duration = Duration::from_secs(90);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]

async fn a_validator_signing_votes_with_torsion_is_counted_and_its_certificates_verify_offline() {
    let plan = FaultPlan {
        torsion_votes: true,
        ..FaultPlan::default()
    };
    let mut c = start_with_byzantine(TestNetwork::pilot(), plan, |_| {})
        .await
        .unwrap();
    let (height, _) = commit_while_watching(&c, &HONEST, 10, T).await.unwrap();
    c.agreed_root(height, T).await.unwrap();
    // With all four up, a certificate may hold any three votes, so whether the faulty
    // validator's are among them is timing. With one honest validator stopped, every quorum
    // (three of four) needs its vote: the blocks from here on must count it.
    c.stop(HONEST[2]).await.unwrap();
    let (height, _) = commit_while_watching(&c, &HONEST[..2], 3, T).await.unwrap();
    c.agreed_root(height, T).await.unwrap();
    let chain = c.net.genesis.hash();
    let validators = c.net.genesis.validators.clone();
    let faulty = PublicKey::from(c.net.validator_keys[BYZANTINE].verifying_key());
    let stored = c
        .handle(0)
        .read(move |l| {
            (1..=height)
                .map(|h| l.store().block(h).unwrap().unwrap())
                .collect::<Vec<_>>()
        })
        .await
        .unwrap();
    let mut counted = 0;
    for block in stored {
        let h = block.block.header.height;
        let certificate = portable_certificate(&block.certificate)
            .unwrap_or_else(|| panic!("block {h} has no certificate"));
        if certificate.signatures.iter().any(|s| s.validator == faulty) {
            counted += 1;
        }
        certificate
            .verify_header(&chain, &block.block.header, &validators)
            .unwrap_or_else(|e| panic!("certificate of block {h}: {e}"));
    }
    assert!(
        counted > 0,
        "the torsion-signing validator's votes were never counted"
    );
    c.shutdown().await.unwrap();
}
