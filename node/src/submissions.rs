//! R484: single submissions share their signature checks.
//!
//! Every `POST /v1/entries` (and every custodial or DCSA submission, which end in the same
//! call) carries one entry, and each was checked with one single verification on the caller's
//! task: ~10 % of a saturated machine (BENCHMARKS.md, "Issue 16, stop 32"). Here the
//! submissions that passed the intake and may wait ([`Pace`]) wait in one bounded queue, and
//! one task decides them together: one batch equation (R172) for the group, then one pool call
//! in arrival order. The others are decided at once on the caller's task, as before.
//!
//! A batch equation pays off only with several signatures (R172 checks fewer than
//! `MIN_BATCH` one by one; per signature it costs 0.62 of a single check at 4, 0.41 at 8,
//! 0.31 at 16), so a group is held open for [`HOLD`] to gather more, but only for signers that
//! keep sending while they wait ([`Pace`]): a client that waits for each answer is decided at
//! once, in parallel with the queue, so it never waits behind a group. Whatever queued while
//! the previous group was being decided joins the next group in any case.
//!
//! The verdicts are the ones R3 gives one by one: a group whose equation fails is checked
//! entry by entry (R172), so a forged signature is refused alone and its neighbours are
//! admitted. A client sending forgeries makes the entries grouped with its own cost one batch
//! share plus one single check each, at most, for that group.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use ebl_ledger::entry::SignedEntry;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::consensus::SharedVerified;
use crate::handle::{Command, NodeStopped, offer_decided, verify_apart};
use crate::mempool::Admission;
use crate::metrics::NodeMetrics;
pub use crate::submission_pace::{HOLD, Pace};

/// Most submissions decided together.
pub const MAX_GROUP: usize = 256;

/// Most submissions waiting for the task; more wait for room (the gateway's request timeout
/// bounds how long).
pub const MAX_WAITING: usize = 4_096;

/// One submission waiting for its admission.
struct Waiting {
    entry: SignedEntry,
    reply: oneshot::Sender<Admission>,
    arrived: Instant,
}

/// The queue's front, held by the node's handle.
#[derive(Clone, Debug)]
pub struct Submissions {
    queue: mpsc::Sender<Waiting>,
    deciding: Deciding,
    pace: Arc<Mutex<Pace>>,
}

/// What deciding a group needs: the memory of verified entries (R155), the application task,
/// the series of R484.
#[derive(Clone, Debug)]
struct Deciding {
    verified: SharedVerified,
    commands: mpsc::Sender<Command>,
    metrics: NodeMetrics,
}

impl Submissions {
    /// Starts the task that decides the queue's groups with the node's memory of verified
    /// entries and sends them to the application task over `commands`.
    pub fn start(
        verified: SharedVerified,
        commands: mpsc::Sender<Command>,
        metrics: NodeMetrics,
    ) -> (Self, JoinHandle<()>) {
        let (queue, waiting) = mpsc::channel(MAX_WAITING);
        let deciding = Deciding {
            verified,
            commands,
            metrics,
        };
        let pace = Arc::new(Mutex::new(Pace::default()));
        let task = tokio::spawn(run(waiting, deciding.clone(), pace.clone()));
        let submissions = Submissions {
            queue,
            deciding,
            pace,
        };
        (submissions, task)
    }

    /// Decides `entry`, with whatever else waits if its signer may wait ([`Pace`]), at once on
    /// this task otherwise; answers its admission.
    pub async fn submit(&self, entry: SignedEntry) -> Result<Admission, NodeStopped> {
        let arrived = Instant::now();
        let wait = {
            let mut pace = locked(&self.pace);
            pace.arrived(arrived);
            pace.may_wait(&entry.entry().signer, arrived)
        };
        if !wait {
            // The single check runs here, on the caller's task (R155), as it did before R484.
            self.deciding.verified.verify(&entry);
            return self
                .deciding
                .offer(vec![entry])
                .await?
                .pop()
                .ok_or(NodeStopped);
        }
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Waiting {
                entry,
                reply,
                arrived,
            })
            .await
            .map_err(|_| NodeStopped)?;
        answer.await.map_err(|_| NodeStopped)
    }
}

// The pace only steers waiting: a poisoned lock still holds usable counts and times.
fn locked(pace: &Mutex<Pace>) -> MutexGuard<'_, Pace> {
    pace.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn run(mut waiting: mpsc::Receiver<Waiting>, deciding: Deciding, pace: Arc<Mutex<Pace>>) {
    while let Some(first) = waiting.recv().await {
        let deadline = tokio::time::sleep_until((first.arrived + HOLD).into());
        tokio::pin!(deadline);
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            tokio::select! {
                biased;
                () = &mut deadline => break,
                next = waiting.recv() => match next {
                    Some(next) => group.push(next),
                    None => break,
                },
            }
        }
        locked(&pace).waited(
            group.iter().map(|w| &w.entry.entry().signer),
            Instant::now(),
        );
        while group.len() < MAX_GROUP {
            match waiting.try_recv() {
                Ok(next) => group.push(next),
                Err(_) => break,
            }
        }
        deciding.metrics.submissions_waited(group.len());
        if deciding.group(group).await.is_err() {
            return;
        }
    }
}

impl Deciding {
    /// One batch equation for the group's signatures (remembered, R155), then one pool call;
    /// each waiter gets its own admission.
    async fn group(&self, group: Vec<Waiting>) -> Result<(), NodeStopped> {
        let (entries, replies): (Vec<_>, Vec<_>) = group
            .into_iter()
            .map(|waiting| (waiting.entry, waiting.reply))
            .unzip();
        let entries = verify_apart(&self.verified, entries).await?;
        let admissions = self.offer(entries).await?;
        for (reply, admission) in replies.into_iter().zip(admissions) {
            // A caller that gave up (its request timed out) no longer listens.
            let _ = reply.send(admission);
        }
        Ok(())
    }

    /// Offers entries whose signatures were decided to the pool in one call.
    async fn offer(&self, entries: Vec<SignedEntry>) -> Result<Vec<Admission>, NodeStopped> {
        self.metrics.submission_group(entries.len());
        offer_decided(&self.commands, entries).await
    }
}

#[cfg(test)]
#[path = "submissions_tests.rs"]
mod tests;
