//! Entries submitted to different validators commit, in the same blocks, with the same state
//! root on every validator.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

use std::time::Duration;

use ebl_ledger::ebl::EblRecord;
use ebl_ledger::state::keys;
use ebl_node::mempool::{Admission, Status};
use ebl_tests::entries::{doc, issue, receipt};
use ebl_tests::{Cluster, decided_height, wait_fates};

const T: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn entries_submitted_to_different_nodes_commit_with_identical_state_roots() {
    let mut c = Cluster::start().await.unwrap();
    let mut fates = c.handle(3).subscribe_notifications();
    let mut blocks = c.handle(2).subscribe_blocks();

    // An eBL issued through validator 0.
    let issued = c.net.sign("CARRIER", issue("OLSC-A1", "SHIPPER"));
    let admitted = c.handle(0).submit(issued.clone()).await.unwrap();
    assert_eq!(admitted, Admission::Admitted { id: issued.id() });
    let done = wait_fates(&mut fates, &[issued.id()], T).await.unwrap();
    assert!(matches!(done[0].1, Status::Final { .. }), "{done:?}");

    // Receipts about it through validators 1, 2 and 3, at the same moment.
    let id = doc("OLSC-A1");
    let mut ids = Vec::new();
    for (i, party) in [(1, "BANK"), (2, "SGSW"), (3, "MSA")] {
        let entry = c.net.sign(party, receipt(id, "LC_PAYMENT"));
        ids.push(entry.id());
        let answer = c.handle(i).submit(entry).await.unwrap();
        assert!(matches!(answer, Admission::Admitted { .. }), "{answer:?}");
    }
    let done = wait_fates(&mut fates, &ids, T).await.unwrap();
    assert!(
        done.iter().all(|(_, s)| matches!(s, Status::Final { .. })),
        "{done:?}"
    );

    // Every validator has the same blocks and state up to the last of them.
    let last = done
        .iter()
        .filter_map(|(_, s)| decided_height(s))
        .max()
        .unwrap();
    c.agreed_root(last, T).await.unwrap();
    let mut records = Vec::new();
    for i in 0..4 {
        let key = keys::ebl(&id);
        let r = c
            .handle(i)
            .read(move |l| l.get::<EblRecord>(&key).unwrap())
            .await
            .unwrap();
        records.push(r.expect("record"));
    }
    assert!(records.windows(2).all(|w| w[0] == w[1]));

    // Subscribers saw the committed blocks; the status tells the chain, validators and peers.
    let block = blocks.recv().await.unwrap();
    assert!(block.block.header.height >= 1);
    let status = ebl_tests::wait_for("three peers", T, || async {
        let s = c.handle(0).status().await.ok()?;
        (s.peers >= 3).then_some(s)
    })
    .await
    .unwrap();
    assert_eq!(status.ledger.chain.chain_id, "ebl-test-1");
    assert_eq!(status.ledger.validators.len(), 4);
    assert!(status.ledger.height >= last);
    c.shutdown().await.unwrap();
}
