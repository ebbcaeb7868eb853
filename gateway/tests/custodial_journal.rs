//! R250: custodial entries are journaled before they are submitted and resubmitted after a
//! crash, so every `202 pending` becomes final or a typed failure (issue 13 item 4).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;

use ebl_gateway::custody::{CustodialRequest, Custodian};
use ebl_gateway::custody_journal::CustodyJournal;
use ebl_gateway::custody_sequenced::{ReplayReport, SequencedCustodian};
use ebl_gateway::node::{EntryStatus, NodeApi, SubmitOutcome};
use ebl_gateway::testkit::LocalNode;
use ebl_ledger::cert::{CertAction, CertificateIssue};
use ebl_ledger::entry::{Body, Entry};
use ebl_ledger::hash::EntryId;

const IDENTITY: &[(&str, &str)] = &[("msa-certs", "MSA")];

/// A ship certificate MSA issues (R65), numbered `n`: an entry that applies.
fn certificate(n: u32) -> Body {
    let issue: CertificateIssue = serde_json::from_value(serde_json::json!({
        "utn": format!("MSA-J-{n:04}"),
        "kind": "SAFETY_EQUIPMENT",
        "ship": {"imo_number": "9074729", "name": "PILOT STAR", "flag": "CN",
                 "call_sign": "BPXA", "gross_tonnage": 41000},
        "issued_on": "2026-01-10",
        "expires_on": "2031-01-09",
        "document": null,
        "place": "Guangzhou",
    }))
    .unwrap();
    Body::Certificate(CertAction::Issue(issue))
}

fn custodian(
    node: &Arc<LocalNode>,
    path: &Path,
) -> (SequencedCustodian, Vec<ebl_ledger::entry::SignedEntry>) {
    let (journal, found) = CustodyJournal::open(path).unwrap();
    let custodian =
        SequencedCustodian::pilot_custodian(node.clone(), IDENTITY).with_journal(journal);
    (custodian, found)
}

async fn act(custodian: &SequencedCustodian, n: u32) -> (EntryId, u64) {
    let outcome = custodian
        .act(CustodialRequest {
            identity: "msa-certs".into(),
            act_for: None,
            body: certificate(n),
            remark: None,
        })
        .await
        .unwrap()
        .unwrap();
    assert!(
        matches!(outcome.submit, SubmitOutcome::Accepted(_)),
        "{:?}",
        outcome.submit
    );
    (outcome.entry, outcome.sequence)
}

async fn status(node: &Arc<LocalNode>, id: EntryId) -> EntryStatus {
    node.entry_status(id).await.unwrap()
}

#[tokio::test]
async fn entries_pending_at_a_crash_are_resubmitted_and_become_final() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("custody.journal");
    let node = LocalNode::pilot();
    node.hold();
    let (before, found) = custodian(&node, &path);
    assert!(found.is_empty());
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(act(&before, n).await.0);
    }
    // The crash: the pool is gone, the custodian's memory too.
    node.lose_pending();
    drop(before);
    assert_eq!(status(&node, ids[0]).await, EntryStatus::Unknown);

    let (after, found) = custodian(&node, &path);
    assert_eq!(found.len(), 3);
    let report = after.replay(found).await.unwrap();
    assert_eq!(
        report,
        ReplayReport {
            settled: 0,
            pending: 3,
            refused: 0
        }
    );
    // The next entry continues after the resubmitted ones instead of reusing their numbers.
    let (next, sequence) = act(&after, 3).await;
    assert_eq!(sequence, 3);
    node.flush();
    for id in ids.iter().chain([&next]) {
        let status = status(&node, *id).await;
        assert!(matches!(status, EntryStatus::Final { .. }), "{status:?}");
    }

    // A later start finds them settled and empties the journal.
    drop(after);
    let (again, found) = custodian(&node, &path);
    assert_eq!(found.len(), 4);
    let report = again.replay(found).await.unwrap();
    assert_eq!(
        report,
        ReplayReport {
            settled: 4,
            pending: 0,
            refused: 0
        }
    );
    assert!(CustodyJournal::open(&path).unwrap().1.is_empty());
}

#[tokio::test]
async fn an_entry_whose_sequence_was_taken_meanwhile_is_dropped_on_replay() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("custody.journal");
    let node = LocalNode::pilot();
    node.hold();
    let (before, _) = custodian(&node, &path);
    let (lost, sequence) = act(&before, 0).await;
    node.lose_pending();
    drop(before);
    // Another signer of the same key (e.g. the organisation's wallet) used the number first.
    let other = node.with(|net| {
        let msa = net.party("MSA");
        Entry {
            chain: net.ledger.chain().clone(),
            signer: msa.key.verifying_key().into(),
            sequence,
            act_for: None,
            body: certificate(99),
            remark: None,
        }
        .sign(&msa.key)
    });
    node.submit(other.clone()).await.unwrap();
    node.flush();

    let (after, found) = custodian(&node, &path);
    let report = after.replay(found).await.unwrap();
    node.flush();
    // A node's pool refuses the stale number at once (REPLAY, counted as refused); this test
    // double queues it and execution fails it with the same code. Either way it is settled.
    let settled_as_replay = matches!(
        status(&node, lost).await,
        EntryStatus::Failed { ref code, .. } if code == "REPLAY"
    );
    assert!(report.refused == 1 || settled_as_replay, "{report:?}");
    assert!(matches!(
        status(&node, other.id()).await,
        EntryStatus::Final { .. }
    ));
    assert_ne!(lost, other.id());
    drop(after);
    let (again, found) = custodian(&node, &path);
    again.replay(found).await.unwrap();
    assert!(CustodyJournal::open(&path).unwrap().1.is_empty());
}
