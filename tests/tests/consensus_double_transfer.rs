//! Safety of title: the same eBL transferred by its holder to two parties through two
//! validators at the same moment — exactly one transfer commits, the same one everywhere.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

use std::time::Duration;

use ebl_ledger::ebl::EblRecord;
use ebl_ledger::ids::OrgId;
use ebl_ledger::state::keys;
use ebl_node::mempool::Status;
use ebl_tests::entries::{doc, issue, transfer};
use ebl_tests::{Cluster, decided_height, wait_fates};

const T: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_double_transfer_through_two_nodes_commits_exactly_once_everywhere() {
    let mut c = Cluster::start().await.unwrap();
    let mut fates = c.handle(0).subscribe_notifications();
    let issued = c.net.sign("CARRIER", issue("OLSC-D1", "SHIPPER"));
    c.handle(0).submit(issued.clone()).await.unwrap();
    wait_fates(&mut fates, &[issued.id()], T).await.unwrap();

    // Two transfers with the same sequence number: a true double spend.
    let id = doc("OLSC-D1");
    let to_bank = c.net.sign("SHIPPER", transfer(id, "BANK"));
    let shipper_key = c.net.party("SHIPPER").key.clone();
    c.net.resync_sequence(&shipper_key);
    let to_buyer = c.net.sign("SHIPPER", transfer(id, "BUYER2"));
    assert_eq!(to_bank.entry().sequence, to_buyer.entry().sequence);
    let (h1, h2) = (c.handle(1), c.handle(2));
    let (a, b) = tokio::join!(h1.submit(to_bank.clone()), h2.submit(to_buyer.clone()));
    a.unwrap();
    b.unwrap();

    // Exactly one becomes final; the other is never applied.
    let winner = tokio::time::timeout(T, async {
        loop {
            let note = fates.recv().await.unwrap();
            if (note.id == to_bank.id() || note.id == to_buyer.id())
                && matches!(note.status, Status::Final { .. })
            {
                return note;
            }
        }
    })
    .await
    .unwrap();
    let height = decided_height(&winner.status).unwrap();
    // A few more blocks, so a second transfer would have had its chance.
    c.agreed_root(height + 3, T).await.unwrap();
    let expected = if winner.id == to_bank.id() {
        "BANK"
    } else {
        "BUYER2"
    };
    for i in 0..4 {
        let key = keys::ebl(&id);
        let record = c
            .handle(i)
            .read(move |l| l.get::<EblRecord>(&key).unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            record.holder(),
            &OrgId(expected.to_string()),
            "validator {i}"
        );
        let transfers = record
            .history
            .iter()
            .filter(|h| h.action == ebl_ledger::entry::ActionKind::EblTransfer)
            .count();
        assert_eq!(transfers, 1, "validator {i}");
    }
    c.shutdown().await.unwrap();
}
