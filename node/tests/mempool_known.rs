//! R155: admission takes the signature verdict of entries the node already verified with
//! the signature rule (R3), and only of exactly those (same entry, same signature bytes).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod mempool_support;

use ebl_ledger::signatures::VerifiedEntries;
use ebl_ledger::testkit::TestNetwork;
use ebl_node::mempool::{Admission, MempoolConfig};
use mempool_support::{View, admitted, corrupt, pool, run};

#[test]
fn entries_verified_beforehand_are_admitted_with_the_same_answers() {
    let net = TestNetwork::pilot();
    let batch = run(&net, "CARRIER", 0, 4);
    let mut known = VerifiedEntries::default();
    for e in &batch {
        assert!(known.verify(e));
    }
    let mut with = pool(&net, MempoolConfig::default());
    let mut without = pool(&net, MempoolConfig::default());
    let a = with.admit_known(batch.clone(), &View(&net.ledger), Some(&known));
    let b = without.admit(batch.clone(), &View(&net.ledger));
    assert_eq!(a, admitted(&batch));
    assert_eq!(a, b);
}

#[test]
fn a_forged_signature_is_rejected_even_when_the_entry_was_verified_with_the_good_one() {
    let net = TestNetwork::pilot();
    let batch = run(&net, "CARRIER", 0, 2);
    let mut known = VerifiedEntries::default();
    assert!(known.verify(&batch[0]));
    let forged = corrupt(batch[0].clone());
    assert_eq!(forged.id(), batch[0].id());
    let mut pool = pool(&net, MempoolConfig::default());
    let answers = pool.admit_known(vec![forged], &View(&net.ledger), Some(&known));
    assert_eq!(answers[0].code(), Some("BAD_SIGNATURE"));
    assert!(pool.is_empty());
    assert!(matches!(
        pool.admit_known(vec![batch[0].clone()], &View(&net.ledger), Some(&known))[0],
        Admission::Admitted { .. }
    ));
}
