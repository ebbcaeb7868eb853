use super::*;
use crate::entry::Body;
use crate::receipt::{VerificationOutcome, VerificationReceipt};
use crate::storage::{BlockCommit, MemoryStore, StoredBlock};
use crate::testkit::TestNetwork;

/// A pilot network with a few certified blocks of receipts.
fn certified_net() -> TestNetwork {
    let mut net = TestNetwork::pilot();
    for _ in 0..3 {
        let entries = net.receipts(2, &["BANK", "SGSW"]);
        net.commit_certified(entries);
    }
    net
}

fn receipt_body() -> Body {
    Body::Verification(VerificationReceipt {
        subject: crate::entry::DocumentRef::Ebl {
            id: Hash32([7; 32]),
        },
        outcome: VerificationOutcome::Verified,
        purpose: "LC_PAYMENT".into(),
        detail: String::new(),
        cites: Vec::new(),
    })
}

#[test]
fn a_certified_chain_and_its_state_are_accepted() {
    let net = certified_net();
    let facts = verify_store(net.ledger.store(), &net.genesis, ledger_certificate).unwrap();
    assert_eq!(facts.height, net.ledger.head().height);
    assert_eq!(facts.block_hash, net.ledger.head().hash());
    assert_eq!(facts.state_root, net.state_root());
    assert!(facts.records > 10);
}

#[test]
fn a_block_without_a_valid_certificate_is_refused_at_its_height() {
    let mut net = certified_net();
    net.commit(vec![]);
    let height = net.ledger.head().height;
    match verify_store(net.ledger.store(), &net.genesis, ledger_certificate) {
        Err(SnapshotError::Uncertified { height: h, .. }) => assert_eq!(h, height),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_certificate_by_keys_outside_the_validator_set_is_refused() {
    let mut net = certified_net();
    let real = net.validator_keys.clone();
    // Four keys the chain never made validators sign the next block.
    net.validator_keys = (0..4)
        .map(|i| crate::testkit::key_from_label(&format!("stranger-{i}")))
        .collect();
    net.commit_certified(vec![]);
    net.validator_keys = real;
    assert!(matches!(
        verify_store(net.ledger.store(), &net.genesis, ledger_certificate),
        Err(SnapshotError::Uncertified { .. })
    ));
}

#[test]
fn state_that_does_not_hash_to_the_head_root_is_refused() {
    let mut net = certified_net();
    net.advance(1000);
    let proposer = crate::crypto::PublicKey::from(net.validator_keys[0].verifying_key());
    let entry = net.sign("BANK", receipt_body());
    let mut executed = net
        .ledger
        .execute(net.time(), proposer, vec![entry])
        .unwrap();
    let certificate = net.certify(&executed.block.header);
    // The block is certified, but the state written with it has one record more.
    executed
        .writes
        .insert(b"org/FORGED".to_vec(), Some(b"forged".to_vec()));
    let mut store: MemoryStore = net.ledger.store().clone();
    store
        .commit(BlockCommit {
            stored: StoredBlock {
                block: executed.block,
                results: executed.results,
                certificate,
            },
            writes: executed.writes,
            tree: executed.tree,
            consumed: executed.consumed,
        })
        .unwrap();
    assert!(matches!(
        verify_store(&store, &net.genesis, ledger_certificate),
        Err(SnapshotError::StateRoot { .. })
    ));
}

#[test]
fn a_store_of_another_network_is_refused() {
    let net = certified_net();
    let mut other = net.genesis.clone();
    other.chain_id = "ebl-other-1".into();
    assert!(matches!(
        verify_store(net.ledger.store(), &other, ledger_certificate),
        Err(SnapshotError::OtherGenesis)
    ));
    assert!(matches!(
        verify_store(&MemoryStore::default(), &net.genesis, ledger_certificate),
        Err(SnapshotError::Empty)
    ));
}
