//! [`SequencedCustodian`]: the one implementation of [`Custodian`] over signing keys held in
//! memory — used by the node (keys unlocked from its encrypted keystore, ADR 0012) and by the
//! gateway's testkit (the pilot parties' keys), so both run exactly the same sequencing.
//!
//! # Design
//!
//! - It builds the entry (chain, signer, sequence, act-for, body, remark), signs it with
//!   ed25519-dalek, runs the ledger's stateless checks and submits it through [`NodeApi`].
//! - Sequence numbers are serialised per identity by an async mutex held across "pick a number,
//!   sign, submit": next = max(ledger's next sequence, last number used + 1). So concurrent
//!   requests get consecutive numbers, and none waits for finality.
//! - A number is only remembered once the mempool admitted its entry. If an entry is refused
//!   before inclusion, or the last admitted one has since been dropped (rejected, evicted,
//!   unknown) while the ledger has not consumed its number, the next request re-syncs from the
//!   ledger instead of leaving a gap that would stall every later entry.
//! - With a journal ([`SequencedCustodian::with_journal`], R250), each signed entry is written
//!   and synced before it is submitted, so no `202` is given for an entry a crash could lose;
//!   [`SequencedCustodian::replay`] resubmits the undecided ones at start.

use std::collections::BTreeMap;
use std::sync::Arc;

use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::{ChainRef, Entry, SignedEntry};
use ebl_ledger::hash::EntryId;
use ebl_ledger::ids::OrgId;
use ed25519_dalek::SigningKey;
use tokio::sync::Mutex;

use crate::custody::{
    CustodialIdentity, CustodialOutcome, CustodialRequest, Custodian, CustodyError,
};
use crate::custody_journal::{COMPACT_AFTER, CustodyJournal};
use crate::node::{EntryStatus, NodeApi, NodeError, NodeFuture, SubmitOutcome};

/// A signing key held for an organisation.
pub struct SigningIdentity {
    /// Keystore name (what API keys are bound to).
    pub name: String,
    /// The organisation it belongs to (or acts for).
    pub org: OrgId,
    /// The key.
    pub key: SigningKey,
}

impl std::fmt::Debug for SigningIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key.
        f.debug_struct("SigningIdentity")
            .field("name", &self.name)
            .field("org", &self.org)
            .finish_non_exhaustive()
    }
}

struct Held {
    identity: CustodialIdentity,
    key: SigningKey,
    /// The last number admitted and its entry: the per-identity serialisation point.
    last: Mutex<Option<(u64, EntryId)>>,
}

/// The custodian (see the module docs).
pub struct SequencedCustodian {
    api: Arc<dyn NodeApi>,
    chain: ChainRef,
    held: BTreeMap<String, Held>,
    /// R250: where signed entries are written before they are submitted; none in tests that
    /// do not restart.
    journal: Option<Mutex<CustodyJournal>>,
}

/// What [`SequencedCustodian::replay`] did with the journal it found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReplayReport {
    /// Entries the ledger had decided already (final or failed): dropped from the journal.
    pub settled: usize,
    /// Entries still pending in the pool, or resubmitted and admitted again.
    pub pending: usize,
    /// Entries the node refused on resubmission (e.g. their sequence was consumed meanwhile):
    /// dropped, with a log line each.
    pub refused: usize,
}

impl std::fmt::Debug for SequencedCustodian {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SequencedCustodian")
            .field("identities", &self.held.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

fn unavailable(e: NodeError) -> CustodyError {
    match e {
        NodeError::Unavailable(m) => CustodyError::Unavailable(m),
        NodeError::Internal(m) => CustodyError::Internal(m),
    }
}

/// A custodial journal that cannot be read or written: no entry is submitted (R250).
fn journal_unavailable(e: &std::io::Error) -> CustodyError {
    CustodyError::Unavailable(format!("custodial journal: {e}"))
}

impl SequencedCustodian {
    /// A custodian signing entries of network `chain` with `keys`, submitting through `api`.
    pub fn new(api: Arc<dyn NodeApi>, chain: ChainRef, keys: Vec<SigningIdentity>) -> Self {
        let held = keys
            .into_iter()
            .map(|k| {
                let identity = CustodialIdentity {
                    name: k.name.clone(),
                    org: k.org,
                    public_key: PublicKey::from(k.key.verifying_key()),
                };
                let held = Held {
                    identity,
                    key: k.key,
                    last: Mutex::new(None),
                };
                (k.name, held)
            })
            .collect();
        SequencedCustodian {
            api,
            chain,
            held,
            journal: None,
        }
    }

    /// This custodian, writing every signed entry to `journal` before submitting it (R250).
    pub fn with_journal(mut self, journal: CustodyJournal) -> Self {
        self.journal = Some(Mutex::new(journal));
        self
    }

    /// R250: resubmits, in signing order, every journaled entry the ledger has not decided,
    /// then compacts the journal to the ones still pending. Call it once at start, before the
    /// custodian signs anything new: it also sets each identity's next sequence past the
    /// entries it resubmitted.
    pub async fn replay(&self, found: Vec<SignedEntry>) -> Result<ReplayReport, CustodyError> {
        let mut report = ReplayReport::default();
        let mut keep = Vec::new();
        for signed in found {
            let id = signed.id();
            let status = self.api.entry_status(id).await.map_err(unavailable)?;
            let admitted = match status {
                EntryStatus::Final { .. } | EntryStatus::Failed { .. } => {
                    report.settled += 1;
                    continue;
                }
                EntryStatus::Pending => true,
                EntryStatus::Rejected { .. } | EntryStatus::Unknown => {
                    match self.api.submit(signed.clone()).await.map_err(unavailable)? {
                        SubmitOutcome::Rejected { code, message, .. } => {
                            tracing::warn!(entry = %id.to_hex(), %code, %message,
                                "a journaled custodial entry was refused on resubmission");
                            report.refused += 1;
                            false
                        }
                        _ => true,
                    }
                }
            };
            if admitted {
                self.remember(&signed).await;
                report.pending += 1;
                keep.push(signed);
            }
        }
        if let Some(journal) = &self.journal {
            journal
                .lock()
                .await
                .compact(&keep)
                .map_err(|e| journal_unavailable(&e))?;
        }
        Ok(report)
    }

    /// Records `signed` as its identity's last admitted entry, if it is later than the one held.
    async fn remember(&self, signed: &SignedEntry) {
        let entry = signed.entry();
        if let Some(held) = self
            .held
            .values()
            .find(|h| h.identity.public_key == entry.signer)
        {
            let mut last = held.last.lock().await;
            if last.is_none_or(|(seq, _)| seq < entry.sequence) {
                *last = Some((entry.sequence, signed.id()));
            }
        }
    }

    /// R250: writes `signed` to the journal (if any) before it may be submitted; compacts the
    /// journal to the entries still pending when it has grown past [`COMPACT_AFTER`] lines.
    async fn journal(&self, signed: &SignedEntry) -> Result<(), CustodyError> {
        let Some(journal) = &self.journal else {
            return Ok(());
        };
        let mut journal = journal.lock().await;
        if journal.lines() >= COMPACT_AFTER {
            let found = journal.read_back().map_err(|e| journal_unavailable(&e))?;
            let mut keep = Vec::new();
            for entry in found {
                let status = self
                    .api
                    .entry_status(entry.id())
                    .await
                    .map_err(unavailable)?;
                if matches!(status, EntryStatus::Pending) {
                    keep.push(entry);
                }
            }
            journal
                .compact(&keep)
                .map_err(|e| journal_unavailable(&e))?;
        }
        journal.append(signed).map_err(|e| {
            tracing::error!(error = %e, "custodial journal write failed; entry not submitted");
            journal_unavailable(&e)
        })
    }

    /// The sequence to use next: the ledger's, or one past the last admitted entry while that
    /// entry may still be included.
    async fn next_sequence(
        &self,
        held: &Held,
        last: Option<(u64, EntryId)>,
    ) -> Result<u64, CustodyError> {
        let ledger_next = self
            .api
            .next_sequence(held.identity.public_key)
            .await
            .map_err(unavailable)?;
        let Some((last_seq, last_id)) = last else {
            return Ok(ledger_next);
        };
        if last_seq < ledger_next {
            return Ok(ledger_next);
        }
        let status = self.api.entry_status(last_id).await.map_err(unavailable)?;
        Ok(match status {
            // Still on its way (or included since we read the sequence): keep counting.
            EntryStatus::Pending | EntryStatus::Final { .. } | EntryStatus::Failed { .. } => {
                last_seq.saturating_add(1).max(ledger_next)
            }
            // Dropped before inclusion: its number was never consumed.
            EntryStatus::Rejected { .. } | EntryStatus::Unknown => {
                tracing::info!(identity = %held.identity.name, sequence = last_seq,
                    "custodial entry dropped before inclusion; re-synced the sequence");
                ledger_next
            }
        })
    }

    async fn sign_and_submit(
        &self,
        request: CustodialRequest,
    ) -> Result<CustodialOutcome, CustodyError> {
        let held = self
            .held
            .get(&request.identity)
            .ok_or_else(|| CustodyError::UnknownIdentity(request.identity.clone()))?;
        let mut last = held.last.lock().await;
        let sequence = self.next_sequence(held, *last).await?;
        let entry = Entry {
            chain: self.chain.clone(),
            signer: held.identity.public_key,
            sequence,
            act_for: request.act_for,
            body: request.body,
            remark: request.remark,
        };
        let signed = entry.sign(&held.key);
        let id = signed.id();
        // The checks every node makes on sight (R1–R8): refuse here with the ledger's code.
        if let Err(e) = signed.check_stateless(&self.chain) {
            let submit = SubmitOutcome::Rejected {
                id,
                code: e.code().into(),
                message: e.to_string(),
            };
            return Ok(CustodialOutcome {
                entry: id,
                sequence,
                submit,
            });
        }
        // R250: durable before it is submitted, so no 202 is given for an entry a crash loses.
        self.journal(&signed).await?;
        let submit = self.api.submit(signed).await.map_err(unavailable)?;
        if !matches!(submit, SubmitOutcome::Rejected { .. }) {
            *last = Some((sequence, id));
        }
        tracing::debug!(identity = %held.identity.name, sequence, entry = %id.to_hex(),
            "custodial entry signed");
        Ok(CustodialOutcome {
            entry: id,
            sequence,
            submit,
        })
    }
}

impl Custodian for SequencedCustodian {
    fn identities(&self) -> Vec<CustodialIdentity> {
        self.held.values().map(|h| h.identity.clone()).collect()
    }

    fn act(
        &self,
        request: CustodialRequest,
    ) -> NodeFuture<'_, Result<CustodialOutcome, CustodyError>> {
        Box::pin(async move { Ok(self.sign_and_submit(request).await) })
    }
}
