//! A rolling restart of the validators onto a new build keeps the network committing; the
//! upgrade governance then schedules activates on every upgraded validator, and a node left on
//! the old build stops at the activation height with an error that says why (R410–R414).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use ebl_ledger::identity::Proposal;
use ebl_ledger::protocol_version::KnownVersions;
use ebl_ledger::storage::Storage;
use ebl_node::mempool::Status;
use ebl_tests::governance::{approve, propose};
use ebl_tests::{Cluster, wait_for};

const T: Duration = Duration::from_secs(60);

/// The new build: implements the version in force and the next one.
const NEW_BUILD: KnownVersions = KnownVersions {
    oldest: 1,
    newest: 2,
};

/// Waits until each of `members` has committed `height`.
async fn wait_members(c: &Cluster, members: &[usize], height: u64) {
    wait_for(&format!("height {height} on {members:?}"), T, || async {
        for &i in members {
            if c.height(i).await.ok()? < height {
                return None;
            }
        }
        Some(())
    })
    .await
    .unwrap();
}

/// The protocol version and state root of member `i`'s block at `height`.
async fn header_facts(c: &Cluster, i: usize, height: u64) -> (u32, ebl_ledger::hash::Hash32) {
    let header = c
        .handle(i)
        .read(move |l| l.store().block(height).map(|b| b.map(|b| b.block.header)))
        .await
        .unwrap()
        .unwrap()
        .expect("block committed");
    (header.protocol_version, header.state_root)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rolling_upgrade_keeps_committing_and_an_old_build_stops_at_activation() {
    let mut c = Cluster::start().await.unwrap();
    c.wait_height(2, T).await.unwrap();

    // Validators 0, 1 and 2 restart one at a time onto the new build; 3 stays on the old one.
    // The three others (30 of 40) keep committing while each is down.
    for i in 0..3 {
        c.stop(i).await.unwrap();
        let running = c.running();
        let mut top = 0;
        for &j in &running {
            top = top.max(c.height(j).await.unwrap());
        }
        wait_members(&c, &running, top + 2).await;
        c.members[i].settings.faults.known_versions = Some(NEW_BUILD);
        c.restart(i).await.unwrap();
    }
    let now = c.height(0).await.unwrap();
    wait_members(&c, &[0, 1, 2, 3], now + 2).await;

    // Governance schedules version 2 a few blocks ahead.
    let activation = c.height(0).await.unwrap() + 15;
    let proposal = Proposal::ScheduleProtocolUpgrade {
        version: 2,
        activation_height: activation,
    };
    let id = propose(&mut c, proposal, T).await.unwrap();
    let votes = approve(&mut c, id, &[1, 2], T).await.unwrap();
    assert!(
        votes.iter().all(|(_, s)| matches!(s, Status::Final { .. })),
        "{votes:?}"
    );
    let decided = c.height(0).await.unwrap();
    assert!(decided < activation, "the vote took too long: {decided}");

    // The upgraded validators go past the activation height under version 2.
    wait_members(&c, &[0, 1, 2], activation + 3).await;
    let before = header_facts(&c, 0, activation - 1).await;
    let at = header_facts(&c, 0, activation).await;
    assert_eq!((before.0, at.0), (1, 2));
    for i in [1, 2] {
        assert_eq!(
            header_facts(&c, i, activation + 3).await,
            header_facts(&c, 0, activation + 3).await
        );
    }

    // The old build stops before the activation height, and says why.
    let old = c.members[3].node.as_mut().expect("validator 3 runs");
    let ended = tokio::time::timeout(T, old.app_ended())
        .await
        .expect("the old build stops");
    let message = format!("{ended:#}");
    assert!(
        message.contains("protocol version 2") && message.contains("install a build"),
        "{message}"
    );
    c.stop(3).await.unwrap();

    // Started again on the old build, it refuses at once, with the same reason.
    let refused = c.restart(3).await.unwrap_err();
    assert!(
        format!("{refused:#}").contains("protocol version 2"),
        "{refused:#}"
    );

    // On the new build it catches up, through the activation height, to the others' state.
    c.members[3].settings.faults.known_versions = Some(NEW_BUILD);
    c.restart(3).await.unwrap();
    assert_eq!(header_facts(&c, 3, activation - 1).await, before);
    let target = c.height(0).await.unwrap() + 2;
    let root = c.agreed_root(target, T).await.unwrap();
    assert_eq!(header_facts(&c, 3, target).await, (2, root));
    c.shutdown().await.unwrap();
}
