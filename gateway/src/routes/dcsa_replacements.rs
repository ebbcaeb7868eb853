//! DCSA ISS issuance requests with `transportDocumentReplacements` (R340–R347, ADR 0038): one
//! old document is an AMEND, several a COMBINE, signed at once; a split part is gathered until
//! every part named in `newTransportDocumentReferences` has arrived, then all are signed as one
//! SPLIT. Every replacement's outcome is the ledger's: ISSU when the entry is final, REFU with
//! its code when refused.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::StatusCode;
use axum::response::Response;
use ebl_ledger::ebl::{EblAction, EblIssue};
use ebl_ledger::entry::Body;
use ebl_ledger::hash::{DocumentId, EntryId};
use serde_json::Value;

use super::dcsa_issuance::{
    answer, breq, call_back, call_back_when_settled, issued, pending, refused,
};
use crate::AppState;
use crate::bodies::{self, DocumentBody};
use crate::dcsa::act::{Acting, Settled};
use crate::dcsa::error::Failure;
use crate::dcsa::issuance::Problem;
use crate::dcsa::issuance_material;
use crate::dcsa::replacements::Plan;
use crate::dcsa::split::{GatherError, Gathering, PartAdded, SplitPart};
use crate::dcsa::store::{Gathered, Verdict};
use crate::error::ApiError;

/// A replacement document signed in the entry: what the carrier is told and what is stored.
struct Replacement {
    reference: String,
    document: DocumentId,
    request: Value,
}

impl From<SplitPart> for Replacement {
    fn from(part: SplitPart) -> Self {
        Replacement {
            reference: part.reference,
            document: part.issue.document,
            request: part.request,
        }
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// R342–R344: signs the AMEND or COMBINE, or gathers the split part (signing the SPLIT when it
/// is the last).
pub(super) async fn replace(
    state: &AppState,
    acting: &Acting,
    request: Value,
    issue: EblIssue,
    plan: Plan,
    sync: bool,
) -> Result<Response, Failure> {
    let this = Replacement {
        reference: issue.reference.clone(),
        document: issue.document,
        request,
    };
    let action = match plan {
        Plan::Amend { old } => EblAction::Amend {
            document: old,
            replacement: issue,
        },
        Plan::Combine { olds } => EblAction::Combine {
            documents: olds,
            replacement: issue,
        },
        Plan::SplitPart { old, parts } => {
            return gather(state, acting, this, issue, old, parts, sync).await;
        }
    };
    let reference = this.reference.clone();
    sign(state, acting, action, vec![this], &reference, sync).await
}

/// R344–R346: keeps the part; the last one signs the SPLIT of every part, in list order.
async fn gather(
    state: &AppState,
    acting: &Acting,
    this: Replacement,
    issue: EblIssue,
    old: DocumentId,
    parts: Vec<String>,
    sync: bool,
) -> Result<Response, Failure> {
    let reference = this.reference.clone();
    let added = PartAdded {
        carrier: acting.org.clone(),
        old,
        parts,
        started: now(),
        part: SplitPart {
            reference: this.reference,
            issue,
            request: this.request,
        },
    };
    let (outcome, expired) = state.dcsa.gather_split(added, now());
    for gathering in &expired {
        give_up(state, gathering);
    }
    let gathering = match outcome {
        Ok(Gathered::Waiting) => return Ok(pending(&reference)),
        Ok(Gathered::Complete(gathering)) => gathering,
        Err(e @ GatherError::Full) => {
            return Err(
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.code(), e.to_string()).into(),
            );
        }
        Err(e) => {
            let problem = Problem::new(e.code(), e.to_string());
            return Ok(breq(state, &acting.org, &reference, &[problem], sync));
        }
    };
    let parts = gathering.in_order();
    let action = EblAction::Split {
        document: old,
        replacements: parts.iter().map(|p| p.issue.clone()).collect(),
    };
    let replacements = parts.into_iter().map(Replacement::from).collect();
    let signed = sign(state, acting, action, replacements, &reference, sync).await;
    if signed.is_err() {
        // Not signed (custody or node failure): the parts stay, so sending one again completes.
        state.dcsa.restore_split(&gathering);
    }
    signed
}

/// R346: a split whose parts did not all arrive in time: each received part is answered BREQ.
fn give_up(state: &AppState, gathering: &Gathering) {
    let missing: Vec<&str> = gathering
        .parts
        .iter()
        .filter(|r| !gathering.received.contains_key(*r))
        .map(String::as_str)
        .collect();
    let problem = Problem::new(
        "SPLIT_INCOMPLETE",
        format!(
            "the split's parts {} did not arrive in time; send every part again",
            missing.join(", ")
        ),
    );
    for reference in gathering.received.keys() {
        breq(
            state,
            &gathering.carrier,
            reference,
            std::slice::from_ref(&problem),
            false,
        );
    }
}

/// R347: signs `action` and reports its outcome for every replacement: bodies stored and
/// issuance manifests recorded as for an ISSUE, a verdict and a callback for each; the
/// answer names `this` (the request being answered).
async fn sign(
    state: &AppState,
    acting: &Acting,
    action: EblAction,
    replacements: Vec<Replacement>,
    this: &str,
    sync: bool,
) -> Result<Response, Failure> {
    let (entry, outcome) = acting.sign_and_wait(state, Body::Ebl(action), None).await?;
    let carrier = &acting.org;
    match outcome {
        Settled::Applied => {
            for r in &replacements {
                if let Some(body) = body_of(r) {
                    bodies::store(state, &body).await;
                }
                issuance_material::record(state, acting, &r.request, r.document).await;
                let body = issued(&r.reference);
                state
                    .dcsa
                    .set_verdict(carrier, &r.reference, Verdict::Decided(body.clone()));
                call_back(state, carrier, body);
            }
            Ok(answer(sync, issued(this)))
        }
        Settled::Pending => {
            for r in &replacements {
                settle_later(state, acting, r, entry).await;
            }
            Ok(pending(this))
        }
        Settled::Refused { code, message } => {
            for r in &replacements {
                let body = refused(&r.reference, &code, &message);
                state
                    .dcsa
                    .set_verdict(carrier, &r.reference, Verdict::Decided(body.clone()));
                call_back(state, carrier, body);
            }
            Ok(answer(sync, refused(this, &code, &message)))
        }
    }
}

/// The entry is not final yet: body stored, verdict and callback once it is.
async fn settle_later(state: &AppState, acting: &Acting, r: &Replacement, entry: EntryId) {
    if let Some(body) = body_of(r) {
        bodies::store_when_final(state, entry, body);
    }
    issuance_material::record(state, acting, &r.request, r.document).await;
    state
        .dcsa
        .set_verdict(&acting.org, &r.reference, Verdict::Pending(entry));
    call_back_when_settled(state, &acting.org, &r.reference, entry);
}

/// R162: the canonical body of the replacement's document (checked to hash to its id).
fn body_of(r: &Replacement) -> Option<DocumentBody> {
    let body = DocumentBody::of(r.request.get("document")?).ok()?;
    (body.id == r.document).then_some(body)
}
