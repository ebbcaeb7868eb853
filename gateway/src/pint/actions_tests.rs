//! R318: one test per row of the table.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ebl_ledger::crypto::PublicKey;
use ebl_ledger::hash::Hash32;

use super::*;
use crate::pint::fixtures::party;

fn org(name: &str) -> OrgId {
    OrgId(name.into())
}

fn entry(action: ActionKind, actor: &str, to: Option<&str>, reason: Option<&str>) -> HistoryEntry {
    HistoryEntry {
        height: 7,
        time: Timestamp(1_713_342_679_531),
        entry: Hash32::sha256(actor.as_bytes()),
        action,
        actor: org(actor),
        signer: PublicKey([0; 32]),
        from: None,
        to: to.map(org),
        reason: reason.map(str::to_owned),
    }
}

fn describe(org: &OrgId) -> ActorParty {
    party(&org.0, "EBLA")
}

fn one(action: ActionKind, to: Option<&str>, reason: Option<&str>) -> Option<Transaction> {
    let mut txs = transactions_for(&[entry(action, "alice", to, reason)], &describe);
    assert!(txs.len() <= 1);
    txs.pop()
}

#[test]
fn action_date_time_is_utc_with_milliseconds() {
    assert_eq!(
        action_date_time(Timestamp(1_713_342_679_531)),
        "2024-04-17T08:31:19.531Z"
    );
    assert_eq!(
        action_date_time(Timestamp(1_713_342_679_000)),
        "2024-04-17T08:31:19.000Z"
    );
    assert_eq!(action_date_time(Timestamp(5)), "1970-01-01T00:00:00.005Z");
}

#[test]
fn title_actions_map_one_to_one_with_actor_recipient_time_and_audit_reference() {
    use ActionKind as K;
    let rows = [
        (K::EblIssue, Some("bob"), "ISSUE"),
        (K::EblTransfer, Some("bob"), "TRANSFER"),
        (K::EblEndorse, Some("bob"), "ENDORSE"),
        (K::EblEndorseToOrder, Some("bob"), "ENDORSE_TO_ORDER"),
        (K::EblBlankEndorse, None, "BLANK_ENDORSE"),
        (K::EblSign, None, "SIGN"),
        (
            K::EblSurrenderForDelivery,
            Some("carrier"),
            "SURRENDER_FOR_DELIVERY",
        ),
        (
            K::EblSurrenderForAmendment,
            Some("carrier"),
            "SURRENDER_FOR_AMENDMENT",
        ),
        (K::EblAcceptSurrender, Some("bob"), "SACC"),
        (K::EblRejectSurrender, Some("bob"), "SREJ"),
    ];
    for (kind, to, code) in rows {
        let tx = one(kind, to, None).unwrap();
        assert_eq!(tx.action_code, code);
        assert_eq!(tx.actor, describe(&org("alice")));
        assert_eq!(tx.recipient, to.map(|t| describe(&org(t))));
        assert_eq!(tx.action_date_time, "2024-04-17T08:31:19.531Z");
        assert_eq!(
            tx.reason_code, None,
            "{code}: the history has no DCSA reason code"
        );
        assert_eq!(tx.comments, None);
        assert_eq!(tx.audit_reference, Some(Hash32::sha256(b"alice").to_hex()));
    }
}

#[test]
fn reject_becomes_a_transfer_back_with_the_reason_in_comments() {
    let tx = one(
        ActionKind::EblReject,
        Some("bob"),
        Some("wrong\n consignee "),
    )
    .unwrap();
    assert_eq!(tx.action_code, "TRANSFER");
    assert_eq!(tx.recipient, Some(describe(&org("bob"))));
    assert_eq!(tx.comments.as_deref(), Some("REJECT: wrong consignee"));
}

#[test]
fn a_long_reject_reason_is_cut_to_255_characters() {
    let reason = "é".repeat(400);
    let tx = one(ActionKind::EblReject, Some("bob"), Some(&reason)).unwrap();
    assert_eq!(tx.comments.unwrap().chars().count(), 255);
}

#[test]
fn nominate_is_omitted() {
    assert_eq!(one(ActionKind::EblNominate, Some("bob"), None), None);
}

#[test]
fn amend_split_combine_and_void_are_omitted() {
    for kind in [
        ActionKind::EblAmend,
        ActionKind::EblSplit,
        ActionKind::EblCombine,
        ActionKind::EblVoid,
    ] {
        assert_eq!(one(kind, Some("bob"), None), None, "{kind:?}");
    }
}

#[test]
fn actions_of_other_documents_are_omitted() {
    for kind in [
        ActionKind::CertIssue,
        ActionKind::GrantCreate,
        ActionKind::EblReadTitle,
    ] {
        assert_eq!(one(kind, None, None), None, "{kind:?}");
    }
}

#[test]
fn the_order_of_the_history_is_kept() {
    let history = [
        entry(ActionKind::EblIssue, "carrier", Some("alice"), None),
        entry(ActionKind::EblNominate, "alice", Some("bob"), None),
        entry(ActionKind::EblTransfer, "alice", Some("bob"), None),
    ];
    let codes: Vec<String> = transactions_for(&history, &describe)
        .into_iter()
        .map(|t| t.action_code)
        .collect();
    assert_eq!(codes, ["ISSUE", "TRANSFER"]);
}
