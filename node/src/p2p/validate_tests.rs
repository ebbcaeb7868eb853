#![allow(clippy::unwrap_used, clippy::expect_used)]

use ebl_ledger::entry::Body;
use ebl_ledger::hash::{EntryId, Hash32};
use ebl_ledger::identity::GovernanceAction;
use ebl_ledger::testkit::{TestNetwork, key_from_label};

use super::*;

fn vote_body() -> Body {
    Body::Governance(GovernanceAction::Vote {
        proposal: Hash32::ZERO,
        approve: true,
    })
}

#[test]
fn organisation_and_validator_keys_are_known_signers_and_a_stranger_is_not() {
    let mut net = TestNetwork::pilot();
    let by_org = net.sign("BANK", vote_body());
    assert!(signer_is_known(&net.ledger, &by_org).unwrap());
    let validator = net.validator_keys[2].clone();
    let by_validator = net.sign_with(&validator, None, vote_body());
    assert!(signer_is_known(&net.ledger, &by_validator).unwrap());
    let stranger = key_from_label("stranger");
    let by_stranger = net.sign_with(&stranger, None, vote_body());
    assert!(!signer_is_known(&net.ledger, &by_stranger).unwrap());
    // Acting for an organisation: the grant is execution's to check (R26).
    let for_carrier = net.sign_with(&stranger, Some("CARRIER"), vote_body());
    assert!(signer_is_known(&net.ledger, &for_carrier).unwrap());
}

#[test]
fn admitted_is_forwarded_duplicates_and_races_are_ignored_and_bad_entries_rejected() {
    let id: EntryId = Hash32::ZERO;
    assert_eq!(verdict_of(&Admission::Admitted { id }), Verdict::Accept);
    assert!(matches!(
        verdict_of(&Admission::Duplicate { id }).acceptance(),
        MessageAcceptance::Ignore
    ));
    for code in ["REPLAY", "SEQUENCE_GAP", SEQUENCE_CONFLICT, MEMPOOL_FULL] {
        let verdict = verdict_of(&Admission::Rejected { id, code });
        assert_eq!(verdict, Verdict::Ignore(code));
    }
    for code in ["BAD_SIGNATURE", "WRONG_CHAIN", "REMARK_TOO_LARGE"] {
        let verdict = verdict_of(&Admission::Rejected { id, code });
        assert!(
            matches!(verdict.acceptance(), MessageAcceptance::Reject),
            "{code}"
        );
        assert_eq!(verdict.label(), "reject");
    }
}

#[test]
fn raw_committed_reads_know_the_same_signers_and_a_failing_read_is_an_error() {
    let mut net = TestNetwork::pilot();
    let by_org = net.sign("BANK", vote_body());
    let validator = net.validator_keys[1].clone();
    let by_validator = net.sign_with(&validator, None, vote_body());
    let by_stranger = net.sign_with(&key_from_label("stranger"), None, vote_body());
    let store = net.ledger.store();
    let get = |key: &[u8]| ebl_ledger::state::StateReader::get(store, key);
    assert!(signer_is_known_by(get, &by_org).unwrap());
    assert!(signer_is_known_by(get, &by_validator).unwrap());
    assert!(!signer_is_known_by(get, &by_stranger).unwrap());
    let broken = |_: &[u8]| Err(StorageError("disk gone".into()));
    assert!(signer_is_known_by(broken, &by_stranger).is_err());
}
