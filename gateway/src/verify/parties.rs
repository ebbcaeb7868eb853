//! The PARTIES check (R227–R229): the title facts the presented document states (kind, to-order
//! flag, reference, issuing carrier, consignee or first endorsee) against what the ledger
//! recorded when it was issued. INTEGRITY proves the bytes were issued; PARTIES proves the
//! ledger's title follows those bytes, which an ISSUE signed outside this gateway (raw
//! `POST /v1/entries`) need not do.

use ebl_ledger::docfacts::{self, Mismatch};
use ebl_ledger::ebl::{EblAction, EblIssue, EblRecord};
use ebl_ledger::entry::Body;
use serde_json::Value;

use super::checks::{Check, Verdict, check};
use crate::AppState;
use crate::dcsa::parties::org_of_code;
use crate::error::ApiResult;
use crate::records;

const NAME: &str = "PARTIES";

/// The issuance `action` made of document `record.id` (ISSUE, or a replacement of AMEND, SPLIT
/// or COMBINE).
fn issuance_in(action: &EblAction, record: &EblRecord) -> Option<EblIssue> {
    let is_ours = |i: &&EblIssue| i.document == record.id;
    match action {
        EblAction::Issue(issue) => Some(issue).filter(is_ours).cloned(),
        EblAction::Amend { replacement, .. } | EblAction::Combine { replacement, .. } => {
            Some(replacement).filter(is_ours).cloned()
        }
        EblAction::Split { replacements, .. } => replacements.iter().find(is_ours).cloned(),
        _ => None,
    }
}

/// The terms the ledger issued `record` with: read from the entry its history starts with.
async fn issued_terms(state: &AppState, record: &EblRecord) -> ApiResult<Option<EblIssue>> {
    let Some(first) = record.history.first() else {
        return Ok(None);
    };
    Ok(records::history_entry(state, first)
        .await?
        .and_then(|e| match &e.entry().body {
            Body::Ebl(action) => issuance_in(action, record),
            _ => None,
        }))
}

/// `sees_title`: whether the verifier may read the bill's title (R231–R235); if not, a
/// mismatch names the fact and what the document says, never what the ledger recorded (R238).
fn mismatch_check(found: &[Mismatch], record: &EblRecord, sees_title: bool) -> Check {
    if found.is_empty() {
        return check(
            NAME,
            Verdict::Pass,
            "PARTIES_MATCH",
            format!(
                "The document's kind, reference, issuing carrier and consignee or endorsee are \
                 those eBL {} was issued with.",
                record.reference
            ),
        );
    }
    let list: Vec<String> = found
        .iter()
        .map(|m| {
            if sees_title {
                format!(
                    "{}: the document says {}, the ledger recorded {}",
                    m.fact.name(),
                    m.document,
                    m.claimed
                )
            } else {
                format!(
                    "{}: the document says {}, which is not what the ledger recorded",
                    m.fact.name(),
                    m.document
                )
            }
        })
        .collect();
    let mut c = check(
        NAME,
        Verdict::Fail,
        "PARTIES_MISMATCH",
        format!(
            "The ledger's title does not follow this document ({}).",
            list.join("; ")
        ),
    );
    c.mismatched = found.iter().map(|m| m.fact.name()).collect();
    c
}

/// R227–R229: the PARTIES check of `record` against the presented `document` (`None`: only the
/// id was presented, so there is nothing to compare: SKIPPED).
pub(crate) async fn parties_check(
    state: &AppState,
    record: &EblRecord,
    document: Option<&Value>,
    sees_title: bool,
) -> ApiResult<Check> {
    let Some(document) = document else {
        return Ok(check(
            NAME,
            Verdict::Skipped,
            "PARTIES_NOT_PRESENTED",
            "Only the document id was presented; present the document to compare its parties \
             with the ledger."
                .into(),
        ));
    };
    let config = &state.config.dcsa;
    let facts = match docfacts::title_facts(document, &|p, c| org_of_code(config, p, c)) {
        Ok(facts) => facts,
        Err(errors) => {
            let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
            return Ok(check(
                NAME,
                Verdict::Warning,
                "PARTIES_UNREADABLE",
                format!(
                    "The document's title facts cannot be read here ({}), so they were not \
                     compared with the ledger.",
                    text.join("; ")
                ),
            ));
        }
    };
    let Some(issued) = issued_terms(state, record).await? else {
        return Ok(check(
            NAME,
            Verdict::Warning,
            "ISSUANCE_UNAVAILABLE",
            "The entry that issued this eBL cannot be read from this node, so its parties were \
             not compared."
                .into(),
        ));
    };
    let found = docfacts::mismatches(&facts, &record.carrier, &issued);
    Ok(mismatch_check(&found, record, sees_title))
}
