//! Genesis, entry envelopes and block execution basics (R1–R19).

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
        cites: Vec::new(),
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
    entries[2] = entries[2].tampered_signature(5, 1);
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

#[allow(clippy::unwrap_used)]
fn sequence_of(net: &TestNetwork, party: &str) -> u64 {
    let key = ebl_ledger::crypto::PublicKey::from(net.party(party).key.verifying_key());
    net.ledger.next_sequence(&key).unwrap()
}

#[test]
fn an_entry_for_another_chain_is_rejected_and_consumes_nothing() {
    let mut net = TestNetwork::pilot();
    let key = net.party("SGSW").key.clone();
    let mut entry = net
        .sign("SGSW", receipt_for_unknown_document())
        .into_entry();
    entry.chain.chain_id = "ebl-other-1".into();
    let result = net.submit_entry(entry.sign(&key));
    assert_eq!(result, Err("WRONG_CHAIN".to_string()));
    assert_eq!(sequence_of(&net, "SGSW"), 0);
}

#[test]
fn an_entry_signed_for_another_genesis_is_rejected() {
    let mut net = TestNetwork::pilot();
    let key = net.party("SGSW").key.clone();
    let mut entry = net
        .sign("SGSW", receipt_for_unknown_document())
        .into_entry();
    entry.chain.genesis_hash = Hash32::sha256(b"another genesis");
    assert_eq!(
        net.submit_entry(entry.sign(&key)),
        Err("WRONG_CHAIN".to_string())
    );
}

#[test]
fn a_bad_signature_is_rejected_and_consumes_nothing() {
    let mut net = TestNetwork::pilot();
    let mut entry = net.sign("SGSW", receipt_for_unknown_document());
    entry = entry.tampered_signature(0, 1);
    assert_eq!(net.submit_entry(entry), Err("BAD_SIGNATURE".to_string()));
    assert_eq!(sequence_of(&net, "SGSW"), 0);
}

#[test]
fn a_remark_over_1_kib_is_rejected_and_one_of_1_kib_is_accepted() {
    let mut net = TestNetwork::pilot();
    let key = net.party("SGSW").key.clone();
    let mut entry = net
        .sign("SGSW", receipt_for_unknown_document())
        .into_entry();
    entry.remark = Some(vec![7; 1025]);
    assert_eq!(
        net.submit_entry(entry.clone().sign(&key)),
        Err("REMARK_TOO_LARGE".to_string())
    );
    entry.remark = Some(vec![7; 1024]);
    // Within bounds the entry reaches its rules (the document is unknown).
    assert_eq!(
        net.submit_entry(entry.sign(&key)),
        Err("UNKNOWN_DOCUMENT".to_string())
    );
}

#[test]
fn an_entry_ahead_of_its_sequence_is_a_gap() {
    let mut net = TestNetwork::pilot();
    let key = net.party("SGSW").key.clone();
    let mut entry = net
        .sign("SGSW", receipt_for_unknown_document())
        .into_entry();
    entry.sequence = 5;
    assert_eq!(
        net.submit_entry(entry.sign(&key)),
        Err("SEQUENCE_GAP".to_string())
    );
    assert_eq!(sequence_of(&net, "SGSW"), 0);
}
