#![allow(clippy::unwrap_used, clippy::expect_used)]

use ebl_ledger::hash::{EntryId, Hash32};

use super::*;

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
    // R182: no standing proves the entry invalid on the committed state, like a bad envelope.
    for code in [
        "BAD_SIGNATURE",
        "WRONG_CHAIN",
        "REMARK_TOO_LARGE",
        "UNKNOWN_SIGNER",
        "NOT_AUTHORIZED",
        "ORGANISATION_REVOKED",
    ] {
        let verdict = verdict_of(&Admission::Rejected { id, code });
        assert!(
            matches!(verdict.acceptance(), MessageAcceptance::Reject),
            "{code}"
        );
        assert_eq!(verdict.label(), "reject");
    }
}
