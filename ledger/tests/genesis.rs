//! Genesis and block execution basics (R10–R19).

use ebl_ledger::block::Outcome;
use ebl_ledger::entry::{Body, DocumentRef};
use ebl_ledger::hash::Hash32;
use ebl_ledger::receipt::{VerificationOutcome, VerificationReceipt};
use ebl_ledger::testkit::TestNetwork;

fn receipt_for_unknown_document() -> Body {
    Body::Verification(VerificationReceipt {
        subject: DocumentRef::Ebl {
            id: Hash32::sha256(b"nothing"),
        },
        outcome: VerificationOutcome::Verified,
        purpose: "LC_PAYMENT".into(),
        detail: String::new(),
    })
}

#[test]
fn pilot_genesis_admits_every_organisation_and_is_reproducible() {
    let a = TestNetwork::pilot();
    let b = TestNetwork::pilot();
    assert_eq!(a.genesis.hash(), b.genesis.hash());
    assert_eq!(a.state_root(), b.state_root());
    assert_eq!(a.ledger.head().height, 0);
}

#[test]
fn a_failed_entry_consumes_its_sequence_and_leaves_other_state_alone() {
    let mut net = TestNetwork::pilot();
    let result = net.submit("SGSW", receipt_for_unknown_document());
    assert_eq!(result, Err("UNKNOWN_DOCUMENT".to_string()));
    let sgsw = ebl_ledger::crypto::PublicKey::from(net.party("SGSW").key.verifying_key());
    assert_eq!(net.ledger.next_sequence(&sgsw).unwrap(), 1);
}

#[test]
fn a_replayed_entry_is_rejected() {
    let mut net = TestNetwork::pilot();
    let entry = net.sign("SGSW", receipt_for_unknown_document());
    net.submit_entry(entry.clone()).unwrap_err();
    let outcome = net.commit(vec![entry]);
    assert!(matches!(&outcome[0], Outcome::Failed { code, .. } if code == "REPLAY"));
}

#[test]
fn precomputed_signature_verdicts_give_the_same_block_as_inline_verification() {
    use ebl_ledger::signatures::SignatureVerdicts;
    let mut net = TestNetwork::pilot();
    let mut entries: Vec<_> = (0..5)
        .map(|_| net.sign("SGSW", receipt_for_unknown_document()))
        .collect();
    entries[2].signature.0[5] ^= 1;
    let proposer = ebl_ledger::crypto::PublicKey::from(net.validator_keys[0].verifying_key());
    let time = ebl_ledger::time::Timestamp(net.time().0 + 1000);
    let inline = net.ledger.execute(time, proposer, entries.clone()).unwrap();
    let verdicts = SignatureVerdicts::compute(&entries, 2);
    let precomputed = net
        .ledger
        .execute_with(time, proposer, entries, Some(&verdicts))
        .unwrap();
    assert_eq!(inline.block.header, precomputed.block.header);
    assert!(
        matches!(&inline.results[2].outcome, Outcome::Failed { code, .. } if code == "BAD_SIGNATURE")
    );
}
