#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use ebl_ledger::crypto::Signature;
use ebl_ledger::hash::EntryId;
use ebl_ledger::testkit::TestNetwork;

use super::*;

/// BANK's `n` receipts, at its sequence numbers 1..=n.
fn entries(n: u64) -> Vec<SignedEntry> {
    TestNetwork::pilot().receipts(n, &["BANK"])
}

fn forged(entry: &SignedEntry) -> SignedEntry {
    entry.clone().with_signature(Signature([7; 64]))
}

/// Submits `all` at once, one task each, started in order (so they queue in order on this
/// single-threaded runtime); their answers in the same order.
async fn submit_all(
    submissions: &Submissions,
    all: &[SignedEntry],
) -> Vec<Result<Admission, NodeStopped>> {
    let tasks: Vec<_> = all
        .iter()
        .map(|entry| {
            let (submissions, entry) = (submissions.clone(), entry.clone());
            tokio::spawn(async move { submissions.submit(entry).await })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    answers
}

/// The application task's part, as far as this queue sees it: each `SubmitBatch` is recorded
/// and answered entry by entry from the memory of verified signatures, as the pool does (R155).
fn pool(
    verified: SharedVerified,
    mut commands: mpsc::Receiver<Command>,
) -> Arc<Mutex<Vec<Vec<EntryId>>>> {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let seen = calls.clone();
    tokio::spawn(async move {
        while let Some(command) = commands.recv().await {
            let Command::SubmitBatch(batch, reply) = command else {
                panic!("only SubmitBatch is expected, got {command:?}");
            };
            seen.lock()
                .unwrap()
                .push(batch.iter().map(SignedEntry::id).collect());
            let answers = batch
                .iter()
                .map(
                    |e| match verified.lock().contains_key(&e.id(), &e.signature().0) {
                        true => Admission::Admitted { id: e.id() },
                        false => Admission::Rejected {
                            id: e.id(),
                            code: "BAD_SIGNATURE",
                        },
                    },
                )
                .collect();
            let _ = reply.send(answers);
        }
    });
    calls
}

/// A queue in front of [`pool`], with what a test looks at.
struct Rig {
    verified: SharedVerified,
    metrics: NodeMetrics,
    submissions: Submissions,
    calls: Arc<Mutex<Vec<Vec<EntryId>>>>,
    _task: JoinHandle<()>,
}

impl Rig {
    fn start() -> Self {
        let verified = SharedVerified::default();
        let (commands, received) = mpsc::channel(16);
        let calls = pool(verified.clone(), received);
        let metrics = NodeMetrics::default();
        let (submissions, task) = Submissions::start(verified.clone(), commands, metrics.clone());
        Rig {
            verified,
            metrics,
            submissions,
            calls,
            _task: task,
        }
    }
}

#[tokio::test]
async fn submissions_sent_without_waiting_for_answers_are_decided_together_in_order() {
    let Rig {
        verified,
        metrics,
        submissions,
        calls,
        ..
    } = Rig::start();
    let all = entries(24);
    let answers = submit_all(&submissions, &all).await;
    for (entry, answer) in all.iter().zip(answers) {
        assert_eq!(answer, Ok(Admission::Admitted { id: entry.id() }));
        assert!(
            verified
                .lock()
                .contains_key(&entry.id(), &entry.signature().0)
        );
    }
    // Until a batch's worth has arrived the node is not busy and each is decided at once;
    // the rest waited and were decided together.
    assert!(metrics.waited_submissions() > 0);
    let groups = calls.lock().unwrap().clone();
    assert!(groups.len() < all.len(), "{} groups", groups.len());
    let ids: Vec<EntryId> = all.iter().map(SignedEntry::id).collect();
    assert_eq!(
        groups.concat(),
        ids,
        "the pool is offered them in arrival order"
    );
}

#[tokio::test]
async fn a_client_that_waits_for_each_answer_waits_for_others_at_most_once() {
    let Rig {
        metrics,
        submissions,
        calls,
        ..
    } = Rig::start();
    let all = entries(12);
    for entry in &all {
        let answer = submissions.submit(entry.clone()).await;
        assert_eq!(answer, Ok(Admission::Admitted { id: entry.id() }));
    }
    // Once busy it is tried once, sends nothing while it waits, and is decided at once after.
    assert!(metrics.waited_submissions() <= 1);
    assert_eq!(calls.lock().unwrap().len(), all.len(), "each decided alone");
}

#[tokio::test]
async fn a_forged_signature_is_refused_alone_and_its_group_is_admitted() {
    let Rig {
        metrics,
        submissions,
        ..
    } = Rig::start();
    let mut all = entries(12);
    all[6] = forged(&all[6]);
    all[9] = forged(&all[9]);
    let answers = submit_all(&submissions, &all).await;
    assert!(
        metrics.waited_submissions() > 0,
        "the forgeries waited in a group"
    );
    for (n, (entry, answer)) in all.iter().zip(answers).enumerate() {
        let expected = match n {
            6 | 9 => Admission::Rejected {
                id: entry.id(),
                code: "BAD_SIGNATURE",
            },
            _ => Admission::Admitted { id: entry.id() },
        };
        assert_eq!(answer, Ok(expected), "entry {n}");
    }
}

#[tokio::test]
async fn a_stopped_node_answers_node_stopped_whether_waiting_or_not() {
    let verified = SharedVerified::default();
    let (commands, received) = mpsc::channel(16);
    drop(received);
    let metrics = NodeMetrics::default();
    let (submissions, task) = Submissions::start(verified, commands, metrics.clone());
    let all = entries(8);
    for answer in submit_all(&submissions, &all).await {
        assert_eq!(answer, Err(NodeStopped));
    }
    assert!(metrics.waited_submissions() > 0, "some waited in a group");
    // The task ended with that group; later submissions are refused the same way.
    task.await.unwrap();
    assert_eq!(submissions.submit(all[0].clone()).await, Err(NodeStopped));
}
