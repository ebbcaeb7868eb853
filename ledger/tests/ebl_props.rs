//! Property test over random eBL action sequences by random parties (R32, R38, R59): exactly one
//! holder while active, nothing applies after a closed status, and every committed history is
//! consistent with its record.

#![allow(clippy::unwrap_used)]

mod ebl_support;

use ebl_ledger::block::Outcome;
use ebl_ledger::ebl::{AmendmentReason, EblRecord, EblStatus, EblType, SurrenderKind};
use ebl_ledger::entry::{ActionKind, Body};
use ebl_ledger::hash::DocumentId;
use ebl_ledger::testkit::TestNetwork;
use ebl_support::*;
use proptest::prelude::*;

const PARTIES: [&str; 6] = [
    "CARRIER",
    "CARRIER2",
    "SHIPPER",
    "BANK",
    "CONSIGNEE",
    "BUYER2",
];

/// An action with its party chosen by index into [`PARTIES`].
#[derive(Debug, Clone)]
enum Op {
    Transfer(usize),
    Endorse(usize),
    EndorseToOrder(usize),
    BlankEndorse,
    Nominate(usize),
    Reject,
    Sign,
    SurrenderForDelivery,
    SurrenderForAmendment(u8),
    Accept,
    RejectSurrender,
    Amend,
    Split,
    Void,
}

/// Who acts: below 6 a party of [`PARTIES`], otherwise (three times in four) the party the
/// action is meant for, so that sequences get past the first checks often enough.
#[derive(Debug, Clone)]
struct Step {
    actor: usize,
    document: usize,
    op: Op,
}

fn op() -> impl Strategy<Value = Op> {
    let party = 0..PARTIES.len();
    prop_oneof![
        4 => party.clone().prop_map(Op::Transfer),
        1 => party.clone().prop_map(Op::Endorse),
        2 => party.clone().prop_map(Op::EndorseToOrder),
        1 => Just(Op::BlankEndorse),
        1 => party.prop_map(Op::Nominate),
        2 => Just(Op::Reject),
        1 => Just(Op::Sign),
        2 => Just(Op::SurrenderForDelivery),
        2 => (0u8..3).prop_map(Op::SurrenderForAmendment),
        2 => Just(Op::Accept),
        1 => Just(Op::RejectSurrender),
        2 => Just(Op::Amend),
        1 => Just(Op::Split),
        1 => Just(Op::Void),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    (0usize..24, 0usize..4, op()).prop_map(|(actor, document, op)| Step {
        actor,
        document,
        op,
    })
}

/// The party that would normally take `op`: the carrier answers, the endorsee nominates, the
/// receiver rejects, the holder does the rest.
fn natural_actor<'a>(record: &'a EblRecord, op: &Op) -> &'a ebl_ledger::ids::OrgId {
    match op {
        Op::Accept | Op::RejectSurrender | Op::Amend | Op::Split | Op::Void => &record.carrier,
        Op::Nominate(_) => record.endorsee().unwrap_or(record.holder()),
        Op::Reject => record
            .pending_reject
            .as_ref()
            .map_or(record.holder(), |p| &p.receiver),
        _ => record.holder(),
    }
}

fn load(net: &TestNetwork, id: DocumentId) -> Option<EblRecord> {
    net.ledger
        .get::<EblRecord>(&ebl_ledger::state::keys::ebl(&id))
        .unwrap()
}

/// Builds the entry body for `step` against the committed state; returns the signer and the
/// document the action is about.
fn build(net: &TestNetwork, docs: &mut Vec<DocumentId>, step: &Step) -> (String, DocumentId, Body) {
    // Amendments that failed left ids without records; act only on documents that exist.
    let existing: Vec<DocumentId> = docs
        .iter()
        .copied()
        .filter(|d| load(net, *d).is_some())
        .collect();
    let id = existing[step.document % existing.len()];
    let record = load(net, id).unwrap();
    let actor = match step.actor {
        i if i < PARTIES.len() => PARTIES[i].to_string(),
        _ => natural_actor(&record, &step.op).0.clone(),
    };
    let party = |i: usize| PARTIES[i].to_string();
    let action = match &step.op {
        Op::Transfer(p) => transfer(id, &party(*p)),
        Op::Endorse(p) => endorse(id, &party(*p)),
        Op::EndorseToOrder(p) => endorse_to_order(id, &party(*p)),
        Op::BlankEndorse => blank_endorse(id),
        Op::Nominate(p) => nominate(id, &party(*p)),
        Op::Reject => reject(id),
        Op::Sign => sign(id),
        Op::SurrenderForDelivery => surrender_for_delivery(id),
        Op::SurrenderForAmendment(r) => {
            let reason = [
                AmendmentReason::SwitchToPaper,
                AmendmentReason::ChangeOfDestination,
                AmendmentReason::SwitchBl,
            ][usize::from(*r)];
            surrender_for_amendment(id, reason)
        }
        Op::Accept => sacc(id),
        Op::RejectSurrender => srej(id),
        Op::Amend | Op::Split => {
            // Replacements go to the surrendering party (R56); other parties are tested elsewhere.
            let to = record
                .surrender
                .as_ref()
                .map_or_else(|| "SHIPPER".to_string(), |s| s.by.0.clone());
            let parts = if matches!(step.op, Op::Split) { 2 } else { 1 };
            let mut replacements = Vec::new();
            for _ in 0..parts {
                let reference = format!("NEW{}", docs.len());
                let new = issue_of(&reference, EblType::ToOrderBl, &to, None);
                docs.push(new.document);
                replacements.push(new);
            }
            if parts == 1 {
                amend(id, replacements.remove(0))
            } else {
                split(id, replacements)
            }
        }
        Op::Void => void(id),
    };
    (actor, id, action)
}

/// R59: replays the history and checks it against the record.
fn check_history(record: &EblRecord) -> Result<(), TestCaseError> {
    let first = &record.history[0];
    prop_assert!(matches!(
        first.action,
        ActionKind::EblIssue | ActionKind::EblAmend | ActionKind::EblSplit | ActionKind::EblCombine
    ));
    let mut holder = first.to.clone().unwrap();
    let mut status = EblStatus::Active;
    let mut height = first.height;
    let mut signatures = 0;
    let mut requester = None;
    for h in &record.history[1..] {
        prop_assert!(!status.is_closed(), "{:?} after a closed status", h.action);
        prop_assert!(h.height >= height);
        height = h.height;
        match h.action {
            ActionKind::EblTransfer => {
                // R38: only the holder moves possession.
                prop_assert_eq!(&h.actor, &holder);
                holder = h.to.clone().unwrap();
            }
            ActionKind::EblReject => holder = h.to.clone().unwrap(),
            ActionKind::EblSurrenderForDelivery => {
                requester = Some(h.actor.clone());
                holder = record.carrier.clone();
                status = EblStatus::SurrenderForDeliveryPending;
            }
            ActionKind::EblSurrenderForAmendment => {
                requester = Some(h.actor.clone());
                holder = record.carrier.clone();
                status = EblStatus::SurrenderForAmendmentPending;
            }
            ActionKind::EblAcceptSurrender => {
                prop_assert_eq!(&h.actor, &record.carrier);
                status = match status {
                    EblStatus::SurrenderForDeliveryPending => EblStatus::Accomplished,
                    EblStatus::SurrenderForAmendmentPending => {
                        match record.surrender.as_ref().map(|s| s.kind) {
                            Some(SurrenderKind::Amendment(AmendmentReason::SwitchToPaper)) => {
                                EblStatus::SwitchedToPaper
                            }
                            _ => EblStatus::SurrenderedForAmendment,
                        }
                    }
                    other => return Err(TestCaseError::fail(format!("SACC in {other:?}"))),
                };
            }
            ActionKind::EblRejectSurrender => {
                // R244: SREJ returns the document to the party that requested the surrender.
                prop_assert_eq!(&h.to, &requester);
                holder = h.to.clone().unwrap();
                status = EblStatus::Active;
            }
            ActionKind::EblAmend | ActionKind::EblSplit | ActionKind::EblCombine => {
                prop_assert_eq!(status, EblStatus::SurrenderedForAmendment);
                status = EblStatus::Replaced;
            }
            ActionKind::EblVoid => status = EblStatus::Void,
            ActionKind::EblSign => signatures += 1,
            _ => {}
        }
    }
    prop_assert_eq!(&holder, record.holder());
    prop_assert_eq!(status, record.status);
    prop_assert_eq!(signatures, record.signatures.len());
    prop_assert_eq!(
        record.status == EblStatus::Replaced,
        !record.replaced_by.is_empty()
    );
    // Exactly one holder while active: a member; the carrier while a surrender is pending; and a
    // waybill never leaves its first holder except for the carrier and, after an SREJ of its
    // consignee's surrender (R244), the consignee.
    if matches!(
        record.status,
        EblStatus::SurrenderForDeliveryPending | EblStatus::SurrenderForAmendmentPending
    ) {
        prop_assert_eq!(record.holder(), &record.carrier);
    }
    prop_assert!(PARTIES.contains(&record.holder().as_str()));
    if record.kind == EblType::SeaWaybill && record.status == EblStatus::Active {
        let holder = Some(record.holder());
        prop_assert!(holder == first.to.as_ref() || holder == record.endorsee());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_action_sequences_keep_the_ebl_invariants_and_reject_replays(
        kind in 0usize..4,
        consignee in 0usize..4,
        blocks in prop::collection::vec(prop::collection::vec(step(), 1..4), 1..16),
    ) {
        let mut net = TestNetwork::pilot();
        // Half the cases use the negotiable kind, which has the most paths.
        let kind = [EblType::ToOrderBl, EblType::ToOrderBl, EblType::StraightBl, EblType::SeaWaybill][kind];
        let consignee = match (kind, consignee) {
            (EblType::ToOrderBl, 0) => None,
            (_, c) => Some(["SHIPPER", "BANK", "CONSIGNEE", "BUYER2"][c]),
        };
        ok(&mut net, "CARRIER", issue("FIRST", kind, "SHIPPER", consignee));
        let mut docs = vec![doc("FIRST")];
        for block in &blocks {
            let before: Vec<Option<EblRecord>> = docs.iter().map(|d| load(&net, *d)).collect();
            let mut targets = Vec::new();
            let mut entries = Vec::new();
            for step in block {
                let (actor, id, body) = build(&net, &mut docs, step);
                targets.push(id);
                entries.push(net.sign(&actor, body));
            }
            let replay = entries[0].clone();
            let outcomes = net.commit(entries);
            // R9: a committed entry submitted again is a replay and changes no record.
            let after: Vec<Option<EblRecord>> = docs.iter().map(|d| load(&net, *d)).collect();
            let replayed = net.commit(vec![replay]);
            prop_assert!(
                matches!(&replayed[0], Outcome::Failed { code, .. } if code == "REPLAY"),
                "{:?}", replayed
            );
            let unchanged: Vec<Option<EblRecord>> = docs.iter().map(|d| load(&net, *d)).collect();
            prop_assert_eq!(after, unchanged);
            for (i, old) in before.iter().enumerate() {
                let Some(old) = old else { continue };
                let new = load(&net, docs[i]).unwrap();
                // R32: nothing applies after a closed status.
                if old.status.is_closed() {
                    prop_assert_eq!(old, &new);
                }
                // R59: one history entry per applied action on the document.
                let applied = targets
                    .iter()
                    .zip(&outcomes)
                    .filter(|(t, o)| **t == docs[i] && **o == Outcome::Applied)
                    .count();
                prop_assert_eq!(new.history.len(), old.history.len() + applied);
            }
            for (target, outcome) in targets.iter().zip(&outcomes) {
                let was_closed = before
                    .iter()
                    .flatten()
                    .any(|r| r.id == *target && r.status.is_closed());
                if was_closed {
                    prop_assert!(
                        matches!(outcome, Outcome::Failed { code, .. } if code == "DOCUMENT_CLOSED"),
                        "{:?}", outcome
                    );
                }
            }
            for id in &docs {
                if let Some(record) = load(&net, *id) {
                    check_history(&record)?;
                }
            }
        }
    }
}
