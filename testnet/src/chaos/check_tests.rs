//! The checker finds each kind of violation in a made-up history, and none in a legal one.

use ebl_ledger::ebl::{EblAction, EblIssue, EblType};
use ebl_ledger::entry::Body;
use ebl_ledger::hash::DocumentId;
use ebl_ledger::ids::OrgId;

use super::check::*;

fn bill() -> DocumentId {
    DocumentId::from_hex(&"ab".repeat(32)).unwrap_or_else(|| panic!("hex"))
}

fn issue(id: &str) -> ChainEntry {
    entry(
        id,
        "CARRIER",
        0,
        Body::Ebl(EblAction::Issue(EblIssue {
            document: bill(),
            reference: "R1".into(),
            kind: EblType::ToOrderBl,
            issue_to: OrgId("SHIPPER".into()),
            consignee: Some(OrgId("SHIPPER".into())),
        })),
    )
}

fn transfer(id: &str, by: &str, sequence: u64, to: &str) -> ChainEntry {
    let to = OrgId(to.into());
    entry(
        id,
        by,
        sequence,
        Body::Ebl(EblAction::Transfer {
            document: bill(),
            to,
        }),
    )
}

fn entry(id: &str, by: &str, sequence: u64, body: Body) -> ChainEntry {
    ChainEntry {
        id: id.into(),
        applied: true,
        actor: by.into(),
        signer: format!("key-{by}"),
        sequence,
        body,
    }
}

fn block(height: u64, entries: Vec<ChainEntry>) -> ChainBlock {
    ChainBlock {
        height,
        hash: format!("h{height}"),
        entries,
    }
}

fn sent(round: u64, id: &str, answer: Answer) -> Submission {
    Submission {
        round,
        id: id.into(),
        bill: bill().to_hex(),
        node: 0,
        answer,
    }
}

fn findings(chain: &[ChainBlock], sent: &[Submission]) -> Findings {
    let mut f = Findings::default();
    check_history(chain, sent, &mut f);
    f
}

#[test]
fn a_legal_history_with_a_lost_race_passes_and_counts() {
    let mut loser = transfer("t2", "SHIPPER", 0, "BUYER2");
    loser.applied = false;
    let chain = [
        block(1, vec![issue("i")]),
        block(2, vec![transfer("t1", "SHIPPER", 0, "BANK"), loser]),
        block(3, vec![transfer("t3", "BANK", 0, "CONSIGNEE")]),
    ];
    let sent = [
        sent(0, "t1", Answer::Final { height: 2 }),
        sent(
            0,
            "t2",
            Answer::Failed {
                code: "SEQUENCE".into(),
            },
        ),
        sent(1, "t3", Answer::NoAnswer),
        sent(2, "t4", Answer::Accepted),
    ];
    let f = findings(&chain, &sent);
    assert!(f.violations.is_empty(), "{:?}", f.violations);
    assert_eq!(
        (f.applied, f.failed_on_chain, f.acknowledged_final),
        (2, 1, 1)
    );
    assert_eq!((f.never_decided, f.refused), (1, 0));
    assert_eq!(f.answers.get("final"), Some(&1));
    assert_eq!(f.answers.get("SEQUENCE"), Some(&1));
}

#[test]
fn a_transfer_by_a_former_holder_is_illegal() {
    let chain = [
        block(1, vec![issue("i"), transfer("t1", "SHIPPER", 0, "BANK")]),
        block(2, vec![transfer("t2", "SHIPPER", 1, "BUYER2")]),
    ];
    let f = findings(&chain, &[]);
    assert_eq!(f.illegal_transfers, 1, "{:?}", f.violations);
}

#[test]
fn two_applied_transfers_of_one_race_are_a_conflict() {
    let chain = [block(
        1,
        vec![
            issue("i"),
            transfer("a", "SHIPPER", 0, "BANK"),
            transfer("b", "BANK", 0, "BUYER2"),
        ],
    )];
    let sent = [
        sent(5, "a", Answer::NoAnswer),
        sent(5, "b", Answer::NoAnswer),
    ];
    let f = findings(&chain, &sent);
    assert_eq!(f.conflicts_both_applied, 1, "{:?}", f.violations);
}

#[test]
fn a_final_answer_missing_from_the_chain_or_at_another_height_is_lost() {
    let chain = [block(
        1,
        vec![issue("i"), transfer("t1", "SHIPPER", 0, "BANK")],
    )];
    let sent = [
        sent(0, "t1", Answer::Final { height: 2 }),
        sent(1, "t9", Answer::Final { height: 1 }),
    ];
    let f = findings(&chain, &sent);
    assert_eq!(f.lost, 2, "{:?}", f.violations);
}

#[test]
fn an_entry_or_a_sequence_applied_twice_is_duplicated() {
    let chain = [
        block(1, vec![issue("i"), transfer("t1", "SHIPPER", 0, "BANK")]),
        block(2, vec![transfer("t1", "SHIPPER", 0, "BANK")]),
    ];
    let f = findings(&chain, &[]);
    // The same id twice, and its sequence spent twice.
    assert_eq!(f.duplicated, 2, "{:?}", f.violations);
}

#[test]
fn an_action_after_a_closing_status_or_on_an_unknown_bill_is_illegal() {
    let void = entry(
        "v",
        "CARRIER",
        1,
        Body::Ebl(EblAction::Void {
            document: bill(),
            reason: "test".into(),
        }),
    );
    let chain = [
        block(1, vec![transfer("t0", "SHIPPER", 0, "BANK")]),
        block(
            2,
            vec![issue("i"), void, transfer("t1", "SHIPPER", 1, "BANK")],
        ),
    ];
    let f = findings(&chain, &[]);
    assert_eq!(f.illegal_transfers, 2, "{:?}", f.violations);
}

#[test]
fn nodes_that_disagree_at_a_height_are_a_fork() {
    let a = vec![block(1, vec![]), block(2, vec![])];
    let mut b = a.clone();
    b[1].hash = "other".into();
    let mut f = Findings::default();
    compare_chains(&[a.clone(), a.clone()], &mut f);
    assert_eq!((f.forks, f.heights_compared), (0, 2));
    compare_chains(&[a, b], &mut f);
    assert_eq!(f.forks, 1);
}
